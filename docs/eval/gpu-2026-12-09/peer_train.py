"""Issue 6's peer: one training step of a paper-width Mamba-2 stack in PyTorch + state-spaces/mamba (mamba_ssm).

The stack is what TrainBenchmark's paper rows train, less MDM's VAE, embeddings, losses and scan-switch permutations:
`blocks` residual blocks of pre-RMSNorm + Mamba2Simple (d 2048, expand 2, headdim 64, d_state 128, one group, conv 4,
gated RMSNorm; mamba_ssm's Triton SSD kernels, its conv as nn.Conv1d without the causal_conv1d package), on random
inputs of `batch` x 324 tokens, loss = mean of the squared output. One step is what JcudaTrainingSession.step does:
zero the gradients, forward, backward, clip the gradient norm to 1, fused AdamW (fp32 master weights and state),
EMA of the weights. Mixed precision as mamba_ssm trains: fp32 parameters, torch.autocast(bfloat16).

Timed with CUDA events around whole steps (medians of --repeats after --warmup); the bf16 GEMM ceiling (8192^3) in
the same run; GEMM FLOPs counted as 6 x tokens x (in_proj + out_proj weights) x blocks, the convention of
TrainBenchmark's model FLOPs. Writes JSON to --out; --profile FILE writes the CUDA kernels of one step by total time.
"""
import argparse
import functools
import json
import platform
import statistics
import subprocess
import sys
import time

import torch
import torch.nn as nn


def gpu_name():
    try:
        return subprocess.run(["nvidia-smi", "--query-gpu=name,clocks.sm,temperature.gpu", "--format=csv,noheader"],
                              capture_output=True, text=True, check=True).stdout.strip()
    except Exception as e:  # the report says why rather than failing the run
        return f"unknown ({e})"


def ceiling_tflops(repeats=20):
    a = torch.randn(8192, 8192, device="cuda", dtype=torch.bfloat16)
    b = torch.randn(8192, 8192, device="cuda", dtype=torch.bfloat16)
    for _ in range(3):
        a @ b
    times = []
    for _ in range(repeats):
        s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        s.record()
        a @ b
        e.record()
        e.synchronize()
        times.append(s.elapsed_time(e))
    return 2 * 8192 ** 3 / (statistics.median(times) * 1e-3) / 1e12


class PreNormBlock(nn.Module):
    """x + Mamba2(RMSNorm(x)), the residual stream in fp32 (MDM's blocks, SPEC section 5)."""

    def __init__(self, d, mixer, norm):
        super().__init__()
        self.norm = norm(d)
        self.mixer = mixer(d)

    def forward(self, x):
        return x + self.mixer(self.norm(x)).float()


def build(args):
    # state-spaces/mamba's Mamba2Simple on its Triton SSD path (mamba_chunk_scan_combined, RMSNormGated); without the
    # causal_conv1d package (not on the GPU machine) its conv runs as nn.Conv1d, and use_mem_eff_path needs that package
    from mamba_ssm.modules.mamba2_simple import Mamba2Simple
    from mamba_ssm.ops.triton.layernorm_gated import RMSNorm
    norm = functools.partial(RMSNorm, eps=1e-5)
    mixer = functools.partial(Mamba2Simple, d_state=128, d_conv=4, expand=2, headdim=64, ngroups=1,
                              chunk_size=args.chunk, use_mem_eff_path=False)
    torch.manual_seed(0)
    model = nn.Sequential(*[PreNormBlock(args.d, mixer, norm) for _ in range(args.blocks)]).cuda()
    return model, norm


def gemm_weights_per_block(model):
    block = model[0]
    return block.mixer.in_proj.weight.numel() + block.mixer.out_proj.weight.numel()


def make_step(model, args):
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=1e-4, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01, fused=True,
                            capturable=args.graph)
    ema = [p.detach().clone() for p in params]
    x = torch.randn(args.batch, args.tokens, args.d, device="cuda")

    def step():
        opt.zero_grad(set_to_none=False)
        with torch.autocast("cuda", dtype=torch.bfloat16):
            y = model(x)
        loss = y.float().pow(2).mean()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0, foreach=True)
        opt.step()
        with torch.no_grad():
            torch._foreach_lerp_(ema, params, 1 - 0.9999)
        return loss

    if not args.graph:
        return step
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        for _ in range(3):
            step()
    torch.cuda.current_stream().wait_stream(side)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        static_loss = step()

    def replay():
        graph.replay()
        return static_loss

    return replay


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--blocks", type=int, default=49)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--tokens", type=int, default=324)
    p.add_argument("--d", type=int, default=2048)
    p.add_argument("--chunk", type=int, default=256)
    p.add_argument("--graph", action="store_true", help="capture the whole step in one CUDA graph")
    p.add_argument("--repeats", type=int, default=10)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--out", required=True)
    p.add_argument("--profile")
    args = p.parse_args()

    import mamba_ssm
    import triton
    report = {"benchmark": "peer training step (PyTorch + mamba_ssm)", "machine": platform.node(), "gpu": gpu_name(),
              "versions": {"python": sys.version.split()[0], "torch": torch.__version__,
                           "cuda": torch.version.cuda, "mamba_ssm": getattr(mamba_ssm, "__version__", "?"),
                           "triton": triton.__version__},
              "config": {k: v for k, v in vars(args).items() if k not in ("out", "profile")},
              "ceilingBf16Tflops": ceiling_tflops()}
    model, _ = build(args)
    n_params = sum(p.numel() for p in model.parameters())
    torch.cuda.reset_peak_memory_stats()
    step = make_step(model, args)
    losses = [step().item() for _ in range(args.warmup)]
    times = []
    for _ in range(args.repeats):
        s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        s.record()
        loss = step()
        e.record()
        e.synchronize()
        times.append(s.elapsed_time(e))
        losses.append(loss.item())
    ms = statistics.median(times)
    tokens = args.batch * args.tokens
    flops = 6 * tokens * gemm_weights_per_block(model) * args.blocks
    report.update({"parameters": n_params, "msPerStep": {"median": ms, "min": min(times), "max": max(times)},
                   "gemmFlopsPerStep": flops, "tflops": flops / (ms * 1e-3) / 1e12,
                   "ofCeiling": flops / (ms * 1e-3) / 1e12 / report["ceilingBf16Tflops"],
                   "samplesPerSecond": args.batch / (ms * 1e-3), "tokensPerSecond": tokens / (ms * 1e-3),
                   "peakMemoryGB": torch.cuda.max_memory_allocated() / 1e9, "losses": losses})
    with open(args.out, "w") as f:
        json.dump(report, f, indent=2)
    print(json.dumps({k: report[k] for k in ("config", "msPerStep", "tflops", "ofCeiling", "peakMemoryGB")}))

    if args.profile:
        from torch.profiler import ProfilerActivity, profile
        step()
        torch.cuda.synchronize()
        with profile(activities=[ProfilerActivity.CUDA]) as prof:
            step()
            torch.cuda.synchronize()
        with open(args.profile, "w") as f:
            averages = prof.key_averages()
            try:
                table = averages.table(sort_by="device_time_total", row_limit=40, max_name_column_width=90)
            except Exception:  # older torch names the column cuda_time_total
                table = averages.table(sort_by="cuda_time_total", row_limit=40, max_name_column_width=90)
            f.write(table)


if __name__ == "__main__":
    t0 = time.time()
    main()
    print(f"wall {time.time() - t0:.1f} s", file=sys.stderr)

"""Generates the outside ground-truth vectors the TCK checks the reference oracle against.

It runs the official reference code of three projects in float64 PyTorch and writes safetensors files whose
tensors and metadata follow the conformance cases of SPEC §11, plus `expected.*` outputs:
  ssd_minimal_*.safetensors   state-spaces/mamba  mamba_ssm/modules/ssd_minimal.py  ssd_minimal_discrete (EULER)
  recurrence_*.safetensors    state-spaces/mamba  mamba_ssm/ops/triton/selective_state_update.py  selective_state_update_ref
                              applied token by token (the fp64 recurrence), per B/C group
  mamba2_minimal_*.safetensors tommyip/mamba2-minimal  mamba2.py  Mamba2 mixer (EULER, mamba_ssm weight names)
  dpm_*.safetensors           LuChengTHU/dpm-solver  dpm_solver_pytorch.py  DPM_Solver.sample(return_intermediate=True)
                              with the exact noise model of Gaussian data N(0, s² I)
and python-written.safetensors (+ .json): a file written by the Python `safetensors` library with every dtype.

The official files are not part of this repository: put excerpts of them (the functions named above, verbatim)
next to this script as ssd_minimal.py, mamba2_minimal.py and dpm_solver_official.py, then run
  python3 generate.py OUT_DIR
on a machine with torch, einops and safetensors (the project's GPU machine has them).
"""
import json
import math
import os
import sys

import torch
import torch.nn.functional as F
from safetensors.torch import save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ssd_minimal  # noqa: E402
import mamba2_minimal  # noqa: E402
import dpm_solver_official as dpm  # noqa: E402

torch.manual_seed(20251013)
D64 = torch.float64
out_dir = sys.argv[1]
os.makedirs(out_dir, exist_ok=True)


def save(name, tensors, meta):
    tensors = {k: v.contiguous() for k, v in tensors.items()}
    save_file(tensors, os.path.join(out_dir, name + ".safetensors"), metadata={k: str(v) for k, v in meta.items()})
    print("wrote", name, {k: list(v.shape) for k, v in tensors.items()})


# ---- SSD: ssd_minimal_discrete is EULER discretization: X·dt, A·dt ----
def ssd_minimal_case(name, b, l, h, p, n, block):
    x = torch.randn(b, l, h, p, dtype=D64)
    dt = F.softplus(torch.randn(b, l, h, dtype=D64) - 1)
    A = -torch.exp(torch.rand(h, dtype=D64))
    B = torch.randn(b, l, 1, n, dtype=D64)
    C = torch.randn(b, l, 1, n, dtype=D64)
    y, _ = ssd_minimal.ssd_minimal_discrete(x * dt.unsqueeze(-1), A * dt, B, C, block)
    save(name, {"x": x, "dt": dt, "A": A, "B": B, "C": C, "expected.y": y},
         {"case": "ssd", "discretization": "EULER", "source": "ssd_minimal_discrete"})


ssd_minimal_case("ssd_minimal_1", 2, 32, 4, 8, 16, 8)
ssd_minimal_case("ssd_minimal_2", 1, 13, 3, 4, 5, 13)


# ---- the fp64 recurrence, token by token, per group ----
def recurrence_case(name, b, l, h, p, g, n, raw_dt, with_d, with_z):
    x = torch.randn(b, l, h, p, dtype=D64)
    dt_raw = torch.randn(b, l, h, dtype=D64) - 1
    dt_bias = 0.5 * torch.randn(h, dtype=D64)
    A = -torch.exp(torch.rand(h, dtype=D64) * 2)
    B = torch.randn(b, l, g, n, dtype=D64)
    C = torch.randn(b, l, g, n, dtype=D64)
    Dp = torch.randn(h, dtype=D64)
    z = torch.randn(b, l, h, p, dtype=D64)
    dt_pos = F.softplus(dt_raw + dt_bias)
    hpg = h // g
    y = torch.zeros(b, l, h, p, dtype=D64)
    for gi in range(g):
        heads = list(range(gi * hpg, (gi + 1) * hpg))
        dim = hpg * p
        state = torch.zeros(b, dim, n, dtype=D64)
        A_dim = A[heads].repeat_interleave(p).unsqueeze(-1).expand(dim, n).contiguous()
        D_dim = Dp[heads].repeat_interleave(p) if with_d else None
        bias_dim = dt_bias[heads].repeat_interleave(p) if raw_dt else None
        for t in range(l):
            xt = x[:, t, heads, :].reshape(b, dim)
            src = dt_raw if raw_dt else dt_pos
            dtt = src[:, t, heads].repeat_interleave(p, dim=1)
            zt = z[:, t, heads, :].reshape(b, dim) if with_z else None
            out = ssd_minimal.selective_state_update_ref(state, xt, dtt, A_dim, B[:, t, gi, :], C[:, t, gi, :],
                                                         D=D_dim, z=zt, dt_bias=bias_dim, dt_softplus=raw_dt)
            y[:, t, heads, :] = out.reshape(b, hpg, p)
    tensors = {"x": x, "A": A, "B": B, "C": C, "expected.y": y}
    if raw_dt:
        tensors["dt_raw"] = dt_raw
        tensors["dt_bias"] = dt_bias
    else:
        tensors["dt"] = dt_pos
    if with_d:
        tensors["D"] = Dp
    if with_z:
        tensors["z"] = z
    save(name, tensors, {"case": "ssd_raw_dt" if raw_dt else "ssd", "discretization": "EULER",
                         "source": "selective_state_update_ref"})


recurrence_case("recurrence_1", 2, 11, 4, 3, 2, 6, raw_dt=True, with_d=True, with_z=True)
recurrence_case("recurrence_2", 1, 1, 2, 5, 1, 3, raw_dt=False, with_d=True, with_z=True)
recurrence_case("recurrence_3", 3, 9, 6, 2, 3, 4, raw_dt=False, with_d=False, with_z=False)


# ---- mamba2-minimal mixer ----
def mamba2_case(name, b, l, d_model, d_state, d_conv, expand, headdim, chunk):
    cfg = mamba2_minimal.Mamba2Config(d_model=d_model, n_layer=1, vocab_size=16, d_state=d_state, d_conv=d_conv,
                                      expand=expand, headdim=headdim, ngroups=1, chunk_size=chunk)
    m = mamba2_minimal.Mamba2(cfg).double()
    with torch.no_grad():
        h = cfg.nheads
        m.A_log.copy_(torch.log(1 + 15 * torch.rand(h, dtype=D64)))
        dt0 = torch.exp(math.log(1e-3) + torch.rand(h, dtype=D64) * (math.log(0.1) - math.log(1e-3))).clamp(min=1e-4)
        m.dt_bias.copy_(dt0 + torch.log(-torch.expm1(-dt0)))
        m.D.copy_(torch.randn(h, dtype=D64))
        m.norm.weight.copy_(1 + 0.1 * torch.randn(cfg.d_inner, dtype=D64))
        u = torch.randn(b, l, d_model, dtype=D64)
        y = m(u)
    tensors = {"u": u, "expected.y": y}
    for k, v in m.state_dict().items():
        tensors[k] = v
    save(name, tensors, {"case": "mamba2", "d_state": d_state, "d_conv": d_conv, "expand": expand,
                         "headdim": headdim, "ngroups": 1, "discretization": "EULER", "source": "mamba2-minimal"})


mamba2_case("mamba2_minimal_1", 2, 24, 16, 8, 4, 2, 8, 8)
mamba2_case("mamba2_minimal_2", 1, 5, 12, 4, 3, 2, 6, 5)


# ---- DPM-Solver trajectories for Gaussian data ----
T = 1000
betas = torch.linspace(1e-4, 0.02, T, dtype=D64)
s = 0.5
xT = torch.randn(3, 5, dtype=D64)
ns = dpm.NoiseScheduleVP('discrete', betas=betas)  # float32 knots, as the official default


def exact_noise(x, t_input):
    t_cont = t_input / 1000. + 1. / ns.total_N
    alpha = ns.marginal_alpha(t_cont).to(D64).reshape(-1, 1)
    sigma = ns.marginal_std(t_cont).to(D64).reshape(-1, 1)
    return sigma * x / (alpha ** 2 * s ** 2 + sigma ** 2)


model_fn = dpm.model_wrapper(exact_noise, ns, model_type="noise")
for algorithm in ["dpmsolver++", "dpmsolver"]:
    for method in ["multistep", "singlestep"]:
        for skip in ["time_uniform", "logSNR"]:
            for steps in ([5, 10, 20] if method == "multistep" else [6, 7, 20]):
                solver = dpm.DPM_Solver(model_fn, ns, algorithm_type=algorithm)
                x0, inter = solver.sample(xT.clone(), steps=steps, order=2, skip_type=skip, method=method,
                                          lower_order_final=True, return_intermediate=True)
                traj = torch.stack([v.to(D64) for v in inter])
                tag = {"dpmsolver++": "pp", "dpmsolver": "eps"}[algorithm]
                save(f"dpm_{tag}_{method}_{skip}_{steps}", {"x_T": xT, "betas": betas, "expected.x_0": x0.to(D64),
                                                            "expected.trajectory": traj},
                     {"case": "dpm_solver", "data_std": s, "algorithm": algorithm, "method": method, "skip": skip,
                      "steps": steps, "order": 2, "source": "dpm_solver_pytorch"})


# ---- a file written by the Python safetensors library, every dtype ----
py = {
    "f64": torch.tensor([[1.5, -2.25, 3.0], [0.0, 1e-300, -1e300]], dtype=torch.float64),
    "f32": torch.tensor([1.0, -0.5, 3.25, 1e-30], dtype=torch.float32),
    "f16": torch.tensor([[1.0, -2.0], [0.333, 65504.0]], dtype=torch.float16),
    "bf16": torch.tensor([1.0, -3.140625, 1e20], dtype=torch.bfloat16),
    "i64": torch.tensor([-(2 ** 62), 2 ** 62 + 7], dtype=torch.int64),
    "i32": torch.tensor([[-7], [2 ** 31 - 1]], dtype=torch.int32),
    "i8": torch.tensor([-128, 0, 127], dtype=torch.int8),
    "u8": torch.tensor([0, 1, 200, 255], dtype=torch.uint8),
    "bool": torch.tensor([True, False, True]),
    "scalar": torch.tensor(2.5, dtype=torch.float32),
    "empty": torch.zeros(0, 3, dtype=torch.float32),
}
save_file(py, os.path.join(out_dir, "python-written.safetensors"), metadata={"format": "pt", "note": "written by python safetensors"})
desc = {k: {"dtype": str(v.dtype).replace("torch.", ""), "shape": list(v.shape),
            "values": (v.to(torch.float64).flatten().tolist() if v.is_floating_point() else v.to(torch.int64).flatten().tolist())}
        for k, v in py.items()}
desc["__metadata__"] = {"format": "pt", "note": "written by python safetensors"}
with open(os.path.join(out_dir, "python-written.json"), "w") as f:
    json.dump(desc, f, indent=1)
print("done")

# Writes wgmma_ops.cuh: a wrapper per tile width N of wgmma.mma_async m64nNk16 (bf16 operands from shared memory,
# fp32 accumulators), whose N / 2 accumulator operands are too many to write by hand. Run: python3 gen_wgmma_ops.py
import os
Ns = [128, 168, 176, 216, 256]
out = ["// Written by gen_wgmma_ops.py: one wrapper per N of wgmma.mma_async m64nNk16.f32.bf16.bf16 (A and B",
       "// from shared memory through descriptors, both K-major); d holds the N/2 fp32 accumulators of a thread.",
       "#pragma once", "#include <stdint.h>", ""]
for n in Ns:
    r = n // 2
    regs = ", ".join("%%%d" % i for i in range(r))
    out.append("__device__ __forceinline__ void wgmma_m64n%dk16(float (&d)[%d], uint64_t da, uint64_t db, int scaleD) {" % (n, r))
    out.append("  asm volatile(\"{\\n.reg .pred p;\\nsetp.ne.b32 p, %%%d, 0;\\n\"" % (r + 2))
    out.append("      \"wgmma.mma_async.sync.aligned.m64n%dk16.f32.bf16.bf16 {%s}, %%%d, %%%d, p, 1, 1, 0, 0;\\n}\\n\"" % (n, regs, r, r + 1))
    cons = ", ".join('"+f"(d[%d])' % i for i in range(r))
    out.append("      : %s" % cons)
    out.append("      : \"l\"(da), \"l\"(db), \"r\"(scaleD));")
    out.append("}")
    out.append("")
open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "wgmma_ops.cuh"), "w").write("\n".join(out))

package dev.mdm.backend.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.mdm.model.MambaShape;

/**
 * The Mamba-2 mixer of SPEC §6 (mamba_ssm {@code Mamba2}, unfused path) on NDArrays: in_proj, causal depthwise
 * conv1d + SiLU, the chunked SSD scan with D skip, gated RMSNorm per group (decision D1), out_proj.
 */
final class Mamba2 {
    private Mamba2() {
    }

    /**
     * @param w the mixer weights under mamba_ssm names ({@code in_proj.weight}, …)
     * @param shape its sizes
     * @param u input [b, l, d]
     * @return output [b, l, d]
     */
    static NDArray forward(Weights w, MambaShape shape, NDArray u) {
        Shape us = u.getShape();
        long b = us.get(0);
        long l = us.get(1);
        int dInner = shape.dInner();
        int gn = shape.nGroups() * shape.dState();
        int heads = shape.heads();
        NDArray zxbcdt = Layers.linear(u, w.get("in_proj.weight"), null);
        NDArray z = zxbcdt.get(":, :, :" + dInner);
        NDArray xbc = zxbcdt.get(":, :, " + dInner + ":" + (2 * dInner + 2 * gn));
        NDArray dtRaw = zxbcdt.get(":, :, " + (2 * dInner + 2 * gn) + ":");

        xbc = Layers.silu(causalConv(xbc, w.get("conv1d.weight"), w.get("conv1d.bias"), shape.dConv()));
        NDArray x = xbc.get(":, :, :" + dInner).reshape(b, l, heads, shape.headDim());
        NDArray bMat = xbc.get(":, :, " + dInner + ":" + (dInner + gn)).reshape(b, l, shape.nGroups(), shape.dState());
        NDArray cMat = xbc.get(":, :, " + (dInner + gn) + ":").reshape(b, l, shape.nGroups(), shape.dState());

        NDArray a = w.get("A_log").exp().neg();
        NDArray dt = Layers.softplus(dtRaw.add(w.get("dt_bias")));
        NDArray y = ChunkedSsd.scan(x, dt, a, bMat, cMat, w.get("D"), null, shape.discretization(), shape.chunkSize())
                .reshape(b, l, dInner);
        // gated RMSNorm, norm_before_gate=False: normalize y·SiLU(z)
        y = Layers.groupRmsNorm(y.mul(Layers.silu(z)), w.get("norm.weight"), shape.nGroups());
        return Layers.linear(y, w.get("out_proj.weight"), null);
    }

    /**
     * Depthwise causal conv1d (PyTorch {@code Conv1d(groups=channels, padding=k−1)} truncated to the input length):
     * out_t = bias + Σ_j w[j]·in_{t−(k−1)+j}, zeros before the start.
     *
     * @param in [b, l, ch]
     * @param weight [ch, 1, k]
     * @param bias [ch]
     */
    static NDArray causalConv(NDArray in, NDArray weight, NDArray bias, int k) {
        Shape s = in.getShape();
        long l = s.get(1);
        NDArray padded = k > 1
                ? in.getManager().zeros(new Shape(s.get(0), k - 1, s.get(2)), in.getDataType()).concat(in, 1)
                : in;
        NDArray taps = weight.reshape(weight.getShape().get(0), k);             // [ch, k]
        NDArray out = bias;
        for (int j = 0; j < k; j++) {
            NDArray window = padded.get(":, " + j + ":" + (j + l) + ", :");
            out = out.add(window.mul(taps.get(":, " + j)));
        }
        return out;
    }
}

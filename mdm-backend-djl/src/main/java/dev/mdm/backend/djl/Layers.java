package dev.mdm.backend.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

/** The small differentiable layer functions MDM is built from, on NDArrays (PyTorch semantics). */
final class Layers {
    /** RMSNorm epsilon everywhere (decision D1). */
    static final double RMS_EPS = 1e-5;

    private Layers() {
    }

    /**
     * x·s for a constant s, safe under autograd. DJL's {@code mul(Number)} wraps s in a scalar array over a Java
     * buffer and closes it at once, while PyTorch's graph keeps that scalar for the backward pass, which then reads
     * freed memory (rare NaN gradients). Here the scalar lives in the caller's scope until the call ends.
     */
    static NDArray scale(NDArray x, double s) {
        NDArray factor = x.getDataType() == DataType.FLOAT64 ? x.getManager().create(s) : x.getManager().create((float) s);
        return x.mul(factor);
    }

    /** @return x·Wᵀ (+ b), W stored [out, in] as PyTorch does */
    static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
        NDArray y = x.matMul(weight.transpose());
        return bias == null ? y : y.add(bias);
    }

    /** @return x·sigmoid(x) */
    static NDArray silu(NDArray x) {
        return x.mul(Activation.sigmoid(x));
    }

    /** @return log(1 + eˣ), and x itself above 20 (torch.nn.functional.softplus) */
    static NDArray softplus(NDArray x) {
        return Activation.softPlus(x);
    }

    /** @return x / sqrt(mean(x²) + eps) · weight over the last axis */
    static NDArray rmsNorm(NDArray x, NDArray weight) {
        NDArray ms = x.square().mean(new int[] {-1}, true);
        return x.div(ms.add(RMS_EPS).sqrt()).mul(weight);
    }

    /**
     * RMSNorm over groups of {@code channels / groups} channels of the last axis (decision D1), then the weight.
     */
    static NDArray groupRmsNorm(NDArray x, NDArray weight, int groups) {
        if (groups == 1) {
            return rmsNorm(x, weight);
        }
        Shape s = x.getShape();
        long channels = s.get(s.dimension() - 1);
        Shape grouped = s.slice(0, s.dimension() - 1).addAll(new Shape(groups, channels / groups));
        NDArray g = x.reshape(grouped);
        NDArray ms = g.square().mean(new int[] {-1}, true);
        return g.div(ms.add(RMS_EPS).sqrt()).reshape(s).mul(weight);
    }

    /**
     * @param table [rows, width]
     * @param index int64 row numbers [k]
     * @return table[index] [k, width], differentiable in the table
     */
    static NDArray rows(NDArray table, NDArray index) {
        long k = index.getShape().get(0);
        long width = table.getShape().get(1);
        return table.gather(index.expandDims(1).broadcast(new Shape(k, width)), 0);
    }

    /**
     * @param x [b, L, d]
     * @param index int64 positions [L']
     * @return x[:, index, :] [b, L', d], differentiable in x
     */
    static NDArray positions(NDArray x, NDArray index) {
        Shape s = x.getShape();
        long k = index.getShape().get(0);
        NDArray idx = index.reshape(1, k, 1).broadcast(new Shape(s.get(0), k, s.get(2)));
        return x.gather(idx, 1);
    }
}

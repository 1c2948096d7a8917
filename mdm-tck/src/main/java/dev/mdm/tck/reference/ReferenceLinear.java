package dev.mdm.tck.reference;

/** A PyTorch linear layer on rows of a flat matrix: y = x·Wᵀ + b, W stored [out, in]. */
final class ReferenceLinear {
    private ReferenceLinear() {
    }

    /**
     * @param x rows × in values
     * @param rows number of rows
     * @param weight out × in values
     * @param bias out values, or null for none
     * @param out output width
     * @param in input width
     * @return rows × out values
     */
    static double[] apply(double[] x, int rows, double[] weight, double[] bias, int out, int in) {
        double[] y = new double[rows * out];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < out; o++) {
                double s = bias == null ? 0 : bias[o];
                for (int i = 0; i < in; i++) {
                    s += x[r * in + i] * weight[o * in + i];
                }
                y[r * out + o] = s;
            }
        }
        return y;
    }

    /** SiLU applied elementwise, in place; returns its argument. */
    static double[] silu(double[] v) {
        for (int i = 0; i < v.length; i++) {
            v[i] = ReferenceActivations.silu(v[i]);
        }
        return v;
    }
}

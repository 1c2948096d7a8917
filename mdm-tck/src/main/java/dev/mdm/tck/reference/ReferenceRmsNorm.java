package dev.mdm.tck.reference;

/** RMSNorm(x) = x / sqrt(mean(x²) + eps) · weight, over groups of {@code groupSize} channels (decision D1). */
final class ReferenceRmsNorm {
    /** eps of every RMSNorm of the model (D1). */
    static final double EPS = 1e-5;

    private ReferenceRmsNorm() {
    }

    /**
     * @param x rows × width values
     * @param rows number of rows
     * @param width channels per row
     * @param weight width values
     * @param groupSize channels normalized together; {@code width} for a plain RMSNorm
     * @return the normalized rows
     */
    static double[] apply(double[] x, int rows, int width, double[] weight, int groupSize) {
        double[] y = new double[x.length];
        for (int r = 0; r < rows; r++) {
            for (int g0 = 0; g0 < width; g0 += groupSize) {
                double ms = 0;
                for (int c = g0; c < g0 + groupSize; c++) {
                    double v = x[r * width + c];
                    ms += v * v;
                }
                double inv = 1 / Math.sqrt(ms / groupSize + EPS);
                for (int c = g0; c < g0 + groupSize; c++) {
                    y[r * width + c] = x[r * width + c] * inv * weight[c];
                }
            }
        }
        return y;
    }
}

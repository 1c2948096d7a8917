package dev.mdm.tck.reference;

import dev.mdm.InvalidInputException;
import dev.mdm.tensor.Tensor;

/**
 * Score entropy per token (SPEC §7): with log r_k = −‖z_t − √ᾱ y_k‖²/(2(1−ᾱ)) and
 * log s_k = −ᾱ‖ẑ0 − y_k‖²/(2(1−ᾱ)), both normalized by log-softmax,
 * {@code se = (1/K) Σ_k [ s_k − r_k log s_k + K(r_k) ]} with K(a) = a(log a − 1) and K(0) = 0.
 * Since Σ s = Σ r = 1 this equals KL(r ‖ s)/K: it is ≥ 0 and 0 exactly when s = r.
 */
final class ReferenceScoreEntropy {
    private ReferenceScoreEntropy() {
    }

    /** Checks the four tensors and computes se [m]. */
    static Tensor compute(Tensor zt, Tensor zhat0, Tensor candidates, Tensor alphaBar) {
        zt.requireShape("zt", -1, -1).requireFinite("zt");
        int m = zt.dim(0);
        int dz = zt.dim(1);
        zhat0.requireShape("zhat0", m, dz).requireFinite("zhat0");
        candidates.requireShape("candidates", m, -1, dz).requireFinite("candidates");
        int k = candidates.dim(1);
        if (k < 1) {
            throw new InvalidInputException("candidates", "at least one candidate per token", "shape [" + m + ", 0, " + dz + "]");
        }
        alphaBar.requireShape("alphaBar", m);
        double[] ab = alphaBar.toDoubleArray();
        for (int i = 0; i < m; i++) {
            if (!(ab[i] > 0 && ab[i] < 1)) {
                throw new InvalidInputException("alphaBar", "values in (0, 1)", ab[i] + " at index " + i);
            }
        }
        double[] z = zt.toDoubleArray();
        double[] zh = zhat0.toDoubleArray();
        double[] y = candidates.toDoubleArray();
        double[] se = new double[m];
        double[] cand = new double[k * dz];
        for (int i = 0; i < m; i++) {
            System.arraycopy(y, i * k * dz, cand, 0, k * dz);
            se[i] = token(slice(z, i, dz), slice(zh, i, dz), cand, k, ab[i]);
        }
        return Tensor.of(se, m);
    }

    private static double[] slice(double[] a, int row, int width) {
        double[] r = new double[width];
        System.arraycopy(a, row * width, r, 0, width);
        return r;
    }

    /**
     * @param zt z_t of one token [dz]
     * @param zhat0 ẑ0 of that token [dz]
     * @param candidates y_0..y_{K−1} [K·dz]
     * @param k K
     * @param alphaBar ᾱ_t
     * @return se of the token
     */
    static double token(double[] zt, double[] zhat0, double[] candidates, int k, double alphaBar) {
        int dz = zt.length;
        double sqrtAb = Math.sqrt(alphaBar);
        double[] logR = new double[k];
        double[] logS = new double[k];
        for (int j = 0; j < k; j++) {
            double dr = 0;
            double ds = 0;
            for (int c = 0; c < dz; c++) {
                double y = candidates[j * dz + c];
                double er = zt[c] - sqrtAb * y;
                double es = zhat0[c] - y;
                dr += er * er;
                ds += es * es;
            }
            logR[j] = -dr / (2 * (1 - alphaBar));
            logS[j] = -alphaBar * ds / (2 * (1 - alphaBar));
        }
        logSoftmax(logR);
        logSoftmax(logS);
        double sum = 0;
        for (int j = 0; j < k; j++) {
            double s = Math.exp(logS[j]);
            double r = Math.exp(logR[j]);
            // r = 0 (underflow) contributes nothing: r·log s → 0 and K(0) = 0
            double rTerms = r == 0 ? 0 : -r * logS[j] + r * (logR[j] - 1);
            sum += s + rTerms;
        }
        return sum / k;
    }

    /** Replaces v by log softmax(v), shifting by the maximum first. */
    static void logSoftmax(double[] v) {
        double max = Double.NEGATIVE_INFINITY;
        for (double x : v) {
            max = Math.max(max, x);
        }
        double sum = 0;
        for (double x : v) {
            sum += Math.exp(x - max);
        }
        double logZ = max + Math.log(sum);
        for (int i = 0; i < v.length; i++) {
            v[i] -= logZ;
        }
    }
}

package dev.mdm.backend.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Score entropy per token (SPEC §7): log r_k = −‖z_t − √ᾱ y_k‖²/(2(1−ᾱ)), log s_k = −ᾱ‖ẑ₀ − y_k‖²/(2(1−ᾱ)), both
 * normalized by log-softmax; se = (1/K) Σ_k [s_k − r_k log s_k + r_k(log r_k − 1)]. Never exponentiates an
 * unnormalized log-ratio.
 */
final class ScoreEntropy {
    private ScoreEntropy() {
    }

    /**
     * @param zt [m, dz]
     * @param zhat0 [m, dz]
     * @param candidates [m, K, dz], index 0 the true z₀
     * @param alphaBar ᾱ per token, each in (0, 1)
     * @return se [m]
     */
    static NDArray perToken(NDManager mgr, NDArray zt, NDArray zhat0, NDArray candidates, double[] alphaBar, DataType type) {
        int m = alphaBar.length;
        double[] sqrtAb = new double[m];
        double[] coefR = new double[m];
        double[] coefS = new double[m];
        for (int i = 0; i < m; i++) {
            sqrtAb[i] = Math.sqrt(alphaBar[i]);
            coefR[i] = 1 / (2 * (1 - alphaBar[i]));
            coefS[i] = alphaBar[i] / (2 * (1 - alphaBar[i]));
        }
        NDArray distR = zt.expandDims(1).sub(candidates.mul(HostTransfer.floats(mgr, sqrtAb, new Shape(m, 1, 1), type)))
                .square().sum(new int[] {-1});
        NDArray distS = zhat0.expandDims(1).sub(candidates).square().sum(new int[] {-1});
        NDArray logR = distR.mul(HostTransfer.floats(mgr, coefR, new Shape(m, 1), type)).neg().logSoftmax(1);
        NDArray logS = distS.mul(HostTransfer.floats(mgr, coefS, new Shape(m, 1), type)).neg().logSoftmax(1);
        NDArray r = logR.exp();
        return logS.exp().sub(r.mul(logS)).add(r.mul(logR.sub(1))).mean(new int[] {1});
    }
}

package dev.mdm.tck;

/**
 * log α(t) of {@code NoiseScheduleVP('discrete', betas)} (SPEC §8): knots t_n = n/N carry ½·Σ_{k≤n} log(1 − β_k),
 * the tail where λ falls below −5.1 is dropped, and log α is piecewise linear in t between knots and extended
 * linearly beyond the first and last. Written here, apart from the oracle, for the Gaussian model of the runner.
 */
final class DiscreteVpSchedule {
    private static final double CLIPPED_LAMBDA = -5.1;
    private final double[] knots;
    private final double[] logAlphas;

    DiscreteVpSchedule(double[] betas) {
        double[] la = new double[betas.length];
        double acc = 0;
        for (int i = 0; i < betas.length; i++) {
            acc += Math.log1p(-betas[i]);
            la[i] = 0.5 * acc;
        }
        int dropped = 0;
        for (double v : la) {
            double lambda = v - 0.5 * Math.log(-Math.expm1(2 * v));
            if (lambda < CLIPPED_LAMBDA) {
                dropped++;
            }
        }
        int n = la.length - dropped;
        logAlphas = java.util.Arrays.copyOf(la, n);
        knots = new double[n];
        for (int i = 0; i < n; i++) {
            knots[i] = (i + 1) / (double) n;
        }
    }

    double logAlpha(double t) {
        int n = knots.length;
        if (n == 1) {
            return logAlphas[0];
        }
        int hi = 1;
        while (hi < n - 1 && knots[hi] < t) {
            hi++;
        }
        int lo = hi - 1;
        double w = (t - knots[lo]) / (knots[hi] - knots[lo]);
        return logAlphas[lo] + w * (logAlphas[hi] - logAlphas[lo]);
    }
}

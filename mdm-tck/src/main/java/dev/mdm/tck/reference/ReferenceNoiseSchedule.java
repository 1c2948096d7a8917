package dev.mdm.tck.reference;

import dev.mdm.InvalidInputException;

/**
 * The continuous-time VP schedule of SPEC §8, as {@code NoiseScheduleVP('discrete', betas)} of the official
 * {@code dpm_solver_pytorch.py}: knots carry log α_n = ½·Σ_{k≤n} log(1 − β_k); if λ falls below −5.1 at the end of
 * the array that tail is dropped ({@code numerical_clip_alpha}), and, as in the official code, the remaining N′ knots
 * sit at t_n = n/N′. log α(t) is piecewise linear between knots and extended linearly beyond the first and last.
 */
final class ReferenceNoiseSchedule {
    /** The official {@code clipped_lambda}. */
    static final double CLIPPED_LAMBDA = -5.1;

    private final double[] knotTimes;
    private final double[] knotLogAlphas;

    /** @param betas the discrete β_1..β_T, each in (0, 1), T ≥ 2 */
    ReferenceNoiseSchedule(double[] betas) {
        requireBetas(betas);
        double[] logAlphas = new double[betas.length];
        double cumulative = 0;
        for (int n = 0; n < betas.length; n++) {
            cumulative += Math.log1p(-betas[n]);
            logAlphas[n] = 0.5 * cumulative;
        }
        // numerical_clip_alpha: λ decreases along the array; drop every trailing knot whose λ is below −5.1
        int keep = logAlphas.length;
        while (keep > 0 && lambdaOfLogAlpha(logAlphas[keep - 1]) < CLIPPED_LAMBDA) {
            keep--;
        }
        if (keep < 2) {
            throw new InvalidInputException("betas", "a schedule keeping at least 2 knots with λ ≥ " + CLIPPED_LAMBDA,
                    keep + " knot(s)");
        }
        knotLogAlphas = java.util.Arrays.copyOf(logAlphas, keep);
        knotTimes = new double[keep];
        for (int n = 0; n < keep; n++) {
            knotTimes[n] = (n + 1) / (double) keep;
        }
    }

    static void requireBetas(double[] betas) {
        if (betas == null || betas.length < 2) {
            throw new InvalidInputException("betas", "at least 2 values", betas == null ? "null" : betas.length + " value(s)");
        }
        for (int i = 0; i < betas.length; i++) {
            if (!(betas[i] > 0 && betas[i] < 1)) {
                throw new InvalidInputException("betas", "values in (0, 1)", betas[i] + " at index " + i);
            }
        }
    }

    /** @return N′, the number of knots kept (T unless clipping triggered) */
    int totalN() {
        return knotTimes.length;
    }

    /** @return the sampler's end time 1/N′ */
    double endTime() {
        return 1.0 / totalN();
    }

    double logAlpha(double t) {
        return interpolate(t, knotTimes, knotLogAlphas);
    }

    double alpha(double t) {
        return Math.exp(logAlpha(t));
    }

    double sigma(double t) {
        return Math.sqrt(-Math.expm1(2 * logAlpha(t)));
    }

    double lambda(double t) {
        return lambdaOfLogAlpha(logAlpha(t));
    }

    private static double lambdaOfLogAlpha(double logAlpha) {
        return logAlpha - 0.5 * Math.log(-Math.expm1(2 * logAlpha));
    }

    /** λ⁻¹: log α = −½·logaddexp(0, −2λ), then the inverse of the piecewise-linear map. */
    double inverseLambda(double lambda) {
        double logAlpha = -0.5 * logAddExp(0, -2 * lambda);
        int n = knotTimes.length;
        double[] xp = new double[n];
        double[] fp = new double[n];
        for (int i = 0; i < n; i++) { // log α decreases in t: flip to get ascending abscissae
            xp[i] = knotLogAlphas[n - 1 - i];
            fp[i] = knotTimes[n - 1 - i];
        }
        return interpolate(logAlpha, xp, fp);
    }

    private static double logAddExp(double a, double b) {
        double m = Math.max(a, b);
        return m + Math.log1p(Math.exp(-Math.abs(a - b)));
    }

    /** Piecewise-linear interpolation on ascending xp, extended linearly by the end segments (official interpolate_fn). */
    static double interpolate(double x, double[] xp, double[] fp) {
        int n = xp.length;
        int k;
        if (x <= xp[0]) {
            k = 0;
        } else if (x >= xp[n - 1]) {
            k = n - 2;
        } else {
            k = 0;
            while (xp[k + 1] < x) {
                k++;
            }
        }
        double slope = (fp[k + 1] - fp[k]) / (xp[k + 1] - xp[k]);
        return fp[k] + slope * (x - xp[k]);
    }
}

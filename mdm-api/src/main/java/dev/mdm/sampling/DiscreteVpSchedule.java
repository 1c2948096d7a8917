package dev.mdm.sampling;

import dev.mdm.InvalidInputException;
import java.util.Arrays;

/**
 * The continuous-time noise schedule of a discrete-time diffusion model (SPEC §8), as
 * {@code NoiseScheduleVP('discrete', betas)} of the official {@code dpm_solver_pytorch.py} computes it, in float64.
 *
 * <p>Knots t_n = n/N (n = 1..N) carry log α(t_n) = ½·Σ_{k≤n} log(1 − β_k). log α(t) is piecewise linear in t between
 * knots and extended linearly beyond the first and the last one. σ_t = √(1 − α_t²) and λ_t = log α_t − log σ_t
 * (the half log-SNR). When λ falls below −5.1 at the end of the array, that tail is dropped first
 * ({@code numerical_clip_alpha}); as in the official code, N is then the number of knots kept and the knots are spread
 * over (0, 1] again. The clip never triggers for a linear β schedule such as MDM's.
 *
 * <p>The functions are defined on [1/N, 1], the interval the solvers walk; outside it they extrapolate and may leave
 * the domain where σ is real. Immutable and thread-safe.
 */
public final class DiscreteVpSchedule {
    /** Lowest λ kept at the end of the array (the official {@code clipped_lambda}). */
    private static final double CLIPPED_LAMBDA = -5.1;

    private final int trainingSteps;
    /** knot times, increasing */
    private final double[] times;
    /** log α at each knot, decreasing */
    private final double[] logAlphas;
    /** the same two arrays reversed, for the inverse map (log α increasing) */
    private final double[] logAlphasAscending;
    private final double[] timesForAscending;

    /**
     * @param betas the discrete β schedule β_1..β_T, each finite and in (0, 1), at least 2 of them
     * @throws InvalidInputException naming {@code betas} when it is not such an array, or when fewer than 2 knots
     *     remain after the clip
     */
    public DiscreteVpSchedule(double[] betas) {
        double[] cumulative = cumulativeLogAlphas(betas);
        trainingSteps = betas.length;
        int kept = cumulative.length;
        // λ decreases along the array; drop the tail below the clip (official: searchsorted on the flipped λ)
        while (kept > 0 && lambdaOf(cumulative[kept - 1]) < CLIPPED_LAMBDA) {
            kept--;
        }
        if (kept < 2) {
            throw new InvalidInputException("betas", "a schedule with at least 2 steps whose log-SNR λ stays ≥ "
                    + CLIPPED_LAMBDA, kept + " step(s) left after clipping λ");
        }
        logAlphas = Arrays.copyOf(cumulative, kept);
        times = new double[kept];
        for (int n = 0; n < kept; n++) {
            times[n] = (n + 1) / (double) kept;
        }
        logAlphasAscending = new double[kept];
        timesForAscending = new double[kept];
        for (int n = 0; n < kept; n++) {
            logAlphasAscending[n] = logAlphas[kept - 1 - n];
            timesForAscending[n] = times[kept - 1 - n];
        }
    }

    /**
     * Validates a β array and returns log √ᾱ_n for n = 1..T.
     */
    private static double[] cumulativeLogAlphas(double[] betas) {
        if (betas == null) {
            throw new InvalidInputException("betas", "an array of at least 2 values in (0, 1)", "null");
        }
        if (betas.length < 2) {
            throw new InvalidInputException("betas", "at least 2 values", betas.length + " value(s)");
        }
        double[] out = new double[betas.length];
        double sum = 0;
        for (int i = 0; i < betas.length; i++) {
            double b = betas[i];
            if (!(b > 0 && b < 1)) {
                throw new InvalidInputException("betas", "every value finite and in (0, 1)", b + " at index " + i);
            }
            sum += Math.log1p(-b);
            out[i] = 0.5 * sum;
        }
        return out;
    }

    private static double lambdaOf(double logAlpha) {
        return logAlpha - 0.5 * Math.log(-Math.expm1(2 * logAlpha));
    }

    /** @return the number of discrete steps T of the β array given */
    public int trainingSteps() {
        return trainingSteps;
    }

    /** @return the number of knots N kept (T unless the λ clip dropped a tail) */
    public int knots() {
        return times.length;
    }

    /** @return where sampling starts, t = 1 */
    public double startTime() {
        return 1.0;
    }

    /** @return where sampling ends, t = 1/N */
    public double endTime() {
        return 1.0 / times.length;
    }

    /**
     * @param t continuous time
     * @return log α_t
     */
    public double logAlpha(double t) {
        return interpolate(t, times, logAlphas);
    }

    /**
     * @param t continuous time
     * @return α_t
     */
    public double alpha(double t) {
        return Math.exp(logAlpha(t));
    }

    /**
     * @param t continuous time
     * @return σ_t = √(1 − α_t²)
     */
    public double sigma(double t) {
        return Math.sqrt(-Math.expm1(2 * logAlpha(t)));
    }

    /**
     * @param t continuous time
     * @return λ_t = log α_t − log σ_t
     */
    public double lambda(double t) {
        return lambdaOf(logAlpha(t));
    }

    /**
     * The inverse of {@link #lambda(double)}: log α = −½·logaddexp(0, −2λ), then the piecewise-linear map inverted.
     *
     * @param lambda a half log-SNR
     * @return the time t with λ_t = lambda
     */
    public double inverseLambda(double lambda) {
        double a = -2 * lambda;
        double logAddExp = Math.max(0, a) + Math.log1p(Math.exp(-Math.abs(a)));
        return interpolate(-0.5 * logAddExp, logAlphasAscending, timesForAscending);
    }

    /**
     * The network time input for a continuous time (SPEC §8): t_input = (t − 1/T)·T, which is training's t − 1 on the
     * knots.
     *
     * @param t continuous time
     * @return t_input
     */
    public double networkTime(double t) {
        return (t - 1.0 / trainingSteps) * trainingSteps;
    }

    /**
     * The solver's time points (SPEC §8 "Grids").
     *
     * @param grid {@link StepGrid#TIME_UNIFORM}: linspace in t; {@link StepGrid#LOG_SNR}: linspace in λ mapped back
     * @param from first time (for sampling, {@link #startTime()})
     * @param to last time (for sampling, {@link #endTime()})
     * @param intervals N ≥ 1
     * @return N + 1 times, {@code from} first
     */
    public double[] timeGrid(StepGrid grid, double from, double to, int intervals) {
        if (grid == null) {
            throw new InvalidInputException("grid", "TIME_UNIFORM or LOG_SNR", "null");
        }
        if (intervals < 1) {
            throw new InvalidInputException("intervals", "at least 1", String.valueOf(intervals));
        }
        if (!Double.isFinite(from) || !Double.isFinite(to)) {
            throw new InvalidInputException("from/to", "finite times", from + ", " + to);
        }
        return switch (grid) {
            case TIME_UNIFORM -> linspace(from, to, intervals);
            case LOG_SNR -> {
                double[] l = linspace(lambda(from), lambda(to), intervals);
                for (int i = 0; i < l.length; i++) {
                    l[i] = inverseLambda(l[i]);
                }
                yield l;
            }
        };
    }

    private static double[] linspace(double from, double to, int intervals) {
        double[] out = new double[intervals + 1];
        for (int i = 0; i <= intervals; i++) {
            out[i] = from + (to - from) * i / intervals;
        }
        out[intervals] = to;
        return out;
    }

    /**
     * Piecewise-linear interpolation through (xs, ys), xs increasing, extended with the first or last segment
     * (the official {@code interpolate_fn}).
     */
    private static double interpolate(double x, double[] xs, double[] ys) {
        int last = xs.length - 1;
        int lo;
        if (x <= xs[0]) {
            lo = 0;
        } else if (x >= xs[last]) {
            lo = last - 1;
        } else {
            int i = Arrays.binarySearch(xs, x);
            lo = i >= 0 ? Math.min(i, last - 1) : -i - 2;
        }
        double x0 = xs[lo];
        double x1 = xs[lo + 1];
        return ys[lo] + (ys[lo + 1] - ys[lo]) * (x - x0) / (x1 - x0);
    }

    @Override
    public String toString() {
        return "DiscreteVpSchedule{T=" + trainingSteps + ", knots=" + times.length + "}";
    }
}

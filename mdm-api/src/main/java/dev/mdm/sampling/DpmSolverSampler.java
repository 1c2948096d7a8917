package dev.mdm.sampling;

import dev.mdm.InvalidInputException;
import dev.mdm.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * The samplers of SPEC §8 on host float64 arrays: DPM-Solver 2M and 2S in both the {@code dpmsolver++} (data) and
 * the {@code dpmsolver} (noise) form on either step grid, and ancestral DDPM (decision D8). Backends whose sampler runs
 * on the host return this one from {@code Backend.sampler}; the model calls go to the backend.
 *
 * <p>Whatever a {@link DenoisingFunction} predicts, it is converted to what the solver form needs:
 * ε̂ = (x − α_t·x̂0)/σ_t and x̂0 = (x − σ_t·ε̂)/α_t. With an {@link Infill}, the held elements are set to their values on
 * x_T before the first model call and after every update, the midpoint state of a 2S step included, so the model always
 * sees them clean (decision D9). States are returned as F64 tensors of the shape of x_T.
 *
 * <p>Immutable and thread-safe.
 */
public final class DpmSolverSampler implements Sampler {
    private final SamplerSettings settings;
    private final DiscreteVpSchedule schedule;
    private final double[] betas;
    /** ᾱ_k for k = 0..T, ᾱ_0 = 1 */
    private final double[] alphaBars;

    /**
     * @param settings method, solver form, grid and steps
     * @param betas the discrete β schedule β_1..β_T (each in (0, 1), T ≥ 2); copied
     * @throws InvalidInputException naming the argument when either is unusable
     */
    public DpmSolverSampler(SamplerSettings settings, double[] betas) {
        if (settings == null) {
            throw new InvalidInputException("settings", "sampler settings", "null");
        }
        this.schedule = new DiscreteVpSchedule(betas);
        if (settings.method() != SamplingMethod.DDPM && settings.steps() > betas.length) {
            // more solver steps than the discrete schedule has steps is never useful, and unbounded counts overflow
            throw new InvalidInputException("steps", "at most T = " + betas.length + " (the model's diffusion timesteps) for "
                    + settings.method(), String.valueOf(settings.steps()));
        }
        this.settings = settings;
        this.betas = betas.clone();
        alphaBars = new double[betas.length + 1];
        alphaBars[0] = 1;
        for (int k = 1; k <= betas.length; k++) {
            alphaBars[k] = alphaBars[k - 1] * (1 - betas[k - 1]);
        }
    }

    @Override
    public SamplerSettings settings() {
        return settings;
    }

    /** @return the continuous-time schedule the solver walks */
    public DiscreteVpSchedule schedule() {
        return schedule;
    }

    /**
     * DPM-Solver 2M (SPEC §8) as data, for a backend that runs the loop on its device: the model is called at
     * {@link MultistepPlan#startTime()} on the held x_T, then each update gives the next state (held again), and the
     * model is called on it at that update's time, except after the last. First order first, second order after, and
     * first order last when N &lt; 10. The host sampler runs exactly this plan.
     *
     * @return the plan for these settings' steps, grid and solver form, whatever their method
     */
    public MultistepPlan multistepPlan() {
        int n = settings.steps();
        boolean dataForm = settings.algorithm() == SolverAlgorithm.DPM_SOLVER_PLUS_PLUS;
        double[] ts = schedule.timeGrid(settings.grid(), schedule.startTime(), schedule.endTime(), n);
        List<MultistepUpdate> updates = new ArrayList<>(n);
        for (int step = 1; step <= n; step++) {
            double t = ts[step];
            double s0 = ts[step - 1];
            boolean firstOrder = step == 1 || (n < 10 && step == n);
            double h = schedule.lambda(t) - schedule.lambda(s0);
            double r0 = firstOrder ? Double.NaN : (schedule.lambda(s0) - schedule.lambda(ts[step - 2])) / h;
            double cx;
            double phi;
            if (dataForm) {
                cx = schedule.sigma(t) / schedule.sigma(s0);
                phi = schedule.alpha(t) * Math.expm1(-h);
            } else {
                cx = Math.exp(schedule.logAlpha(t) - schedule.logAlpha(s0));
                phi = schedule.sigma(t) * Math.expm1(h);
            }
            updates.add(new MultistepUpdate(t, cx, phi, r0));
        }
        return new MultistepPlan(ts[0], List.copyOf(updates), dataForm);
    }

    /**
     * The DPM-Solver 2M loop of {@link #multistepPlan()}.
     *
     * @param startTime the time of x_T, where the model is first called
     * @param updates the N updates in sampling order
     * @param dataForm whether the model output m is x̂0 ({@code dpmsolver++}) rather than ε̂ ({@code dpmsolver})
     */
    public record MultistepPlan(double startTime, List<MultistepUpdate> updates, boolean dataForm) {
    }

    /**
     * One update of DPM-Solver 2M to time t from the model outputs m₀ (newest) and m₁ (the one before):
     * x_t = cx·x − φ·m₀ − ½·φ·(m₀ − m₁)/r₀, or x_t = cx·x − φ·m₀ at first order.
     *
     * @param time t
     * @param cx the state's coefficient
     * @param phi φ
     * @param r0 the ratio of the previous log-SNR step to this one, NaN at first order
     */
    public record MultistepUpdate(double time, double cx, double phi, double r0) {
        /** @return whether this update uses m₀ alone */
        public boolean firstOrder() {
            return Double.isNaN(r0);
        }

        /**
         * @param x the state
         * @param m0 the newest model output
         * @param m1 the one before, unused (may be null) at first order
         * @return the next state, in double and in this order of operations (a device loop must match it)
         */
        public double[] apply(double[] x, double[] m0, double[] m1) {
            double[] out = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                if (firstOrder()) {
                    out[i] = cx * x[i] - phi * m0[i];
                } else {
                    double d = (m0[i] - m1[i]) / r0;
                    out[i] = cx * x[i] - phi * m0[i] - 0.5 * phi * d;
                }
            }
            return out;
        }
    }

    @Override
    public Trajectory sample(Tensor xT, DenoisingFunction model, Infill infill, long seed) {
        if (xT == null) {
            throw new InvalidInputException("xT", "an initial noise tensor", "null");
        }
        xT.requireFinite("xT");
        if (!xT.dtype().isFloating()) {
            throw new InvalidInputException("xT", "a floating-point tensor", xT.dtype().toString());
        }
        if (model == null) {
            throw new InvalidInputException("model", "a denoising function", "null");
        }
        if (model.predicts() == null) {
            throw new InvalidInputException("model.predicts()", "DATA or NOISE", "null");
        }
        Run run = new Run(xT.shape(), model, infill);
        return switch (settings.method()) {
            case DPM_SOLVER_2M -> run.multistep(xT.toDoubleArray());
            case DPM_SOLVER_2S -> run.singlestep(xT.toDoubleArray());
            case DDPM -> run.ddpm(xT.toDoubleArray(), seed);
        };
    }

    /** One sampling call: the shape, the model and the infill it works with. */
    private final class Run {
        private final int[] shape;
        private final DenoisingFunction model;
        private final double[] heldMask;
        private final double[] heldValues;
        private final boolean dataForm = settings.algorithm() == SolverAlgorithm.DPM_SOLVER_PLUS_PLUS;
        private final List<Tensor> states = new ArrayList<>();
        private final List<Double> times = new ArrayList<>();

        Run(int[] shape, DenoisingFunction model, Infill infill) {
            this.shape = shape;
            this.model = model;
            if (infill != null) {
                infill.mask().requireShape("infill.mask", shape);
                heldMask = infill.mask().toDoubleArray();
                heldValues = infill.values().toDoubleArray();
            } else {
                heldMask = null;
                heldValues = null;
            }
        }

        private double[] hold(double[] x) {
            if (heldMask != null) {
                for (int i = 0; i < x.length; i++) {
                    if (heldMask[i] != 0) {
                        x[i] = heldValues[i];
                    }
                }
            }
            return x;
        }

        private void record(double[] x, double t) {
            states.add(Tensor.of(x, shape));
            times.add(t);
        }

        private Trajectory trajectory() {
            return new Trajectory(states, times);
        }

        /** Calls the model at (x, t) and returns its prediction as an array, checked. */
        private double[] call(double[] x, double t) {
            Tensor out = model.predict(Tensor.of(x, shape), t);
            String what = "model prediction at t=" + t;
            if (out == null) {
                throw new InvalidInputException(what, "a tensor of shape " + Arrays.toString(shape), "null");
            }
            out.requireShape(what, shape).requireFinite(what);
            return out.toDoubleArray();
        }

        /** The model output m_t in the form the solver extrapolates: x̂0 for dpmsolver++, ε̂ for dpmsolver. */
        private double[] solverOutput(double[] x, double t) {
            double[] p = call(x, t);
            Prediction given = model.predicts();
            boolean wantData = dataForm;
            if ((given == Prediction.DATA) == wantData) {
                return p;
            }
            double a = schedule.alpha(t);
            double s = schedule.sigma(t);
            double[] m = new double[p.length];
            for (int i = 0; i < p.length; i++) {
                m[i] = wantData ? (x[i] - s * p[i]) / a : (x[i] - a * p[i]) / s;
            }
            return m;
        }

        /** The first-order update from s to t (DDIM). */
        private double[] firstOrder(double[] x, double s, double t, double[] ms) {
            double h = schedule.lambda(t) - schedule.lambda(s);
            double cx;
            double cm;
            if (dataForm) {
                cx = schedule.sigma(t) / schedule.sigma(s);
                cm = -schedule.alpha(t) * Math.expm1(-h);
            } else {
                cx = Math.exp(schedule.logAlpha(t) - schedule.logAlpha(s));
                cm = -schedule.sigma(t) * Math.expm1(h);
            }
            double[] out = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                out[i] = cx * x[i] + cm * ms[i];
            }
            return out;
        }

        /** The singlestep second-order update from s to t through the intermediate λ_s + r1·h. */
        private double[] singlestepSecondOrder(double[] x, double s, double t, double r1) {
            double ls = schedule.lambda(s);
            double h = schedule.lambda(t) - ls;
            double s1 = schedule.inverseLambda(ls + r1 * h);
            double[] ms = solverOutput(x, s);
            double cx1;
            double phi11;
            double cx;
            double phi1;
            if (dataForm) {
                cx1 = schedule.sigma(s1) / schedule.sigma(s);
                phi11 = schedule.alpha(s1) * Math.expm1(-r1 * h);
                cx = schedule.sigma(t) / schedule.sigma(s);
                phi1 = schedule.alpha(t) * Math.expm1(-h);
            } else {
                cx1 = Math.exp(schedule.logAlpha(s1) - schedule.logAlpha(s));
                phi11 = schedule.sigma(s1) * Math.expm1(r1 * h);
                cx = Math.exp(schedule.logAlpha(t) - schedule.logAlpha(s));
                phi1 = schedule.sigma(t) * Math.expm1(h);
            }
            double[] xs1 = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                xs1[i] = cx1 * x[i] - phi11 * ms[i];
            }
            double[] ms1 = solverOutput(hold(xs1), s1);
            double[] out = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                out[i] = cx * x[i] - phi1 * ms[i] - (0.5 / r1) * phi1 * (ms1[i] - ms[i]);
            }
            return out;
        }

        /** DPM-Solver 2M, as {@link #multistepPlan} lays it out. */
        Trajectory multistep(double[] xT) {
            MultistepPlan plan = multistepPlan();
            double[] x = hold(xT);
            record(x, plan.startTime());
            double[] newest = solverOutput(x, plan.startTime());
            double[] older = null;
            List<MultistepUpdate> updates = plan.updates();
            for (int step = 0; step < updates.size(); step++) {
                MultistepUpdate u = updates.get(step);
                x = hold(u.apply(x, newest, older));
                record(x, u.time());
                if (step < updates.size() - 1) {
                    older = newest;
                    newest = solverOutput(x, u.time());
                }
            }
            return trajectory();
        }

        /** DPM-Solver 2S: outer steps of order 2 (and one of order 1 last when N is odd). */
        Trajectory singlestep(double[] xT) {
            int n = settings.steps();
            int outer = (n + 1) / 2;
            int[] orders = new int[outer];
            Arrays.fill(orders, 2);
            if (n % 2 == 1) {
                orders[outer - 1] = 1;
            }
            double[] outerTimes;
            if (settings.grid() == StepGrid.LOG_SNR) {
                outerTimes = schedule.timeGrid(StepGrid.LOG_SNR, schedule.startTime(), schedule.endTime(), outer);
            } else {
                double[] fine = schedule.timeGrid(StepGrid.TIME_UNIFORM, schedule.startTime(), schedule.endTime(), n);
                outerTimes = new double[outer + 1];
                int index = 0;
                outerTimes[0] = fine[0];
                for (int k = 0; k < outer; k++) {
                    index += orders[k];
                    outerTimes[k + 1] = fine[index];
                }
            }
            double[] x = hold(xT);
            for (int k = 0; k < outer; k++) {
                double s = outerTimes[k];
                double t = outerTimes[k + 1];
                if (orders[k] == 1) {
                    x = firstOrder(x, s, t, solverOutput(x, s));
                } else {
                    double[] inner = schedule.timeGrid(settings.grid(), s, t, 2);
                    double l0 = schedule.lambda(inner[0]);
                    double r1 = (schedule.lambda(inner[1]) - l0) / (schedule.lambda(inner[2]) - l0);
                    x = singlestepSecondOrder(x, s, t, r1);
                }
                hold(x);
                record(x, t);
            }
            return trajectory();
        }

        /** Ancestral DDPM over all T steps with an x̂0 model (decision D8). */
        Trajectory ddpm(double[] xT, long seed) {
            int steps = betas.length;
            RandomGenerator random = RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
            double[] x = hold(xT);
            record(x, 1.0);
            for (int k = steps; k >= 1; k--) {
                double t = k / (double) steps;
                double[] p = call(x, t);
                double abK = alphaBars[k];
                double abPrev = alphaBars[k - 1];
                double beta = betas[k - 1];
                double[] x0 = p;
                if (model.predicts() == Prediction.NOISE) {
                    x0 = new double[p.length];
                    for (int i = 0; i < p.length; i++) {
                        x0[i] = (x[i] - Math.sqrt(1 - abK) * p[i]) / Math.sqrt(abK);
                    }
                }
                double c0 = Math.sqrt(abPrev) * beta / (1 - abK);
                double ct = Math.sqrt(1 - beta) * (1 - abPrev) / (1 - abK);
                double noiseScale = Math.sqrt((1 - abPrev) / (1 - abK) * beta);
                double[] next = new double[x.length];
                for (int i = 0; i < x.length; i++) {
                    next[i] = c0 * x0[i] + ct * x[i];
                }
                if (k > 1) {
                    for (int i = 0; i < x.length; i++) {
                        next[i] += noiseScale * random.nextGaussian();
                    }
                }
                x = hold(next);
                record(x, (k - 1) / (double) steps);
            }
            return trajectory();
        }
    }

    @Override
    public String toString() {
        return "DpmSolverSampler{" + settings + ", " + schedule + "}";
    }
}

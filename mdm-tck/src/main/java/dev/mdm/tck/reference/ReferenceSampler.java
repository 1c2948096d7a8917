package dev.mdm.tck.reference;

import dev.mdm.InvalidInputException;
import dev.mdm.sampling.DenoisingFunction;
import dev.mdm.sampling.Infill;
import dev.mdm.sampling.Prediction;
import dev.mdm.sampling.Sampler;
import dev.mdm.sampling.SamplerSettings;
import dev.mdm.sampling.SolverAlgorithm;
import dev.mdm.sampling.StepGrid;
import dev.mdm.sampling.Trajectory;
import dev.mdm.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * The samplers of SPEC §8 exactly as written there (and as the official {@code dpm_solver_pytorch.py} runs them):
 * DPM-Solver 2M with {@code lower_order_final} below 10 steps, DPM-Solver 2S with the order lists of §8, both
 * {@code dpmsolver} and {@code dpmsolver++} forms on {@code time_uniform} and {@code logSNR} grids, and ancestral
 * DDPM per decision D8. Infilling (D9) is applied to x_T, after every update and to the 2S midpoint state.
 */
final class ReferenceSampler implements Sampler {
    /** The generator of DDPM's fresh noise (D8). */
    static final String NOISE_ALGORITHM = "L64X128MixRandom";

    private final SamplerSettings settings;
    private final double[] betas;
    private final ReferenceNoiseSchedule schedule;
    private final ReferenceLifecycle lifecycle;

    ReferenceSampler(SamplerSettings settings, double[] betas, ReferenceLifecycle lifecycle) {
        this.settings = Objects.requireNonNull(settings, "settings");
        ReferenceNoiseSchedule.requireBetas(betas);
        if (settings.method() != dev.mdm.sampling.SamplingMethod.DDPM && settings.steps() > betas.length) {
            throw new dev.mdm.InvalidInputException("steps", "at most T = " + betas.length
                    + " (the model's diffusion timesteps) for " + settings.method(), String.valueOf(settings.steps()));
        }
        this.betas = betas.clone();
        this.schedule = new ReferenceNoiseSchedule(this.betas);
        this.lifecycle = lifecycle;
    }

    @Override
    public SamplerSettings settings() {
        return settings;
    }

    /** @return the continuous schedule the DPM-Solver methods use */
    ReferenceNoiseSchedule schedule() {
        return schedule;
    }

    @Override
    public Trajectory sample(Tensor xT, DenoisingFunction model, Infill infill, long seed) {
        lifecycle.requireOpen();
        if (xT == null) {
            throw new InvalidInputException("xT", "a tensor", "null");
        }
        xT.requireFinite("xT");
        if (model == null) {
            throw new InvalidInputException("model", "a DenoisingFunction", "null");
        }
        if (model.predicts() == null) {
            throw new InvalidInputException("model", "predicts() DATA or NOISE", "null");
        }
        if (infill != null) {
            infill.mask().requireShape("infill", xT.shape());
        }
        Run run = new Run(xT.shape(), model, infill);
        return switch (settings.method()) {
            case DPM_SOLVER_2M -> run.multistep(xT.toDoubleArray());
            case DPM_SOLVER_2S -> run.singlestep(xT.toDoubleArray());
            case DDPM -> run.ddpm(xT.toDoubleArray(), seed);
        };
    }

    /**
     * @param n intervals
     * @param from start time
     * @param to end time
     * @return n + 1 times of the configured grid from {@code from} to {@code to}
     */
    double[] timeSteps(StepGrid grid, double from, double to, int n) {
        double[] t = new double[n + 1];
        if (grid == StepGrid.TIME_UNIFORM) {
            for (int i = 0; i <= n; i++) {
                t[i] = from + (to - from) * i / n;
            }
        } else {
            double lambdaFrom = schedule.lambda(from);
            double lambdaTo = schedule.lambda(to);
            for (int i = 0; i <= n; i++) {
                t[i] = schedule.inverseLambda(lambdaFrom + (lambdaTo - lambdaFrom) * i / n);
            }
        }
        return t;
    }

    /** One call of {@link #sample}: the model, its conversion to the solver's form, and infilling. */
    private final class Run {
        private final int[] shape;
        private final DenoisingFunction model;
        private final Infill infill;
        private final boolean dataForm = settings.algorithm() == SolverAlgorithm.DPM_SOLVER_PLUS_PLUS;
        private final List<Tensor> states = new ArrayList<>();
        private final List<Double> times = new ArrayList<>();

        Run(int[] shape, DenoisingFunction model, Infill infill) {
            this.shape = shape;
            this.model = model;
            this.infill = infill;
        }

        private double[] hold(double[] x) {
            return infill == null ? x : infill.apply(Tensor.of(x, shape)).toDoubleArray();
        }

        private void record(double[] x, double t) {
            states.add(Tensor.of(x, shape));
            times.add(t);
        }

        /** The raw model output at (x, t), checked. */
        private double[] call(double[] x, double t) {
            Tensor out = model.predict(Tensor.of(x, shape), t);
            if (out == null) {
                throw new InvalidInputException("model", "a prediction of shape " + Arrays.toString(shape), "null at t = " + t);
            }
            out.requireShape("model output", shape).requireFinite("model output");
            return out.toDoubleArray();
        }

        /** The model in the solver's form: x̂0 for dpmsolver++, ε̂ for dpmsolver, converted with α_t and σ_t. */
        private double[] solverModel(double[] x, double t) {
            double[] out = call(x, t);
            Prediction kind = model.predicts();
            double alpha = schedule.alpha(t);
            double sigma = schedule.sigma(t);
            if (dataForm && kind == Prediction.NOISE) {
                for (int i = 0; i < out.length; i++) {
                    out[i] = (x[i] - sigma * out[i]) / alpha;
                }
            } else if (!dataForm && kind == Prediction.DATA) {
                for (int i = 0; i < out.length; i++) {
                    out[i] = (x[i] - alpha * out[i]) / sigma;
                }
            }
            return out;
        }

        /** First-order update from s to t with the model value m_s. */
        private double[] firstOrder(double[] x, double s, double t, double[] ms) {
            double h = schedule.lambda(t) - schedule.lambda(s);
            double[] out = new double[x.length];
            if (dataForm) {
                double ratio = schedule.sigma(t) / schedule.sigma(s);
                double coef = schedule.alpha(t) * Math.expm1(-h);
                for (int i = 0; i < x.length; i++) {
                    out[i] = ratio * x[i] - coef * ms[i];
                }
            } else {
                double ratio = Math.exp(schedule.logAlpha(t) - schedule.logAlpha(s));
                double coef = schedule.sigma(t) * Math.expm1(h);
                for (int i = 0; i < x.length; i++) {
                    out[i] = ratio * x[i] - coef * ms[i];
                }
            }
            return out;
        }

        /** Multistep second-order update to t from s₀ (model m0) with the earlier point s₁ (model m1). */
        private double[] multistepSecondOrder(double[] x, double s1, double[] m1, double s0, double[] m0, double t) {
            double lambda1 = schedule.lambda(s1);
            double lambda0 = schedule.lambda(s0);
            double lambdaT = schedule.lambda(t);
            double h0 = lambda0 - lambda1;
            double h = lambdaT - lambda0;
            double r0 = h0 / h;
            double ratio;
            double phi;
            if (dataForm) {
                ratio = schedule.sigma(t) / schedule.sigma(s0);
                phi = schedule.alpha(t) * Math.expm1(-h);
            } else {
                ratio = Math.exp(schedule.logAlpha(t) - schedule.logAlpha(s0));
                phi = schedule.sigma(t) * Math.expm1(h);
            }
            double[] out = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                double d = (m0[i] - m1[i]) / r0;
                out[i] = ratio * x[i] - phi * m0[i] - 0.5 * phi * d;
            }
            return out;
        }

        /** Singlestep second-order update from s to t with midpoint fraction r₁ (two model calls). */
        private double[] singlestepSecondOrder(double[] x, double s, double t, double r1) {
            double lambdaS = schedule.lambda(s);
            double h = schedule.lambda(t) - lambdaS;
            double s1 = schedule.inverseLambda(lambdaS + r1 * h);
            double[] ms = solverModel(x, s);
            double[] xs1 = new double[x.length];
            double ratio1;
            double phi11;
            double ratio;
            double phi1;
            if (dataForm) {
                ratio1 = schedule.sigma(s1) / schedule.sigma(s);
                phi11 = schedule.alpha(s1) * Math.expm1(-r1 * h);
                ratio = schedule.sigma(t) / schedule.sigma(s);
                phi1 = schedule.alpha(t) * Math.expm1(-h);
            } else {
                ratio1 = Math.exp(schedule.logAlpha(s1) - schedule.logAlpha(s));
                phi11 = schedule.sigma(s1) * Math.expm1(r1 * h);
                ratio = Math.exp(schedule.logAlpha(t) - schedule.logAlpha(s));
                phi1 = schedule.sigma(t) * Math.expm1(h);
            }
            for (int i = 0; i < x.length; i++) {
                xs1[i] = ratio1 * x[i] - phi11 * ms[i];
            }
            double[] ms1 = solverModel(hold(xs1), s1); // D9: the model always sees held values clean
            double[] out = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                out[i] = ratio * x[i] - phi1 * ms[i] - (0.5 / r1) * phi1 * (ms1[i] - ms[i]);
            }
            return out;
        }

        Trajectory multistep(double[] xT) {
            int n = settings.steps();
            double[] grid = timeSteps(settings.grid(), 1.0, schedule.endTime(), n);
            double[] x = hold(xT);
            record(x, grid[0]);
            double prevT1 = 0;
            double[] prevM1 = null;
            double prevT0 = grid[0];
            double[] prevM0 = solverModel(x, grid[0]);
            for (int step = 1; step <= n; step++) {
                double t = grid[step];
                int order = step == 1 ? 1 : (n < 10 ? Math.min(2, n + 1 - step) : 2);
                x = order == 1 ? firstOrder(x, prevT0, t, prevM0)
                        : multistepSecondOrder(x, prevT1, prevM1, prevT0, prevM0, t);
                x = hold(x);
                record(x, t);
                prevT1 = prevT0;
                prevM1 = prevM0;
                prevT0 = t;
                // the final model value is never needed
                prevM0 = step < n ? solverModel(x, t) : null;
            }
            return new Trajectory(states, times);
        }

        Trajectory singlestep(double[] xT) {
            int n = settings.steps();
            int outer = n % 2 == 0 ? n / 2 : n / 2 + 1;
            int[] orders = new int[outer];
            Arrays.fill(orders, 2);
            if (n % 2 == 1) {
                orders[outer - 1] = 1;
            }
            double[] outerGrid;
            if (settings.grid() == StepGrid.LOG_SNR) {
                outerGrid = timeSteps(StepGrid.LOG_SNR, 1.0, schedule.endTime(), outer);
            } else {
                double[] full = timeSteps(StepGrid.TIME_UNIFORM, 1.0, schedule.endTime(), n);
                outerGrid = new double[outer + 1];
                int index = 0;
                outerGrid[0] = full[0];
                for (int k = 0; k < outer; k++) {
                    index += orders[k];
                    outerGrid[k + 1] = full[index];
                }
            }
            double[] x = hold(xT);
            for (int k = 0; k < outer; k++) {
                double s = outerGrid[k];
                double t = outerGrid[k + 1];
                if (orders[k] == 1) {
                    x = firstOrder(x, s, t, solverModel(x, s));
                } else {
                    double[] inner = timeSteps(settings.grid(), s, t, 2);
                    double l0 = schedule.lambda(inner[0]);
                    double r1 = (schedule.lambda(inner[1]) - l0) / (schedule.lambda(inner[2]) - l0);
                    x = singlestepSecondOrder(x, s, t, r1);
                }
                x = hold(x);
                record(x, t);
            }
            return new Trajectory(states, times);
        }

        Trajectory ddpm(double[] xT, long seed) {
            int steps = betas.length;
            double[] alphaBar = new double[steps + 1];
            alphaBar[0] = 1;
            for (int k = 1; k <= steps; k++) {
                alphaBar[k] = alphaBar[k - 1] * (1 - betas[k - 1]);
            }
            RandomGenerator noise = RandomGeneratorFactory.of(NOISE_ALGORITHM).create(seed);
            double[] x = hold(xT);
            record(x, 1.0);
            for (int k = steps; k >= 1; k--) {
                double[] x0 = call(x, k / (double) steps);
                if (model.predicts() == Prediction.NOISE) {
                    double s = Math.sqrt(1 - alphaBar[k]);
                    double a = Math.sqrt(alphaBar[k]);
                    for (int i = 0; i < x0.length; i++) {
                        x0[i] = (x[i] - s * x0[i]) / a;
                    }
                }
                double beta = betas[k - 1];
                double c0 = Math.sqrt(alphaBar[k - 1]) * beta / (1 - alphaBar[k]);
                double ct = Math.sqrt(1 - beta) * (1 - alphaBar[k - 1]) / (1 - alphaBar[k]);
                double std = Math.sqrt((1 - alphaBar[k - 1]) / (1 - alphaBar[k]) * beta);
                double[] next = new double[x.length];
                for (int i = 0; i < x.length; i++) {
                    next[i] = c0 * x0[i] + ct * x[i];
                }
                if (k > 1) {
                    for (int i = 0; i < x.length; i++) {
                        next[i] += std * noise.nextGaussian();
                    }
                }
                x = hold(next);
                record(x, (k - 1) / (double) steps);
            }
            return new Trajectory(states, times);
        }
    }
}

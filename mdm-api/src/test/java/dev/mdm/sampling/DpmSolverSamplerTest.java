package dev.mdm.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.mdm.InvalidInputException;
import dev.mdm.MDM;
import dev.mdm.MdmConfig;
import dev.mdm.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@DisplayName("DpmSolverSampler")
class DpmSolverSamplerTest {
    private static final double[] BETAS = MDM.betas(MdmConfig.tiny());
    private static final DiscreteVpSchedule SCHEDULE = new DiscreteVpSchedule(BETAS);

    private static Tensor noise(long seed, int... shape) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] v = new double[(int) Tensor.elementCount(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = random.nextGaussian();
        }
        return Tensor.of(v, shape);
    }

    private static DpmSolverSampler sampler(SamplingMethod method, SolverAlgorithm algorithm, StepGrid grid, int steps) {
        return new DpmSolverSampler(new SamplerSettings(method, algorithm, grid, steps), BETAS);
    }

    /** A model that predicts the same clean sample whatever it is given, and counts its calls. */
    private static final class ConstantData implements DenoisingFunction {
        final double[] value;
        final List<Double> calls = new ArrayList<>();

        ConstantData(double[] value) {
            this.value = value;
        }

        @Override
        public Prediction predicts() {
            return Prediction.DATA;
        }

        @Override
        public Tensor predict(Tensor x, double t) {
            calls.add(t);
            return Tensor.of(value, x.shape());
        }
    }

    /** The exact noise model of Gaussian data N(0, s²): ε̂ = σ_t·x/(α_t²s² + σ_t²) (SPEC §11 {@code dpm_solver}). */
    private record GaussianData(double s, Prediction form) implements DenoisingFunction {
        @Override
        public Prediction predicts() {
            return form;
        }

        @Override
        public Tensor predict(Tensor x, double t) {
            double a = SCHEDULE.alpha(t);
            double sg = SCHEDULE.sigma(t);
            double[] v = x.toDoubleArray();
            for (int i = 0; i < v.length; i++) {
                double eps = sg * v[i] / (a * a * s * s + sg * sg);
                v[i] = form == Prediction.NOISE ? eps : (v[i] - sg * eps) / a;
            }
            return Tensor.of(v, x.shape());
        }

        /** The probability-flow ODE maps x_T to x_T·v(t)/v(1), v(t) = √(α_t²s² + σ_t²). */
        double[] exact(Tensor xT, double t) {
            double v1 = Math.hypot(SCHEDULE.alpha(1.0) * s, SCHEDULE.sigma(1.0));
            double vt = Math.hypot(SCHEDULE.alpha(t) * s, SCHEDULE.sigma(t));
            double[] x = xT.toDoubleArray();
            for (int i = 0; i < x.length; i++) {
                x[i] *= vt / v1;
            }
            return x;
        }
    }

    private static double maxAbsDiff(double[] a, double[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    static Stream<Arguments> solvers() {
        List<Arguments> out = new ArrayList<>();
        for (SamplingMethod m : List.of(SamplingMethod.DPM_SOLVER_2M, SamplingMethod.DPM_SOLVER_2S)) {
            for (StepGrid g : StepGrid.values()) {
                for (int steps : new int[] {1, 2, 5, 9, 10, 15, 20}) {
                    out.add(Arguments.of(m, g, steps));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2} steps")
    @MethodSource("solvers")
    @DisplayName("dpmsolver++ is exact for a model that always predicts the same x0")
    void dataFormIsExactForAConstantCleanSample(SamplingMethod method, StepGrid grid, int steps) {
        Tensor xT = noise(1, 3, 4);
        double[] c = noise(2, 3, 4).toDoubleArray();
        ConstantData model = new ConstantData(c);
        Trajectory tr = sampler(method, SolverAlgorithm.DPM_SOLVER_PLUS_PLUS, grid, steps).sample(xT, model, null, 0);
        // x_t = (σ_t/σ_1)·x_T + (α_t − α_1·σ_t/σ_1)·c solves dx/dλ exactly when x̂0 ≡ c
        double[] x = xT.toDoubleArray();
        for (int k = 0; k < tr.states().size(); k++) {
            double t = tr.times().get(k);
            double ratio = SCHEDULE.sigma(t) / SCHEDULE.sigma(1.0);
            double[] expected = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                expected[i] = ratio * x[i] + (SCHEDULE.alpha(t) - SCHEDULE.alpha(1.0) * ratio) * c[i];
            }
            assertThat(maxAbsDiff(tr.states().get(k).toDoubleArray(), expected)).as("state %d", k).isLessThan(1e-12);
        }
        assertThat(tr.times().get(tr.times().size() - 1)).isCloseTo(1e-3, within(1e-12));
        assertThat(model.calls).hasSize(steps);
    }

    @ParameterizedTest(name = "{0} {1} {2} steps")
    @MethodSource("solvers")
    @DisplayName("dpmsolver is exact for a model that always predicts the same noise")
    void noiseFormIsExactForAConstantNoise(SamplingMethod method, StepGrid grid, int steps) {
        Tensor xT = noise(3, 2, 5);
        double[] e = noise(4, 2, 5).toDoubleArray();
        DenoisingFunction model = new DenoisingFunction() {
            @Override
            public Prediction predicts() {
                return Prediction.NOISE;
            }

            @Override
            public Tensor predict(Tensor x, double t) {
                return Tensor.of(e, x.shape());
            }
        };
        Trajectory tr = sampler(method, SolverAlgorithm.DPM_SOLVER, grid, steps).sample(xT, model, null, 0);
        // x_t = (α_t/α_1)·x_T + (σ_t − α_t·σ_1/α_1)·ε when ε̂ ≡ ε
        double[] x = xT.toDoubleArray();
        double t = tr.times().get(tr.times().size() - 1);
        double ratio = SCHEDULE.alpha(t) / SCHEDULE.alpha(1.0);
        double[] expected = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            expected[i] = ratio * x[i] + (SCHEDULE.sigma(t) - ratio * SCHEDULE.sigma(1.0)) * e[i];
        }
        assertThat(maxAbsDiff(tr.last().toDoubleArray(), expected)).isLessThan(1e-10);
    }

    static Stream<Arguments> secondOrderSolvers() {
        List<Arguments> out = new ArrayList<>();
        for (SamplingMethod m : List.of(SamplingMethod.DPM_SOLVER_2M, SamplingMethod.DPM_SOLVER_2S)) {
            for (SolverAlgorithm a : SolverAlgorithm.values()) {
                for (StepGrid g : StepGrid.values()) {
                    for (Prediction p : Prediction.values()) {
                        out.add(Arguments.of(m, a, g, p));
                    }
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2}, model predicts {3}")
    @MethodSource("secondOrderSolvers")
    @DisplayName("for Gaussian data with the exact model the error falls as h²")
    void errorFallsAsStepSquared(SamplingMethod method, SolverAlgorithm algorithm, StepGrid grid, Prediction form) {
        GaussianData model = new GaussianData(0.5, form);
        Tensor xT = noise(5, 4, 3);
        int[] steps = {20, 40, 80};
        double[] errors = new double[steps.length];
        for (int i = 0; i < steps.length; i++) {
            Trajectory tr = sampler(method, algorithm, grid, steps[i]).sample(xT, model, null, 0);
            // Uniform in t, the last step spans λ(1/T + 2/N·…) to λ(1/T), which shrinks only once N ≫ T: measure the
            // error at the middle of the grid (a grid point for these N), where h in λ is proportional to 1/N.
            int k = grid == StepGrid.LOG_SNR ? tr.states().size() - 1 : tr.states().size() - 1 - (steps[i] / 2) / (method == SamplingMethod.DPM_SOLVER_2S ? 2 : 1);
            double t = tr.times().get(k);
            if (grid == StepGrid.TIME_UNIFORM) {
                assertThat(t).isCloseTo(0.5 * (1 + SCHEDULE.endTime()), within(1e-12));
            }
            errors[i] = maxAbsDiff(tr.states().get(k).toDoubleArray(), model.exact(xT, t));
        }
        String all = java.util.Arrays.toString(errors);
        assertThat(errors[0]).as(all).isGreaterThan(0).isLessThan(0.1);
        // halving h divides a second-order error by 4
        assertThat(errors[0] / errors[1]).as(all).isBetween(3.3, 4.8);
        assertThat(errors[1] / errors[2]).as(all).isBetween(3.6, 4.4);
    }

    @Test
    @DisplayName("2M visits x_T and the N grid points; 2S reports the state after each outer step")
    void trajectoriesHaveTheDocumentedLength() {
        GaussianData model = new GaussianData(1.0, Prediction.NOISE);
        Tensor xT = noise(6, 2, 2);
        Trajectory m = sampler(SamplingMethod.DPM_SOLVER_2M, SolverAlgorithm.DPM_SOLVER_PLUS_PLUS, StepGrid.TIME_UNIFORM, 7)
                .sample(xT, model, null, 0);
        assertThat(m.states()).hasSize(8);
        assertThat(m.states().get(0).toDoubleArray()).containsExactly(xT.toDoubleArray());
        assertThat(m.times()).containsExactly(
                java.util.Arrays.stream(SCHEDULE.timeGrid(StepGrid.TIME_UNIFORM, 1, 1e-3, 7)).boxed().toArray(Double[]::new));
        Trajectory odd = sampler(SamplingMethod.DPM_SOLVER_2S, SolverAlgorithm.DPM_SOLVER, StepGrid.TIME_UNIFORM, 7)
                .sample(xT, model, null, 0);
        assertThat(odd.states()).hasSize(4);
        double[] fine = SCHEDULE.timeGrid(StepGrid.TIME_UNIFORM, 1, 1e-3, 7);
        assertThat(odd.times()).containsExactly(fine[2], fine[4], fine[6], fine[7]);
        Trajectory even = sampler(SamplingMethod.DPM_SOLVER_2S, SolverAlgorithm.DPM_SOLVER, StepGrid.LOG_SNR, 6)
                .sample(xT, model, null, 0);
        double[] outer = SCHEDULE.timeGrid(StepGrid.LOG_SNR, 1, 1e-3, 3);
        assertThat(even.times()).containsExactly(outer[1], outer[2], outer[3]);
    }

    @Test
    @DisplayName("2M with fewer than 10 steps takes its last step at first order, with 10 or more at second order")
    void lowerOrderFinalOnlyBelowTenSteps() {
        // with a model linear in λ-time the last step's order shows in the result: compare with a hand-made 2M
        GaussianData model = new GaussianData(0.7, Prediction.DATA);
        Tensor xT = noise(7, 1, 6);
        for (int steps : new int[] {9, 10}) {
            Trajectory tr = sampler(SamplingMethod.DPM_SOLVER_2M, SolverAlgorithm.DPM_SOLVER_PLUS_PLUS, StepGrid.LOG_SNR, steps)
                    .sample(xT, model, null, 0);
            double[] ts = SCHEDULE.timeGrid(StepGrid.LOG_SNR, 1, 1e-3, steps);
            double[] before = tr.states().get(steps - 1).toDoubleArray();
            double s0 = ts[steps - 1];
            double s1 = ts[steps - 2];
            double t = ts[steps];
            double[] m0 = model.predict(tr.states().get(steps - 1), s0).toDoubleArray();
            double[] m1 = model.predict(tr.states().get(steps - 2), s1).toDoubleArray();
            double h = SCHEDULE.lambda(t) - SCHEDULE.lambda(s0);
            double r0 = (SCHEDULE.lambda(s0) - SCHEDULE.lambda(s1)) / h;
            double phi = SCHEDULE.alpha(t) * Math.expm1(-h);
            double[] first = new double[before.length];
            double[] second = new double[before.length];
            for (int i = 0; i < before.length; i++) {
                first[i] = SCHEDULE.sigma(t) / SCHEDULE.sigma(s0) * before[i] - phi * m0[i];
                second[i] = first[i] - 0.5 * phi * (m0[i] - m1[i]) / r0;
            }
            double[] expected = steps < 10 ? first : second;
            assertThat(maxAbsDiff(tr.last().toDoubleArray(), expected)).as("%d steps", steps).isLessThan(1e-13);
            assertThat(maxAbsDiff(first, second)).isGreaterThan(1e-6);
        }
    }

    @Test
    @DisplayName("2S takes its midpoint in the middle of the step in the grid's own variable")
    void singlestepMidpoints() {
        List<Double> calls = new ArrayList<>();
        DenoisingFunction model = new DenoisingFunction() {
            @Override
            public Prediction predicts() {
                return Prediction.DATA;
            }

            @Override
            public Tensor predict(Tensor x, double t) {
                calls.add(t);
                return x;
            }
        };
        Tensor xT = noise(8, 1, 2);
        sampler(SamplingMethod.DPM_SOLVER_2S, SolverAlgorithm.DPM_SOLVER_PLUS_PLUS, StepGrid.TIME_UNIFORM, 4).sample(xT, model, null, 0);
        double[] fine = SCHEDULE.timeGrid(StepGrid.TIME_UNIFORM, 1, 1e-3, 4);
        assertThat(calls).hasSize(4);
        for (int i = 0; i < 4; i++) {
            assertThat(calls.get(i)).isCloseTo(fine[i], within(1e-11));
        }
        calls.clear();
        sampler(SamplingMethod.DPM_SOLVER_2S, SolverAlgorithm.DPM_SOLVER_PLUS_PLUS, StepGrid.LOG_SNR, 4).sample(xT, model, null, 0);
        double[] lambdaGrid = SCHEDULE.timeGrid(StepGrid.LOG_SNR, 1, 1e-3, 4);
        for (int i = 0; i < 4; i++) {
            assertThat(SCHEDULE.lambda(calls.get(i))).isCloseTo(SCHEDULE.lambda(lambdaGrid[i]), within(1e-9));
        }
    }

    @Test
    @DisplayName("DDPM takes T steps, is reproducible for a seed and differs across seeds")
    void ddpmIsDeterministicPerSeed() {
        double[] betas = {0.1, 0.2, 0.3, 0.4};
        DpmSolverSampler ddpm = new DpmSolverSampler(SamplerSettings.defaults().withMethod(SamplingMethod.DDPM), betas);
        DenoisingFunction shrink = new DenoisingFunction() {
            @Override
            public Prediction predicts() {
                return Prediction.DATA;
            }

            @Override
            public Tensor predict(Tensor x, double t) {
                double[] v = x.toDoubleArray();
                for (int i = 0; i < v.length; i++) {
                    v[i] *= 0.5;
                }
                return Tensor.of(v, x.shape());
            }
        };
        Tensor xT = noise(9, 2, 3);
        Trajectory a = ddpm.sample(xT, shrink, null, 42);
        Trajectory b = ddpm.sample(xT, shrink, null, 42);
        Trajectory c = ddpm.sample(xT, shrink, null, 43);
        assertThat(a.states()).hasSize(5);
        assertThat(a.times()).containsExactly(1.0, 0.75, 0.5, 0.25, 0.0);
        for (int k = 0; k < 5; k++) {
            assertThat(a.states().get(k).contentEquals(b.states().get(k))).isTrue();
        }
        assertThat(a.last().contentEquals(c.last())).isFalse();
    }

    @Test
    @DisplayName("DDPM's first step is the posterior mean plus √β̃ times the seeded L64X128MixRandom normal")
    void ddpmStepFollowsDecisionD8() {
        double[] betas = {0.1, 0.2, 0.3};
        DpmSolverSampler ddpm = new DpmSolverSampler(SamplerSettings.defaults().withMethod(SamplingMethod.DDPM), betas);
        double[] c = {0.3, -0.2};
        Tensor xT = Tensor.of(new double[] {1.5, -0.5}, 2);
        Trajectory tr = ddpm.sample(xT, new ConstantData(c), null, 11);
        var random = java.util.random.RandomGeneratorFactory.of("L64X128MixRandom").create(11);
        double ab3 = 0.9 * 0.8 * 0.7;
        double ab2 = 0.9 * 0.8;
        double[] x = xT.toDoubleArray();
        double[] expected = new double[2];
        for (int i = 0; i < 2; i++) {
            double mean = Math.sqrt(ab2) * 0.3 / (1 - ab3) * c[i] + Math.sqrt(0.7) * (1 - ab2) / (1 - ab3) * x[i];
            expected[i] = mean + Math.sqrt((1 - ab2) / (1 - ab3) * 0.3) * random.nextGaussian();
        }
        assertThat(tr.states().get(1).toDoubleArray()).containsExactly(expected, within(1e-14));
        // the last step has no noise and ᾱ_0 = 1, so it lands on x̂0 exactly
        assertThat(tr.last().toDoubleArray()).containsExactly(c, within(1e-14));
    }

    @Test
    @DisplayName("DDPM converts a noise prediction to x̂0 with ᾱ of the step")
    void ddpmAcceptsNoisePredictions() {
        double[] betas = {0.1, 0.2, 0.3};
        DpmSolverSampler ddpm = new DpmSolverSampler(SamplerSettings.defaults().withMethod(SamplingMethod.DDPM), betas);
        double[] c = {0.3, -0.2};
        // ε̂ consistent with x̂0 = c at every step: ε̂ = (x − √ᾱ_k c)/√(1 − ᾱ_k)
        double[] alphaBar = {0.9, 0.9 * 0.8, 0.9 * 0.8 * 0.7};
        DenoisingFunction noiseModel = new DenoisingFunction() {
            @Override
            public Prediction predicts() {
                return Prediction.NOISE;
            }

            @Override
            public Tensor predict(Tensor x, double t) {
                double ab = alphaBar[(int) Math.round(t * 3) - 1];
                double[] v = x.toDoubleArray();
                for (int i = 0; i < v.length; i++) {
                    v[i] = (v[i] - Math.sqrt(ab) * c[i]) / Math.sqrt(1 - ab);
                }
                return Tensor.of(v, x.shape());
            }
        };
        Tensor xT = Tensor.of(new double[] {1.5, -0.5}, 2);
        Trajectory fromNoise = ddpm.sample(xT, noiseModel, null, 5);
        Trajectory fromData = ddpm.sample(xT, new ConstantData(c), null, 5);
        for (int k = 0; k < 4; k++) {
            assertThat(fromNoise.states().get(k).toDoubleArray()).containsExactly(fromData.states().get(k).toDoubleArray(), within(1e-12));
        }
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(SamplingMethod.class)
    @DisplayName("infill holds the masked elements at their values in every state and every model call")
    void infillHoldsValues(SamplingMethod method) {
        double[] betas = method == SamplingMethod.DDPM ? new double[] {0.1, 0.2, 0.3, 0.4} : BETAS;
        DpmSolverSampler s = new DpmSolverSampler(new SamplerSettings(method, SolverAlgorithm.DPM_SOLVER_PLUS_PLUS,
                StepGrid.LOG_SNR, 5), betas);
        double[] mask = {1, 0, 0, 1, 0, 1};
        double[] values = {0.25, 9, 9, -0.75, 9, 0.5};
        Infill infill = new Infill(Tensor.of(mask, 2, 3), Tensor.of(values, 2, 3));
        List<double[]> seen = new ArrayList<>();
        DenoisingFunction model = new DenoisingFunction() {
            @Override
            public Prediction predicts() {
                return Prediction.DATA;
            }

            @Override
            public Tensor predict(Tensor x, double t) {
                seen.add(x.toDoubleArray());
                double[] v = x.toDoubleArray();
                for (int i = 0; i < v.length; i++) {
                    v[i] = 0.1 * v[i] + 1.0;
                }
                return Tensor.of(v, x.shape());
            }
        };
        Trajectory tr = s.sample(noise(10, 2, 3), model, infill, 3);
        List<double[]> all = new ArrayList<>(seen);
        tr.states().forEach(st -> all.add(st.toDoubleArray()));
        for (double[] state : all) {
            for (int i = 0; i < mask.length; i++) {
                if (mask[i] == 1) {
                    assertThat(state[i]).isEqualTo(values[i]);
                }
            }
        }
        double[] last = tr.last().toDoubleArray();
        assertThat(last[1]).isNotEqualTo(9.0);
    }

    @Test
    @DisplayName("each with-method of SamplerSettings changes its own field and keeps the others")
    void settingsCopies() {
        SamplerSettings d = SamplerSettings.defaults();
        assertThat(d.withAlgorithm(SolverAlgorithm.DPM_SOLVER)).isEqualTo(
                new SamplerSettings(d.method(), SolverAlgorithm.DPM_SOLVER, d.grid(), d.steps()));
        assertThat(d.withGrid(StepGrid.LOG_SNR)).isEqualTo(new SamplerSettings(d.method(), d.algorithm(), StepGrid.LOG_SNR, d.steps()));
        assertThat(d.withMethod(SamplingMethod.DPM_SOLVER_2S).withSteps(7)).isEqualTo(
                new SamplerSettings(SamplingMethod.DPM_SOLVER_2S, d.algorithm(), d.grid(), 7));
    }

    @Test
    @DisplayName("bad arguments are rejected with InvalidInputException naming them")
    void rejectsBadArguments() {
        DpmSolverSampler s = new DpmSolverSampler(SamplerSettings.defaults(), BETAS);
        DenoisingFunction model = new ConstantData(new double[4]);
        assertThatThrownBy(() -> new DpmSolverSampler(null, BETAS)).isInstanceOf(InvalidInputException.class).hasMessageContaining("settings");
        assertThatThrownBy(() -> new DpmSolverSampler(SamplerSettings.defaults(), new double[] {0.5, 2}))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("betas");
        assertThat(new DpmSolverSampler(SamplerSettings.defaults().withSteps(BETAS.length), BETAS).settings().steps())
                .isEqualTo(BETAS.length);
        assertThatThrownBy(() -> new DpmSolverSampler(SamplerSettings.defaults().withSteps(BETAS.length + 1), BETAS))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("invalid argument 'steps': expected at most T = 1000 (the model's diffusion timesteps) for "
                        + "DPM_SOLVER_2M, got 1001");
        assertThatThrownBy(() -> new DpmSolverSampler(SamplerSettings.defaults().withSteps(Integer.MAX_VALUE), BETAS))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("'steps'");
        assertThatThrownBy(() -> s.sample(null, model, null, 0)).isInstanceOf(InvalidInputException.class).hasMessageContaining("xT");
        assertThatThrownBy(() -> s.sample(Tensor.of(new double[] {0, Double.NaN, 0, 0}, 4), model, null, 0))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("xT").hasMessageContaining("NaN");
        assertThatThrownBy(() -> s.sample(Tensor.zeros(4), null, null, 0)).isInstanceOf(InvalidInputException.class).hasMessageContaining("model");
        Infill wrong = new Infill(Tensor.zeros(3), Tensor.zeros(3));
        assertThatThrownBy(() -> s.sample(Tensor.zeros(4), model, wrong, 0)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("infill.mask");
        assertThatThrownBy(() -> s.sample(Tensor.zeros(2, 2), new DenoisingFunction() {
            @Override
            public Prediction predicts() {
                return Prediction.DATA;
            }

            @Override
            public Tensor predict(Tensor x, double t) {
                return Tensor.zeros(3);
            }
        }, null, 0)).isInstanceOf(InvalidInputException.class).hasMessageContaining("model prediction");
    }

    @ParameterizedTest(name = "{0} steps")
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 2, 6, 9, 10, 20})
    @DisplayName("the 2M plan is first order first, second order after, first order last below 10 steps, on the sampler's grid")
    void multistepPlanOrders(int steps) {
        DpmSolverSampler.MultistepPlan plan = sampler(SamplingMethod.DPM_SOLVER_2M, SolverAlgorithm.DPM_SOLVER_PLUS_PLUS,
                StepGrid.TIME_UNIFORM, steps).multistepPlan();
        double[] grid = SCHEDULE.timeGrid(StepGrid.TIME_UNIFORM, SCHEDULE.startTime(), SCHEDULE.endTime(), steps);
        assertThat(plan.dataForm()).isTrue();
        assertThat(plan.startTime()).isEqualTo(grid[0]);
        assertThat(plan.updates()).hasSize(steps);
        for (int k = 0; k < steps; k++) {
            DpmSolverSampler.MultistepUpdate u = plan.updates().get(k);
            boolean first = k == 0 || (steps < 10 && k == steps - 1);
            assertThat(u.firstOrder()).as("update %d", k).isEqualTo(first);
            assertThat(u.time()).isEqualTo(grid[k + 1]);
            // data form: σ_t/σ_s and φ = α_t·(e^{−h} − 1) < 0
            assertThat(u.cx()).isCloseTo(SCHEDULE.sigma(grid[k + 1]) / SCHEDULE.sigma(grid[k]), within(1e-15));
            assertThat(u.phi()).isNegative();
        }
    }

    @Test
    @DisplayName("the 2M plan's updates, applied by hand, give the sampler's trajectory bit for bit")
    void multistepPlanIsWhatTheSamplerRuns() {
        DpmSolverSampler s = sampler(SamplingMethod.DPM_SOLVER_2M, SolverAlgorithm.DPM_SOLVER, StepGrid.LOG_SNR, 7);
        Tensor xT = noise(3, 2, 5);
        ConstantData model = new ConstantData(noise(4, 2, 5).toDoubleArray());
        Trajectory sampled = s.sample(xT, model, null, 0);
        DpmSolverSampler.MultistepPlan plan = s.multistepPlan();
        assertThat(plan.dataForm()).isFalse();
        double[] x = xT.toDoubleArray();
        double[] newest = epsilon(x, plan.startTime(), model.value);
        double[] older = null;
        for (int k = 0; k < plan.updates().size(); k++) {
            DpmSolverSampler.MultistepUpdate u = plan.updates().get(k);
            x = u.apply(x, newest, older);
            assertThat(x).as("state %d", k + 1).containsExactly(sampled.states().get(k + 1).toDoubleArray());
            older = newest;
            newest = epsilon(x, u.time(), model.value);
        }
    }

    /** ε̂ = (x − α_t·x̂0)/σ_t, as the sampler converts a data prediction for the noise form. */
    private static double[] epsilon(double[] x, double t, double[] data) {
        double a = SCHEDULE.alpha(t);
        double sg = SCHEDULE.sigma(t);
        double[] e = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            e[i] = (x[i] - a * data[i]) / sg;
        }
        return e;
    }
}

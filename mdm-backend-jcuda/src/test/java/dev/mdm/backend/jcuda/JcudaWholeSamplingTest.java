package dev.mdm.backend.jcuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mdm.Device;
import dev.mdm.MDM;
import dev.mdm.MdmConfig;
import dev.mdm.MdmException;
import dev.mdm.Precision;
import dev.mdm.model.OptimizerSettings;
import dev.mdm.model.ParameterInitializer;
import dev.mdm.model.Parameters;
import dev.mdm.model.TrainingBatch;
import dev.mdm.model.TrainingSession;
import dev.mdm.sampling.DpmSolverSampler;
import dev.mdm.sampling.Infill;
import dev.mdm.sampling.SamplerSettings;
import dev.mdm.sampling.SamplingMethod;
import dev.mdm.sampling.SamplingRun;
import dev.mdm.sampling.SolverAlgorithm;
import dev.mdm.sampling.StepGrid;
import dev.mdm.spi.BackendContext;
import dev.mdm.spi.ModelRuntime;
import dev.mdm.task.TaskRunner;
import dev.mdm.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A task's whole sampling loop as one CUDA graph ({@link JcudaModelRuntime#sampleWhole}) gives the bits of the host
 * sampler calling the same runtime once per step ({@link TaskRunner#sampleOnHost}). Skipped, with the probe's
 * reasons, where no usable GPU is present.
 */
@ExtendWith(JcudaAvailable.class)
class JcudaWholeSamplingTest {
    private static final MdmConfig CONFIG = MdmConfig.fashion();
    private static final double[] BETAS = MDM.betas(CONFIG);

    private static JcudaBackend open(Precision precision) {
        return (JcudaBackend) new JcudaBackendProvider().create(new BackendContext(Device.gpu(0), precision));
    }

    private static Tensor gaussian(SplittableRandom r, int... shape) {
        double[] v = new double[Math.toIntExact(Tensor.elementCount(shape))];
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.sqrt(-2 * Math.log(r.nextDouble(1e-12, 1))) * Math.cos(2 * Math.PI * r.nextDouble());
        }
        return Tensor.of(v, shape);
    }

    /** Joint generation, class guidance in the noise form, and captioning with image guidance, for batch b. */
    private static List<SamplingRun> runs(int b) {
        return runs(b, 11);
    }

    /** The same runs with inputs (x_T, classes, held values, μ, ε) drawn from {@code seed}. */
    private static List<SamplingRun> runs(int b, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = CONFIG.latentTokens();
        int dz = CONFIG.latentDim();
        int imageValues = CONFIG.imageTokens() * dz;
        Tensor xT = gaussian(r, b, n, dz);
        Tensor given = gaussian(r, b, n, dz);
        double[] held = new double[b * n * dz];
        for (int i = 0; i < b; i++) {
            Arrays.fill(held, i * n * dz, i * n * dz + imageValues, 1);
        }
        double[] noise = gaussian(r, b, CONFIG.imageTokens(), dz).toDoubleArray();
        long[] classes = new long[b];
        for (int i = 0; i < b; i++) {
            classes[i] = (i + seed) % (CONFIG.classes() + 1);
        }
        long[] none = new long[b];
        Arrays.fill(none, CONFIG.classes());
        return List.of(
                new SamplingRun(SamplerSettings.defaults(), BETAS, xT, null, classes, Double.NaN, null, true,
                        CONFIG.vocabSize(), true),
                new SamplingRun(new SamplerSettings(SamplingMethod.DPM_SOLVER_2M, SolverAlgorithm.DPM_SOLVER,
                        StepGrid.LOG_SNR, 7), BETAS, xT, null, classes, 3.0, null, true, CONFIG.vocabSize(), true),
                new SamplingRun(SamplerSettings.defaults().withSteps(12), BETAS, xT,
                        new Infill(Tensor.of(held, b, n, dz), given), none, Double.NaN,
                        new SamplingRun.ImageGuidance(1.5, given.toDoubleArray(), noise), true, 200, false));
    }

    private static Tensor onHost(ModelRuntime rt, SamplingRun run) {
        return TaskRunner.sampleOnHost(rt, new DpmSolverSampler(run.settings(), run.betas()), run, 0);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Precision.class, names = {"FP32", "BF16"})
    @DisplayName("the whole loop as one graph gives the host sampler's bits: joint generation, class guidance, captioning")
    void wholeLoopGivesTheHostSamplersBits(Precision precision) {
        try (JcudaBackend gpu = open(precision);
             ModelRuntime rt = gpu.load(CONFIG, ParameterInitializer.initialize(CONFIG, 5))) {
            for (int b : new int[] {1, 3}) {
                for (SamplingRun run : runs(b)) {
                    Optional<Tensor> whole = rt.sampleWhole(run);
                    assertThat(whole).as("batch %d, %s", b, run.settings()).isPresent();
                    assertThat(whole.get().toDoubleArray()).as("batch %d, %s, guided %s", b, run.settings(), run.guided())
                            .containsExactly(onHost(rt, run).toDoubleArray());
                }
            }
        }
    }

    @Test
    @DisplayName("a recorded loop replayed on other inputs (x_T, classes, held values, μ, ε) gives the host's bits for them")
    void recordedLoopsTakeNewInputs() {
        try (JcudaBackend gpu = open(Precision.FP32);
             ModelRuntime rt = gpu.load(CONFIG, ParameterInitializer.initialize(CONFIG, 4))) {
            for (long seed : new long[] {21, 22, 23}) {
                for (SamplingRun run : runs(2, seed)) {
                    assertThat(rt.sampleWhole(run).orElseThrow().toDoubleArray()).as("inputs %d, %s", seed, run.settings())
                            .containsExactly(onHost(rt, run).toDoubleArray());
                }
            }
        }
    }

    @Test
    @DisplayName("with -Dmdm.jcuda.graphs=false the loop runs eagerly, with the same bits")
    void eagerLoopGivesTheSameBits() {
        withProperty("mdm.jcuda.graphs", "false", 3, rt -> {
            for (SamplingRun run : runs(2)) {
                assertThat(rt.sampleWhole(run).orElseThrow().toDoubleArray()).containsExactly(onHost(rt, run).toDoubleArray());
            }
        });
    }

    /** Runs {@code body} on a runtime of fresh weights ({@code seed}) opened while the system property is set. */
    private static void withProperty(String key, String value, long seed, java.util.function.Consumer<ModelRuntime> body) {
        System.setProperty(key, value);
        try (JcudaBackend gpu = open(Precision.FP32);
             ModelRuntime rt = gpu.load(CONFIG, ParameterInitializer.initialize(CONFIG, seed))) {
            body.accept(rt);
        } finally {
            System.clearProperty(key);
        }
    }

    @Test
    @DisplayName("after a training step the recorded loops run the new weights")
    void trainingStepRefreshesTheLoop() {
        try (JcudaBackend gpu = open(Precision.FP32);
             ModelRuntime rt = gpu.load(CONFIG, ParameterInitializer.initialize(CONFIG, 2))) {
            SamplingRun run = runs(1).get(0);
            double[] before = rt.sampleWhole(run).orElseThrow().toDoubleArray();
            try (TrainingSession session = rt.train(OptimizerSettings.paper(), null)) {
                session.step(TrainingBatch.random(CONFIG, 4, null, new SplittableRandom(1)));
            }
            double[] after = rt.sampleWhole(run).orElseThrow().toDoubleArray();
            assertThat(after).containsExactly(onHost(rt, run).toDoubleArray());
            assertThat(after).isNotEqualTo(before);
        }
    }

    @Test
    @DisplayName("recorded loops are replayed for the same run and re-recorded past the cache's size, with the same bits")
    void recordedLoopsAreReplayed() {
        try (JcudaBackend gpu = open(Precision.FP32);
             ModelRuntime rt = gpu.load(CONFIG, ParameterInitializer.initialize(CONFIG, 6))) {
            SamplingRun first = runs(2).get(0);
            double[] expected = onHost(rt, first).toDoubleArray();
            assertThat(rt.sampleWhole(first).orElseThrow().toDoubleArray()).containsExactly(expected);
            assertThat(rt.sampleWhole(first).orElseThrow().toDoubleArray()).containsExactly(expected);
            for (int steps = 2; steps < 3 + JcudaModelRuntime.MAX_LOOP_GRAPHS; steps++) {
                SamplingRun other = new SamplingRun(first.settings().withSteps(steps), BETAS, first.xT(), null,
                        first.classIds(), Double.NaN, null, true, CONFIG.vocabSize(), true);
                assertThat(rt.sampleWhole(other).orElseThrow().toDoubleArray()).as("%d steps", steps)
                        .containsExactly(onHost(rt, other).toDoubleArray());
            }
            assertThat(rt.sampleWhole(first).orElseThrow().toDoubleArray()).containsExactly(expected);
        }
    }

    @Test
    @DisplayName("a run the loop does not take (2S, DDPM, non-finite x_T, an unknown class, more text choices than ids) is left "
            + "to the host sampler")
    void otherRunsAreLeftToTheHost() {
        try (JcudaBackend gpu = open(Precision.FP32);
             ModelRuntime rt = gpu.load(CONFIG, ParameterInitializer.initialize(CONFIG, 7))) {
            SamplingRun run = runs(1).get(0);
            for (SamplingMethod m : new SamplingMethod[] {SamplingMethod.DPM_SOLVER_2S, SamplingMethod.DDPM}) {
                assertThat(rt.sampleWhole(new SamplingRun(run.settings().withMethod(m), BETAS, run.xT(), null,
                        run.classIds(), Double.NaN, null, true, CONFIG.vocabSize(), true))).as("%s", m).isEmpty();
            }
            double[] nan = run.xT().toDoubleArray();
            nan[3] = Double.NaN;
            assertThat(rt.sampleWhole(new SamplingRun(run.settings(), BETAS, Tensor.of(nan, run.xT().shape()), null,
                    run.classIds(), Double.NaN, null, true, CONFIG.vocabSize(), true))).isEmpty();
            assertThat(rt.sampleWhole(new SamplingRun(run.settings(), BETAS, run.xT(), null,
                    new long[] {CONFIG.classes() + 1}, Double.NaN, null, true, CONFIG.vocabSize(), true))).isEmpty();
            assertDeclinedAndTheHostNames(rt, new SamplingRun(run.settings(), BETAS, run.xT(), null, run.classIds(),
                    Double.NaN, null, true, CONFIG.vocabSize() + 1, true), "'textChoices'");
        }
    }

    @Test
    @DisplayName("a model whose predictions overflow gives no whole-loop result, and the host sampler then names the value")
    void overflowIsLeftToTheHostToReport() {
        assertLeftToTheHost(filled(ParameterInitializer.initialize(CONFIG, 8), "latent_out.weight", 3e38));
    }

    @Test
    @DisplayName("a NaN pixel before the clamp (which fminf would hide) gives no whole-loop result; the host sampler names it")
    void nanPixelIsLeftToTheHost() {
        // NaN pixels from finite latents; the denoiser stays finite
        assertLeftToTheHost(filled(ParameterInitializer.initialize(CONFIG, 10), "vae.img_dec2.bias", Double.NaN));
    }

    private static Parameters filled(Parameters p, String name, double value) {
        double[] v = new double[Math.toIntExact(Tensor.elementCount(p.get(name).shape()))];
        Arrays.fill(v, value);
        return p.with(name, Tensor.of(v, p.get(name).shape()));
    }

    /** The joint run on these weights: no whole-loop result, and the host sampler throws naming a non-finite value. */
    private static void assertLeftToTheHost(Parameters p) {
        try (JcudaBackend gpu = open(Precision.FP32); ModelRuntime rt = gpu.load(CONFIG, p)) {
            assertDeclinedAndTheHostNames(rt, runs(1).get(0), "not finite");
        }
    }

    private static void assertDeclinedAndTheHostNames(ModelRuntime rt, SamplingRun run, String what) {
        assertThat(rt.sampleWhole(run)).isEmpty();
        assertThatThrownBy(() -> onHost(rt, run)).isInstanceOf(MdmException.class).hasMessageContaining(what);
    }

    @Test
    @DisplayName("-Dmdm.jcuda.wholeLoop=false leaves every run to the host sampler")
    void wholeLoopCanBeTurnedOff() {
        withProperty("mdm.jcuda.wholeLoop", "false", 9, rt -> assertThat(rt.sampleWhole(runs(1).get(0))).isEmpty());
    }
}

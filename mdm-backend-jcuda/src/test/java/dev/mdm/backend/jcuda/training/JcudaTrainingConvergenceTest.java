package dev.mdm.backend.jcuda.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mdm.Device;
import dev.mdm.InvalidInputException;
import dev.mdm.MdmConfig;
import dev.mdm.Precision;
import dev.mdm.backend.jcuda.JcudaAvailable;
import dev.mdm.backend.jcuda.JcudaBackendProvider;
import dev.mdm.model.OptimizerSettings;
import dev.mdm.model.ParameterInitializer;
import dev.mdm.model.Parameters;
import dev.mdm.model.TrainingBatch;
import dev.mdm.model.TrainingSession;
import dev.mdm.spi.Backend;
import dev.mdm.spi.BackendContext;
import dev.mdm.spi.ModelRuntime;
import dev.mdm.tensor.Tensor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Training on the GPU: the small memorization task of the DJL backend's convergence test (four fixed image-caption
 * pairs, every token noised), bit-exact determinism and exact resumption. Skipped, with the probe's reasons, where
 * no usable GPU is present.
 */
@ExtendWith(JcudaAvailable.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("Training on the jcuda backend")
class JcudaTrainingConvergenceTest {
    private static final int EXAMPLES = 4;
    private static final MdmConfig CONFIG = MdmConfig.tiny();

    private Backend gpu;
    private Backend gpuBf16;
    private Tensor images;
    private Tensor tokens;
    private Tensor classes;
    private Tensor noised;

    @BeforeAll
    void open() {
        gpu = new JcudaBackendProvider().create(new BackendContext(Device.gpu(0), Precision.FP32));
        gpuBf16 = new JcudaBackendProvider().create(new BackendContext(Device.gpu(0), Precision.BF16));
        MdmConfig c = CONFIG;
        RandomGenerator data = random(2025);
        double[] img = new double[EXAMPLES * c.imageChannels() * c.imageHeight() * c.imageWidth()];
        for (int i = 0; i < img.length; i++) {
            img[i] = Math.tanh(data.nextGaussian());
        }
        long[] tok = new long[EXAMPLES * c.textLength()];
        for (int i = 0; i < tok.length; i++) {
            tok[i] = data.nextInt(c.vocabSize());
        }
        images = Tensor.of(img, EXAMPLES, c.imageChannels(), c.imageHeight(), c.imageWidth());
        tokens = Tensor.ofLongs(tok, EXAMPLES, c.textLength());
        classes = Tensor.ofLongs(new long[] {0, 1, 2, 3}, EXAMPLES);
        double[] all = new double[EXAMPLES * c.latentTokens()];
        Arrays.fill(all, 1);
        noised = Tensor.of(all, EXAMPLES, c.latentTokens());
    }

    @AfterAll
    void close() {
        if (gpu != null) {
            gpu.close();
        }
        if (gpuBf16 != null) {
            gpuBf16.close();
        }
    }

    private static RandomGenerator random(long seed) {
        return RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
    }

    private List<TrainingBatch> batches(long seed, int n) {
        RandomGenerator r = random(seed);
        List<TrainingBatch> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(TrainingBatch.draw(CONFIG, images, tokens, classes, noised, r));
        }
        return out;
    }

    private static double meanTotal(ModelRuntime model, List<TrainingBatch> batches) {
        double sum = 0;
        for (TrainingBatch b : batches) {
            sum += model.loss().compute(b).total();
        }
        return sum / batches.size();
    }

    private static final OptimizerSettings SETTINGS = new OptimizerSettings(5e-3, 0.9, 0.999, 1e-8, 0, 1.0, 0.999);

    @Test
    @Timeout(120)
    @DisplayName("lowers the total loss on four fixed image-caption pairs by at least 10x in 400 steps")
    void lowersTheLossByAnOrderOfMagnitude() {
        List<TrainingBatch> eval = batches(7, 4);
        try (ModelRuntime model = gpu.load(CONFIG, ParameterInitializer.initialize(CONFIG, 11))) {
            double before = meanTotal(model, eval);
            RandomGenerator trainNoise = random(99);
            long start = System.nanoTime();
            try (TrainingSession session = model.train(SETTINGS, null)) {
                for (int s = 0; s < 400; s++) {
                    session.step(TrainingBatch.draw(CONFIG, images, tokens, classes, noised, trainNoise));
                }
                assertThat(session.steps()).isEqualTo(400);
            }
            double after = meanTotal(model, eval);
            System.out.printf("jcuda tiny: total loss %.4f -> %.4f (%.1fx) in 400 steps, %s%n", before, after,
                    before / after, Duration.ofNanos(System.nanoTime() - start));
            assertThat(after).isLessThanOrEqualTo(before / 10);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"FP32", "BF16"})
    @DisplayName("two sessions from the same weights and batches give bit-identical weights after 3 steps (BF16: TF32 GEMMs)")
    void isDeterministic(String precision) {
        List<TrainingBatch> train = batches(99, 3);
        Parameters first = trainFromScratch(backend(precision), train);
        Parameters second = trainFromScratch(backend(precision), train);
        assertSameValues(second, first);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"FP32", "BF16"})
    @DisplayName("a batch's gradients after another batch's equal a fresh session's: each step clears every gradient "
            + "or writes it whole")
    void gradientsDoNotCarryOver(String precision) {
        List<TrainingBatch> two = batches(5, 2);
        try (ModelRuntime model = backend(precision).load(CONFIG, ParameterInitializer.initialize(CONFIG, 11))) {
            Parameters fresh;
            try (TrainingSession session = model.train(SETTINGS, null)) {
                fresh = session.gradients(two.get(1)).gradients();
            }
            try (TrainingSession session = model.train(SETTINGS, null)) {
                Parameters first = session.gradients(two.get(0)).gradients();
                Parameters second = session.gradients(two.get(1)).gradients();
                assertSameValues(second, fresh);
                assertThat(first.get("blocks.0.mixer.in_proj.weight").toFloatArray())
                        .as("the two batches' gradients differ").isNotEqualTo(fresh.get("blocks.0.mixer.in_proj.weight")
                                .toFloatArray());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"FP32", "BF16"})
    @DisplayName("a batch's gradients after a step equal a fresh session's from the stepped weights: the update clears "
            + "what the next backward adds to, without a memset")
    void updateClearsTheGradients(String precision) {
        List<TrainingBatch> two = batches(6, 2);
        try (ModelRuntime model = backend(precision).load(CONFIG, ParameterInitializer.initialize(CONFIG, 12))) {
            Parameters afterStep;
            Parameters stepped;
            try (TrainingSession session = model.train(SETTINGS, null)) {
                session.step(two.get(0));
                afterStep = session.gradients(two.get(1)).gradients();
                stepped = model.parameters();
            }
            try (ModelRuntime again = backend(precision).load(CONFIG, stepped);
                 TrainingSession fresh = again.train(SETTINGS, null)) {
                assertSameValues(afterStep, fresh.gradients(two.get(1)).gradients());
            }
        }
    }

    private Backend backend(String precision) {
        return precision.equals("BF16") ? gpuBf16 : gpu;
    }

    private static void assertSameValues(Parameters actual, Parameters expected) {
        for (String name : expected.names()) {
            assertThat(actual.get(name).toFloatArray()).as(name).containsExactly(expected.get(name).toFloatArray());
        }
    }

    private Parameters trainFromScratch(Backend backend, List<TrainingBatch> train) {
        try (ModelRuntime model = backend.load(CONFIG, ParameterInitializer.initialize(CONFIG, 11));
             TrainingSession session = model.train(SETTINGS, null)) {
            for (TrainingBatch b : train) {
                session.step(b);
            }
            return model.parameters();
        }
    }

    @Test
    @DisplayName("a session resumed from optimizerState continues exactly as the uninterrupted one")
    void resumesExactly() {
        List<TrainingBatch> train = batches(99, 4);
        Parameters straight = trainFromScratch(gpu, train);
        Parameters resumed;
        try (ModelRuntime model = gpu.load(CONFIG, ParameterInitializer.initialize(CONFIG, 11))) {
            Parameters state;
            Parameters midway;
            try (TrainingSession session = model.train(SETTINGS, null)) {
                session.step(train.get(0));
                session.step(train.get(1));
                state = session.optimizerState();
                midway = model.parameters();
            }
            assertThat(state.get("adam.step").getLong(0)).isEqualTo(2);
            try (ModelRuntime again = gpu.load(CONFIG, midway);
                 TrainingSession session = again.train(SETTINGS, state)) {
                assertThat(session.steps()).isEqualTo(2);
                session.step(train.get(2));
                session.step(train.get(3));
                assertThat(session.steps()).isEqualTo(4);
                resumed = again.parameters();
            }
        }
        for (String name : straight.names()) {
            assertThat(resumed.get(name).toFloatArray()).as(name).containsExactly(straight.get(name).toFloatArray());
        }
    }

    @Test
    @DisplayName("a resume state with a wrong shape is refused naming the tensor, and a closed session refuses use")
    void refusesBadStateAndUseAfterClose() {
        try (ModelRuntime model = gpu.load(CONFIG, ParameterInitializer.initialize(CONFIG, 11))) {
            TrainingSession session = model.train(SETTINGS, null);
            Parameters state = session.optimizerState();
            Parameters bad = state.with("adam.m.pos", Tensor.zeros(1, CONFIG.dModel()));
            assertThatThrownBy(() -> model.train(SETTINGS, bad)).isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("adam.m.pos");
            session.close();
            session.close();
            assertThatThrownBy(session::steps).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("JcudaTrainingSession");
        }
    }
}

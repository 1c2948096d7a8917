package dev.mdm.backend.djl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mdm.MdmConfig;
import dev.mdm.Precision;
import dev.mdm.model.OptimizerSettings;
import dev.mdm.model.ParameterInitializer;
import dev.mdm.model.TrainingBatch;
import dev.mdm.spi.ModelRuntime;
import dev.mdm.tensor.Tensor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The honest small task: four fixed images with fixed captions, one class each, every token noised (joint
 * generation). The model can memorize them, so the total loss must fall by an order of magnitude.
 */
@DisplayName("Training the tiny preset")
class TrainingConvergenceTest {
    private static final int EXAMPLES = 4;
    private static final int STEPS = 400;

    @Test
    @Timeout(value = 120)
    @DisplayName("lowers the total loss on four fixed image-caption pairs by at least 10x in 400 steps")
    void lowersTheLossByAnOrderOfMagnitude() {
        MdmConfig c = MdmConfig.tiny();
        RandomGenerator data = Fixtures.random(2025);
        double[] img = new double[EXAMPLES * c.imageChannels() * c.imageHeight() * c.imageWidth()];
        for (int i = 0; i < img.length; i++) {
            img[i] = Math.tanh(data.nextGaussian());
        }
        long[] tok = new long[EXAMPLES * c.textLength()];
        for (int i = 0; i < tok.length; i++) {
            tok[i] = data.nextInt(c.vocabSize());
        }
        Tensor images = Tensor.of(img, EXAMPLES, c.imageChannels(), c.imageHeight(), c.imageWidth());
        Tensor tokens = Tensor.ofLongs(tok, EXAMPLES, c.textLength());
        Tensor classes = Tensor.ofLongs(new long[] {0, 1, 2, 3}, EXAMPLES);
        double[] all = new double[EXAMPLES * c.latentTokens()];
        java.util.Arrays.fill(all, 1);
        Tensor noised = Tensor.of(all, EXAMPLES, c.latentTokens());
        RandomGenerator evalNoise = Fixtures.random(7);
        List<TrainingBatch> eval = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            eval.add(TrainingBatch.draw(c, images, tokens, classes, noised, evalNoise));
        }

        try (DjlBackend backend = Fixtures.backend(Precision.FP32);
             ModelRuntime model = backend.load(c, ParameterInitializer.initialize(c, 11))) {
            double before = meanTotal(model, eval);
            RandomGenerator trainNoise = Fixtures.random(99);
            long start = System.nanoTime();
            try (var session = model.train(new OptimizerSettings(5e-3, 0.9, 0.999, 1e-8, 0, 1.0, 0.999), null)) {
                for (int s = 0; s < STEPS; s++) {
                    session.step(TrainingBatch.draw(c, images, tokens, classes, noised, trainNoise));
                }
            }
            double after = meanTotal(model, eval);
            System.out.printf("tiny: total loss %.4f -> %.4f (%.1fx) in %d steps, %s%n", before, after, before / after,
                    STEPS, Duration.ofNanos(System.nanoTime() - start));
            assertThat(after).isLessThanOrEqualTo(before / 10);
        }
    }

    private static double meanTotal(ModelRuntime model, List<TrainingBatch> batches) {
        double sum = 0;
        for (TrainingBatch b : batches) {
            sum += model.loss().compute(b).total();
        }
        return sum / batches.size();
    }
}

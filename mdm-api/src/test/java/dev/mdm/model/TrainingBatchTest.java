package dev.mdm.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mdm.InvalidInputException;
import dev.mdm.MdmConfig;
import dev.mdm.tensor.Tensor;
import java.util.Arrays;
import java.util.random.RandomGeneratorFactory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class TrainingBatchTest {
    private final MdmConfig config = MdmConfig.tiny();

    private static java.util.random.RandomGenerator seeded(long seed) {
        return RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
    }

    @Test
    @DisplayName("a random batch has pixels in [-1, 1], ids and classes in range, every token noised, and is reproducible")
    void randomBatchIsValidAndReproducible() {
        TrainingBatch a = TrainingBatch.random(config, 3, null, seeded(5));
        TrainingBatch b = TrainingBatch.random(config, 3, null, seeded(5));
        assertThat(Arrays.stream(a.images().toDoubleArray()).allMatch(v -> v >= -1 && v <= 1)).as("pixels in [-1, 1]").isTrue();
        assertThat(Arrays.stream(a.tokens().toLongArray()).allMatch(v -> v >= 0 && v < config.vocabSize())).as("ids").isTrue();
        assertThat(Arrays.stream(a.classIds().toLongArray()).allMatch(v -> v >= 0 && v <= config.classes())).as("classes").isTrue();
        assertThat(a.noised().toDoubleArray()).hasSize(3 * config.latentTokens()).containsOnly(1.0);
        assertThat(a.images().toDoubleArray()).containsExactly(b.images().toDoubleArray());
        assertThat(a.timesteps().toLongArray()).containsExactly(b.timesteps().toLongArray());
        assertThat(TrainingBatch.random(config, 3, null, seeded(6)).images().toDoubleArray())
                .isNotEqualTo(a.images().toDoubleArray());
    }

    @Test
    @DisplayName("a random batch keeps a given noised mask, and a batch below 1 is rejected naming it")
    void randomBatchTakesAMask() {
        double[] mask = new double[2 * config.latentTokens()];
        Arrays.fill(mask, 0, config.imageTokens(), 1);
        TrainingBatch batch = TrainingBatch.random(config, 2, Tensor.of(mask, 2, config.latentTokens()), seeded(1));
        assertThat(batch.noised().toDoubleArray()).containsExactly(mask);
        assertThatThrownBy(() -> TrainingBatch.random(config, 0, null, seeded(1)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("batch");
    }

    @Test
    @DisplayName("earliest timesteps bound each sample's t from below, and a wrong count or step is refused naming it")
    void earliestTimestepsBoundEachSample() {
        TrainingBatch template = TrainingBatch.random(config, 4, null, seeded(2));
        int[] earliest = {1, 500, 999, 1000};
        for (int draw = 0; draw < 50; draw++) {
            long[] t = TrainingBatch.draw(config, template.images(), template.tokens(), template.classIds(), template.noised(),
                    earliest, seeded(draw)).timesteps().toLongArray();
            for (int i = 0; i < 4; i++) {
                assertThat(t[i]).isBetween((long) earliest[i], 1000L);
            }
        }
        assertThatThrownBy(() -> TrainingBatch.draw(config, template.images(), template.tokens(), template.classIds(),
                template.noised(), new int[] {1, 1}, seeded(1))).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("earliestTimesteps").hasMessageContaining("(4)");
        assertThatThrownBy(() -> TrainingBatch.draw(config, template.images(), template.tokens(), template.classIds(),
                template.noised(), new int[] {1, 1, 1001, 1}, seeded(1))).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("earliestTimesteps[2]").hasMessageContaining("got 1001");
        assertThatThrownBy(() -> TrainingBatch.draw(config, template.images(), template.tokens(), template.classIds(),
                template.noised(), new int[] {1, 0, 1, 1}, seeded(1))).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("earliestTimesteps[1]").hasMessageContaining("[1, 1000]").hasMessageContaining("got 0");
    }

    @Test
    @DisplayName("earliest steps of 1, or none, draw exactly SPEC's batch: t = 1 + nextInt(T) per sample, then both noises")
    void earliestStepsOfOneDrawSpecsBatch() {
        TrainingBatch template = TrainingBatch.random(config, 3, null, seeded(2));
        // the draw as it was before earliest steps existed, written out independently of TrainingBatch
        java.util.random.RandomGenerator r = seeded(11);
        long[] t = new long[3];
        for (int i = 0; i < 3; i++) {
            t[i] = 1 + r.nextInt(config.timesteps());
        }
        int n = 3 * config.latentTokens() * config.latentDim();
        double[] vae = new double[n];
        double[] diffusion = new double[n];
        for (int i = 0; i < n; i++) {
            vae[i] = r.nextGaussian();
        }
        for (int i = 0; i < n; i++) {
            diffusion[i] = r.nextGaussian();
        }
        TrainingBatch plain = TrainingBatch.draw(config, template.images(), template.tokens(), template.classIds(),
                template.noised(), seeded(11));
        TrainingBatch none = TrainingBatch.draw(config, template.images(), template.tokens(), template.classIds(),
                template.noised(), null, seeded(11));
        TrainingBatch ones = TrainingBatch.draw(config, template.images(), template.tokens(), template.classIds(),
                template.noised(), new int[] {1, 1, 1}, seeded(11));
        for (TrainingBatch b : java.util.List.of(plain, none, ones)) {
            assertThat(b.timesteps().toLongArray()).containsExactly(t);
            assertThat(b.vaeNoise().toDoubleArray()).containsExactly(vae);
            assertThat(b.diffusionNoise().toDoubleArray()).containsExactly(diffusion);
        }
    }

    @Test
    @DisplayName("a refused earliest step draws nothing from the generator")
    void refusedEarliestStepsDrawNothing() {
        TrainingBatch template = TrainingBatch.random(config, 4, null, seeded(2));
        java.util.random.RandomGenerator r = seeded(3);
        assertThatThrownBy(() -> TrainingBatch.draw(config, template.images(), template.tokens(), template.classIds(),
                template.noised(), new int[] {1, 1, 1, 1001}, r)).isInstanceOf(InvalidInputException.class);
        assertThat(r.nextLong()).isEqualTo(seeded(3).nextLong());
    }
}

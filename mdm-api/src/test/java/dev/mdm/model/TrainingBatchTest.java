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
}

package dev.mdm.backend.jcuda.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mdm.InvalidInputException;
import dev.mdm.backend.jcuda.training.BlockTrainer.ActivationPolicy;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ActivationPolicyTest {
    @Test
    @DisplayName("the activations property takes auto, keep or recompute and names itself when it is anything else")
    void parsesTheActivationsProperty() {
        assertThat(ActivationPolicy.parse(null)).isEqualTo(ActivationPolicy.AUTO);
        assertThat(ActivationPolicy.parse(" Keep ")).isEqualTo(ActivationPolicy.KEEP);
        assertThat(ActivationPolicy.parse("recompute")).isEqualTo(ActivationPolicy.RECOMPUTE);
        assertThatThrownBy(() -> ActivationPolicy.parse("always")).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(BlockTrainer.ACTIVATIONS_PROPERTY).hasMessageContaining("auto, keep or recompute")
                .hasMessageContaining("'always'");
        assertThat(ActivationPolicy.reserveBytes(80L << 30)).isEqualTo(8L << 30);  // a tenth of an H100
        assertThat(ActivationPolicy.reserveBytes(8L << 30)).isEqualTo(2L << 30);  // at least 2 GiB
    }
}

package dev.mdm.backend.jcuda.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Timings")
class TimingsTest {
    @Test
    @DisplayName("takes the middle value of an odd count and the mean of the two middle values of an even count")
    void median() {
        assertThat(Timings.median(new float[] {5, 1, 3})).isEqualTo(3.0);
        assertThat(Timings.median(new float[] {4, 1, 3, 2})).isEqualTo(2.5);
        assertThat(Timings.median(new float[] {7})).isEqualTo(7.0);
    }

    @Test
    @DisplayName("finds the smallest and largest time without reordering the input")
    void minAndMax() {
        float[] ms = {2, 9, 0.5f, 4};
        assertThat(Timings.min(ms)).isEqualTo(0.5);
        assertThat(Timings.max(ms)).isEqualTo(9.0);
        Timings.median(ms);
        assertThat(ms).containsExactly(2, 9, 0.5f, 4);
    }
}

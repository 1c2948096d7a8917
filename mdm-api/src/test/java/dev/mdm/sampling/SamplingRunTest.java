package dev.mdm.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mdm.InvalidInputException;
import dev.mdm.MDM;
import dev.mdm.MdmConfig;
import dev.mdm.tensor.Tensor;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("SamplingRun")
class SamplingRunTest {
    private static final double[] BETAS = MDM.betas(MdmConfig.tiny());
    private static final SamplerSettings SETTINGS = SamplerSettings.defaults();
    private static final Tensor X = Tensor.zeros(2, 3, 4);

    private static SamplingRun run(Tensor x, long[] classes, double classGuidance, SamplingRun.ImageGuidance image,
                                   boolean clamp, int choices) {
        return new SamplingRun(SETTINGS, BETAS, x, null, classes, classGuidance, image, clamp, choices, false);
    }

    @Test
    @DisplayName("a well-formed run reports its batch and whether it is guided")
    void wellFormed() {
        SamplingRun plain = run(X, new long[] {1, 2}, Double.NaN, null, true, 5);
        assertThat(plain.batch()).isEqualTo(2);
        assertThat(plain.guided()).isFalse();
        assertThat(run(X, new long[] {1, 2}, 3.0, null, false, 0).guided()).isTrue();
        assertThat(run(X, new long[] {1, 2}, Double.NaN, new SamplingRun.ImageGuidance(2, new double[24], new double[16]),
                false, 0).guided()).isTrue();
    }

    @Test
    @DisplayName("each malformed part is named")
    void malformedPartsAreNamed() {
        assertThatThrownBy(() -> run(null, new long[] {1, 2}, Double.NaN, null, false, 0))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("'xT'");
        assertThatThrownBy(() -> run(Tensor.zeros(2, 12), new long[] {1, 2}, Double.NaN, null, false, 0))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("'xT'");
        assertThatThrownBy(() -> run(X, new long[] {1}, Double.NaN, null, false, 0))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("'classIds'").hasMessageContaining("2 class ids");
        assertThatThrownBy(() -> run(X, new long[] {1, 2}, 3.0, new SamplingRun.ImageGuidance(2, new double[24],
                new double[16]), false, 0))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("'imageGuidance'");
        assertThatThrownBy(() -> run(Tensor.zeros(0, 3, 4), new long[0], Double.NaN, null, false, 0))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("'xT'").hasMessageContaining("at least one sample");
        assertThatThrownBy(() -> run(X, new long[] {1, 2}, Double.POSITIVE_INFINITY, null, false, 0))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("'classGuidance'");
        assertThatThrownBy(() -> run(X, new long[] {1, 2}, Double.NaN, new SamplingRun.ImageGuidance(Double.NaN,
                new double[24], new double[16]), false, 0))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("'imageGuidance.weight'");
        assertThatThrownBy(() -> run(X, new long[] {1, 2}, Double.NaN, new SamplingRun.ImageGuidance(2, new double[23],
                new double[16]), false, 0))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("'imageGuidance.latents'");
        assertThatThrownBy(() -> run(X, new long[] {1, 2}, Double.NaN, new SamplingRun.ImageGuidance(2, new double[24],
                new double[15]), false, 0))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("'imageGuidance.noise'");
        assertThatThrownBy(() -> run(X, new long[] {1, 2}, Double.NaN, null, true, 0))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("'textChoices'");
        assertThatThrownBy(() -> new SamplingRun(SETTINGS, BETAS, X, new Infill(Tensor.zeros(2, 3), Tensor.zeros(2, 3)),
                new long[] {1, 2}, Double.NaN, null, false, 0, false))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("'infill.mask'");
    }
}

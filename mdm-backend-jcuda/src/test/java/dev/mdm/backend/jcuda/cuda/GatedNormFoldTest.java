package dev.mdm.backend.jcuda.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The gated-norm fold")
class GatedNormFoldTest {
    /** The paper preset's SSD: 64 heads of P 64, one group of N 128, chunk 64. */
    private static final Kernels.SsdShape PAPER = new Kernels.SsdShape(1, 324, 64, 64, 1, 128, 64);
    private static final int PAPER_CONV = 4096 + 256;
    private static final int PAPER_IN_PROJ = 2 * 4096 + 2 * 128 + 64;

    @Test
    @DisplayName("applies to the paper preset's mixer in BF16 mode")
    void appliesToThePaperPresetInBf16() {
        assertThat(Kernels.foldsGatedNorm(true, PAPER, PAPER_CONV, PAPER_CONV, PAPER_IN_PROJ)).isTrue();
    }

    @Test
    @DisplayName("does not apply in FP32 mode, with several groups, off the paper's head sizes, with rows four-element loads cannot read or with bf16 x rows 16-byte copies cannot read")
    void doesNotApplyElsewhere() {
        assertThat(Kernels.foldsGatedNorm(false, PAPER, PAPER_CONV, PAPER_CONV, PAPER_IN_PROJ)).isFalse();
        assertThat(Kernels.foldsGatedNorm(true, new Kernels.SsdShape(1, 324, 64, 64, 2, 128, 64), PAPER_CONV + 256,
                PAPER_CONV + 256, PAPER_IN_PROJ + 256)).isFalse();
        assertThat(Kernels.foldsGatedNorm(true, new Kernels.SsdShape(1, 324, 64, 32, 1, 128, 64), PAPER_CONV,
                PAPER_CONV, PAPER_IN_PROJ)).isFalse();
        // d 64: two heads, in_proj rows of 2·128 + 2·128 + 2 = 514 elements
        assertThat(Kernels.foldsGatedNorm(true, new Kernels.SsdShape(2, 76, 2, 64, 1, 128, 64), 384, 384, 514)).isFalse();
        assertThat(Kernels.foldsGatedNorm(true, new Kernels.SsdShape(2, 76, 4, 64, 1, 128, 64), 512, 512, 772)).isTrue();
        // the conv writes x in bf16 for the fold: a row stride of 516 elements puts odd rows 8 bytes off 16
        assertThat(Kernels.foldsGatedNorm(true, new Kernels.SsdShape(2, 76, 4, 64, 1, 128, 64), 516, 516, 772)).isFalse();
    }
}

package dev.mdm.backend.jcuda.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The fused state scan's n-slice")
class StateScanSliceTest {
    private static Kernels.SsdShape paper(int batch, int tokens) {
        return new Kernels.SsdShape(batch, tokens, 64, 64, 1, 128, 64);
    }

    private static long blocks(Kernels.SsdShape s) {
        return (long) s.heads() * s.batch() * (s.state() / Kernels.scanSlice(s));
    }

    @Test
    @DisplayName("is 32 for one sample of the paper's 64 heads, at any length: 256 blocks")
    void oneSampleTakesThirtyTwo() {
        for (int tokens : new int[] {324, 1092, 16452}) {
            assertThat(Kernels.scanSlice(paper(1, tokens))).isEqualTo(32);
        }
        assertThat(blocks(paper(1, 324))).isEqualTo(256);
    }

    @Test
    @DisplayName("widens with the samples so that the grid stays within 512 blocks, up to the whole state")
    void widensWithTheSamples() {
        assertThat(Kernels.scanSlice(paper(2, 324))).isEqualTo(32);
        assertThat(Kernels.scanSlice(paper(4, 324))).isEqualTo(64);
        assertThat(Kernels.scanSlice(paper(8, 324))).isEqualTo(128);
        assertThat(Kernels.scanSlice(paper(64, 324))).isEqualTo(128);
        for (int batch : new int[] {1, 2, 3, 4, 5, 8}) {
            assertThat(blocks(paper(batch, 324))).isLessThanOrEqualTo(512);
        }
    }
}

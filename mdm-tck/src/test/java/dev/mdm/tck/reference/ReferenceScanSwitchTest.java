package dev.mdm.tck.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mdm.InvalidInputException;
import dev.mdm.MdmConfig;
import dev.mdm.model.ScanSwitch;
import dev.mdm.tensor.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The reference scan switch")
class ReferenceScanSwitchTest {
    /** A 2×3 patch grid (4×6 image, patch 2) and 3 text tokens: L = 4 + 6 + 3 = 13. */
    private static final MdmConfig GRID_2X3 = MdmConfig.builder().image(1, 4, 6).patch(2).textLength(3).build();
    private final ReferenceBackend backend = Fixtures.backend();

    @AfterEach
    void close() {
        backend.close();
    }

    @Test
    @DisplayName("orders of a 2×3 grid are, by hand: row-major, reversed, column-major, column-major reversed")
    void handWrittenOrders() {
        ScanSwitch s = backend.scanSwitch(GRID_2X3);
        // canonical grid:  0 1 2
        //                  3 4 5
        assertThat(s.imageOrder(0)).containsExactly(0, 1, 2, 3, 4, 5);
        assertThat(s.imageOrder(1)).containsExactly(5, 4, 3, 2, 1, 0);
        assertThat(s.imageOrder(2)).containsExactly(0, 3, 1, 4, 2, 5);
        assertThat(s.imageOrder(3)).containsExactly(5, 2, 4, 1, 3, 0);
        assertThat(s.textOrder(0)).containsExactly(0, 1, 2);
        assertThat(s.textOrder(1)).containsExactly(2, 1, 0);
    }

    @Test
    @DisplayName("every order of the tiny grid is a permutation")
    void ordersArePermutations() {
        ScanSwitch s = backend.scanSwitch(MdmConfig.tiny());
        for (int o = 0; o < 4; o++) {
            int[] sorted = s.imageOrder(o).clone();
            Arrays.sort(sorted);
            assertThat(sorted).isEqualTo(java.util.stream.IntStream.range(0, 16).toArray());
        }
        for (int o = 0; o < 2; o++) {
            int[] sorted = s.textOrder(o).clone();
            Arrays.sort(sorted);
            assertThat(sorted).isEqualTo(java.util.stream.IntStream.range(0, 8).toArray());
        }
    }

    @Test
    @DisplayName("permute reorders the spans (text first in odd blocks), block i uses orders i mod scans, and unpermute undoes it")
    void permuteAndUnpermute() {
        ScanSwitch s = backend.scanSwitch(GRID_2X3);
        int len = 13;
        double[] x = new double[2 * len * 2];
        for (int i = 0; i < x.length; i++) {
            x[i] = i; // distinct values: position i of sample b, channel c holds (b·L + i)·2 + c
        }
        Tensor in = Tensor.of(x, 2, len, 2);
        int[][] expectedSource = {
            {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12},       // block 0: image 0, text 0
            {0, 1, 9, 12, 11, 10, 2, 8, 7, 6, 5, 4, 3},       // block 1: text span first (D13), text 1, image 1
            {0, 1, 2, 3, 6, 4, 7, 5, 8, 9, 10, 11, 12},       // block 2: image 2, text 0
            {0, 1, 9, 12, 11, 10, 2, 8, 5, 7, 4, 6, 3},       // block 3: text span first (D13), text 1, image 3
            {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12},       // block 4: image 0 again
        };
        for (int block = 0; block < expectedSource.length; block++) {
            double[] p = s.permute(block, in).toDoubleArray();
            for (int b = 0; b < 2; b++) {
                for (int i = 0; i < len; i++) {
                    assertThat(p[(b * len + i) * 2 + 1]).as("block %d sample %d position %d", block, b, i)
                            .isEqualTo((b * len + expectedSource[block][i]) * 2 + 1);
                }
            }
            assertThat(s.unpermute(block, Tensor.of(p, 2, len, 2)).toDoubleArray()).isEqualTo(x);
        }
    }

    @Test
    @DisplayName("rejects a sequence of the wrong length and an order out of range")
    void rejectsBadInput() {
        ScanSwitch s = backend.scanSwitch(GRID_2X3);
        assertThatThrownBy(() -> s.permute(0, Tensor.zeros(1, 12, 2))).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("'x'");
        assertThatThrownBy(() -> s.imageOrder(4)).isInstanceOf(InvalidInputException.class).hasMessageContaining("'order'");
    }
}

package dev.mdm.backend.jcuda.training;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ScanTilingTest {
    @Test
    @DisplayName("the presets' head shapes get register tilings that cover the state exactly")
    void presetsAreTiled() {
        assertThat(ScanTiling.of(8, 8)).isEqualTo(new ScanTiling(1, 2, 1));     // tiny: 4 rows of 8 lanes per warp
        assertThat(ScanTiling.of(32, 64)).isEqualTo(new ScanTiling(2, 8, 4));    // fashion
        assertThat(ScanTiling.of(64, 128)).isEqualTo(new ScanTiling(4, 8, 8));   // paper
        for (int p : new int[] {8, 16, 32, 64, 128}) {
            for (int n : new int[] {8, 16, 32, 64, 128}) {
                ScanTiling t = ScanTiling.of(p, n);
                assertThat(t).as("P %d N %d", p, n).isNotNull();
                int lanesAlongN = n / t.nPerLane();
                assertThat(32 % lanesAlongN).as("lanes along n divide a warp").isZero();
                assertThat(t.warps() * (32 / lanesAlongN) * t.pPerThread()).as("rows covered, P %d N %d", p, n).isEqualTo(p);
                assertThat(t.warps()).isBetween(1, 32);
            }
        }
    }

    @Test
    @DisplayName("state sizes the kernels are not instantiated for fall back to the shared-memory scans")
    void otherShapesAreNotTiled() {
        assertThat(ScanTiling.of(8, 12)).isNull();    // N not a power of two
        assertThat(ScanTiling.of(8, 256)).isNull();   // more than 4 columns per lane
        assertThat(ScanTiling.of(3, 16)).isNull();    // P not a multiple of the rows of a warp (2 at N 16)
        assertThat(ScanTiling.of(2048, 64)).isNull(); // more than 32 warps
    }

    @Test
    @DisplayName("the kernel suffix and launch sizes follow the tiling")
    void launchSizes() {
        ScanTiling t = ScanTiling.of(32, 64);
        assertThat(t.suffix()).isEqualTo("r2x8");
        assertThat(t.threads()).isEqualTo(128);
        assertThat(t.backwardSharedBytes(64)).isEqualTo(2 * 4 * (2 * 4 * 64 + 3 * 4));
    }
}

package dev.mdm.backend.jcuda.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import dev.mdm.backend.jcuda.JcudaAvailable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@DisplayName("The folded mixer's dt projection")
class DtProjectionTest {
    @Test
    @DisplayName("splits K into the fewest slices that give about four blocks an SM, at most a cluster's eight")
    void picksItsSlicesPerShape() {
        assertThat(Kernels.dtSlices(324, 64, 2048, true)).isEqualTo(8);
        assertThat(Kernels.dtSlices(1092, 64, 2048, true)).isEqualTo(8);
        assertThat(Kernels.dtSlices(2592, 64, 2048, true)).isEqualTo(4);
        assertThat(Kernels.dtSlices(4164, 64, 2048, true)).isEqualTo(2);
        assertThat(Kernels.dtSlices(16452, 64, 2048, true)).isEqualTo(1);
        assertThat(Kernels.dtSlices(324, 64, 96, true)).as("96 columns: slices of 32 columns each at most")
                .isEqualTo(1);
        assertThat(Kernels.dtSlices(324, 64, 128, true)).isEqualTo(4);
        assertThat(Kernels.dtSlices(324, 64, 192, true)).isEqualTo(2);
        assertThat(Kernels.dtSlices(324, 64, 2048, false)).as("no clusters below sm_90").isEqualTo(1);
    }

    @Test
    @DisplayName("declines heads that are not a multiple of 32, K not a multiple of 32 and rows 16-byte copies cannot read")
    void declinesWhatItCannotRun() {
        assertThat(Kernels.dtProjects(0, 2048, 4096, 324, 64, 2048)).isTrue();
        assertThat(Kernels.dtProjects(0, 2048, 4096, 324, 48, 2048)).isFalse();
        assertThat(Kernels.dtProjects(0, 2048, 4096, 324, 64, 2040)).isFalse();
        assertThat(Kernels.dtProjects(0, 2052, 4096, 324, 64, 2048)).isFalse();
        assertThat(Kernels.dtProjects(8, 2048, 4096, 324, 64, 2048)).isFalse();
        assertThat(Kernels.dtProjects(0, 2048, 4104, 324, 64, 2048)).isFalse();
        assertThat(Kernels.dtProjects(0, 2048, 4096, 0, 64, 2048)).isFalse();
        assertThat(Kernels.dtProjects(0, 1024, 4096, 324, 64, 2048)).as("a row stride shorter than K").isFalse();
    }

    @Test
    @ExtendWith(JcudaAvailable.class)
    @DisplayName("computes u·Wᵀ of bf16 operands to fp32 accuracy at every split of K, the same bits run to run")
    // fp32 sums of at most 128 tensor-core steps: within 128 · 2⁻²³ ≈ 1.5e-5 of the sum of |products|
    void matchesAFloat64ProductAtEverySplit() {
        int[][] shapes = {{324, 64, 2048}, {1, 32, 128}, {33, 64, 2048}, {1092, 64, 2048}, {70, 96, 320}};
        try (CudaContext cuda = CudaContext.open(0)) {
            Kernels k = new Kernels(cuda);
            for (int[] shape : shapes) {
                int rows = shape[0], heads = shape[1], dim = shape[2], stride = dim + 64;
                RandomMatrix u = RandomMatrix.of(rows * stride, true, 1);
                RandomMatrix w = RandomMatrix.of(heads * dim, true, 2);
                long du = cuda.alloc(u.bytes().length), dw = cuda.alloc(w.bytes().length), dt = cuda.alloc(4L * rows * heads);
                try {
                    cuda.upload(du, u.bytes());
                    cuda.upload(dw, w.bytes());
                    float[] previous = null;
                    for (int slices : new int[] {1, 2, 4, 8}) {
                        if (slices > 1 && (!cuda.clusterLaunches() || dim % (32 * slices) != 0)) {
                            continue;
                        }
                        for (int run = 0; run < 2; run++) {
                            cuda.memsetZero(dt, 4L * rows * heads);
                            k.dtProjection(du, stride, dw, dt, rows, heads, dim, slices);
                            float[] got = cuda.downloadFloats(dt, rows * heads);
                            if (run == 1) {
                                assertThat(got).as("rows %d, K %d, %d slices: run to run", rows, dim, slices)
                                        .isEqualTo(previous);
                            }
                            previous = got;
                        }
                        for (int r = 0; r < rows; r++) {
                            for (int h = 0; h < heads; h++) {
                                double exact = 0, magnitude = 0;
                                for (int i = 0; i < dim; i++) {
                                    double p = u.values()[r * stride + i] * w.values()[h * dim + i];
                                    exact += p;
                                    magnitude += Math.abs(p);
                                }
                                assertThat((double) previous[r * heads + h])
                                        .as("rows %d, heads %d, K %d, %d slices: dt[%d][%d]", rows, heads, dim, slices, r, h)
                                        .isCloseTo(exact, offset(2e-5 * magnitude));
                            }
                        }
                    }
                } finally {
                    cuda.free(du, u.bytes().length);
                    cuda.free(dw, w.bytes().length);
                    cuda.free(dt, 4L * rows * heads);
                }
            }
        }
    }
}

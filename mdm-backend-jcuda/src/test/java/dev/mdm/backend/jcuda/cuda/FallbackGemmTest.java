package dev.mdm.backend.jcuda.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import dev.mdm.ConfigurationException;
import dev.mdm.backend.jcuda.JcudaAvailable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@DisplayName("The fallback GEMM, for machines without cuBLAS")
class FallbackGemmTest {
    /** op(X)(r, c) of a row-major X with row stride ld. */
    private static double at(double[] x, int ld, boolean trans, int r, int c) {
        return trans ? x[c * ld + r] : x[r * ld + c];
    }

    @Test
    @DisplayName("computes op(A)·op(B) (+ C) for every transpose, fp32 and bf16 operands, within fp32 rounding of a float64 product")
    @ExtendWith(JcudaAvailable.class)
    void matchesAFloat64Product() {
        int[][] shapes = {{1, 1, 1}, {65, 130, 33}, {324, 96, 200}, {7, 513, 64}};
        try (CudaContext cuda = CudaContext.open(0)) {
            Gemm gemm = new FallbackGemm(cuda, "the test");
            for (int[] s : shapes) {
                int m = s[0], n = s[1], k = s[2];
                for (boolean bf16 : new boolean[] {false, true}) {
                    for (int t = 0; t < 4; t++) {
                        boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
                        int lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 5, ldc = n + 2;  // strides wider than the rows
                        RandomMatrix a = RandomMatrix.of((ta ? k : m) * lda, bf16, 1);
                        RandomMatrix b = RandomMatrix.of((tb ? n : k) * ldb, bf16, 2);
                        RandomMatrix c0 = RandomMatrix.of(m * ldc, false, 3);
                        int type = bf16 ? Cublas.R_16BF : Cublas.R_32F;
                        long da = cuda.alloc(a.bytes().length), db = cuda.alloc(b.bytes().length), dc = cuda.alloc(c0.bytes().length);
                        try {
                            cuda.upload(da, a.bytes());
                            cuda.upload(db, b.bytes());
                            cuda.upload(dc, c0.bytes());
                            gemm.gemm(Cublas.Compute.FP32, type, ta, tb, m, n, k, da, lda, db, ldb, dc, ldc, true);
                            float[] got = cuda.downloadFloats(dc, m * ldc);
                            for (int i = 0; i < m; i++) {
                                for (int j = 0; j < n; j++) {
                                    double exact = c0.values()[i * ldc + j], magnitude = Math.abs(exact);
                                    for (int q = 0; q < k; q++) {
                                        double p = at(a.values(), lda, ta, i, q) * at(b.values(), ldb, tb, q, j);
                                        exact += p;
                                        magnitude += Math.abs(p);
                                    }
                                    assertThat((double) got[i * ldc + j])
                                            .as("%dx%dx%d, %s, op %s%s: C[%d][%d]", m, n, k, bf16 ? "bf16" : "fp32",
                                                    ta ? "T" : "N", tb ? "T" : "N", i, j)
                                            .isCloseTo(exact, offset(1e-6 * magnitude + 1e-30));
                                }
                                for (int j = n; j < ldc; j++) {
                                    assertThat(got[i * ldc + j]).as("padding C[%d][%d] untouched", i, j)
                                            .isEqualTo((float) c0.values()[i * ldc + j]);
                                }
                            }
                        } finally {
                            cuda.free(da, a.bytes().length);
                            cuda.free(db, b.bytes().length);
                            cuda.free(dc, c0.bytes().length);
                        }
                    }
                }
            }
        }
    }

    @Test
    @DisplayName("runs more rows than 65 535 tiles of 64 (the grid's y limit), as a VAE pass over a large batch asks")
    @ExtendWith(JcudaAvailable.class)
    void runsMoreRowsThanTheGridsYLimit() {
        int m = 65_535 * 64 + 100, n = 8, k = 4;
        try (CudaContext cuda = CudaContext.open(0)) {
            Gemm gemm = new FallbackGemm(cuda, "the test");
            RandomMatrix a = RandomMatrix.of(m * k, false, 6), w = RandomMatrix.of(n * k, false, 7);
            long da = cuda.alloc(a.bytes().length), dw = cuda.alloc(w.bytes().length), dc = cuda.alloc(4L * m * n);
            try {
                cuda.upload(da, a.bytes());
                cuda.upload(dw, w.bytes());
                gemm.linear(m, n, k, da, k, dw, Cublas.R_32F, dc, n, Cublas.R_32F, false);
                float[] got = cuda.downloadFloats(dc, m * n);
                for (int i = m - 1; i >= 0; i -= i > m - 200 ? 1 : 9973) {  // the last rows, then a sample of the rest
                    for (int j = 0; j < n; j++) {
                        double exact = 0, magnitude = 0;
                        for (int q = 0; q < k; q++) {
                            double p = a.values()[i * k + q] * w.values()[j * k + q];
                            exact += p;
                            magnitude += Math.abs(p);
                        }
                        assertThat((double) got[i * n + j]).as("C[%d][%d]", i, j).isCloseTo(exact, offset(1e-6 * magnitude + 1e-30));
                    }
                }
            } finally {
                cuda.free(da, a.bytes().length);
                cuda.free(dw, w.bytes().length);
                cuda.free(dc, 4L * m * n);
            }
        }
    }

    @Test
    @DisplayName("gives linear's bf16 output the same values as cuBLAS up to fp32 rounding before the bf16 store")
    @ExtendWith(JcudaAvailable.class)
    void linearAgreesWithCublas() {
        int m = 324, n = 192, k = 256;
        try (CudaContext cuda = CudaContext.open(0); Cublas cublas = new Cublas(cuda)) {
            Gemm fallback = new FallbackGemm(cuda, "the test");
            RandomMatrix a = RandomMatrix.of(m * k, true, 4), w = RandomMatrix.of(n * k, true, 5);
            long da = cuda.alloc(a.bytes().length), dw = cuda.alloc(w.bytes().length), c1 = cuda.alloc(2L * m * n),
                    c2 = cuda.alloc(2L * m * n);
            try {
                cuda.upload(da, a.bytes());
                cuda.upload(dw, w.bytes());
                fallback.linear(m, n, k, da, k, dw, Cublas.R_16BF, c1, n, Cublas.R_16BF, false);
                cublas.linear(m, n, k, da, k, dw, Cublas.R_16BF, c2, n, Cublas.R_16BF, false);
                float[] x = bf16ToFloats(cuda, c1, m * n), y = bf16ToFloats(cuda, c2, m * n);
                for (int i = 0; i < m * n; i++) {
                    // both round an fp32 sum to bf16: they differ by at most one bf16 step where the sums straddle one
                    assertThat(x[i]).as("C[%d]", i).isCloseTo(y[i], offset(Math.abs(y[i]) / 128 + 1e-6f));
                }
            } finally {
                cuda.free(da, a.bytes().length);
                cuda.free(dw, w.bytes().length);
                cuda.free(c1, 2L * m * n);
                cuda.free(c2, 2L * m * n);
            }
        }
    }

    private static float[] bf16ToFloats(CudaContext cuda, long address, int n) {
        // two bf16 per float word: read the words and widen each half
        float[] words = cuda.downloadFloats(address, n / 2);
        float[] out = new float[n];
        for (int i = 0; i < n / 2; i++) {
            int bits = Float.floatToRawIntBits(words[i]);
            out[2 * i] = Float.intBitsToFloat(bits << 16);
            out[2 * i + 1] = Float.intBitsToFloat(bits & 0xffff0000);
        }
        return out;
    }

    @Test
    @DisplayName("-Dmdm.jcuda.gemm takes auto, cublas or fallback; any other value is refused by the probe and by open, naming it")
    @ExtendWith(JcudaAvailable.class)
    void propertyIsChecked() {
        String before = System.getProperty(CudaContext.GEMM_PROPERTY);
        try {
            System.setProperty(CudaContext.GEMM_PROPERTY, "fallback");
            try (CudaContext cuda = CudaContext.open(0)) {
                assertThat(cuda.gemm().version()).contains("fallback GEMM").contains("-Dmdm.jcuda.gemm=fallback");
            }
            System.setProperty(CudaContext.GEMM_PROPERTY, "fast");
            assertThatThrownBy(() -> CudaContext.open(0)).isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("mdm.jcuda.gemm is 'fast'").hasMessageContaining("auto (the default), cublas or fallback");
            assertThat(new dev.mdm.backend.jcuda.JcudaBackendProvider().probe().reasons())
                    .as("the probe gives the same reason, so that selection moves on").anyMatch(r -> r.contains("'fast'"));
        } finally {
            if (before == null) {
                System.clearProperty(CudaContext.GEMM_PROPERTY);
            } else {
                System.setProperty(CudaContext.GEMM_PROPERTY, before);
            }
        }
    }
}

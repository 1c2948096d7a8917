package dev.mdm.backend.jcuda.cuda;

/**
 * {@link Gemm} by the module's own kernel ({@code gemm_fallback_*} in {@code mdm_kernels.cu}): 64 × 64 tiles on CUDA
 * cores, exact fp32 products and sums in a fixed order, any sizes and strides. For machines where cuBLAS does not
 * load; an order of magnitude slower than cuBLAS on the projections, and the same function within the kit's
 * tolerances (the TCK runs with it on the GPU machine, {@code -Dmdm.jcuda.gemm=fallback}).
 */
final class FallbackGemm implements Gemm {
    private static final int TILE = 64;
    private static final int THREADS = 256;
    private final CudaContext cuda;
    private final String why;

    /**
     * @param cuda the context whose stream the products are queued on
     * @param why why cuBLAS is not used, for {@link #version()}
     */
    FallbackGemm(CudaContext cuda, String why) {
        this.cuda = cuda;
        this.why = why;
    }

    @Override
    public String version() {
        return "the module's fallback GEMM on CUDA cores, not cuBLAS (" + why + ")";
    }

    @Override
    public void linear(int m, int n, int k, long a, int lda, long w, int abType, long c, int ldc, int cType,
                       boolean accumulate) {
        launch(abType, cType, a, lda, false, w, k, true, c, ldc, m, n, k, accumulate);
    }

    @Override
    public void gemm(Cublas.Compute compute, int abType, boolean transA, boolean transB, int m, int n, int k, long a,
                     int lda, long b, int ldb, long c, int ldc, boolean accumulate) {
        launch(abType, Cublas.R_32F, a, lda, transA, b, ldb, transB, c, ldc, m, n, k, accumulate);
    }

    private void launch(int abType, int cType, long a, int lda, boolean transA, long b, int ldb, boolean transB, long c,
                        int ldc, int m, int n, int k, boolean accumulate) {
        if (m == 0 || n == 0) {
            return;
        }
        String kernel = "gemm_fallback_" + type(abType) + "_" + type(cType);
        // rows on x (up to 2³¹ − 1 blocks), columns on y (up to 65 535 blocks, 4 194 240 columns)
        cuda.launch(kernel, new int[] {(m + TILE - 1) / TILE, (n + TILE - 1) / TILE}, THREADS, 0,
                new KernelArgs().ptr(a).i(lda).i(transA ? 1 : 0).ptr(b).i(ldb).i(transB ? 1 : 0).ptr(c).i(ldc).i(m).i(n)
                        .i(k).i(accumulate ? 1 : 0));
    }

    private static String type(int cudaDataType) {
        return switch (cudaDataType) {
            case Cublas.R_32F -> "f32";
            case Cublas.R_16BF -> "bf16";
            default -> throw new IllegalArgumentException("no fallback GEMM for cudaDataType " + cudaDataType);
        };
    }

    @Override
    public void close() {
        // owns nothing beyond the context's module
    }
}

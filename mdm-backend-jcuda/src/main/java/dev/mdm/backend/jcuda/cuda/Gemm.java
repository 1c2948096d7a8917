package dev.mdm.backend.jcuda.cuda;

/**
 * The backend's matrix products, queued on the context's stream with fp32 accumulation: {@link Cublas} where cuBLAS
 * loads, else {@link FallbackGemm}, the module's own kernel, so that a machine with only the NVIDIA driver (no CUDA
 * toolkit libraries) still runs the backend, more slowly. {@link CudaContext} chooses ({@code -Dmdm.jcuda.gemm}).
 * Types are cudaDataType codes: {@link Cublas#R_32F}, {@link Cublas#R_16BF}.
 */
public interface Gemm extends AutoCloseable {
    /** @return what computes the products, e.g. {@code "cuBLAS 130000 (libcublas.so.13)"} */
    String version();

    /**
     * Queues {@code C[m, n] (+)= A[m, k] · W[n, k]ᵀ}, all row-major, fp32 accumulation.
     *
     * @param m rows of A and C
     * @param n rows of W, columns of C
     * @param k shared dimension
     * @param a device address of A
     * @param lda row stride of A in elements (≥ k)
     * @param w device address of W ([n, k], row stride k)
     * @param abType dtype of A and W ({@link Cublas#R_32F} or {@link Cublas#R_16BF})
     * @param c device address of C
     * @param ldc row stride of C in elements (≥ n)
     * @param cType dtype of C
     * @param accumulate add to C instead of overwriting it
     */
    void linear(int m, int n, int k, long a, int lda, long w, int abType, long c, int ldc, int cType, boolean accumulate);

    /**
     * Queues {@code C[m, n] (+)= op(A) · op(B)}, A and B of type {@code abType} ({@link Cublas#R_32F} or
     * {@link Cublas#R_16BF}), C fp32, all row-major, where op transposes when asked: A is [m, k] (or [k, m] when
     * {@code transA}), B is [k, n] (or [n, k] when {@code transB}). Training's backward passes use the three forms
     * {@code dX = dY·W}, {@code dW += dYᵀ·X} and {@code Y = X·Wᵀ}.
     *
     * @param compute how the products are formed (the fallback forms every product in exact fp32)
     * @param abType dtype of A and B
     * @param transA read A transposed
     * @param transB read B transposed
     * @param m rows of C
     * @param n columns of C
     * @param k shared dimension
     * @param a device address of A
     * @param lda row stride of A in elements
     * @param b device address of B
     * @param ldb row stride of B in elements
     * @param c device address of C
     * @param ldc row stride of C in elements
     * @param accumulate add to C instead of overwriting it
     */
    void gemm(Cublas.Compute compute, int abType, boolean transA, boolean transB, int m, int n, int k, long a, int lda,
              long b, int ldb, long c, int ldc, boolean accumulate);

    @Override
    void close();
}

package dev.mdm.backend.jcuda.bench;

import dev.mdm.backend.jcuda.cuda.CudaContext;
import dev.mdm.backend.jcuda.cuda.Cublas;
import dev.mdm.backend.jcuda.cuda.Kernels;

/**
 * What the device can do at best, measured in the same run as a benchmark so that its figures can be read as
 * fractions of it: device-to-device copy bandwidth and cuBLAS GEMM throughput (median of 10 CUDA-event-timed runs
 * after one untimed run).
 */
final class DeviceCeilings {
    /** Side of the square GEMM the throughput ceilings are measured on. */
    static final int GEMM_SIZE = 8192;
    private static final int RUNS = 10;

    private DeviceCeilings() {
    }

    /**
     * @param cuda the device (context current, lock held)
     * @param k its kernels
     * @return GB/s of a 1 GiB device-to-device copy, bytes read plus bytes written
     */
    static double copyBandwidthGBps(CudaContext cuda, Kernels k) {
        long bytes = 1L << 30;
        long a = cuda.alloc(bytes, "copy-bandwidth ceiling source");
        long b = cuda.alloc(bytes, "copy-bandwidth ceiling destination");
        try {
            k.fillUniform(false, a, bytes / 4, 1, 1, 0);
            float[] t = new float[RUNS];
            try (CudaContext.Timer timer = cuda.timer()) {
                cuda.copyAsync(b, a, bytes);
                for (int i = 0; i < t.length; i++) {
                    timer.start();
                    cuda.copyAsync(b, a, bytes);
                    t[i] = timer.stopMillis();
                }
            }
            return 2.0 * bytes / (Timings.median(t) * 1e-3) / 1e9;
        } finally {
            cuda.free(a, bytes);
            cuda.free(b, bytes);
        }
    }

    /**
     * {@code C = A·Wᵀ} on {@value #GEMM_SIZE}³ random (non-zero) operands through {@link Cublas#linear}, fp32
     * accumulation ({@code CUBLAS_COMPUTE_32F}, default algorithm, default math mode: no TF32 for fp32 operands).
     *
     * @param cuda the device (context current, lock held)
     * @param k its kernels
     * @param type {@link Cublas#R_16BF} (bf16 A, W and C) or {@link Cublas#R_32F} (fp32 A, W and C)
     * @return TFLOP/s at 2·n³ FLOPs per product
     */
    static double gemmTflops(CudaContext cuda, Kernels k, int type) {
        if (type != Cublas.R_16BF && type != Cublas.R_32F) {
            throw new IllegalArgumentException("GEMM ceiling type " + type + ": expected Cublas.R_16BF or Cublas.R_32F");
        }
        boolean bf16 = type == Cublas.R_16BF;
        int n = GEMM_SIZE;
        long elements = (long) n * n;
        long bytes = elements * (bf16 ? 2 : 4);
        String what = (bf16 ? "bf16" : "fp32") + " GEMM ceiling ";
        long a = cuda.alloc(bytes, what + "A");
        long w = 0;
        long c = 0;
        try {
            w = cuda.alloc(bytes, what + "W");
            c = cuda.alloc(bytes, what + "C");
            k.fillUniform(bf16, a, elements, 2, 1, 0);
            k.fillUniform(bf16, w, elements, 3, 1, 0);
            float[] t = new float[RUNS];
            try (CudaContext.Timer timer = cuda.timer()) {
                cuda.gemm().linear(n, n, n, a, n, w, type, c, n, type, false);
                for (int i = 0; i < t.length; i++) {
                    timer.start();
                    cuda.gemm().linear(n, n, n, a, n, w, type, c, n, type, false);
                    t[i] = timer.stopMillis();
                }
            }
            return 2.0 * n * n * n / (Timings.median(t) * 1e-3) / 1e12;
        } finally {
            cuda.free(a, bytes);
            cuda.free(w, bytes);
            cuda.free(c, bytes);
        }
    }
}

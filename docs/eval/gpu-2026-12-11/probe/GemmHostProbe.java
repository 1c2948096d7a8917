import dev.mdm.backend.jcuda.cuda.Cublas;
import dev.mdm.backend.jcuda.cuda.CudaContext;
import dev.mdm.backend.jcuda.cuda.Gemm;
import dev.mdm.backend.jcuda.cuda.KernelArgs;

/**
 * Session 27 (issue 6): the host's time per cublasGemmEx call (bf16 operands, fp32 compute, as a BF16 training step
 * calls it) against a kernel launch, at fashion's block shapes: calls queued back to back without a synchronization,
 * host nanoseconds per call, medians of 7 rounds of 100 calls. A flight recording of fashion steps (call 3) had
 * 54 native samples in cuBLAS's GEMM against 20 in cuLaunchKernel, for about a seventh as many calls.
 */
public final class GemmHostProbe {
    public static void main(String[] args) {
        try (CudaContext cuda = CudaContext.open(0)) {
            Gemm gemm = cuda.gemm();
            int rows = 128 * 212;
            int[][] shapes = {  // m, n, k, transA, transB: in_proj forward, out_proj forward, their dX and dW products
                    {rows, 1168, 256, 0, 1}, {rows, 256, 512, 0, 1}, {rows, 256, 1168, 0, 0}, {rows, 512, 256, 0, 0},
                    {1168, 256, rows, 1, 0}, {256, 512, rows, 1, 0}};
            long a = cuda.alloc(2L * rows * 1168, "probe A");
            long b = cuda.alloc(2L * rows * 1168, "probe B");
            long c = cuda.alloc(4L * rows * 1168, "probe C");
            long x = cuda.alloc(4L * 1024, "probe silu");
            for (int round = 0; round < 9; round++) {
                long[] gemmNs = new long[shapes.length + 1];
                for (int s = 0; s <= shapes.length; s++) {
                    cuda.synchronize();
                    long t0 = System.nanoTime();
                    for (int i = 0; i < 100; i++) {
                        if (s == shapes.length) {
                            cuda.launch1d("tr_silu_fwd", 1024, new KernelArgs().ptr(x).ptr(x).l(1024));
                        } else {
                            int[] sh = shapes[s];
                            boolean ta = sh[3] == 1, tb = sh[4] == 1;
                            int lda = ta ? sh[0] : sh[2], ldb = tb ? sh[2] : sh[1];
                            gemm.gemm(Cublas.Compute.FP32, Cublas.R_16BF, ta, tb, sh[0], sh[1], sh[2], a, lda, b, ldb,
                                    c, sh[1], false);
                        }
                    }
                    gemmNs[s] = (System.nanoTime() - t0) / 100;
                    cuda.synchronize();
                }
                StringBuilder line = new StringBuilder("round " + round + " host ns/call:");
                for (int s = 0; s < shapes.length; s++) {
                    line.append(String.format(" %dx%dx%d%s%s=%d", shapes[s][0], shapes[s][1], shapes[s][2],
                            shapes[s][3] == 1 ? "T" : "N", shapes[s][4] == 1 ? "T" : "N", gemmNs[s]));
                }
                System.out.println(line + " silu-launch=" + gemmNs[shapes.length]);
            }
            cuda.free(a, 2L * rows * 1168);
            cuda.free(b, 2L * rows * 1168);
            cuda.free(c, 4L * rows * 1168);
            cuda.free(x, 4L * 1024);
        }
    }
}

import dev.mdm.backend.jcuda.cuda.CudaContext;
import dev.mdm.backend.jcuda.cuda.Cublas;
import dev.mdm.backend.jcuda.cuda.Gemm;
import dev.mdm.backend.jcuda.cuda.Kernels;
import java.util.Arrays;
import java.util.Locale;

/**
 * in_proj and out_proj of the paper preset with fp32 output (as now) against bf16 output (+ dt apart), medians of 30.
 * Scratch probe (PERF.md item 8): after tools/gpu/pack.sh, {@code javac -cp mdm-backend-jcuda/target/classes -d
 * .gpu/test-classes mdm-backend-jcuda/perf/GemmOutputProbe.java}, then on the GPU machine
 * {@code bash .gpu/run.sh GemmOutputProbe}. Output: gemm-output-types-v25.txt.
 */
public class GemmOutputProbe {
  static float med(float[] t) { float[] s = t.clone(); Arrays.sort(s); return s[s.length / 2]; }
  public static void main(String[] a) {
    try (CudaContext cuda = CudaContext.open(0)) {
      cuda.lock().lock();
      try {
        cuda.enter();
        Kernels k = new Kernels(cuda);
        int d = 2048, di = 4096, rowsIn = 8512, rowsZx = 8448;
        int maxM = 16452;
        long wIn = cuda.alloc((long) rowsIn * d * 2, "wIn"), wOut = cuda.alloc((long) d * di * 2, "wOut");
        long u = cuda.alloc((long) maxM * di * 2, "u");
        long c = cuda.alloc((long) maxM * rowsIn * 4, "c"), c2 = cuda.alloc((long) maxM * 64 * 4, "dt");
        k.fillUniform(true, wIn, (long) rowsIn * d, 2, 0.02f, 0);
        k.fillUniform(true, wOut, (long) d * di, 3, 0.02f, 0);
        k.fillUniform(true, u, (long) maxM * di, 4, 1f, 0);
        Gemm b = cuda.gemm();
        for (int m : new int[] {324, 2592, 1092, 4164, 16452}) {
          float[][] t = new float[5][30];
          try (CudaContext.Timer timer = cuda.timer()) {
            for (int rep = -2; rep < 30; rep++) {
              timer.start(); b.linear(m, rowsIn, d, u, d, wIn, Cublas.R_16BF, c, rowsIn, Cublas.R_32F, false); float x0 = timer.stopMillis();
              timer.start(); b.linear(m, rowsZx, d, u, d, wIn, Cublas.R_16BF, c, rowsZx, Cublas.R_16BF, false); float x1 = timer.stopMillis();
              timer.start(); b.linear(m, 64, d, u, d, wIn + (long) rowsZx * d * 2, Cublas.R_16BF, c2, 64, Cublas.R_32F, false); float x2 = timer.stopMillis();
              timer.start(); b.linear(m, d, di, u, di, wOut, Cublas.R_16BF, c, d, Cublas.R_32F, false); float x3 = timer.stopMillis();
              timer.start(); b.linear(m, d, di, u, di, wOut, Cublas.R_16BF, c, d, Cublas.R_16BF, false); float x4 = timer.stopMillis();
              if (rep >= 0) { t[0][rep] = x0; t[1][rep] = x1; t[2][rep] = x2; t[3][rep] = x3; t[4][rep] = x4; }
            }
          }
          System.out.printf(Locale.ROOT, "m=%5d in_proj fp32 out %.4f ms | zx bf16 out %.4f + dt fp32 %.4f = %.4f | out_proj fp32 %.4f bf16 %.4f%n",
              m, med(t[0]), med(t[1]), med(t[2]), med(t[1]) + med(t[2]), med(t[3]), med(t[4]));
        }
      } finally {
        cuda.lock().unlock();
      }
    }
  }
}

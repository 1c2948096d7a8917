// Issue 5, session 17: out_proj (and z, x, B, C's GEMM) at the paper preset's sizes as one cuBLAS GEMM against the same
// product split along K into a strided batch of s GEMMs, each writing its own partial output (whose sum add+RMSNorm
// would take). At 324 rows out_proj has 48 output tiles for 132 SMs; s partials give 48·s tiles of K / s each.
// Weights rotate over 8 copies (from HBM, as in a 49-block step); device time per launch: 100 launches in one CUDA
// graph, medians of 7 replays.
// Build: nvcc -O3 -arch=sm_90 -o splitk_probe splitk_probe.cu -ldl
#include "probe_common.cuh"

typedef int (*batched_t)(void *, int, int, int, int, int, const void *, const void *, int, int, long long,
                         const void *, int, int, long long, const void *, void *, int, int, long long, int, int, int);
static const int COPIES = 8;

int main() {
  void *handle;
  void *lib = openCublas(&handle);
  gemmEx_t gemmEx = (gemmEx_t)dlsym(lib, "cublasGemmEx");
  batched_t batched = (batched_t)dlsym(lib, "cublasGemmStridedBatchedEx");
  const int maxRows = 1092;
  struct Shape { const char *name; int m, k; } shapes[] = {{"out_proj", 2048, 4096}, {"z,x,B,C", 8448, 2048}};
  float one = 1, zero = 0;
  for (Shape sh : shapes) {
    bf16 *w, *in; void *out;
    CK(cudaMalloc(&w, (size_t)COPIES * sh.m * sh.k * 2)); CK(cudaMalloc(&in, (size_t)maxRows * sh.k * 2));
    CK(cudaMalloc(&out, (size_t)8 * maxRows * sh.m * 4));
    fill_uniform_bf16<<<1024, 256>>>(w, (size_t)COPIES * sh.m * sh.k, 1, 0.05f, -0.025f);
    fill_uniform_bf16<<<1024, 256>>>(in, (size_t)maxRows * sh.k, 2, 1.f, -0.5f);
    CK(cudaDeviceSynchronize());
    for (int rows : {324, 648, 1092}) {
      double flop = 2.0 * rows * sh.m * sh.k;
      float plain = timeIt([&](int i) {
        gemmEx(handle, 1, 0, sh.m, rows, sh.k, &one, w + (size_t)(i % COPIES) * sh.m * sh.k, 14, sh.k, in, 14, sh.k,
               &zero, out, 14, sh.m, 68, -1);
      });
      printf("%-8s rows %4d: one GEMM, bf16 out %6.2f us (%3.0f TFLOP/s)", sh.name, rows, plain, flop / plain / 1e6);
      for (int s : {2, 3, 4}) {
        if (sh.k % (s * 64)) continue;
        int ks = sh.k / s;
        for (int type : {0, 14}) {  // fp32 or bf16 partials
          float us = timeIt([&](int i) {
            batched(handle, 1, 0, sh.m, rows, ks, &one, w + (size_t)(i % COPIES) * sh.m * sh.k, 14, sh.k, ks, in, 14,
                    sh.k, ks, &zero, out, type, sh.m, (long long)rows * sh.m, s, 68, -1);
          });
          printf(" | %d partials %s %6.2f us", s, type ? "bf16" : "fp32", us);
        }
      }
      printf("\n");
      fflush(stdout);
    }
    cudaFree(w); cudaFree(in); cudaFree(out);
  }
  return 0;
}

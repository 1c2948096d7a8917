// Issue 5, session 16: dt_proj_bf16 alone, at each split of K, against cublasGemmEx's dt GEMM (the product it
// replaces), at the paper preset's sizes: u [rows, 2048] bf16 (in L2, as after add+RMSNorm), W_dt [64, 2048] bf16 from
// 256 rotating copies (64 MB: from HBM, as in a 49-block step), dt fp32; z, x, B and C's GEMM beside it. Device time
// per launch: 100 launches in one CUDA graph, medians of 7 replays.
// Build: nvcc -O3 -arch=sm_90 -o dt_probe dt_probe.cu -ldl
#include "../gpu-2026-12-01/probe_common.cuh"  // since session 17 (timeIt and the cuBLAS setup; the stream non-blocking)

static const int COPIES = 256, H = 64, K = 2048;

int main() {
  void *handle;
  void *lib = openCublas(&handle);
  gemmEx_t gemmEx = (gemmEx_t)dlsym(lib, "cublasGemmEx");
  bf16 *u, *w; float *dt;
  CK(cudaMalloc(&u, (size_t)16452 * K * 2)); CK(cudaMalloc(&w, (size_t)COPIES * H * K * 2));
  CK(cudaMalloc(&dt, (size_t)16452 * H * 4 * 8));
  fill_uniform_bf16<<<1024, 256>>>(u, (size_t)16452 * K, 1, 1.f, -0.5f);
  fill_uniform_bf16<<<1024, 256>>>(w, (size_t)COPIES * H * K, 2, 0.05f, -0.025f);
  bf16 *wz, *zx;  // z, x, B and C's weight, twice (70 MB: from HBM), and their bf16 output
  CK(cudaMalloc(&wz, (size_t)2 * 8448 * K * 2)); CK(cudaMalloc(&zx, (size_t)16452 * 8448 * 2));
  fill_uniform_bf16<<<1024, 256>>>(wz, (size_t)2 * 8448 * K, 3, 0.05f, -0.025f);
  CK(cudaDeviceSynchronize());
  float one = 1, zero = 0;
  for (int rows : {324, 1092, 2592, 4164, 16452}) {
    float cub = timeIt([&](int i) {
      gemmEx(handle, 1, 0, H, rows, K, &one, w + (size_t)(i % COPIES) * H * K, 14, K, u, 14, K, &zero, dt, 0, H, 68, -1);
    });
    float big = timeIt([&](int i) {
      gemmEx(handle, 1, 0, 8448, rows, K, &one, wz + (size_t)(i % 2) * 8448 * K, 14, K, u, 14, K, &zero, zx, 14, 8448, 68, -1);
    });
    printf("rows %5d: z,x,B,C GEMM %.2f us | dt: cublasGemmEx %.2f us", rows, big, cub);
    for (int slices : {1, 2, 4, 8}) {
      cudaLaunchConfig_t cfg = {};
      cfg.gridDim = dim3((rows + 31) / 32, slices, H / 32); cfg.blockDim = dim3(128);
      cudaLaunchAttribute attr; attr.id = cudaLaunchAttributeClusterDimension;
      attr.val.clusterDim.x = 1; attr.val.clusterDim.y = slices; attr.val.clusterDim.z = 1;
      cfg.attrs = &attr; cfg.numAttrs = 1; cfg.stream = stream;
      float us = timeIt([&](int i) {
        CK(cudaLaunchKernelEx(&cfg, dt_proj_bf16, (const bf16 *)u, K, (const bf16 *)(w + (size_t)(i % COPIES) * H * K), dt, rows, H, K));
      });
      printf(" | %d slices %.2f us", slices, us);
    }
    printf("\n");
  }
  return 0;
}

// Issue 5, session 17: does dt's product hide beside z, x, B and C's GEMM when the graph runs them as two branches?
// The step (v32) runs them in order, dt_proj_bf16 after the GEMM with the conv beside it as its dependent launch. At 324
// rows the GEMM leaves SMs idle; dt needs only u. Device time per pair: 100 pairs in one CUDA graph, medians of 7
// replays; weights rotate from HBM as in a 49-block step.
// Build: nvcc -O3 -arch=sm_90 -o fork_probe fork_probe.cu -ldl
#include "probe_common.cuh"

static const int COPIES = 4, H = 64, K = 2048, NZ = 8448;
static cudaStream_t side;
static cudaEvent_t forkE[100], joinE[100];

int main() {
  void *handle;
  void *lib = openCublas(&handle);
  gemmEx_t gemmEx = (gemmEx_t)dlsym(lib, "cublasGemmEx");
  CK(cudaStreamCreateWithFlags(&side, cudaStreamNonBlocking));
  for (int i = 0; i < 100; i++) {
    CK(cudaEventCreateWithFlags(&forkE[i], cudaEventDisableTiming));
    CK(cudaEventCreateWithFlags(&joinE[i], cudaEventDisableTiming));
  }
  bf16 *u, *wz, *wdt, *zx; float *dt;
  CK(cudaMalloc(&u, (size_t)2048 * K * 2)); CK(cudaMalloc(&wz, (size_t)COPIES * NZ * K * 2));
  CK(cudaMalloc(&wdt, (size_t)COPIES * H * K * 2)); CK(cudaMalloc(&zx, (size_t)2048 * NZ * 2));
  CK(cudaMalloc(&dt, (size_t)2048 * H * 4));
  fill_uniform_bf16<<<1024, 256>>>(u, (size_t)2048 * K, 1, 1.f, -0.5f);
  fill_uniform_bf16<<<1024, 256>>>(wz, (size_t)COPIES * NZ * K, 2, 0.05f, -0.025f);
  fill_uniform_bf16<<<1024, 256>>>(wdt, (size_t)COPIES * H * K, 3, 0.05f, -0.025f);
  CK(cudaDeviceSynchronize());
  float one = 1, zero = 0;
  for (int rows : {324, 648, 1092}) {
    auto gemm = [&](int i) {
      gemmEx(handle, 1, 0, NZ, rows, K, &one, wz + (size_t)(i % COPIES) * NZ * K, 14, K, u, 14, K, &zero, zx, 14, NZ, 68, -1);
    };
    float alone = timeIt(gemm);
    printf("rows %4d: GEMM alone %.2f us", rows, alone);
    for (int slices : {1, 2, 4, 8}) {
      cudaLaunchConfig_t cfg = {};
      cfg.gridDim = dim3((rows + 31) / 32, slices, H / 32); cfg.blockDim = dim3(128);
      cudaLaunchAttribute attr; attr.id = cudaLaunchAttributeClusterDimension;
      attr.val.clusterDim.x = 1; attr.val.clusterDim.y = slices; attr.val.clusterDim.z = 1;
      cfg.attrs = &attr; cfg.numAttrs = 1;
      auto dtOn = [&](int i, cudaStream_t s) {
        cfg.stream = s;
        CK(cudaLaunchKernelEx(&cfg, dt_proj_bf16, (const bf16 *)u, K, (const bf16 *)(wdt + (size_t)(i % COPIES) * H * K), dt, rows, H, K));
      };
      float seq = timeIt([&](int i) { gemm(i); dtOn(i, stream); });
      float forked = timeIt([&](int i) {
        CK(cudaEventRecord(forkE[i], stream)); CK(cudaStreamWaitEvent(side, forkE[i], 0));
        dtOn(i, side);
        gemm(i);
        CK(cudaEventRecord(joinE[i], side)); CK(cudaStreamWaitEvent(stream, joinE[i], 0));
      });
      float forkedFirst = timeIt([&](int i) {  // the GEMM queued before the branch's kernel
        CK(cudaEventRecord(forkE[i], stream)); CK(cudaStreamWaitEvent(side, forkE[i], 0));
        gemm(i);
        dtOn(i, side);
        CK(cudaEventRecord(joinE[i], side)); CK(cudaStreamWaitEvent(stream, joinE[i], 0));
      });
      printf(" | %d slices: in order %.2f, branches %.2f / %.2f us", slices, seq, forked, forkedFirst);
    }
    printf("\n");
    fflush(stdout);
  }
  return 0;
}

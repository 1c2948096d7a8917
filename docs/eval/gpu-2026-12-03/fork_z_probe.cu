// Issue 5, session 19: would in_proj's z columns pay as a second branch of the graph? At 324 rows the conv, the walk
// and the first part of the output kernel need x, B, C and dt, not z (the gate, 4 096 of in_proj's 8 448 columns).
// Times cuBLAS's product for all 8 448 columns, for x, B, C (4 352) alone and for z alone; then a model of a block's
// chain: in_proj, a stand-in for dt, conv and the walk (64 blocks spinning 13 µs, the SMs they leave idle as those
// kernels do), a stand-in for the output kernel (264 blocks, 14 µs), out_proj; against the same chain with x, B, C's
// product on the chain and z's on a forked stream joined before the output stand-in. Weights rotate over 8 copies;
// device time per block from 100 blocks in one CUDA graph, medians of 7 replays.
// Build: nvcc -O3 -arch=sm_90 -o fork_z_probe fork_z_probe.cu -ldl
#include "../gpu-2026-12-01/probe_common.cuh"

static const int COPIES = 8;

__global__ void spin(unsigned long long ns) {
  unsigned long long t0, t;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t0));
  do { asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t)); } while (t - t0 < ns);
}

int main() {
  void *handle;
  void *lib = openCublas(&handle);
  gemmEx_t gemmEx = (gemmEx_t)dlsym(lib, "cublasGemmEx");
  typedef int (*setStream_t)(void *, cudaStream_t);
  setStream_t setStream = (setStream_t)dlsym(lib, "cublasSetStream_v2");
  const int ROWS = 324, K_IN = 2048, N_Z = 4096, N_XBC = 4352, N_IN = N_Z + N_XBC, N_OUT = 2048, K_OUT = 4096;
  bf16 *win, *wout, *x, *h, *y;
  CK(cudaMalloc(&win, (size_t)COPIES * N_IN * K_IN * 2)); CK(cudaMalloc(&wout, (size_t)COPIES * N_OUT * K_OUT * 2));
  CK(cudaMalloc(&x, (size_t)ROWS * K_IN * 2)); CK(cudaMalloc(&h, (size_t)ROWS * N_IN * 2));
  CK(cudaMalloc(&y, (size_t)ROWS * N_OUT * 2));
  fill_uniform_bf16<<<1024, 256>>>(win, (size_t)COPIES * N_IN * K_IN, 1, 0.05f, -0.025f);
  fill_uniform_bf16<<<1024, 256>>>(wout, (size_t)COPIES * N_OUT * K_OUT, 3, 0.05f, -0.025f);
  fill_uniform_bf16<<<1024, 256>>>(x, (size_t)ROWS * K_IN, 2, 1.f, -0.5f);
  CK(cudaDeviceSynchronize());
  float one = 1, zero = 0;
  // columns [c0, c0 + n) of in_proj for weight copy i: W rows c0.., output columns c0.. of h (ld N_IN)
  auto inProj = [&](int i, int c0, int n) {
    gemmEx(handle, 1, 0, n, ROWS, K_IN, &one, win + ((size_t)(i % COPIES) * N_IN + c0) * K_IN, 14, K_IN, x, 14, K_IN,
           &zero, h + c0, 14, N_IN, 68, -1);
  };
  auto outProj = [&](int i) {
    gemmEx(handle, 1, 0, N_OUT, ROWS, K_OUT, &one, wout + (size_t)(i % COPIES) * N_OUT * K_OUT, 14, K_OUT, h, 14, N_IN,
           &zero, y, 14, N_OUT, 68, -1);
  };
  printf("alone: in_proj all %.2f us, x,B,C %.2f us, z %.2f us; out_proj %.2f us\n",
         timeIt([&](int i) { inProj(i, 0, N_IN); }), timeIt([&](int i) { inProj(i, N_Z, N_XBC); }),
         timeIt([&](int i) { inProj(i, 0, N_Z); }), timeIt([&](int i) { outProj(i); }));
  cudaStream_t side;
  CK(cudaStreamCreateWithFlags(&side, cudaStreamNonBlocking));
  cudaEvent_t fork[100], join[100];
  for (int i = 0; i < 100; i++) {
    CK(cudaEventCreateWithFlags(&fork[i], cudaEventDisableTiming));
    CK(cudaEventCreateWithFlags(&join[i], cudaEventDisableTiming));
  }
  for (int walkBlocks : {64, 132}) {
    float chain = timeIt([&](int i) {
      inProj(i, 0, N_IN);
      spin<<<walkBlocks, 128, 0, stream>>>(13000);
      spin<<<264, 128, 0, stream>>>(14000);
      outProj(i);
    });
    float forked = timeIt([&](int i) {
      inProj(i, N_Z, N_XBC);
      CK(cudaEventRecord(fork[i], stream));
      CK(cudaStreamWaitEvent(side, fork[i]));
      setStream(handle, side);
      inProj(i, 0, N_Z);
      setStream(handle, stream);
      CK(cudaEventRecord(join[i], side));
      spin<<<walkBlocks, 128, 0, stream>>>(13000);
      CK(cudaStreamWaitEvent(stream, join[i]));
      spin<<<264, 128, 0, stream>>>(14000);
      outProj(i);
    });
    float spins = timeIt([&](int i) {
      spin<<<walkBlocks, 128, 0, stream>>>(13000);
      spin<<<264, 128, 0, stream>>>(14000);
    });
    printf("chain with a %3d-block stand-in for dt, conv and the walk: in order %.2f us a block, z forked %.2f us "
           "(stand-ins alone %.2f)\n", walkBlocks, chain, forked, spins);
  }
  return 0;
}

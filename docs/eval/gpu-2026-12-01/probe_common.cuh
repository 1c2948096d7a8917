// What the GPU probes share (dt_probe.cu of session 16, splitk_probe.cu and fork_probe.cu of session 17): the kernels,
// cuBLAS by dlopen (the probes build without its headers), and device time per launch measured the way the step runs:
// 100 launches captured in one CUDA graph, replayed 8 times, the median of the last 7.
#pragma once
#include "../../../mdm-backend-jcuda/src/main/cuda/mdm_kernels.cu"
#include <cuda_runtime.h>
#include <dlfcn.h>
#include <cstdio>
#include <vector>
#include <algorithm>

typedef int (*gemmEx_t)(void *, int, int, int, int, int, const void *, const void *, int, int, const void *, int, int,
                        const void *, void *, int, int, int, int);
#define CK(x) do { cudaError_t e = (x); if (e != cudaSuccess) { printf("%s: %s\n", #x, cudaGetErrorString(e)); exit(3); } } while (0)

static float median(std::vector<float> v) { std::sort(v.begin(), v.end()); return v[v.size() / 2]; }

static cudaStream_t stream;
template <typename F> static float timeIt(F launch) {
  cudaGraph_t g; cudaGraphExec_t ge;
  CK(cudaStreamBeginCapture(stream, cudaStreamCaptureModeGlobal));
  for (int i = 0; i < 100; i++) launch(i);
  CK(cudaStreamEndCapture(stream, &g));
  CK(cudaGraphInstantiate(&ge, g, 0));
  cudaEvent_t a, b; cudaEventCreate(&a); cudaEventCreate(&b);
  std::vector<float> runs;
  for (int r = 0; r < 8; r++) {
    cudaEventRecord(a, stream);
    CK(cudaGraphLaunch(ge, stream));
    cudaEventRecord(b, stream); CK(cudaEventSynchronize(b));
    float ms; cudaEventElapsedTime(&ms, a, b);
    if (r) runs.push_back(ms * 1000 / 100);
  }
  cudaGraphExecDestroy(ge); cudaGraphDestroy(g);
  return median(runs);
}

// libcublas.so.13 opened, `stream` created (non-blocking) and a cuBLAS handle on it with a 32 MB workspace
static void *openCublas(void **handle) {
  void *lib = dlopen("libcublas.so.13", RTLD_NOW);
  if (!lib) { printf("dlopen libcublas.so.13: %s\n", dlerror()); exit(3); }
  typedef int (*create_t)(void **);
  typedef int (*setStream_t)(void *, cudaStream_t);
  typedef int (*setWs_t)(void *, void *, size_t);
  ((create_t)dlsym(lib, "cublasCreate_v2"))(handle);
  CK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  ((setStream_t)dlsym(lib, "cublasSetStream_v2"))(*handle, stream);
  void *ws; CK(cudaMalloc(&ws, 32 << 20));
  ((setWs_t)dlsym(lib, "cublasSetWorkspace_v2"))(*handle, ws, 32 << 20);
  return lib;
}

// Probe (issue 5, 324 x 1): do the paper step's two GEMMs at 324 rows run faster when their weights were prefetched
// into L2 on a side branch while the SSD chain runs? Standalone: cuBLAS called as Cublas.linear calls it
// (cublasGemmEx, W read transposed, bf16 operands and output, fp32 compute), 49 distinct weight copies as in the step,
// a "filler" kernel standing for the chain between the GEMMs (64 blocks spinning for F us), graphs of 49 iterations.
// Build and run on the GPU machine: nvcc -O2 -arch=sm_90 probe_l2.cu -lcublas -o probe && ./probe
#include <cublas_v2.h>
#include <cuda_bf16.h>
#include <cuda_runtime.h>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

#define CK(x) do { cudaError_t e = (x); if (e != cudaSuccess) { printf("%s:%d %s\n", __FILE__, __LINE__, cudaGetErrorString(e)); exit(1); } } while (0)
#define CB(x) do { cublasStatus_t s = (x); if (s != CUBLAS_STATUS_SUCCESS) { printf("%s:%d cublas %d\n", __FILE__, __LINE__, (int) s); exit(1); } } while (0)

static const int BLOCKS = 49, M = 324, D = 2048, DI = 4096, NIN = 2 * 4096 + 2 * 128;

__global__ void filler(long long ns) {
    long long t0; asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t0));
    long long t = t0;
    while (t - t0 < ns) { asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t)); }
}

// one warp a block; each lane issues bulk L2 prefetches of `chunk` bytes, strided over the grid
__global__ void prefetch_l2(const char* p, long long bytes, int chunk) {
    long long lane = (long long) blockIdx.x * 32 + threadIdx.x, lanes = (long long) gridDim.x * 32;
    for (long long off = lane * chunk; off < bytes; off += lanes * chunk) {
        int n = (int) (bytes - off < chunk ? bytes - off : chunk);
        asm volatile("cp.async.bulk.prefetch.L2.global [%0], %1;" :: "l"(p + off), "r"(n) : "memory");
    }
}

// plain loads with evict_last, the alternative when bulk prefetch does not stick
__global__ void touch_l2(const int4* p, long long n16, int* sink) {
    long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x, s = (long long) gridDim.x * blockDim.x;
    int acc = 0;
    for (; i < n16; i += s) { int4 v = __ldlu(p + i); acc ^= v.x; }
    if (acc == 0x7fffffff) *sink = acc;
}

struct Ctx {
    cublasHandle_t h; cudaStream_t s, s2; cudaEvent_t fork[BLOCKS], join[BLOCKS];
    __nv_bfloat16 *win[BLOCKS], *wout[BLOCKS], *xin, *yin, *xout, *yout; int* sink;
};

static void gemm(Ctx& c, int n, int k, const __nv_bfloat16* w, const __nv_bfloat16* a, __nv_bfloat16* y) {
    float one = 1, zero = 0;
    CB(cublasGemmEx(c.h, CUBLAS_OP_T, CUBLAS_OP_N, n, M, k, &one, w, CUDA_R_16BF, k, a, CUDA_R_16BF, k, &zero, y,
                    CUDA_R_16BF, n, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
}

enum Pf { NONE, BULK, TOUCH };
struct Scn { const char* name; bool in, out; double fillUs; Pf pf; double frac; bool hot; int grid; };

static void side(Ctx& c, int i, const void* p, long long bytes, Pf pf, int grid) {
    CK(cudaEventRecord(c.fork[i], c.s));
    CK(cudaStreamWaitEvent(c.s2, c.fork[i]));
    bytes &= ~15LL;
    if (pf == BULK) prefetch_l2<<<grid, 32, 0, c.s2>>>((const char*) p, bytes, 65536);
    else touch_l2<<<grid, 256, 0, c.s2>>>((const int4*) p, bytes / 16, c.sink);
    CK(cudaEventRecord(c.join[i], c.s2));
}

static double run(Ctx& c, const Scn& sc) {
    cudaGraph_t g; cudaGraphExec_t ge;
    CK(cudaStreamBeginCapture(c.s, cudaStreamCaptureModeThreadLocal));
    for (int i = 0; i < BLOCKS; i++) {
        int j = sc.hot ? 0 : i;
        if (!sc.in && !sc.out) filler<<<64, 32, 0, c.s>>>((long long) (sc.fillUs * 1000));
        if (sc.in) {
            if (sc.pf != NONE) side(c, i, c.win[j], (long long) ((double) NIN * D * 2 * sc.frac), sc.pf, sc.grid);
            if (sc.fillUs > 0) filler<<<64, 32, 0, c.s>>>((long long) (sc.fillUs * 1000));
            if (sc.pf != NONE) CK(cudaStreamWaitEvent(c.s, c.join[i]));
            gemm(c, NIN, D, c.win[j], c.xin, c.yin);
        }
        if (sc.out) {
            if (sc.pf != NONE) side(c, i, c.wout[j], (long long) ((double) D * DI * 2 * sc.frac), sc.pf, sc.grid);
            if (sc.fillUs > 0) filler<<<64, 32, 0, c.s>>>((long long) (sc.fillUs * 1000));
            if (sc.pf != NONE) CK(cudaStreamWaitEvent(c.s, c.join[i]));
            gemm(c, D, DI, c.wout[j], c.xout, c.yout);
        }
    }
    CK(cudaStreamEndCapture(c.s, &g));
    CK(cudaGraphInstantiate(&ge, g, 0));
    cudaEvent_t a, b; CK(cudaEventCreate(&a)); CK(cudaEventCreate(&b));
    std::vector<float> t;
    for (int r = 0; r < 23; r++) {
        CK(cudaEventRecord(a, c.s)); CK(cudaGraphLaunch(ge, c.s)); CK(cudaEventRecord(b, c.s));
        CK(cudaEventSynchronize(b)); float ms; CK(cudaEventElapsedTime(&ms, a, b));
        if (r >= 3) t.push_back(ms);
    }
    std::sort(t.begin(), t.end());
    double us = t[t.size() / 2] * 1000 / BLOCKS;
    printf("%-44s %8.2f us per iteration (min %.2f, max %.2f)\n", sc.name, us, t.front() * 1000 / BLOCKS,
           t.back() * 1000 / BLOCKS);
    CK(cudaGraphExecDestroy(ge)); CK(cudaGraphDestroy(g)); CK(cudaEventDestroy(a)); CK(cudaEventDestroy(b));
    return us;
}

int main() {
    Ctx c;
    CB(cublasCreate(&c.h));
    CK(cudaStreamCreateWithFlags(&c.s, cudaStreamNonBlocking));
    CK(cudaStreamCreateWithFlags(&c.s2, cudaStreamNonBlocking));
    CB(cublasSetStream(c.h, c.s));
    for (int i = 0; i < BLOCKS; i++) {
        CK(cudaEventCreateWithFlags(&c.fork[i], cudaEventDisableTiming));
        CK(cudaEventCreateWithFlags(&c.join[i], cudaEventDisableTiming));
        CK(cudaMalloc(&c.win[i], (size_t) NIN * D * 2)); CK(cudaMemset(c.win[i], 0x3c, (size_t) NIN * D * 2));
        CK(cudaMalloc(&c.wout[i], (size_t) D * DI * 2)); CK(cudaMemset(c.wout[i], 0x3c, (size_t) D * DI * 2));
    }
    CK(cudaMalloc(&c.xin, (size_t) M * D * 2)); CK(cudaMemset(c.xin, 0x3c, (size_t) M * D * 2));
    CK(cudaMalloc(&c.yin, (size_t) M * NIN * 2));
    CK(cudaMalloc(&c.xout, (size_t) M * DI * 2)); CK(cudaMemset(c.xout, 0x3c, (size_t) M * DI * 2));
    CK(cudaMalloc(&c.yout, (size_t) M * D * 2));
    CK(cudaMalloc(&c.sink, 4));
    int l2; CK(cudaDeviceGetAttribute(&l2, cudaDevAttrL2CacheSize, 0));
    printf("L2 %d MB; in_proj W %.1f MB, out_proj W %.1f MB, %d copies each\n", l2 >> 20, NIN * D * 2 / 1e6,
           D * DI * 2 / 1e6, BLOCKS);
    for (int rep = 0; rep < 2; rep++) {
        printf("-- pass %d\n", rep + 1);
        run(c, {"filler 20 us alone", false, false, 20, NONE, 0, false, 0});
        run(c, {"out_proj cold", false, true, 0, NONE, 0, false, 0});
        run(c, {"out_proj hot (same weights)", false, true, 0, NONE, 0, true, 0});
        run(c, {"filler 20 + out_proj cold", false, true, 20, NONE, 0, false, 0});
        run(c, {"filler 20 || bulk prefetch 100% (8) + out_proj", false, true, 20, BULK, 1, false, 8});
        run(c, {"filler 20 || bulk prefetch 100% (32) + out_proj", false, true, 20, BULK, 1, false, 32});
        run(c, {"filler 20 || touch 100% (16x256) + out_proj", false, true, 20, TOUCH, 1, false, 16});
        run(c, {"in_proj cold", true, false, 0, NONE, 0, false, 0});
        run(c, {"in_proj hot (same weights)", true, false, 0, NONE, 0, true, 0});
        run(c, {"filler 20 + in_proj cold", true, false, 20, NONE, 0, false, 0});
        run(c, {"filler 20 || bulk prefetch 100% (8) + in_proj", true, false, 20, BULK, 1, false, 8});
        run(c, {"filler 20 || bulk prefetch 60% (8) + in_proj", true, false, 20, BULK, 0.6, false, 8});
        run(c, {"filler 20 || touch 100% (16x256) + in_proj", true, false, 20, TOUCH, 1, false, 16});
        run(c, {"filler 20 + in_proj + filler 20 + out_proj", true, true, 20, NONE, 0, false, 0});
        run(c, {"... with bulk prefetch 100% (8) of each", true, true, 20, BULK, 1, false, 8});
    }
    printf("done\n");
    return 0;
}

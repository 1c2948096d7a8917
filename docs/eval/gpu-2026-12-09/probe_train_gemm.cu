// Session 25 (issue 6): what the output type costs the paper-width training step's six GEMMs per block. The peer's
// profile (PyTorch + mamba_ssm, bf16 outputs under autocast) had the same cuBLAS tiles 20-45 % faster than ours, which
// write fp32 (and add into fp32 weight gradients). This times each GEMM as TrainingOps calls it (cublasGemmEx, bf16
// operands, fp32 compute, the row-major mapping of Cublas.gemm) with C fp32 and beta 1 (our dW), C fp32 and beta 0
// (our forward and dX), and C bf16 and beta 0 (the peer's). Medians of 15 timings of 20 back-to-back calls.
//   nvcc -O2 -arch=sm_90 probe_train_gemm.cu -lcublas -o /tmp/probe && /tmp/probe
#include <algorithm>
#include <cstdio>
#include <vector>
#include <cublas_v2.h>
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#define CK(x) do { auto e = (x); if (e != 0) { printf("error %d at %s:%d\n", (int)e, __FILE__, __LINE__); return 1; } } while (0)

// pseudo-random values in [-1, 1) (zeros would let the tensor cores run cooler than real data)
__global__ void fill(__nv_bfloat16* p, size_t n, unsigned seed) {
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x) {
        unsigned x = (unsigned)i * 2654435761u ^ seed;
        x ^= x >> 13; x *= 0x5bd1e995u; x ^= x >> 15;
        p[i] = __float2bfloat16((x & 0xffff) / 32768.f - 1.f);
    }
}

struct Shape { const char* name; bool ta, tb; int m, n, k; int lda, ldb; };

int main() {
    const int R = 8 * 324, d = 2048, di = 4096, ld = 8512;
    Shape shapes[] = {
        {"in_proj forward  Y = X·Wᵀ", false, true, R, ld, d, d, d},
        {"out_proj forward Y = yn·Wᵀ", false, true, R, d, di, di, di},
        {"out_proj dX = dY·W", false, false, R, di, d, d, di},
        {"out_proj dW = dYᵀ·yn", true, false, d, di, R, d, di},
        {"in_proj dX = dZx·W", false, false, R, d, ld, ld, d},
        {"in_proj dW = dZxᵀ·U", true, false, ld, d, R, ld, d},
    };
    size_t maxElems = (size_t)R * ld;
    __nv_bfloat16 *a, *b;
    void* c;
    CK(cudaMalloc(&a, maxElems * 2));
    CK(cudaMalloc(&b, maxElems * 2));
    CK(cudaMalloc(&c, maxElems * 4));
    fill<<<1024, 256>>>(a, maxElems, 1u);
    fill<<<1024, 256>>>(b, maxElems, 2u);
    CK(cudaMemset(c, 0, maxElems * 4));
    cublasHandle_t h;
    CK(cublasCreate(&h));
    float one = 1.f, zero = 0.f;
    cudaEvent_t e0, e1;
    cudaEventCreate(&e0);
    cudaEventCreate(&e1);
    struct Mode { const char* name; cudaDataType ct; float* beta; } modes[] = {
        {"C fp32, beta 1", CUDA_R_32F, &one}, {"C fp32, beta 0", CUDA_R_32F, &zero}, {"C bf16, beta 0", CUDA_R_16BF, &zero}};
    printf("%-30s %16s %16s %16s   (us per call; TFLOP/s)\n", "GEMM (rows 2592)", modes[0].name, modes[1].name,
           modes[2].name);
    for (const Shape& s : shapes) {
        printf("%-30s", s.name);
        for (const Mode& md : modes) {
            auto call = [&]() {
                // row-major C = op(A)·op(B) as column-major Cᵀ = op(B)ᵀ·op(A)ᵀ (Cublas.gemm)
                return cublasGemmEx(h, s.tb ? CUBLAS_OP_T : CUBLAS_OP_N, s.ta ? CUBLAS_OP_T : CUBLAS_OP_N, s.n, s.m,
                                    s.k, &one, b, CUDA_R_16BF, s.ldb, a, CUDA_R_16BF, s.lda, md.beta, c, md.ct, s.n,
                                    CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT);
            };
            for (int i = 0; i < 5; i++) CK(call());
            std::vector<float> t;
            for (int r = 0; r < 15; r++) {
                cudaEventRecord(e0);
                for (int i = 0; i < 20; i++) call();
                cudaEventRecord(e1);
                cudaEventSynchronize(e1);
                float ms;
                cudaEventElapsedTime(&ms, e0, e1);
                t.push_back(ms * 1000.f / 20);
            }
            std::sort(t.begin(), t.end());
            float us = t[t.size() / 2];
            printf(" %8.1f (%5.0f)", us, 2.0 * s.m * s.n * s.k / (us * 1e-6) / 1e12);
        }
        printf("\n");
    }
    return 0;
}

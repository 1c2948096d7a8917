// Session 30: AdamW + EMA over the paper preset's flat buffers (1 341 M parameters, fp32 θ, ∇θ, m, v, EMA and a bf16
// copy of θ) in several forms, each timed by CUDA events, median of 15 launches after 3 warm-ups; and the gradient
// norm's first pass in two forms. Built here with: nvcc -O3 -arch=sm_90 -o .gpu/adamw_probe adamw_probe.cu
#include <cuda_bf16.h>
#include <cstdio>
#include <vector>
#include <algorithm>

#define CHECK(x) do { cudaError_t e = (x); if (e != cudaSuccess) { printf("%s: %s\n", #x, cudaGetErrorString(e)); return 1; } } while (0)

struct Hyper { float scale, lr, b1, b2, eps, wd, bias1, sqrtBias2, emaDecay; };

__device__ __forceinline__ void step1(float& w, float g, float& mi, float& vi, float& e, bool decay, const Hyper& h) {
    if (decay) w -= h.lr * h.wd * w;
    mi = h.b1 * mi + (1.f - h.b1) * g;
    vi = h.b2 * vi + (1.f - h.b2) * g * g;
    w -= (h.lr / h.bias1) * mi / (sqrtf(vi) / h.sqrtBias2 + h.eps);
    e = h.emaDecay * e + (1.f - h.emaDecay) * w;
}

// A: the build before session 30: one element a thread, a decay byte a parameter
__global__ void a_byte_each(float* th, const float* gr, float* m, float* v, float* ema, __nv_bfloat16* bf,
                            const unsigned char* mask, size_t n, Hyper h) {
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    float w = th[i], mi = m[i], vi = v[i], e = ema[i];
    step1(w, gr[i] * h.scale, mi, vi, e, mask[i], h);
    m[i] = mi; v[i] = vi; th[i] = w; bf[i] = __float2bfloat16_rn(w); ema[i] = e;
}

// B: one element a thread, a decay byte a group of eight
template <bool STREAM>
__global__ void b_group_byte(float* th, const float* gr, float* m, float* v, float* ema, __nv_bfloat16* bf,
                             const unsigned char* groups, size_t n, Hyper h) {
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    float w, g, mi, vi, e;
    if (STREAM) { w = __ldcs(th + i); g = __ldcs(gr + i); mi = __ldcs(m + i); vi = __ldcs(v + i); e = __ldcs(ema + i); }
    else { w = th[i]; g = gr[i]; mi = m[i]; vi = v[i]; e = ema[i]; }
    step1(w, g * h.scale, mi, vi, e, groups[i >> 3], h);
    if (STREAM) { __stcs(m + i, mi); __stcs(v + i, vi); __stcs(th + i, w); __stcs(ema + i, e); }
    else { m[i] = mi; v[i] = vi; th[i] = w; ema[i] = e; }
    bf[i] = __float2bfloat16_rn(w);
}

// C: VEC elements a thread (VEC = 2 or 4) by 8- or 16-byte loads, a decay byte a group of eight
template <int VEC, bool STREAM>
__global__ void c_vector(float* th, const float* gr, float* m, float* v, float* ema, __nv_bfloat16* bf,
                         const unsigned char* groups, size_t n, Hyper h) {
    size_t k = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    size_t i = k * VEC;
    if (i >= n) return;
    float w[VEC], g[VEC], mi[VEC], vi[VEC], e[VEC];
    typedef typename std::conditional<VEC == 4, float4, float2>::type V;
    auto ld = [&](const float* p, float* o) {
        V x = STREAM ? __ldcs(reinterpret_cast<const V*>(p + i)) : *reinterpret_cast<const V*>(p + i);
        memcpy(o, &x, sizeof(V));
    };
    auto st = [&](float* p, const float* o) {
        V x; memcpy(&x, o, sizeof(V));
        if (STREAM) __stcs(reinterpret_cast<V*>(p + i), x); else *reinterpret_cast<V*>(p + i) = x;
    };
    ld(th, w); ld(gr, g); ld(m, mi); ld(v, vi); ld(ema, e);
    bool decay = groups[i >> 3];
#pragma unroll
    for (int j = 0; j < VEC; j++) step1(w[j], g[j] * h.scale, mi[j], vi[j], e[j], decay, h);
    st(th, w); st(m, mi); st(v, vi); st(ema, e);
    __nv_bfloat162 r[VEC / 2];
#pragma unroll
    for (int j = 0; j < VEC / 2; j++) r[j] = __floats2bfloat162_rn(w[2 * j], w[2 * j + 1]);
    if (VEC == 4) *reinterpret_cast<uint2*>(bf + i) = *reinterpret_cast<const uint2*>(r);
    else *reinterpret_cast<unsigned*>(bf + i) = *reinterpret_cast<const unsigned*>(r);
}

// D: session 30's first form: eight elements a thread by two 16-byte loads an array
__global__ void d_eight(float* th, const float* gr, float* m, float* v, float* ema, __nv_bfloat16* bf,
                        const unsigned char* groups, size_t n, Hyper h) {
    size_t k = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    size_t i = k * 8;
    if (i >= n) return;
    float4 w[2], g[2], mi[2], vi[2], e[2];
    for (int q = 0; q < 2; q++) {
        w[q] = reinterpret_cast<const float4*>(th + i)[q]; g[q] = reinterpret_cast<const float4*>(gr + i)[q];
        mi[q] = reinterpret_cast<const float4*>(m + i)[q]; vi[q] = reinterpret_cast<const float4*>(v + i)[q];
        e[q] = reinterpret_cast<const float4*>(ema + i)[q];
    }
    bool decay = groups[k];
    for (int q = 0; q < 2; q++) {
        step1(w[q].x, g[q].x * h.scale, mi[q].x, vi[q].x, e[q].x, decay, h);
        step1(w[q].y, g[q].y * h.scale, mi[q].y, vi[q].y, e[q].y, decay, h);
        step1(w[q].z, g[q].z * h.scale, mi[q].z, vi[q].z, e[q].z, decay, h);
        step1(w[q].w, g[q].w * h.scale, mi[q].w, vi[q].w, e[q].w, decay, h);
        reinterpret_cast<float4*>(th + i)[q] = w[q]; reinterpret_cast<float4*>(m + i)[q] = mi[q];
        reinterpret_cast<float4*>(v + i)[q] = vi[q]; reinterpret_cast<float4*>(ema + i)[q] = e[q];
    }
    __nv_bfloat162 r[4] = {__floats2bfloat162_rn(w[0].x, w[0].y), __floats2bfloat162_rn(w[0].z, w[0].w),
                           __floats2bfloat162_rn(w[1].x, w[1].y), __floats2bfloat162_rn(w[1].z, w[1].w)};
    *reinterpret_cast<uint4*>(bf + i) = *reinterpret_cast<const uint4*>(r);
}

// The gradient norm's first pass as built (1024 blocks, eight strided loads in flight, double sums) and by float4
template <bool VEC4>
__global__ void sumsq(const float* g, size_t n, double* partial) {
    __shared__ double sh[256];
    double s = 0.0;
    size_t stride = (size_t)gridDim.x * 256, i = (size_t)blockIdx.x * 256 + threadIdx.x;
    if (VEC4) {
        const float4* g4 = reinterpret_cast<const float4*>(g);
        size_t n4 = n / 4;
        for (; i + 3 * stride < n4; i += 4 * stride) {
            float4 x[4];
            for (int j = 0; j < 4; j++) x[j] = g4[i + j * stride];
            for (int j = 0; j < 4; j++) s += (double)x[j].x * x[j].x + (double)x[j].y * x[j].y + (double)x[j].z * x[j].z + (double)x[j].w * x[j].w;
        }
        for (; i < n4; i += stride) { float4 x = g4[i]; s += (double)x.x * x.x + (double)x.y * x.y + (double)x.z * x.z + (double)x.w * x.w; }
    } else {
        for (; i + 7 * stride < n; i += 8 * stride) {
            float x[8];
            for (int j = 0; j < 8; j++) x[j] = g[i + j * stride];
            for (int j = 0; j < 8; j++) s += (double)x[j] * x[j];
        }
        for (; i < n; i += stride) { double x = g[i]; s += x * x; }
    }
    sh[threadIdx.x] = s;
    __syncthreads();
    for (int k = 128; k > 0; k >>= 1) { if (threadIdx.x < k) sh[threadIdx.x] += sh[threadIdx.x + k]; __syncthreads(); }
    if (threadIdx.x == 0) partial[blockIdx.x] = sh[0];
}

__global__ void fill(float* p, size_t n, float a, float b) {
    for (size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x)
        p[i] = a + b * (float)((i * 2654435761u) % 1000) / 1000.f;
}

template <typename F>
static float median_ms(F launch, cudaEvent_t e0, cudaEvent_t e1) {
    std::vector<float> t;
    for (int r = 0; r < 18; r++) {
        cudaEventRecord(e0);
        launch();
        cudaEventRecord(e1);
        cudaEventSynchronize(e1);
        float ms;
        cudaEventElapsedTime(&ms, e0, e1);
        if (r >= 3) t.push_back(ms);
    }
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
}

int main(int argc, char** argv) {
    size_t n = argc > 1 ? strtoull(argv[1], nullptr, 10) : 1341000000ull;
    n = n / 64 * 64;
    float *th, *gr, *m, *v, *ema; __nv_bfloat16* bf; unsigned char *mask, *groups; double* partial;
    CHECK(cudaMalloc(&th, n * 4)); CHECK(cudaMalloc(&gr, n * 4)); CHECK(cudaMalloc(&m, n * 4));
    CHECK(cudaMalloc(&v, n * 4)); CHECK(cudaMalloc(&ema, n * 4)); CHECK(cudaMalloc(&bf, n * 2));
    CHECK(cudaMalloc(&mask, n)); CHECK(cudaMalloc(&groups, n / 8)); CHECK(cudaMalloc(&partial, 1024 * 8));
    fill<<<4096, 256>>>(th, n, -0.05f, 0.1f); fill<<<4096, 256>>>(gr, n, -1e-3f, 2e-3f);
    fill<<<4096, 256>>>(m, n, -1e-4f, 2e-4f); fill<<<4096, 256>>>(v, n, 1e-8f, 1e-7f); fill<<<4096, 256>>>(ema, n, -0.05f, 0.1f);
    CHECK(cudaMemset(mask, 1, n)); CHECK(cudaMemset(groups, 1, n / 8));
    CHECK(cudaDeviceSynchronize());
    Hyper h{0.5f, 1e-4f, 0.9f, 0.999f, 1e-8f, 0.01f, 0.1f, 0.0316f, 0.9999f};
    cudaEvent_t e0, e1; cudaEventCreate(&e0); cudaEventCreate(&e1);
    double bytesA = n * 39.0, bytesG = n * (38.0 + 1.0 / 8);
    auto report = [&](const char* name, float ms, double bytes) {
        printf("%-40s %8.3f ms  %6.3f TB/s\n", name, ms, bytes / ms / 1e9);
    };
    unsigned b1 = (unsigned)((n + 255) / 256);
    printf("n = %zu parameters\n", n);
    for (int round = 0; round < 2; round++) {
        report("A byte a parameter, 1 a thread", median_ms([&] { a_byte_each<<<b1, 256>>>(th, gr, m, v, ema, bf, mask, n, h); }, e0, e1), bytesA);
        report("B byte a group, 1 a thread", median_ms([&] { b_group_byte<false><<<b1, 256>>>(th, gr, m, v, ema, bf, groups, n, h); }, e0, e1), bytesG);
        report("B' as B, streaming hints", median_ms([&] { b_group_byte<true><<<b1, 256>>>(th, gr, m, v, ema, bf, groups, n, h); }, e0, e1), bytesG);
        report("C2 byte a group, 2 a thread", median_ms([&] { c_vector<2, false><<<(unsigned)((n / 2 + 255) / 256), 256>>>(th, gr, m, v, ema, bf, groups, n, h); }, e0, e1), bytesG);
        report("C4 byte a group, 4 a thread", median_ms([&] { c_vector<4, false><<<(unsigned)((n / 4 + 255) / 256), 256>>>(th, gr, m, v, ema, bf, groups, n, h); }, e0, e1), bytesG);
        report("C4' as C4, streaming hints", median_ms([&] { c_vector<4, true><<<(unsigned)((n / 4 + 255) / 256), 256>>>(th, gr, m, v, ema, bf, groups, n, h); }, e0, e1), bytesG);
        report("D byte a group, 8 a thread", median_ms([&] { d_eight<<<(unsigned)((n / 8 + 255) / 256), 256>>>(th, gr, m, v, ema, bf, groups, n, h); }, e0, e1), bytesG);
        report("norm pass as built", median_ms([&] { sumsq<false><<<1024, 256>>>(gr, n, partial); }, e0, e1), n * 4.0);
        report("norm pass by float4", median_ms([&] { sumsq<true><<<1024, 256>>>(gr, n, partial); }, e0, e1), n * 4.0);
        report("norm pass by float4, 4096 blocks", median_ms([&] { sumsq<true><<<4096, 256>>>(gr, n, partial); }, e0, e1), n * 4.0);
        report("memset of the gradients", median_ms([&] { cudaMemsetAsync(gr, 0, n * 4); }, e0, e1), n * 4.0);
        report("copy θ to m (read + write)", median_ms([&] { cudaMemcpyAsync(m, th, n * 4, cudaMemcpyDeviceToDevice); }, e0, e1), n * 8.0);
    }
    CHECK(cudaGetLastError());
    return 0;
}

// MDM inference kernels (SPEC.md §2-§7). Every kernel comes in an fp32 and, where activations are stored, a bf16
// flavour (suffix _f32 / _bf16): bf16 is storage only, arithmetic and SSM state stay fp32.
// Row-major throughout; "rows" are tokens (batch-major: row = sample·L + position).
#include <cuda_bf16.h>
#include <stdint.h>
#include <type_traits>
#if __CUDA_ARCH__ >= 900
#include <cooperative_groups.h>
#endif

typedef __nv_bfloat16 bf16;

__device__ __forceinline__ float ld(const float* p, size_t i) { return p[i]; }
__device__ __forceinline__ float ld(const bf16* p, size_t i) { return __bfloat162float(p[i]); }
__device__ __forceinline__ void st(float* p, size_t i, float v) { p[i] = v; }
__device__ __forceinline__ void st(bf16* p, size_t i, float v) { p[i] = __float2bfloat16(v); }
__device__ __forceinline__ float silu(float v) { return v / (1.f + expf(-v)); }
// For values rounded to bf16 next (the tensor-core SSD kernels, the conv writing bf16): the SFU's exp2 and an
// approximate division, within a few fp32 ulp (bf16 keeps 8 bits), ≈ 20 instructions fewer per call than IEEE expf
// and division; the fp32 kernels keep the exact forms
__device__ __forceinline__ float exp_approx(float v) { return __expf(v); }
__device__ __forceinline__ float silu_approx(float v) { return __fdividef(v, 1.f + __expf(-v)); }
template <typename TO> __device__ __forceinline__ float silu_into(float v) {
    return sizeof(TO) == 2 ? silu_approx(v) : silu(v);
}
__device__ __forceinline__ uint32_t pack_bf16(float lo, float hi) {
    __nv_bfloat162 v = __floats2bfloat162_rn(lo, hi);
    return *reinterpret_cast<uint32_t*>(&v);
}
__device__ __forceinline__ float2 ld2(const float* p, size_t i) { return *reinterpret_cast<const float2*>(p + i); }
__device__ __forceinline__ float2 ld2(const bf16* p, size_t i) {
    return __bfloat1622float2(*reinterpret_cast<const __nv_bfloat162*>(p + i));
}
__device__ __forceinline__ float4 ld4(const float* p, size_t i) { return *reinterpret_cast<const float4*>(p + i); }
__device__ __forceinline__ float4 ld4(const bf16* p, size_t i) {
    uint2 u = *reinterpret_cast<const uint2*>(p + i);
    float2 lo = __bfloat1622float2(*reinterpret_cast<__nv_bfloat162*>(&u.x));
    float2 hi = __bfloat1622float2(*reinterpret_cast<__nv_bfloat162*>(&u.y));
    return make_float4(lo.x, lo.y, hi.x, hi.y);
}
__device__ __forceinline__ float f4(const float4& v, int k) { return k == 0 ? v.x : k == 1 ? v.y : k == 2 ? v.z : v.w; }

// Sum over the block; every thread gets the total. blockDim.x is a multiple of 32, at most 1024.
__device__ float block_sum(float v) {
    __shared__ float warp_sums[32];
    __shared__ float total;
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    if (lane == 0) warp_sums[warp] = v;
    __syncthreads();
    if (warp == 0) {
        int nw = blockDim.x >> 5;
        float s = lane < nw ? warp_sums[lane] : 0.f;
        for (int o = 16; o > 0; o >>= 1) s += __shfl_xor_sync(0xffffffffu, s, o);
        if (lane == 0) total = s;
    }
    __syncthreads();
    float r = total;
    __syncthreads();
    return r;
}

// ---------------------------------------------------------------------------------------------------------------
// Residual add + RMSNorm with the scan-switch permutation folded into the indices (SPEC §5, decision D1).
// For canonical row r = (sample, l): x[r] += ds·delta[dRow], dRow = sample·L + deltaPos[l] (delta null: no add;
// deltaPos null: identity), then, when out is set and outPos[l] >= 0 (outPos null: identity),
// out[sample·outRows + outPos[l]] = x[r] / sqrt(mean(x[r]²) + eps) · w. One block per row.
// ds = 1, or with deltaSS set (delta = out_proj of the folded gated norm: ssd_chunk_output_tc FOLD)
// ds = rsqrt(Σ_k deltaSS[dRow·ssParts + k] · ssInvWidth + eps), the gated norm's scale applied after out_proj.
__device__ __forceinline__ float delta_scale(const float* __restrict__ deltaSS, size_t dRow, int ssParts,
                                             float ssInvWidth, float eps) {
    if (!deltaSS) return 1.f;
    float part = 0.f;  // every warp sums the parts itself: no barrier
    for (int k = threadIdx.x & 31; k < ssParts; k += 32) part += deltaSS[dRow * ssParts + k];
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) part += __shfl_xor_sync(0xffffffffu, part, o);
    return rsqrtf(part * ssInvWidth + eps);
}
// delta as TD: fp32, or bf16 (_dbf16: out_proj of a folded mixer, written in bf16)
template <typename TD, typename TO>
__device__ void add_rmsnorm(float* __restrict__ x, const TD* __restrict__ delta, const int* __restrict__ deltaPos,
                            const float* __restrict__ deltaSS, int ssParts, float ssInvWidth,
                            const float* __restrict__ w, TO* __restrict__ out, const int* __restrict__ outPos,
                            int L, int outRows, int d, float eps) {
    int r = blockIdx.x;
    int sample = r / L, l = r % L;
    float* xr = x + (size_t)r * d;
    size_t dRow = (size_t)sample * L + (deltaPos ? deltaPos[l] : l);
    const TD* dr = delta ? delta + dRow * d : nullptr;
    float ds = dr ? delta_scale(deltaSS, dRow, ssParts, ssInvWidth, eps) : 1.f;
    float ss = 0.f;
    for (int i = threadIdx.x; i < d; i += blockDim.x) {
        float v = xr[i];
        if (dr) { v += ds * ld(dr, i); xr[i] = v; }
        ss += v * v;
    }
    if (!out) return;
    int op = outPos ? outPos[l] : l;
    ss = block_sum(ss);
    if (op < 0) return;
    float rstd = rsqrtf(ss / d + eps);
    TO* o = out + ((size_t)sample * outRows + op) * d;
    for (int i = threadIdx.x; i < d; i += blockDim.x) st(o, i, xr[i] * rstd * w[i]);
}
#define ADD_RMSNORM_ARGS(TD, TO) float* x, const TD* delta, const int* deltaPos, const float* deltaSS, \
    int ssParts, float ssInvWidth, const float* w, TO* out, const int* outPos, int L, int outRows, int d, float eps
// one entry per delta and output type: add_rmsnorm[_vec][_dbf16]_{f32,bf16}
#define ADD_RMSNORM_ENTRY(NAME, FN, TD, TO) \
    extern "C" __global__ void NAME(ADD_RMSNORM_ARGS(TD, TO)) { \
        FN<TD, TO>(x, delta, deltaPos, deltaSS, ssParts, ssInvWidth, w, out, outPos, L, outRows, d, eps); \
    }
ADD_RMSNORM_ENTRY(add_rmsnorm_f32, add_rmsnorm, float, float)
ADD_RMSNORM_ENTRY(add_rmsnorm_bf16, add_rmsnorm, float, bf16)
ADD_RMSNORM_ENTRY(add_rmsnorm_dbf16_f32, add_rmsnorm, bf16, float)
ADD_RMSNORM_ENTRY(add_rmsnorm_dbf16_bf16, add_rmsnorm, bf16, bf16)

// The same with each thread's elements held in registers between the two passes and moved as float4: one load round
// trip instead of two (rows up to NORM_VEC·4·blockDim wide, d a multiple of 4, 16-byte aligned rows).
#define NORM_VEC 4
__device__ __forceinline__ float dot4(float4 a) { return a.x * a.x + a.y * a.y + a.z * a.z + a.w * a.w; }
__device__ __forceinline__ void st4(float* p, size_t i4, float4 v) { reinterpret_cast<float4*>(p)[i4] = v; }
__device__ __forceinline__ void st4(bf16* p, size_t i4, float4 v) {
    __nv_bfloat162 lo = __floats2bfloat162_rn(v.x, v.y), hi = __floats2bfloat162_rn(v.z, v.w);
    reinterpret_cast<uint2*>(p)[i4] = make_uint2(*reinterpret_cast<uint32_t*>(&lo), *reinterpret_cast<uint32_t*>(&hi));
}
// the i-th group of four elements
__device__ __forceinline__ float4 ld4_at(const float* p, int i) { return reinterpret_cast<const float4*>(p)[i]; }
// four bf16 (two per word, the first in the low half) widened to fp32: exact, a shift or a mask each
__device__ __forceinline__ float4 widen_bf16x4(uint2 u) {
    return make_float4(__uint_as_float(u.x << 16), __uint_as_float(u.x & 0xffff0000u), __uint_as_float(u.y << 16),
                       __uint_as_float(u.y & 0xffff0000u));
}
__device__ __forceinline__ float4 ld4_at(const bf16* p, int i) {
    return widen_bf16x4(reinterpret_cast<const uint2*>(p)[i]);
}
__device__ __forceinline__ float4 fma4(float s, float4 a, float4 b) {
    return make_float4(fmaf(s, a.x, b.x), fmaf(s, a.y, b.y), fmaf(s, a.z, b.z), fmaf(s, a.w, b.w));
}
__device__ __forceinline__ float4 scale4(float4 v, float s, float4 w) {
    return make_float4(v.x * s * w.x, v.y * s * w.y, v.z * s * w.z, v.w * s * w.w);
}
template <typename TD, typename TO>
__device__ void add_rmsnorm_vec(float* __restrict__ x, const TD* __restrict__ delta, const int* __restrict__ deltaPos,
                                const float* __restrict__ deltaSS, int ssParts, float ssInvWidth,
                                const float* __restrict__ w, TO* __restrict__ out, const int* __restrict__ outPos,
                                int L, int outRows, int d, float eps) {
    int r = blockIdx.x;
    int sample = r / L, l = r % L, n4 = d >> 2;
    float4* xr = reinterpret_cast<float4*>(x + (size_t)r * d);
    size_t dRow = (size_t)sample * L + (deltaPos ? deltaPos[l] : l);
    const TD* dr = delta ? delta + dRow * d : nullptr;
    float4 v[NORM_VEC], q[NORM_VEC];
#pragma unroll
    for (int k = 0; k < NORM_VEC; k++) {
        int i = threadIdx.x + k * blockDim.x;
        v[k] = i < n4 ? xr[i] : make_float4(0.f, 0.f, 0.f, 0.f);
        q[k] = (dr && i < n4) ? ld4_at(dr, i) : make_float4(0.f, 0.f, 0.f, 0.f);
    }
    float ds = dr ? delta_scale(deltaSS, dRow, ssParts, ssInvWidth, eps) : 1.f;
    float ss = 0.f;
#pragma unroll
    for (int k = 0; k < NORM_VEC; k++) {
        int i = threadIdx.x + k * blockDim.x;
        if (dr) {
            v[k] = fma4(ds, q[k], v[k]);  // ds = 1 without deltaSS: exactly v + q
            if (i < n4) xr[i] = v[k];
        }
        ss += dot4(v[k]);
    }
    if (!out) return;
    int op = outPos ? outPos[l] : l;
    ss = block_sum(ss);
    if (op < 0) return;
    float rstd = rsqrtf(ss / d + eps);
    size_t o4 = ((size_t)sample * outRows + op) * n4;
#pragma unroll
    for (int k = 0; k < NORM_VEC; k++) {
        int i = threadIdx.x + k * blockDim.x;
        if (i < n4) st4(out, o4 + i, scale4(v[k], rstd, reinterpret_cast<const float4*>(w)[i]));
    }
}
ADD_RMSNORM_ENTRY(add_rmsnorm_vec_f32, add_rmsnorm_vec, float, float)
ADD_RMSNORM_ENTRY(add_rmsnorm_vec_bf16, add_rmsnorm_vec, float, bf16)
ADD_RMSNORM_ENTRY(add_rmsnorm_vec_dbf16_f32, add_rmsnorm_vec, bf16, float)
ADD_RMSNORM_ENTRY(add_rmsnorm_vec_dbf16_bf16, add_rmsnorm_vec, bf16, bf16)

// ---------------------------------------------------------------------------------------------------------------
// Causal depthwise conv1d (left zero padding K-1) + bias + SiLU over channels [inOff, inOff + C) of in (SPEC §6.2).
template <typename T>
__device__ void conv_silu(const T* __restrict__ in, int inStride, int inOff, T* __restrict__ out, int outStride,
                          const float* __restrict__ w, const float* __restrict__ bias, int rows, int L, int C, int K) {
    size_t idx = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (idx >= (size_t)rows * C) return;
    int r = (int)(idx / C), c = (int)(idx % C);
    int l = r % L;
    float acc = bias[c];
    for (int k = 0; k < K; k++) {
        int back = K - 1 - k;
        if (l - back >= 0) acc += w[c * K + k] * ld(in, (size_t)(r - back) * inStride + inOff + c);
    }
    st(out, (size_t)r * outStride + c, silu(acc));
}
extern "C" __global__ void conv_silu_f32(const float* in, int inStride, int inOff, float* out, int outStride,
                                         const float* w, const float* bias, int rows, int L, int C, int K) {
    conv_silu<float>(in, inStride, inOff, out, outStride, w, bias, rows, L, C, K);
}
extern "C" __global__ void conv_silu_bf16(const bf16* in, int inStride, int inOff, bf16* out, int outStride,
                                          const float* w, const float* bias, int rows, int L, int C, int K) {
    conv_silu<bf16>(in, inStride, inOff, out, outStride, w, bias, rows, L, C, K);
}

// The same for K <= 4: a thread per V consecutive channels (V = 4: float4 loads, 16- or 8-byte stores; channels, strides
// and offsets multiples of 4) and CONV_ROWS consecutive rows, so each input is read once per tile (plus a halo of 3
// rows) with every load issued before the first use; rows of another sample are masked by position.
// grid (ceil(rows / CONV_ROWS), ceil(C / V / blockDim)).
#define CONV_ROWS 8
template <int V> struct convVec;
template <> struct convVec<1> {
    typedef float t;
    template <typename T> __device__ static float load(const T* p, size_t i) { return ld(p, i); }
    template <typename T> __device__ static void store(T* p, size_t i, float v) { st(p, i, v); }
    __device__ static float at(float v, int) { return v; }
    __device__ static void set(float& v, int, float x) { v = x; }
};
template <> struct convVec<4> {
    typedef float4 t;
    template <typename T> __device__ static float4 load(const T* p, size_t i) { return ld4(p, i); }
    __device__ static void store(float* p, size_t i, float4 v) { *reinterpret_cast<float4*>(p + i) = v; }
    __device__ static void store(bf16* p, size_t i, float4 v) {
        *reinterpret_cast<uint2*>(p + i) = make_uint2(pack_bf16(v.x, v.y), pack_bf16(v.z, v.w));
    }
    __device__ static float at(const float4& v, int e) { return f4(v, e); }
    __device__ static void set(float4& v, int e, float x) {
        if (e == 0) v.x = x; else if (e == 1) v.y = x; else if (e == 2) v.z = x; else v.w = x;
    }
};
// bf16 input four channels a thread, kept packed (two registers a row, not four) until each value is used: the tile's
// 11 rows then fit the registers of eight blocks an SM
struct convVecBf16In {
    typedef uint2 t;
    __device__ static uint2 load(const bf16* p, size_t i) { return *reinterpret_cast<const uint2*>(p + i); }
    __device__ static float at(const uint2& v, int e) {
        uint32_t u = e < 2 ? v.x : v.y;
        return __uint_as_float(e & 1 ? u & 0xffff0000u : u << 16);
    }
    __device__ static void zero(uint2& v) { v = make_uint2(0u, 0u); }
};
template <int V> struct convVecIn : convVec<V> {
    __device__ static void zero(typename convVec<V>::t& v) {
        for (int e = 0; e < V; e++) convVec<V>::set(v, e, 0.f);
    }
};
template <int V, typename TI, typename TO>
__device__ void conv_silu_tiled(const TI* __restrict__ in, int inStride, int inOff, TO* __restrict__ out, int outStride,
                                const float* __restrict__ w, const float* __restrict__ bias, int rows, int L, int C,
                                int K) {
    typedef convVec<V> CV;
    typedef typename std::conditional<V == 4 && sizeof(TI) == 2, convVecBf16In, convVecIn<V>>::type CVI;
    int c = (blockIdx.y * blockDim.x + threadIdx.x) * V;
    if (c >= C) return;
    int r0 = blockIdx.x * CONV_ROWS;
    typename CVI::t v[CONV_ROWS + 3];  // v[j] = input row r0 − 3 + j
#pragma unroll
    for (int j = 0; j < CONV_ROWS + 3; j++) {
        int r = r0 - 3 + j;
        if (r >= 0 && r < rows) v[j] = CVI::load(in, (size_t)r * inStride + inOff + c);
        else CVI::zero(v[j]);
    }
    float wb[4][V], bc[V];  // wb[back][e] multiplies row r − back of channel c + e
#pragma unroll
    for (int e = 0; e < V; e++) {
        bc[e] = bias[c + e];
#pragma unroll
        for (int back = 0; back < 4; back++) wb[back][e] = back < K ? w[(c + e) * K + K - 1 - back] : 0.f;
    }
    int l0 = r0 % L;
#pragma unroll
    for (int i = 0; i < CONV_ROWS; i++) {
        int r = r0 + i;
        if (r >= rows) break;
        int l = (l0 + i) % L;
        typename CV::t o;
#pragma unroll
        for (int e = 0; e < V; e++) {
            float acc = bc[e];
#pragma unroll
            for (int back = 0; back < 4; back++) {
                if (l >= back) acc += wb[back][e] * CVI::at(v[i + 3 - back], e);
            }
            CV::set(o, e, silu_into<TO>(acc));
        }
        CV::store(out, (size_t)r * outStride + c, o);
    }
}
#define CONV_TILED_ARGS(TI, TO) const TI* in, int inStride, int inOff, TO* out, int outStride, const float* w, \
    const float* bias, int rows, int L, int C, int K
#define CONV_TILED_ENTRY(NAME, V, TI, TO) \
    extern "C" __global__ void NAME(CONV_TILED_ARGS(TI, TO)) { \
        conv_silu_tiled<V, TI, TO>(in, inStride, inOff, out, outStride, w, bias, rows, L, C, K); \
    }
CONV_TILED_ENTRY(conv_silu_tiled_f32, 1, float, float)
CONV_TILED_ENTRY(conv_silu_tiled_bf16, 1, bf16, bf16)
// fp32 in_proj rows in, bf16 out: x, B and C for the tensor-core SSD kernels, which round them to bf16 anyway
CONV_TILED_ENTRY(conv_silu_tiled_f32_bf16, 1, float, bf16)
CONV_TILED_ENTRY(conv_silu_tiled_vec_f32, 4, float, float)
CONV_TILED_ENTRY(conv_silu_tiled_vec_bf16, 4, bf16, bf16)
CONV_TILED_ENTRY(conv_silu_tiled_vec_f32_bf16, 4, float, bf16)

// ---------------------------------------------------------------------------------------------------------------
// Chunked SSD (Mamba-2 state space duality), discretization fused (SPEC §6.4-6.5).
// Per token t and head h: Δ = softplus(dt + dtBias) (or dt as given), a = Δ·A, B̄ coefficient
// coef = Δ (EULER) or expm1(a)/A (ZOH). Inside a chunk of Q tokens with inclusive cumulative sum s_t of a:
//   chunk state  S_c = Σ_t exp(s_last − s_t)·coef_t·x_t ⊗ B_t
//   state in     Sin_{c+1} = exp(s_last,c)·Sin_c + S_c
//   y_t = exp(s_t)·Sin·C_t + Σ_{u≤t} (C_t·B_u)·exp(s_t − s_u)·coef_u·x_u + D·x_t, then ·SiLU(z_t).

struct SsdDims { int L, H, P, G, N, Q, nChunks; };

__device__ __forceinline__ float discretize(float dtv, const float* dtBias, int softplus, int h, float A, int zoh,
                                            float* coef) {
    if (softplus) {
        float v = dtv + dtBias[h];
        dtv = v > 20.f ? v : log1pf(expf(v));
    }
    float a = dtv * A;
    *coef = zoh ? (A != 0.f ? expm1f(a) / A : dtv) : dtv;
    return a;
}

// The fp32 kernels keep each chunk's cumulative a as a pair of floats, hi (acum) and lo (acumLo), summed in double:
// the decay between two tokens of a chunk, exp(s_t − s_u), then comes from a difference accurate to its own size, not
// to the size of s (up to ≈ 100 at mamba_ssm's A = −16 … −1 over 64 tokens, where a float's rounding alone, ≈ 4e-6,
// put errors of 1e-5 into the mixer's fp32 output: PERF.md, "Found and fixed in session 16").
__device__ __forceinline__ float seg_exp(const float* hi, const float* lo, int t, int u) {
    return expf((hi[t] - hi[u]) + (lo[t] - lo[u]));
}
__device__ __forceinline__ void split_double(double v, float* hi, float* lo) {
    float h = (float)v;
    *hi = h;
    *lo = (float)(v - (double)h);
}

// grid (nChunks, H, batch). Writes acum/coef [batch, H, L] and the chunk's own state [batch, nChunks, H, N, P].
template <typename T>
__device__ void ssd_chunk_state(const T* __restrict__ x, int xStride, const T* __restrict__ B, int bStride,
                                const T* __restrict__ dt, int dtStride, const float* __restrict__ dtBias, int softplus,
                                const float* __restrict__ A, int zoh, float* __restrict__ acum,
                                float* __restrict__ coefOut, float* __restrict__ states, float* __restrict__ acumLo,
                                SsdDims s) {
    extern __shared__ float sm[];
    int c = blockIdx.x, h = blockIdx.y, b = blockIdx.z;
    int t0 = c * s.Q, len = min(s.Q, s.L - t0);
    int g = h / (s.H / s.G);
    float* sa = sm;                 // Q: a, then cumulative sum (hi)
    float* sc = sa + s.Q;           // Q: coef
    float* sl = sc + s.Q;           // Q: cumulative sum (lo)
    float* sx = sl + s.Q;           // Q×P: x·coef·exp(s_last − s_t)
    float* sb = sx + s.Q * s.P;     // Q×N
    float Ah = A[h];
    for (int t = threadIdx.x; t < s.Q; t += blockDim.x) {
        float a = 0.f, cf = 0.f;
        if (t < len) a = discretize(ld(dt, (size_t)(b * s.L + t0 + t) * dtStride + h), dtBias, softplus, h, Ah, zoh, &cf);
        sa[t] = a;
        sc[t] = cf;
    }
    __syncthreads();
    if (threadIdx.x == 0) {
        double run = 0.0;
        for (int t = 0; t < len; t++) { run += sa[t]; split_double(run, sa + t, sl + t); }
    }
    __syncthreads();
    size_t base = (size_t)(b * s.H + h) * s.L + t0;
    for (int t = threadIdx.x; t < len; t += blockDim.x) {
        acum[base + t] = sa[t];
        acumLo[base + t] = sl[t];
        coefOut[base + t] = sc[t];
    }
    for (int i = threadIdx.x; i < s.Q * s.P; i += blockDim.x) {
        int t = i / s.P, p = i % s.P;
        sx[i] = t < len ? ld(x, (size_t)(b * s.L + t0 + t) * xStride + h * s.P + p) * sc[t] * seg_exp(sa, sl, len - 1, t)
                        : 0.f;
    }
    for (int i = threadIdx.x; i < s.Q * s.N; i += blockDim.x) {
        int t = i / s.N, n = i % s.N;
        sb[i] = t < len ? ld(B, (size_t)(b * s.L + t0 + t) * bStride + g * s.N + n) : 0.f;
    }
    __syncthreads();
    float* out = states + ((size_t)(b * s.nChunks + c) * s.H + h) * s.P * s.N;
    for (int i = threadIdx.x; i < s.P * s.N; i += blockDim.x) {
        int p = i / s.N, n = i % s.N;
        float acc = 0.f;
        for (int t = 0; t < len; t++) acc += sx[t * s.P + p] * sb[t * s.N + n];
        out[n * s.P + p] = acc;
    }
}
#define SSD_STATE_ARGS(T) const T* x, int xStride, const T* B, int bStride, const T* dt, int dtStride, \
    const float* dtBias, int softplus, const float* A, int zoh, float* acum, float* coef, float* states, \
    int L, int H, int P, int G, int N, int Q, int nChunks, float* acumLo
extern "C" __global__ void ssd_chunk_state_f32(SSD_STATE_ARGS(float)) {
    ssd_chunk_state<float>(x, xStride, B, bStride, dt, dtStride, dtBias, softplus, A, zoh, acum, coef, states, acumLo,
                           SsdDims{L, H, P, G, N, Q, nChunks});
}
extern "C" __global__ void ssd_chunk_state_bf16(SSD_STATE_ARGS(bf16)) {
    ssd_chunk_state<bf16>(x, xStride, B, bStride, dt, dtStride, dtBias, softplus, A, zoh, acum, coef, states, acumLo,
                          SsdDims{L, H, P, G, N, Q, nChunks});
}

// The state pass: from each chunk's own state ([batch, nChunks, H, N, P]: fp32, or bf16 from the tensor-core state
// kernel) the state entering each chunk, Sin_0 = 0, Sin_{c+1} = exp(s_last,c)·Sin_c + S_c, summed in fp32 and written
// to `in` (fp32, may be `own` itself: in place; or bf16, for the tensor-core output kernel, which rounds the state to
// bf16 anyway). A thread owns V consecutive elements of one (sample, head) and walks the chunks eight at a time, the
// next eight chunks' loads issued before the current eight are stored (the walk is latency-bound otherwise).
// grid (ceil(P·N / V / blockDim), H, batch).
template <int V> struct vecf;
template <> struct vecf<1> { typedef float t; };
template <> struct vecf<4> { typedef float4 t; };
__device__ __forceinline__ float fma_decay(float run, float d, float own) { return run * d + own; }
__device__ __forceinline__ float4 fma_decay(float4 run, float d, float4 own) {
    return make_float4(run.x * d + own.x, run.y * d + own.y, run.z * d + own.z, run.w * d + own.w);
}
__device__ __forceinline__ float ld_state(const float* p, size_t i, float) { return p[i]; }
__device__ __forceinline__ float4 ld_state(const float* p, size_t i, float4) { return *reinterpret_cast<const float4*>(p + i); }
__device__ __forceinline__ float4 ld_state(const bf16* p, size_t i, float4) {
    uint2 u = *reinterpret_cast<const uint2*>(p + i);
    float2 lo = __bfloat1622float2(*reinterpret_cast<__nv_bfloat162*>(&u.x));
    float2 hi = __bfloat1622float2(*reinterpret_cast<__nv_bfloat162*>(&u.y));
    return make_float4(lo.x, lo.y, hi.x, hi.y);
}
__device__ __forceinline__ void st_state(float* p, size_t i, float v) { p[i] = v; }
__device__ __forceinline__ void st_state(bf16* p, size_t i, float v) { p[i] = __float2bfloat16(v); }
__device__ __forceinline__ void st_state(float* p, size_t i, float4 v) { *reinterpret_cast<float4*>(p + i) = v; }
__device__ __forceinline__ void st_state(bf16* p, size_t i, float4 v) {
    __nv_bfloat162 lo = __floats2bfloat162_rn(v.x, v.y), hi = __floats2bfloat162_rn(v.z, v.w);
    *reinterpret_cast<uint2*>(p + i) = make_uint2(*reinterpret_cast<uint32_t*>(&lo), *reinterpret_cast<uint32_t*>(&hi));
}
template <int V, typename TI, typename TO>
__device__ void ssd_state_pass(const TI* own, TO* in, const float* __restrict__ acum, int L, int H, int P, int N,
                               int Q, int nChunks) {
    typedef typename vecf<V>::t vt;
    int e = (blockIdx.x * blockDim.x + threadIdx.x) * V;
    int h = blockIdx.y, b = blockIdx.z;
    if (e >= P * N) return;
    size_t stride = (size_t)H * P * N;
    size_t base = ((size_t)b * nChunks * H + h) * P * N + e;
    const float* ac = acum + (size_t)(b * H + h) * L;
    vt zero;
    memset(&zero, 0, sizeof(vt));
    vt run = zero, cur[8];
    float dcur[8];
#pragma unroll
    for (int k = 0; k < 8; k++) {
        cur[k] = k < nChunks ? ld_state(own, base + k * stride, zero) : zero;
        dcur[k] = k < nChunks ? ac[min(L, (k + 1) * Q) - 1] : 0.f;
    }
    for (int c0 = 0; c0 < nChunks; c0 += 8) {
        vt nxt[8];
        float dnxt[8];
#pragma unroll
        for (int k = 0; k < 8; k++) {
            int c = c0 + 8 + k;
            nxt[k] = c < nChunks ? ld_state(own, base + c * stride, zero) : zero;
            dnxt[k] = c < nChunks ? ac[min(L, (c + 1) * Q) - 1] : 0.f;
        }
#pragma unroll
        for (int k = 0; k < 8; k++) {
            int c = c0 + k;
            if (c < nChunks) {
                st_state(in, base + c * stride, run);
                run = fma_decay(run, expf(dcur[k]), cur[k]);
            }
        }
#pragma unroll
        for (int k = 0; k < 8; k++) { cur[k] = nxt[k]; dcur[k] = dnxt[k]; }
    }
}
#define SSD_PASS_ARGS(TI, TO) const TI* own, TO* in, const float* acum, int L, int H, int P, int N, int Q, int nChunks
extern "C" __global__ void ssd_state_pass_f32(SSD_PASS_ARGS(float, float)) {
    ssd_state_pass<1, float, float>(own, in, acum, L, H, P, N, Q, nChunks);
}
extern "C" __global__ void ssd_state_pass_vec_f32(SSD_PASS_ARGS(float, float)) {
    ssd_state_pass<4, float, float>(own, in, acum, L, H, P, N, Q, nChunks);
}
// bf16 out: the entering states for the tensor-core output kernel, from the tensor-core state kernel's fp32 or (_bs)
// bf16 own states; four elements per thread either way (eight bf16 per thread halved the threads and was slower)
extern "C" __global__ void ssd_state_pass_vec_bf16(SSD_PASS_ARGS(float, bf16)) {
    ssd_state_pass<4, float, bf16>(own, in, acum, L, H, P, N, Q, nChunks);
}
extern "C" __global__ void ssd_state_pass_vec_bs_bf16(SSD_PASS_ARGS(bf16, bf16)) {
    ssd_state_pass<4, bf16, bf16>(own, in, acum, L, H, P, N, Q, nChunks);
}

// grid (nChunks, H, batch). y (fp32, row stride yStride) = scan output + D·x, gated by SiLU(z) when z is set.
template <typename T>
__device__ void ssd_chunk_output(const T* __restrict__ x, int xStride, const T* __restrict__ B,
                                 const T* __restrict__ C, int bcStride, const T* __restrict__ z, int zStride,
                                 const float* __restrict__ D, const float* __restrict__ acum,
                                 const float* __restrict__ coef, const float* __restrict__ states,
                                 float* __restrict__ y, int yStride, const float* __restrict__ acumLo, SsdDims s) {
    extern __shared__ float sm[];
    int c = blockIdx.x, h = blockIdx.y, b = blockIdx.z;
    int t0 = c * s.Q, len = min(s.Q, s.L - t0);
    int g = h / (s.H / s.G);
    int NP = s.N + 1;  // padded rows: no bank conflicts on column walks
    float* sa = sm;                                  // Q cumulative a (hi)
    float* sl = sa + s.Q;                            // Q cumulative a (lo)
    float* sC = sl + s.Q;                            // Q×NP
    float* sBS = sC + s.Q * NP;                      // max(Q,P)×NP: B, then the state entering the chunk
    float* sX = sBS + max(s.Q, s.P) * NP;            // Q×P: coef·x
    float* sM = sX + s.Q * s.P;                      // Q×Q masked decayed C·B
    size_t tb = (size_t)(b * s.H + h) * s.L + t0;
    for (int t = threadIdx.x; t < s.Q; t += blockDim.x) {
        sa[t] = t < len ? acum[tb + t] : 0.f;
        sl[t] = t < len ? acumLo[tb + t] : 0.f;
    }
    for (int i = threadIdx.x; i < s.Q * s.N; i += blockDim.x) {
        int t = i / s.N, n = i % s.N;
        size_t row = (size_t)(b * s.L + t0 + t) * bcStride + g * s.N + n;
        sC[t * NP + n] = t < len ? ld(C, row) : 0.f;
        sBS[t * NP + n] = t < len ? ld(B, row) : 0.f;
    }
    for (int i = threadIdx.x; i < s.Q * s.P; i += blockDim.x) {
        int t = i / s.P, p = i % s.P;
        sX[i] = t < len ? ld(x, (size_t)(b * s.L + t0 + t) * xStride + h * s.P + p) * coef[tb + t] : 0.f;
    }
    __syncthreads();
    for (int i = threadIdx.x; i < s.Q * s.Q; i += blockDim.x) {
        int t = i / s.Q, u = i % s.Q;
        float acc = 0.f;
        if (u <= t && t < len) {
            for (int n = 0; n < s.N; n++) acc += sC[t * NP + n] * sBS[u * NP + n];
            acc *= seg_exp(sa, sl, t, u);
        }
        sM[i] = acc;
    }
    __syncthreads();
    const float* st_in = states + ((size_t)(b * s.nChunks + c) * s.H + h) * s.P * s.N;
    for (int i = threadIdx.x; i < s.P * s.N; i += blockDim.x) {
        int p = i / s.N, n = i % s.N;
        sBS[p * NP + n] = st_in[n * s.P + p];
    }
    __syncthreads();
    float Dh = D ? D[h] : 0.f;
    for (int i = threadIdx.x; i < len * s.P; i += blockDim.x) {
        int t = i / s.P, p = i % s.P;
        float inter = 0.f;
        for (int n = 0; n < s.N; n++) inter += sC[t * NP + n] * sBS[p * NP + n];
        float acc = inter * expf(sa[t] + sl[t]);
        for (int u = 0; u <= t; u++) acc += sM[t * s.Q + u] * sX[u * s.P + p];
        size_t row = (size_t)(b * s.L + t0 + t);
        acc += Dh * ld(x, row * xStride + h * s.P + p);
        if (z) acc *= silu(ld(z, row * zStride + h * s.P + p));
        y[row * yStride + h * s.P + p] = acc;
    }
}
#define SSD_OUT_ARGS(T) const T* x, int xStride, const T* B, const T* C, int bcStride, const T* z, int zStride, \
    const float* D, const float* acum, const float* coef, const float* states, float* y, int yStride, \
    int L, int H, int P, int G, int N, int Q, int nChunks, const float* acumLo
extern "C" __global__ void ssd_chunk_output_f32(SSD_OUT_ARGS(float)) {
    ssd_chunk_output<float>(x, xStride, B, C, bcStride, z, zStride, D, acum, coef, states, y, yStride, acumLo,
                            SsdDims{L, H, P, G, N, Q, nChunks});
}
extern "C" __global__ void ssd_chunk_output_bf16(SSD_OUT_ARGS(bf16)) {
    ssd_chunk_output<bf16>(x, xStride, B, C, bcStride, z, zStride, D, acum, coef, states, y, yStride, acumLo,
                           SsdDims{L, H, P, G, N, Q, nChunks});
}

// An inclusive scan of 64 values held two per lane of a warp (lane ht: elements 2·ht and 2·ht + 1), in S.
template <typename S>
__device__ __forceinline__ void pair_scan(S v0, S v1, int ht, S* first, S* second) {
    S pair = v0 + v1, run = pair;
    for (int o = 1; o < 32; o <<= 1) {
        S up = __shfl_up_sync(0xffffffffu, run, o);
        if (ht >= o) run += up;
    }
    *first = run - pair + v0;
    *second = run;
}
// The Q = 64 state kernels' middle: after a barrier (sa and sc of every head written), one warp per head (thread index
// ht in it) turns its 64 a's into their inclusive cumulative sum, two per lane; after a second barrier both go out to
// acum / coef at `base`.
__device__ __forceinline__ void chunk_cumsum_out(float* sa, const float* sc, int ht, int len, float* __restrict__ acum,
                                                 float* __restrict__ coefOut, size_t base) {
    __syncthreads();
    if (ht < 32) pair_scan<float>(sa[2 * ht], sa[2 * ht + 1], ht, sa + 2 * ht, sa + 2 * ht + 1);
    __syncthreads();
    if (ht < len) { acum[base + ht] = sa[ht]; coefOut[base + ht] = sc[ht]; }
}
// As chunk_cumsum_out, in double, the sums split into hi (sa, acum) and lo (sl, acumLo): the fp32 kernels' form.
__device__ __forceinline__ void chunk_cumsum_out_split(float* sa, float* sl, const float* sc, int ht, int len,
                                                       float* __restrict__ acum, float* __restrict__ acumLo,
                                                       float* __restrict__ coefOut, size_t base) {
    __syncthreads();
    if (ht < 32) {
        double first, second;
        pair_scan<double>(sa[2 * ht], sa[2 * ht + 1], ht, &first, &second);
        split_double(first, sa + 2 * ht, sl + 2 * ht);
        split_double(second, sa + 2 * ht + 1, sl + 2 * ht + 1);
    }
    __syncthreads();
    if (ht < len) { acum[base + ht] = sa[ht]; acumLo[base + ht] = sl[ht]; coefOut[base + ht] = sc[ht]; }
}
// ---------------------------------------------------------------------------------------------------------------
// Fast path of the two chunk kernels for Q = 64, P = 64, N = 128 (the paper's sizes): the same math with the three
// small matrix products register-tiled (4×4 or 8×4 outputs per thread from k-major float4 shared-memory loads), a
// quarter of the shared-memory traffic of the generic kernels. 256 threads; tx = tid % 16, ty = tid / 16.
#define FQ 64
#define FP 64
#define FN 128
#define LDQ 68   // row stride of k-major [k][64] tiles: float4-aligned, 4-way at worst on transposed writes
#define LDN 132  // row stride of [t][128] tiles

template <typename T>
__device__ void ssd_chunk_state_fast(const T* __restrict__ x, int xStride, const T* __restrict__ B, int bStride,
                                     const T* __restrict__ dt, int dtStride, const float* __restrict__ dtBias,
                                     int softplus, const float* __restrict__ A, int zoh, float* __restrict__ acum,
                                     float* __restrict__ coefOut, float* __restrict__ states,
                                     float* __restrict__ acumLo, SsdDims s) {
    extern __shared__ __align__(16) float sm[];
    int c = blockIdx.x, h = blockIdx.y, b = blockIdx.z;
    int t0 = c * FQ, len = min(FQ, s.L - t0);
    int g = h / (s.H / s.G);
    float* sa = sm;                 // 64 (hi)
    float* sc = sa + FQ;            // 64
    float* sl = sc + FQ;            // 64 (lo)
    float* sx = sl + FQ;            // [t][LDQ] x·coef·exp(s_last − s_t)
    float* sb = sx + FQ * LDQ;      // [t][LDN]
    float Ah = A[h];
    int tid = threadIdx.x;
    if (tid < FQ) {
        float a = 0.f, cf = 0.f;
        if (tid < len) a = discretize(ld(dt, (size_t)(b * s.L + t0 + tid) * dtStride + h), dtBias, softplus, h, Ah, zoh, &cf);
        sa[tid] = a;
        sc[tid] = cf;
    }
    chunk_cumsum_out_split(sa, sl, sc, tid, len, acum, acumLo, coefOut, (size_t)(b * s.H + h) * s.L + t0);
    for (int i = tid; i < FQ * FP; i += 256) {
        int t = i / FP, p = i % FP;
        sx[t * LDQ + p] = t < len ? ld(x, (size_t)(b * s.L + t0 + t) * xStride + h * FP + p) * sc[t]
                                        * seg_exp(sa, sl, len - 1, t) : 0.f;
    }
    for (int i = tid; i < FQ * FN; i += 256) {
        int t = i / FN, n = i % FN;
        sb[t * LDN + n] = t < len ? ld(B, (size_t)(b * s.L + t0 + t) * bStride + g * FN + n) : 0.f;
    }
    __syncthreads();
    // St[n][p] = Σ_t B[t][n]·X[t][p]; thread tile n = ty·8 .. +8, p = tx·4 .. +4
    int tx = tid & 15, ty = tid >> 4;
    float acc[8][4] = {};
    for (int t = 0; t < len; t++) {
        float4 a0 = *reinterpret_cast<const float4*>(sb + t * LDN + ty * 8);
        float4 a1 = *reinterpret_cast<const float4*>(sb + t * LDN + ty * 8 + 4);
        float4 bv = *reinterpret_cast<const float4*>(sx + t * LDQ + tx * 4);
        float av[8] = {a0.x, a0.y, a0.z, a0.w, a1.x, a1.y, a1.z, a1.w};
        float bw[4] = {bv.x, bv.y, bv.z, bv.w};
#pragma unroll
        for (int i = 0; i < 8; i++)
#pragma unroll
            for (int j = 0; j < 4; j++) acc[i][j] += av[i] * bw[j];
    }
    float* out = states + ((size_t)(b * s.nChunks + c) * s.H + h) * FP * FN;
#pragma unroll
    for (int i = 0; i < 8; i++)
        *reinterpret_cast<float4*>(out + (ty * 8 + i) * FP + tx * 4) = make_float4(acc[i][0], acc[i][1], acc[i][2], acc[i][3]);
}
extern "C" __global__ void __launch_bounds__(256) ssd_chunk_state_fast_f32(SSD_STATE_ARGS(float)) {
    ssd_chunk_state_fast<float>(x, xStride, B, bStride, dt, dtStride, dtBias, softplus, A, zoh, acum, coef, states, acumLo,
                                SsdDims{L, H, P, G, N, Q, nChunks});
}
extern "C" __global__ void __launch_bounds__(256) ssd_chunk_state_fast_bf16(SSD_STATE_ARGS(bf16)) {
    ssd_chunk_state_fast<bf16>(x, xStride, B, bStride, dt, dtStride, dtBias, softplus, A, zoh, acum, coef, states, acumLo,
                               SsdDims{L, H, P, G, N, Q, nChunks});
}

template <typename T>
__device__ void ssd_chunk_output_fast(const T* __restrict__ x, int xStride, const T* __restrict__ B,
                                      const T* __restrict__ C, int bcStride, const T* __restrict__ z, int zStride,
                                      const float* __restrict__ D, const float* __restrict__ acum,
                                      const float* __restrict__ coef, const float* __restrict__ states,
                                      float* __restrict__ y, int yStride, const float* __restrict__ acumLo,
                                      SsdDims s) {
    extern __shared__ __align__(16) float sm[];
    int c = blockIdx.x, h = blockIdx.y, b = blockIdx.z;
    int t0 = c * FQ, len = min(FQ, s.L - t0);
    int g = h / (s.H / s.G);
    float* sa = sm;                  // 64 (hi)
    float* sl = sa + FQ;             // 64 (lo)
    float* Ct = sl + FQ;             // [n][LDQ]
    float* BSt = Ct + FN * LDQ;      // [n][LDQ]: B, then the state entering the chunk as [n][p]
    float* X = BSt + FN * LDQ;       // [u][LDQ] coef·x
    float* Mt = X + FQ * LDQ;        // [u][LDQ] masked decayed (C·B)[t][u], stored transposed
    int tid = threadIdx.x;
    size_t tb = (size_t)(b * s.H + h) * s.L + t0;
    if (tid < FQ) {
        sa[tid] = tid < len ? acum[tb + tid] : 0.f;
        sl[tid] = tid < len ? acumLo[tb + tid] : 0.f;
    }
    for (int i = tid; i < FQ * FN; i += 256) {
        int t = i / FN, n = i % FN;
        size_t row = (size_t)(b * s.L + t0 + t) * bcStride + g * FN + n;
        Ct[n * LDQ + t] = t < len ? ld(C, row) : 0.f;
        BSt[n * LDQ + t] = t < len ? ld(B, row) : 0.f;
    }
    for (int i = tid; i < FQ * FP; i += 256) {
        int t = i / FP, p = i % FP;
        X[t * LDQ + p] = t < len ? ld(x, (size_t)(b * s.L + t0 + t) * xStride + h * FP + p) * coef[tb + t] : 0.f;
    }
    __syncthreads();
    int tx = tid & 15, ty = tid >> 4;
    int r0 = ty * 4, c0 = tx * 4;  // rows t, columns u (phase 1) or p (phase 2)
    {
        float m[4][4] = {};
        for (int n = 0; n < FN; n++) {
            float4 a = *reinterpret_cast<const float4*>(Ct + n * LDQ + r0);
            float4 bv = *reinterpret_cast<const float4*>(BSt + n * LDQ + c0);
            float av[4] = {a.x, a.y, a.z, a.w};
            float bw[4] = {bv.x, bv.y, bv.z, bv.w};
#pragma unroll
            for (int i = 0; i < 4; i++)
#pragma unroll
                for (int j = 0; j < 4; j++) m[i][j] += av[i] * bw[j];
        }
#pragma unroll
        for (int j = 0; j < 4; j++) {
            int u = c0 + j;
            float col[4];
#pragma unroll
            for (int i = 0; i < 4; i++) {
                int t = r0 + i;
                col[i] = (u <= t && t < len) ? m[i][j] * seg_exp(sa, sl, t, u) : 0.f;
            }
            *reinterpret_cast<float4*>(Mt + u * LDQ + r0) = make_float4(col[0], col[1], col[2], col[3]);
        }
    }
    __syncthreads();
    const float* st_in = states + ((size_t)(b * s.nChunks + c) * s.H + h) * FP * FN;
    for (int i = tid; i < FN * FP / 4; i += 256) {
        int n = i / (FP / 4), p4 = i % (FP / 4);
        *reinterpret_cast<float4*>(BSt + n * LDQ + p4 * 4) = *reinterpret_cast<const float4*>(st_in + n * FP + p4 * 4);
    }
    __syncthreads();
    float inter[4][4] = {};
    for (int n = 0; n < FN; n++) {
        float4 a = *reinterpret_cast<const float4*>(Ct + n * LDQ + r0);
        float4 bv = *reinterpret_cast<const float4*>(BSt + n * LDQ + c0);
        float av[4] = {a.x, a.y, a.z, a.w};
        float bw[4] = {bv.x, bv.y, bv.z, bv.w};
#pragma unroll
        for (int i = 0; i < 4; i++)
#pragma unroll
            for (int j = 0; j < 4; j++) inter[i][j] += av[i] * bw[j];
    }
    float acc[4][4];
#pragma unroll
    for (int i = 0; i < 4; i++) {
        float e = expf(sa[r0 + i] + sl[r0 + i]);
#pragma unroll
        for (int j = 0; j < 4; j++) acc[i][j] = inter[i][j] * e;
    }
    int uEnd = min(r0 + 4, len);
    for (int u = 0; u < uEnd; u++) {
        float4 a = *reinterpret_cast<const float4*>(Mt + u * LDQ + r0);
        float4 bv = *reinterpret_cast<const float4*>(X + u * LDQ + c0);
        float av[4] = {a.x, a.y, a.z, a.w};
        float bw[4] = {bv.x, bv.y, bv.z, bv.w};
#pragma unroll
        for (int i = 0; i < 4; i++)
#pragma unroll
            for (int j = 0; j < 4; j++) acc[i][j] += av[i] * bw[j];
    }
    float Dh = D ? D[h] : 0.f;
#pragma unroll
    for (int i = 0; i < 4; i++) {
        int t = r0 + i;
        if (t >= len) break;
        size_t row = (size_t)(b * s.L + t0 + t);
#pragma unroll
        for (int j = 0; j < 4; j++) {
            int p = c0 + j;
            float v = acc[i][j] + Dh * ld(x, row * xStride + h * FP + p);
            if (z) v *= silu(ld(z, row * zStride + h * FP + p));
            y[row * yStride + h * FP + p] = v;
        }
    }
}
extern "C" __global__ void __launch_bounds__(256) ssd_chunk_output_fast_f32(SSD_OUT_ARGS(float)) {
    ssd_chunk_output_fast<float>(x, xStride, B, C, bcStride, z, zStride, D, acum, coef, states, y, yStride, acumLo,
                                 SsdDims{L, H, P, G, N, Q, nChunks});
}
extern "C" __global__ void __launch_bounds__(256) ssd_chunk_output_fast_bf16(SSD_OUT_ARGS(bf16)) {
    ssd_chunk_output_fast<bf16>(x, xStride, B, C, bcStride, z, zStride, D, acum, coef, states, y, yStride, acumLo,
                                SsdDims{L, H, P, G, N, Q, nChunks});
}

// ---------------------------------------------------------------------------------------------------------------
// Tensor-core path of the two chunk kernels for Q = 64, P = 64, N = 128, used in BF16 precision: the same math, with
// the four small matrix products as bf16 mma.sync m16n8k16 with fp32 accumulators (operands rounded to bf16 when
// staged in shared memory, as mamba_ssm's Triton kernels do); discretization, cumulative sums, decays and the state
// pass's sums stay fp32. The states entering the chunks are stored in bf16, the precision the output kernel multiplies
// them in; each chunk's own state (accumulated in fp32) is stored in fp32, or (the _bs kernels, for many chunks) in
// bf16, which halves the state traffic of the state kernel and the pass. 128 threads = 4 warps; warp w owns 16 rows
// of the output tile.
// Shared tiles hold bf16 pairs along the reduction index with row strides of 4 (mod 32) words, so that the fragment
// loads of a warp (8 rows × 4 pairs) hit 32 distinct banks.
#define TC_LDK 72   // bf16 row stride of [·][64] tiles (36 words)
#define TC_LDN 136  // bf16 row stride of [·][128] tiles (68 words)
#define TC_LDX 68   // fp32 row stride of the output kernel's x tile [u][p]: B-fragment loads and float4 copies conflict-free
#define TC_OUTPUT_HEAD_SHARED (2 * FN * TC_LDK + 4 * FQ * TC_LDX + 2 * 4 * FQ)  // bytes per head of the output kernel

// Starts moving `bytes` (a multiple of 16) from global memory into L2 without waiting or using a register: the output
// kernel copies z to shared memory only once C and B are consumed, and finds it in L2 instead of DRAM. sm_90 only; a
// start that is not 16-byte aligned is skipped.
__device__ __forceinline__ void prefetch_l2(const void* p, unsigned bytes) {
#if __CUDA_ARCH__ >= 900
    if ((reinterpret_cast<uintptr_t>(p) & 15) == 0) asm volatile("cp.async.bulk.prefetch.L2.global [%0], %1;" ::"l"(p), "r"(bytes) : "memory");
#endif
}
// 16 bytes global → shared without a register round trip (sm_80+); cp_async_wait_all before the barrier that publishes them
__device__ __forceinline__ void cp_async16(void* dst, const void* src) {
    unsigned d = static_cast<unsigned>(__cvta_generic_to_shared(dst));
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16;" ::"r"(d), "l"(src) : "memory");
}
__device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;" ::: "memory"); }
// Copies a tile of ROWS rows of ROW_BYTES bytes (a multiple of 16) by cp.async, 16 bytes per thread and step over
// THREADS threads (this one is `i`): row t from src + t·srcStride to dst + t·ld (elements). Rows at or past `len` are
// zeroed when ZERO, else left as they are (the caller never reads them). No commit: the caller groups its copies.
template <int ROWS, int ROW_BYTES, int THREADS, bool ZERO = true, typename T>
__device__ __forceinline__ void copy_tile_async(T* dst, int ld, const T* src, size_t srcStride, int len, int i) {
    constexpr int PIECES = ROW_BYTES / 16, PER = 16 / sizeof(T);
#pragma unroll
    for (int k = 0; k < ROWS * PIECES / THREADS; k++) {
        int j = i + THREADS * k, t = j / PIECES, q = (j % PIECES) * PER;
        if (t < len) cp_async16(dst + t * ld + q, src + t * srcStride + q);
        else if (ZERO) *reinterpret_cast<float4*>(dst + t * ld + q) = make_float4(0.f, 0.f, 0.f, 0.f);
    }
}
__device__ __forceinline__ void cp_async_wait_all() { asm volatile("cp.async.wait_all;" ::: "memory"); }
// four 8×8 bf16 tiles from shared memory, transposed: lane l gives the row address of tile l / 8, row l % 8, and gets
// the pair (rows 2·(l % 4), 2·(l % 4) + 1; column l / 4) of each tile, an mma B fragment of a row-major [k][n] tile
__device__ __forceinline__ void ldmatrix_x4_trans(uint32_t& d0, uint32_t& d1, uint32_t& d2, uint32_t& d3, const bf16* p) {
    unsigned a = static_cast<unsigned>(__cvta_generic_to_shared(p));
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0,%1,%2,%3}, [%4];"
                 : "=r"(d0), "=r"(d1), "=r"(d2), "=r"(d3) : "r"(a));
}
// a bf16 pair (low, high) times (w0, w1), rounded back to a bf16 pair
__device__ __forceinline__ uint32_t scale_bf16x2(uint32_t v, float w0, float w1) {
    return pack_bf16(__uint_as_float(v << 16) * w0, __uint_as_float(v & 0xffff0000u) * w1);
}
// d += a·b for one m16n8k16 tile (A row-major 16×16, B column-major 16×8, fp32 accumulators)
__device__ __forceinline__ void mma_bf16(float* d, uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t b0,
                                         uint32_t b1) {
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
                 "{%0,%1,%2,%3};\n"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
                 : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1));
}
// shared bytes for HPB heads: Bᵀ once, per head the cumulative a, coef and the weighted xᵀ
#define TC_STATE_SHARED(HPB) (2 * FN * TC_LDK + (HPB) * (4 * 2 * FQ + 2 * FP * TC_LDK))

// HPB heads of one group per block (128·HPB threads): B is loaded and staged once for all of them; warps 4k .. 4k+3
// compute head h0 + k exactly as a 128-thread block computes one head.
// One row of an mma accumulator tile: lane tq (= lane % 4) of a quad holds the pairs at columns j·8 + 2·tq,
// j = 0..7. fp32: each lane stores its pairs (8 bytes, 32 contiguous bytes per quad). bf16: a pair is 4 bytes, so lanes
// tq and tq ^ 1 first swap half their pairs, and each lane stores four consecutive values: 32 contiguous bytes per quad
// and store, where pair stores would leave every 32-byte sector half written (the state kernel's bf16 own states:
// 424 → 343 µs per block at 16K on the H100).
__device__ __forceinline__ void st_row(float* row, const float (&v)[8][2], int tq) {
#pragma unroll
    for (int j = 0; j < 8; j++) *reinterpret_cast<float2*>(row + j * 8 + 2 * tq) = make_float2(v[j][0], v[j][1]);
}
// the same from bf16 pairs already packed; every lane of the warp takes part (the swap), only `store` lanes write
template <int J>
__device__ __forceinline__ void st_row_pairs(bf16* row, const uint32_t (&pairs)[J], int tq, bool store) {
    static_assert(J % 2 == 0, "pairs are swapped two tiles at a time");
    const bool odd = tq & 1;
#pragma unroll
    for (int j0 = 0; j0 < J; j0 += 2) {
        uint32_t keep = odd ? pairs[j0 + 1] : pairs[j0], give = odd ? pairs[j0] : pairs[j0 + 1];
        uint32_t got = __shfl_xor_sync(0xffffffffu, give, 1);
        if (store) {
            *reinterpret_cast<uint2*>(row + (j0 + odd) * 8 + 2 * (tq & ~1)) = odd ? make_uint2(got, keep) : make_uint2(keep, got);
        }
    }
}
__device__ __forceinline__ void st_row(bf16* row, const float (&v)[8][2], int tq) {
    uint32_t pairs[8];
#pragma unroll
    for (int j = 0; j < 8; j++) pairs[j] = pack_bf16(v[j][0], v[j][1]);
    st_row_pairs(row, pairs, tq, true);
}
// The state kernels' end: warp w's accumulators (n = 32w .. 32w+31 in two m-tiles, all 64 p) to the chunk's [n][p] state.
template <typename TS>
__device__ __forceinline__ void store_chunk_state(TS* out, const float (&acc)[2][8][4], int warp, int gq, int tq) {
#pragma unroll
    for (int mt = 0; mt < 2; mt++) {
        int n = warp * 32 + mt * 16 + gq;
#pragma unroll
        for (int half = 0; half < 2; half++) {
            float v[8][2];
#pragma unroll
            for (int j = 0; j < 8; j++) { v[j][0] = acc[mt][j][2 * half]; v[j][1] = acc[mt][j][2 * half + 1]; }
            st_row(out + (n + 8 * half) * FP, v, tq);
        }
    }
}
template <typename T, typename TD, int HPB, typename TS>
__device__ void ssd_chunk_state_tc(const T* __restrict__ x, int xStride, const T* __restrict__ B, int bStride,
                                   const TD* __restrict__ dt, int dtStride, const float* __restrict__ dtBias,
                                   int softplus, const float* __restrict__ A, int zoh, float* __restrict__ acum,
                                   float* __restrict__ coefOut, TS* __restrict__ states, SsdDims s) {
    extern __shared__ __align__(16) float sm[];
    int c = blockIdx.y, b = blockIdx.z;  // heads vary fastest: resident blocks share their chunks' B in L2
    int tid = threadIdx.x, hw = tid >> 7, ht = tid & 127;        // this thread's head in the block, index in it
    int h = blockIdx.x * HPB + hw;
    int t0 = c * FQ, len = min(FQ, s.L - t0);
    int g = h / (s.H / s.G);
    uint32_t* Bt = reinterpret_cast<uint32_t*>(sm);                // [n][t] bf16 pairs along t
    float* sa = reinterpret_cast<float*>(Bt + FN * TC_LDK / 2) + hw * (2 * FQ + FP * TC_LDK / 2);  // 64 cumulative a
    float* sc = sa + FQ;                                           // 64 coef
    uint32_t* Xt = reinterpret_cast<uint32_t*>(sc + FQ);           // [p][t] x·coef·exp(s_last − s_t)
    // every global load of the block is issued before the first use (a block's time is its chain of latencies):
    // x and B as float4 of two consecutive tokens (t, t+1) per item, so each shared store is a bf16 pair along t
    const size_t row0 = (size_t)b * s.L + t0;
    float4 xr[4][2], br[8 / HPB][2];
    // item k of a thread: token pair tp = lane % 16 + 16·(k % 2), column quad lane / 16 + 2·(warp + 4·(k / 2)), so
    // that the transposed bf16-pair stores of a warp (row stride ≡ 16 words mod 32 per quad) hit 32 distinct banks
    const int warp = ht >> 5, lane = tid & 31, warpAll = tid >> 5;
#pragma unroll
    for (int k = 0; k < 4; k++) {  // 32 token pairs × 16 column quads of x
        int tp = (lane & 15) + 16 * (k & 1), q4 = ((lane >> 4) + 2 * (warp + 4 * (k >> 1))) * 4, t = 2 * tp;
        xr[k][0] = t < len ? ld4(x, (row0 + t) * xStride + h * FP + q4) : make_float4(0.f, 0.f, 0.f, 0.f);
        xr[k][1] = t + 1 < len ? ld4(x, (row0 + t + 1) * xStride + h * FP + q4) : make_float4(0.f, 0.f, 0.f, 0.f);
    }
#pragma unroll
    for (int k = 0; k < 8 / HPB; k++) {  // 32 token pairs × 32 column quads of B, over all the block's warps
        int tp = (lane & 15) + 16 * (k & 1), q4 = ((lane >> 4) + 2 * (warpAll + 4 * HPB * (k >> 1))) * 4, t = 2 * tp;
        br[k][0] = t < len ? ld4(B, (row0 + t) * bStride + g * FN + q4) : make_float4(0.f, 0.f, 0.f, 0.f);
        br[k][1] = t + 1 < len ? ld4(B, (row0 + t + 1) * bStride + g * FN + q4) : make_float4(0.f, 0.f, 0.f, 0.f);
    }
    if (ht < FQ) {
        float a = 0.f, cf = 0.f;
        if (ht < len) a = discretize(ld(dt, (row0 + ht) * dtStride + h), dtBias, softplus, h, A[h], zoh, &cf);
        sa[ht] = a;
        sc[ht] = cf;
    }
#pragma unroll
    for (int k = 0; k < 8 / HPB; k++) {
        int tp = (lane & 15) + 16 * (k & 1), q4 = ((lane >> 4) + 2 * (warpAll + 4 * HPB * (k >> 1))) * 4;
#pragma unroll
        for (int e = 0; e < 4; e++) Bt[(q4 + e) * (TC_LDK / 2) + tp] = pack_bf16(f4(br[k][0], e), f4(br[k][1], e));
    }
    chunk_cumsum_out(sa, sc, ht, len, acum, coefOut, (size_t)(b * s.H + h) * s.L + t0);
    float last = sa[len - 1];
#pragma unroll
    for (int k = 0; k < 4; k++) {
        int tp = (lane & 15) + 16 * (k & 1), q4 = ((lane >> 4) + 2 * (warp + 4 * (k >> 1))) * 4, t = 2 * tp;
        float w0 = t < len ? sc[t] * exp_approx(last - sa[t]) : 0.f;
        float w1 = t + 1 < len ? sc[t + 1] * exp_approx(last - sa[t + 1]) : 0.f;
#pragma unroll
        for (int e = 0; e < 4; e++) Xt[(q4 + e) * (TC_LDK / 2) + tp] = pack_bf16(f4(xr[k][0], e) * w0, f4(xr[k][1], e) * w1);
    }
    __syncthreads();
    // S[n][p] = Σ_t Bt[n][t]·X[t][p]: warp w owns n = 32w .. 32w+31 (two m-tiles), all 64 p (eight n-tiles)
    int gq = lane >> 2, tq = lane & 3;
    float acc[2][8][4] = {};
#pragma unroll
    for (int kk = 0; kk < FQ / 16; kk++) {
        uint32_t af[2][4];
#pragma unroll
        for (int mt = 0; mt < 2; mt++) {
            const uint32_t* r0 = Bt + (warp * 32 + mt * 16 + gq) * (TC_LDK / 2) + kk * 8 + tq;
            const uint32_t* r1 = r0 + 8 * (TC_LDK / 2);
            af[mt][0] = r0[0]; af[mt][1] = r1[0]; af[mt][2] = r0[4]; af[mt][3] = r1[4];
        }
#pragma unroll
        for (int j = 0; j < 8; j++) {
            const uint32_t* br = Xt + (j * 8 + gq) * (TC_LDK / 2) + kk * 8 + tq;
            uint32_t b0 = br[0], b1 = br[4];
#pragma unroll
            for (int mt = 0; mt < 2; mt++) mma_bf16(acc[mt][j], af[mt][0], af[mt][1], af[mt][2], af[mt][3], b0, b1);
        }
    }
    store_chunk_state(states + ((size_t)(b * s.nChunks + c) * s.H + h) * FP * FN, acc, warp, gq, tq);
}
// acc[mt][j] += Σ_t (Bᵀ[n][t]·w_t)·x[t][p] over one chunk of 64 tokens: the A fragments (Bᵀ, read transposed from
// a [t][n] tile of row stride LDA at aRow) scaled along t by w, the B fragments from x ([t][p], row stride TC_LDK, at
// bRow); MT m-tiles along n, JT n-tiles along p (the ldmatrix row addresses as the callers set them up)
template <int LDA, int MT, int JT>
__device__ __forceinline__ void weighted_state_products(float (&acc)[MT][JT][4], const bf16* aRow, const bf16* bRow,
                                                        const float* w, int tq) {
#pragma unroll
    for (int kk = 0; kk < FQ / 16; kk++) {
        float w0 = w[kk * 16 + 2 * tq], w1 = w[kk * 16 + 2 * tq + 1];
        float w8 = w[kk * 16 + 2 * tq + 8], w9 = w[kk * 16 + 2 * tq + 9];
        uint32_t af[MT][4];
#pragma unroll
        for (int mt = 0; mt < MT; mt++) {
            ldmatrix_x4_trans(af[mt][0], af[mt][1], af[mt][2], af[mt][3], aRow + kk * 16 * LDA + mt * 16);
            af[mt][0] = scale_bf16x2(af[mt][0], w0, w1);
            af[mt][1] = scale_bf16x2(af[mt][1], w0, w1);
            af[mt][2] = scale_bf16x2(af[mt][2], w8, w9);
            af[mt][3] = scale_bf16x2(af[mt][3], w8, w9);
        }
#pragma unroll
        for (int j = 0; j < JT; j += 2) {
            uint32_t b0, b1, b2, b3;
            ldmatrix_x4_trans(b0, b1, b2, b3, bRow + kk * 16 * TC_LDK + j * 8);
#pragma unroll
            for (int mt = 0; mt < MT; mt++) {
                mma_bf16(acc[mt][j], af[mt][0], af[mt][1], af[mt][2], af[mt][3], b0, b1);
                mma_bf16(acc[mt][j + 1], af[mt][0], af[mt][1], af[mt][2], af[mt][3], b2, b3);
            }
        }
    }
}
// The same for bf16 x and B: both copied to shared memory as they are by cp.async (no register staging: the block's
// loads are all in flight at once), the products' fragments read transposed by ldmatrix; the weight
// coef_t·exp(s_last − s_t) scales Bᵀ's fragments along t instead of x (one bf16 rounding after the scaling, as before).
// Shared: B [t][n] once (row stride TC_LDN), per head x [t][p] (TC_LDK), cumulative a, coef and the weight.
#define TC_STATE_ASYNC_SHARED(HPB) (2 * FQ * TC_LDN + (HPB) * (2 * FQ * TC_LDK + 3 * 4 * FQ))
template <typename TD, int HPB, typename TS>
__device__ void ssd_chunk_state_tc_async(const bf16* __restrict__ x, int xStride, const bf16* __restrict__ B,
                                         int bStride, const TD* __restrict__ dt, int dtStride,
                                         const float* __restrict__ dtBias, int softplus, const float* __restrict__ A,
                                         int zoh, float* __restrict__ acum, float* __restrict__ coefOut,
                                         TS* __restrict__ states, SsdDims s) {
    extern __shared__ __align__(16) float sm[];
    int c = blockIdx.y, b = blockIdx.z;  // heads vary fastest: resident blocks share their chunks' B in L2
    int tid = threadIdx.x, hw = tid >> 7, ht = tid & 127;
    int h = blockIdx.x * HPB + hw;
    int t0 = c * FQ, len = min(FQ, s.L - t0);
    int g = h / (s.H / s.G);
    bf16* Bs = reinterpret_cast<bf16*>(sm);                                           // [t][n]
    bf16* Xs = Bs + FQ * TC_LDN + hw * (FQ * TC_LDK + 3 * 2 * FQ);                    // [t][p]
    float* sa = reinterpret_cast<float*>(Xs + FQ * TC_LDK);                           // 64 cumulative a
    float* sc = sa + FQ;                                                              // 64 coef
    float* sw = sc + FQ;                                                              // 64 weights
    const size_t row0 = (size_t)b * s.L + t0;
    copy_tile_async<FQ, 2 * FP, 128>(Xs, TC_LDK, x + row0 * xStride + h * FP, xStride, len, ht);
    copy_tile_async<FQ, 2 * FN, 128 * HPB>(Bs, TC_LDN, B + row0 * bStride + g * FN, bStride, len, tid);  // all threads
    cp_async_commit();
    if (ht < FQ) {
        float a = 0.f, cf = 0.f;
        if (ht < len) a = discretize(ld(dt, (row0 + ht) * dtStride + h), dtBias, softplus, h, A[h], zoh, &cf);
        sa[ht] = a;
        sc[ht] = cf;
    }
    chunk_cumsum_out(sa, sc, ht, len, acum, coefOut, (size_t)(b * s.H + h) * s.L + t0);
    if (ht < FQ) sw[ht] = ht < len ? sc[ht] * exp_approx(sa[len - 1] - sa[ht]) : 0.f;
    cp_async_wait_all();
    __syncthreads();
    // S[n][p] = Σ_t (Bᵀ[n][t]·w_t)·x[t][p]: warp w owns n = 32w .. 32w+31 (two m-tiles), all 64 p (eight n-tiles)
    const int warp = ht >> 5, lane = tid & 31, tq = lane & 3;
    // lane l addresses row l % 8 of 8×8 tile l / 8: for A (Bᵀ) t = 16·kk + 8·(tile / 2) + l % 8, n from 8·(tile % 2);
    // for B (x) t = 16·kk + 8·(tile % 2) + l % 8, p from 8·(j + tile / 2)
    const bf16* aRow = Bs + ((lane >> 4) * 8 + (lane & 7)) * TC_LDN + warp * 32 + ((lane >> 3) & 1) * 8;
    const bf16* bRow = Xs + (((lane >> 3) & 1) * 8 + (lane & 7)) * TC_LDK + (lane >> 4) * 8;
    float acc[2][8][4] = {};
    weighted_state_products<TC_LDN>(acc, aRow, bRow, sw, tq);
    int gq = lane >> 2;
    store_chunk_state(states + ((size_t)(b * s.nChunks + c) * s.H + h) * FP * FN, acc, warp, gq, tq);
}
#define SSD_STATE_TC_ARGS(T, TD, TS) const T* x, int xStride, const T* B, int bStride, const TD* dt, int dtStride, \
    const float* dtBias, int softplus, const float* A, int zoh, float* acum, float* coef, TS* states, \
    int L, int H, int P, int G, int N, int Q, int nChunks
// one entry point per instantiation (the host looks kernels up by name): x and B as T, dt as TD (_xbf16: bf16 x and
// B, fp32 dt), HPB heads per block (128·HPB threads; grid (H / HPB, nChunks, batch), H / G even for two), own states
// stored as TS (_bs: bf16); at most 128 registers, so that 512 threads fit on an SM
// bf16 x and B take the cp.async kernel, fp32 the one that converts them on the way to shared memory
template <typename T, typename TD, int HPB, typename TS>
__device__ __forceinline__ void ssd_chunk_state_tc_any(SSD_STATE_TC_ARGS(T, TD, TS)) {
    if constexpr (sizeof(T) == 2)
        ssd_chunk_state_tc_async<TD, HPB, TS>(x, xStride, B, bStride, dt, dtStride, dtBias, softplus, A, zoh, acum,
                                              coef, states, SsdDims{L, H, P, G, N, Q, nChunks});
    else
        ssd_chunk_state_tc<T, TD, HPB, TS>(x, xStride, B, bStride, dt, dtStride, dtBias, softplus, A, zoh, acum, coef,
                                           states, SsdDims{L, H, P, G, N, Q, nChunks});
}
#define SSD_STATE_TC_ENTRY(NAME, T, TD, HPB, TS) \
    extern "C" __global__ void __launch_bounds__(128 * HPB, 4 / HPB) NAME(SSD_STATE_TC_ARGS(T, TD, TS)) { \
        ssd_chunk_state_tc_any<T, TD, HPB, TS>(x, xStride, B, bStride, dt, dtStride, dtBias, softplus, A, zoh, acum, \
                                               coef, states, L, H, P, G, N, Q, nChunks); \
    }
// each in a one-head (_tc) and a two-head (_tc2) form
#define SSD_STATE_TC_ENTRIES(SUFFIX, T, TD, TS) \
    SSD_STATE_TC_ENTRY(ssd_chunk_state_tc##SUFFIX, T, TD, 1, TS) \
    SSD_STATE_TC_ENTRY(ssd_chunk_state_tc2##SUFFIX, T, TD, 2, TS)
SSD_STATE_TC_ENTRIES(_f32, float, float, float)
SSD_STATE_TC_ENTRIES(_bf16, bf16, bf16, float)
SSD_STATE_TC_ENTRIES(_xbf16, bf16, float, float)
SSD_STATE_TC_ENTRIES(_bs_f32, float, float, bf16)
SSD_STATE_TC_ENTRIES(_bs_bf16, bf16, bf16, bf16)
SSD_STATE_TC_ENTRIES(_bs_xbf16, bf16, float, bf16)

// The state kernel and the pass as a walk over the chunks, for bf16 x and B, in two launches. The first,
// ssd_chunk_weights, computes every chunk's discretization at once (the cumulative a and coef per token for the output
// kernel, and per chunk the 64 weights coef_t·exp(s_last − s_t) and the decay exp(s_last)). The second,
// ssd_chunk_state_scan, walks every chunk of one (sample, head) in order and keeps the running state in its mma
// accumulators, so that the state entering chunk c is stored once (bf16, for the output kernel) and the chunks' own
// states never reach memory: the two-launch form's state kernel writes them and its pass reads them back before it
// writes the entering states (at 324 tokens × 8 samples ≈ 250 of their 300 MB of state traffic). Per chunk: store the running state R (the
// state entering c), R ← decay·R, then R += Σ_t (Bᵀ[n][t]·w_t)·x[t][p] on the tensor cores, exactly the own state
// of the two-launch form added in fp32 (there rounded to bf16 first from 16 chunks on).
// The walk is a chain of dependent instructions (ncu at 16 452 tokens: barrier, fixed-latency and shared-memory stalls,
// hardly any on global memory), so a chunk's step is kept to one barrier and to the products: the weights come
// precomputed, copied by cp.async with x and B, STAGES − 1 chunks ahead. A block owns an NS-wide slice of the
// state's n (grid (H, N / NS, batch)): more, shorter blocks where there are few (sample, head) pairs. 128 threads; the
// warps tile the slice's [NS][64] accumulators as WM along n by 4 / WM along p.
#define TC_SCAN_W 68  // floats per chunk of ssd_chunk_weights' output: 64 weights, the decay, three of padding
// grid (⌈nChunks / 4⌉, H, batch), 128 threads: warp w takes chunk 4·blockIdx.x + w, two tokens a lane, with the
// pair_scan of chunk_cumsum_out (the same sums in the same order). wts: [batch, H, nChunks, TC_SCAN_W].
template <typename TD>
__device__ void ssd_chunk_weights(const TD* __restrict__ dt, int dtStride, const float* __restrict__ dtBias,
                                  int softplus, const float* __restrict__ A, int zoh, float* __restrict__ acum,
                                  float* __restrict__ coefOut, float* __restrict__ wts, SsdDims s, int cg, int h,
                                  int b) {
    const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    const int c = cg * 4 + warp;
    if (c >= s.nChunks) return;
    const int t0 = c * FQ, len = min(FQ, s.L - t0), t = 2 * lane;
    const size_t row = (size_t)b * s.L + t0;
    const float Ah = A[h];
    float c0 = 0.f, c1 = 0.f;
    float a0 = t < len ? discretize(ld(dt, (row + t) * dtStride + h), dtBias, softplus, h, Ah, zoh, &c0) : 0.f;
    float a1 = t + 1 < len ? discretize(ld(dt, (row + t + 1) * dtStride + h), dtBias, softplus, h, Ah, zoh, &c1) : 0.f;
    float s0, run;
    pair_scan<float>(a0, a1, lane, &s0, &run);
    const float last = __shfl_sync(0xffffffffu, run, 31);  // zeros past len: lane 31 is s_last
    const size_t base = (size_t)(b * s.H + h) * s.L + t0;
    if (t < len) { acum[base + t] = s0; coefOut[base + t] = c0; }
    if (t + 1 < len) { acum[base + t + 1] = run; coefOut[base + t + 1] = c1; }
    float* w = wts + ((size_t)(b * s.H + h) * s.nChunks + c) * TC_SCAN_W;
    *reinterpret_cast<float2*>(w + t) = make_float2(t < len ? c0 * exp_approx(last - s0) : 0.f,
                                                    t + 1 < len ? c1 * exp_approx(last - run) : 0.f);
    if (lane == 0) *reinterpret_cast<float4*>(w + FQ) = make_float4(expf(last), 0.f, 0.f, 0.f);  // exact: it compounds
}
#define SSD_WEIGHTS_ARGS(TD) const TD* dt, int dtStride, const float* dtBias, int softplus, const float* A, int zoh, \
    float* acum, float* coef, float* wts, int L, int H, int P, int G, int N, int Q, int nChunks
extern "C" __global__ void __launch_bounds__(128) ssd_chunk_weights_f32(SSD_WEIGHTS_ARGS(float)) {
    ssd_chunk_weights<float>(dt, dtStride, dtBias, softplus, A, zoh, acum, coef, wts, SsdDims{L, H, P, G, N, Q, nChunks},
                             blockIdx.x, blockIdx.y, blockIdx.z);
}
extern "C" __global__ void __launch_bounds__(128) ssd_chunk_weights_bf16(SSD_WEIGHTS_ARGS(bf16)) {
    ssd_chunk_weights<bf16>(dt, dtStride, dtBias, softplus, A, zoh, acum, coef, wts, SsdDims{L, H, P, G, N, Q, nChunks},
                            blockIdx.x, blockIdx.y, blockIdx.z);
}
// Programmatic dependent launch (sm_90): a kernel's dependents may start once all its blocks have signalled, and wait
// for its completion where they first read what it wrote. Below sm_90 both are no-ops (and the host launches plainly).
__device__ __forceinline__ void grid_dependents_may_start() {
#if __CUDA_ARCH__ >= 900
    asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
#endif
}
__device__ __forceinline__ void grid_dependency_wait() {
#if __CUDA_ARCH__ >= 900
    asm volatile("griddepcontrol.wait;" ::: "memory");
#endif
}
// The folded mixer's conv (bf16 in and out, four channels a thread) and ssd_chunk_weights (fp32 dt) in one launch:
// rows y ≥ convY of the grid are the weights' blocks, numbered along x then y (chunk groups, heads, samples), so that
// they run beside the conv instead of after it. 128 threads, at most 64 registers: eight blocks an SM. Launched as a
// dependent of dt_proj_bf16, only the weights' blocks wait for it: the conv reads in_proj's output, complete before.
extern "C" __global__ void __launch_bounds__(128, 8) conv_silu_vec_bf16_weights_f32(
    const bf16* in, int inStride, int inOff, bf16* out, int outStride, const float* w, const float* bias, int rows,
    int C, int K, int convY, SSD_WEIGHTS_ARGS(float), int batch) {
    if ((int)blockIdx.y < convY) {
        conv_silu_tiled<4, bf16, bf16>(in, inStride, inOff, out, outStride, w, bias, rows, L, C, K);
        return;
    }
    const int groups = (nChunks + 3) / 4;
    const int i = (blockIdx.y - convY) * gridDim.x + blockIdx.x, b = i / (groups * H);
    if (b >= batch) return;
    grid_dependency_wait();
    ssd_chunk_weights<float>(dt, dtStride, dtBias, softplus, A, zoh, acum, coef, wts, SsdDims{L, H, P, G, N, Q, nChunks},
                             i % groups, i / groups % H, b);
}

// dt = u·W_dtᵀ in fp32 for the folded mixer: in_proj's last H weight rows, which the bf16 GEMM of z, x, B and C leaves
// out. Alone it is no faster than cuBLAS's GEMM (5.2 against 5.1 µs at 324 rows in a graph, docs/eval/gpu-2026-11-30);
// it exists because it lets its dependents start at once, so that the conv runs while dt is computed, which a cuBLAS
// kernel cannot. K is split over a cluster of gridDim.y blocks (sm_90; one block, the whole of K, below) that stage
// their operands at once by cp.async, multiply on the tensor cores and add their partial tiles through distributed
// shared memory in slice order: deterministic, one launch.
// grid (⌈rows / 32⌉, K slices, H / 32), 128 threads: warp w takes rows 16·(w & 1) and heads 16·(w >> 1) of the
// block's 32 × 32 tile. Needs H % 32 == 0, K / slices a multiple of 32, 16-byte aligned rows of u and W.
#define DT_TILE 32                  // rows and heads per block
#define DT_STAGE 256                // columns of K staged per pass
#define DT_LD (DT_STAGE + 32)       // bf16 row stride: 144 words ≡ 16 mod 32, so 16-byte fragment reads hit distinct banks
extern "C" __global__ void __launch_bounds__(128) dt_proj_bf16(const bf16* __restrict__ u, int uStride,
                                                              const bf16* __restrict__ w, float* __restrict__ dt,
                                                              int rows, int H, int K) {
    __shared__ __align__(16) bf16 su[DT_TILE * DT_LD];
    __shared__ __align__(16) bf16 sw[DT_TILE * DT_LD];
    __shared__ float part[DT_TILE * DT_TILE];
    grid_dependents_may_start();  // the conv beside the SSD's weights needs nothing of this kernel
    const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, g = lane >> 2, t = lane & 3;
    const int row0 = blockIdx.x * DT_TILE, h0 = blockIdx.z * DT_TILE, len = min(DT_TILE, rows - row0);
    const int slices = gridDim.y, kLen = K / slices, kBegin = blockIdx.y * kLen;
    const int mr = 16 * (warp & 1), nh = 16 * (warp >> 1);
    float acc[2][4] = {};
    for (int k0 = kBegin; k0 < kBegin + kLen; k0 += DT_STAGE) {
        const int pieces = min(DT_STAGE, kBegin + kLen - k0) / 8;  // 16-byte pieces of a row
        for (int j = threadIdx.x; j < DT_TILE * pieces; j += 128) {
            const int r = j / pieces, q = (j % pieces) * 8;
            if (r < len) cp_async16(su + r * DT_LD + q, u + (size_t)(row0 + r) * uStride + k0 + q);
            else *reinterpret_cast<float4*>(su + r * DT_LD + q) = make_float4(0.f, 0.f, 0.f, 0.f);
            cp_async16(sw + r * DT_LD + q, w + (size_t)(h0 + r) * K + k0 + q);
        }
        cp_async_commit();
        cp_async_wait_all();
        __syncthreads();
        // 32 columns as two k16 products: a thread's eight consecutive columns 8t..8t+7 stand for its pairs (2t, 2t + 8)
        // of the first product and of the second, in the same order for u and W, so every column meets its partner
        const bf16* pu = su + (mr + g) * DT_LD + 8 * t;
        const bf16* pw = sw + (nh + g) * DT_LD + 8 * t;
        for (int c = 0; c < pieces * 8; c += 32) {
            const uint4 a0 = *reinterpret_cast<const uint4*>(pu + c), a1 = *reinterpret_cast<const uint4*>(pu + 8 * DT_LD + c);
#pragma unroll
            for (int n = 0; n < 2; n++) {
                const uint4 b = *reinterpret_cast<const uint4*>(pw + n * 8 * DT_LD + c);
                mma_bf16(acc[n], a0.x, a1.x, a0.y, a1.y, b.x, b.y);
                mma_bf16(acc[n], a0.z, a1.z, a0.w, a1.w, b.z, b.w);
            }
        }
        __syncthreads();  // before the next pass overwrites the tiles
    }
#pragma unroll
    for (int n = 0; n < 2; n++) {
        const int r = mr + g, h = nh + 8 * n + 2 * t;
        *reinterpret_cast<float2*>(part + r * DT_TILE + h) = make_float2(acc[n][0], acc[n][1]);
        *reinterpret_cast<float2*>(part + (r + 8) * DT_TILE + h) = make_float2(acc[n][2], acc[n][3]);
    }
    // block y of the cluster adds up its share of the tile over every slice, slice 0 first
#if __CUDA_ARCH__ >= 900
    cooperative_groups::cluster_group cluster = cooperative_groups::this_cluster();
    cluster.sync();
#else
    __syncthreads();  // one slice: launched without a cluster below sm_90
#endif
    const int share = DT_TILE * DT_TILE / slices;
    for (int e = blockIdx.y * share + threadIdx.x; e < (blockIdx.y + 1) * share; e += 128) {
        float sum = 0.f;
        for (int q = 0; q < slices; q++) {
#if __CUDA_ARCH__ >= 900
            sum += cluster.map_shared_rank(part, q)[e];
#else
            sum += part[e];
#endif
        }
        const int r = e / DT_TILE;
        if (r < len) dt[(size_t)(row0 + r) * H + h0 + e % DT_TILE] = sum;
    }
#if __CUDA_ARCH__ >= 900
    cluster.sync();  // every block's partial tile stays until the whole cluster has read it
#endif
}
#define TC_SCAN_LDB(NS) ((NS) + 8)  // bf16 row stride of the B slice [t][NS]: ldmatrix rows conflict-free
// bytes per stage: x [t][p] and B [t][n] in bf16, the chunk's weights and decay
#define TC_SCAN_STAGE_BYTES(NS) (2 * FQ * TC_LDK + 2 * FQ * TC_SCAN_LDB(NS) + 4 * TC_SCAN_W)
template <int N> __device__ __forceinline__ void cp_async_wait_group() {
    asm volatile("cp.async.wait_group %0;" ::"n"(N) : "memory");
}
template <int NS, int STAGES>
__device__ void ssd_chunk_state_scan_tc(const bf16* __restrict__ x, int xStride, const bf16* __restrict__ B,
                                        int bStride, const float* __restrict__ wts, bf16* __restrict__ statesIn,
                                        SsdDims s) {
    constexpr int LDB = TC_SCAN_LDB(NS), MTN = NS / 16, WM = MTN < 4 ? MTN : 4, WP = 4 / WM, MT = MTN / WM,
                  JT = 8 / WP;
    static_assert(NS % 16 == 0 && NS <= FN && JT % 2 == 0, "n slices of 16, 32, 64 or 128");
    static_assert(STAGES == 2 || STAGES == 3, "two or three stages");
    extern __shared__ __align__(16) float sm[];
    const int h = blockIdx.x, slice = blockIdx.y, b = blockIdx.z;
    const int tid = threadIdx.x, warp = tid >> 5, lane = tid & 31, gq = lane >> 2, tq = lane & 3;
    const int g = h / (s.H / s.G), n0 = slice * NS;
    // the output kernel's blocks may take the SMs this walk leaves idle: they read the conv's x, B and C before their
    // wait, which is safe while the walk itself is an ordinary launch (a dependent walk was slower: PERF.md)
    grid_dependents_may_start();
    char* stages = reinterpret_cast<char*>(sm);
    const size_t seq0 = (size_t)b * s.L;
    const float* chunkW = wts + (size_t)(b * s.H + h) * s.nChunks * TC_SCAN_W;
    auto stage = [&](int c) { return reinterpret_cast<bf16*>(stages + (c % STAGES) * TC_SCAN_STAGE_BYTES(NS)); };
    auto issue = [&](int c) {  // chunk c's x, B slice and weights into stage c % STAGES
        int t0 = c * FQ, len = min(FQ, s.L - t0);
        bf16* Xs = stage(c);
        copy_tile_async<FQ, 2 * FP, 128>(Xs, TC_LDK, x + (seq0 + t0) * xStride + h * FP, xStride, len, tid);
        copy_tile_async<FQ, 2 * NS, 128>(Xs + FQ * TC_LDK, LDB, B + (seq0 + t0) * bStride + g * FN + n0, bStride, len,
                                         tid);
        float* Ws = reinterpret_cast<float*>(Xs + FQ * TC_LDK + FQ * LDB);
        if (tid < TC_SCAN_W / 4) cp_async16(Ws + 4 * tid, chunkW + (size_t)c * TC_SCAN_W + 4 * tid);
        cp_async_commit();
    };
    // warp tile: n from nw (MT m-tiles), p from pw (JT n-tiles); ldmatrix rows as in ssd_chunk_state_tc_async
    const int nw = (warp / WP) * MT * 16, pw = (warp % WP) * JT * 8;
    const int aOff = ((lane >> 4) * 8 + (lane & 7)) * LDB + nw + ((lane >> 3) & 1) * 8;
    const int bOff = (((lane >> 3) & 1) * 8 + (lane & 7)) * TC_LDK + pw + (lane >> 4) * 8;
    float acc[MT][JT][4] = {};
#pragma unroll
    for (int k = 0; k < STAGES - 1; k++) {
        if (k < s.nChunks) issue(k);
    }
    for (int c = 0; c < s.nChunks; c++) {
        // chunk c's copies (with three stages, c + 1's may still run)
        if (STAGES == 3 && c + 1 < s.nChunks) cp_async_wait_group<1>(); else cp_async_wait_all();
        // publishes chunk c's stage; every warp is past chunk c − 1's products, so its stage is free
        __syncthreads();
        if (c + STAGES - 1 < s.nChunks) issue(c + STAGES - 1);
        const bf16* Xs = stage(c);
        const float* w = reinterpret_cast<const float*>(Xs + FQ * TC_LDK + FQ * LDB);
        const float decay = w[FQ];
        bf16* out = statesIn + ((size_t)(b * s.nChunks + c) * s.H + h) * FP * FN + (size_t)(n0 + nw + gq) * FP + pw;
#pragma unroll
        for (int mt = 0; mt < MT; mt++) {
#pragma unroll
            for (int half = 0; half < 2; half++) {  // the state entering chunk c
                uint32_t pairs[JT];
#pragma unroll
                for (int j = 0; j < JT; j++) pairs[j] = pack_bf16(acc[mt][j][2 * half], acc[mt][j][2 * half + 1]);
                st_row_pairs(out + (mt * 16 + 8 * half) * FP, pairs, tq, true);
            }
#pragma unroll
            for (int j = 0; j < JT; j++)
#pragma unroll
                for (int e = 0; e < 4; e++) acc[mt][j][e] *= decay;
        }
        const bf16* aRow = Xs + FQ * TC_LDK + aOff;
        const bf16* bRow = Xs + bOff;
        weighted_state_products<LDB>(acc, aRow, bRow, w, tq);
    }
}
#define SSD_STATE_SCAN_ARGS const bf16* x, int xStride, const bf16* B, int bStride, const float* wts, \
    bf16* statesIn, int L, int H, int P, int G, int N, int Q, int nChunks
// one entry per n-slice width and stage count: ssd_chunk_state_scan{NS}_s{STAGES}
#define SSD_STATE_SCAN_ENTRY(NS, STAGES) \
    extern "C" __global__ void __launch_bounds__(128) ssd_chunk_state_scan##NS##_s##STAGES(SSD_STATE_SCAN_ARGS) { \
        ssd_chunk_state_scan_tc<NS, STAGES>(x, xStride, B, bStride, wts, statesIn, SsdDims{L, H, P, G, N, Q, nChunks}); \
    }
#define SSD_STATE_SCAN_ENTRIES(NS) SSD_STATE_SCAN_ENTRY(NS, 2) SSD_STATE_SCAN_ENTRY(NS, 3)
SSD_STATE_SCAN_ENTRIES(16)
SSD_STATE_SCAN_ENTRIES(32)
SSD_STATE_SCAN_ENTRIES(64)
SSD_STATE_SCAN_ENTRIES(128)

// HPB heads of one group per block (128·HPB threads): C and B are loaded and staged once for all of them; warps
// 4k .. 4k+3 compute head h0 + k exactly as a 128-thread block computes one head.
// FOLD (the gated RMSNorm folded away, nGroups = 1): instead of y, writes yFold = bf16(y ⊙ normW) and each
// (row, head)'s Σ y² to rowSS [rows, H]; the norm's per-row scale rsqrt(Σ_h rowSS / d_inner + eps) commutes with
// out_proj, so the consumer of out_proj's output applies it (add_rmsnorm's deltaSS). Deterministic: no atomics.
template <typename T, typename TZ, int HPB, bool FOLD>
__device__ void ssd_chunk_output_tc(const T* __restrict__ x, int xStride, const T* __restrict__ B,
                                    const T* __restrict__ C, int bcStride, const TZ* __restrict__ z, int zStride,
                                    const float* __restrict__ D, const float* __restrict__ acum,
                                    const float* __restrict__ coef, const bf16* __restrict__ statesIn,
                                    float* __restrict__ y, int yStride, const float* __restrict__ normW,
                                    bf16* __restrict__ yFold, float* __restrict__ rowSS, SsdDims s) {
    extern __shared__ __align__(16) float sm[];
    int c = blockIdx.y, b = blockIdx.z;  // heads vary fastest: resident blocks share their chunks' C and B in L2
    int tid = threadIdx.x, hw = tid >> 7, ht = tid & 127;        // this thread's head in the block, index in it
    int h = blockIdx.x * HPB + hw;
    int t0 = c * FQ, len = min(FQ, s.L - t0);
    int g = h / (s.H / s.G);
    uint32_t* Cs = reinterpret_cast<uint32_t*>(sm);               // [t][n] bf16 pairs along n
    uint32_t* Bs = Cs + FQ * TC_LDN / 2;                          // [u][n]
    bf16* Sn = reinterpret_cast<bf16*>(Bs + FQ * TC_LDN / 2) + hw * TC_OUTPUT_HEAD_SHARED / 2;  // [n][p] entering state
    float* Xs = reinterpret_cast<float*>(Sn + FN * TC_LDK);       // [u][p] x, fp32
    float* sa = Xs + FQ * TC_LDX;                                 // 64 cumulative a
    float* sc = sa + FQ;                                          // 64 coef
    if (z && tid < len) prefetch_l2(z + ((size_t)b * s.L + t0 + tid) * zStride + (size_t)blockIdx.x * HPB * FP,
                                    HPB * FP * sizeof(TZ));
    size_t tb = (size_t)(b * s.H + h) * s.L + t0;
    const size_t row0 = (size_t)b * s.L + t0;
    const float4 zero4 = make_float4(0.f, 0.f, 0.f, 0.f);
    // every global load of the block is in flight at once (a block's time is its chain of latencies): x, (bf16) C and
    // B, and the entering state go to shared memory by cp.async, without registers; fp32 C and B through registers.
    // x as it is stored, rows past the sequence zeroed: fp32 [u][TC_LDX] or bf16 [u][TC_LDK] (the same bytes' room)
    constexpr int XLD = sizeof(T) == 4 ? TC_LDX : TC_LDK;
    T* Xr = reinterpret_cast<T*>(Xs);
    copy_tile_async<FQ, FP * sizeof(T), 128>(Xr, XLD, x + row0 * xStride + h * FP, xStride, len, ht);
    cp_async_commit();
    if (ht < FQ) {
        sa[ht] = ht < len ? acum[tb + ht] : 0.f;
        sc[ht] = ht < len ? coef[tb + ht] : 0.f;
    }
    if constexpr (sizeof(T) == 2) {  // bf16 C and B: copied as they are, over all the block's threads
        copy_tile_async<FQ, 2 * FN, 128 * HPB>(reinterpret_cast<T*>(Cs), TC_LDN, C + row0 * bcStride + g * FN, bcStride,
                                               len, tid);
        copy_tile_async<FQ, 2 * FN, 128 * HPB>(reinterpret_cast<T*>(Bs), TC_LDN, B + row0 * bcStride + g * FN, bcStride,
                                               len, tid);
        cp_async_commit();
    } else {  // fp32 C and B, 64 tokens × 32 column quads each, rounded to bf16: two heads per block issue both
        // matrices' loads (8 float4 per thread each) before storing; one head (16 each) stores C before it loads B
        constexpr int PER = 16 / HPB, MATS = HPB == 2 ? 2 : 1;
#pragma unroll
        for (int m0 = 0; m0 < 2; m0 += MATS) {
            float4 r[MATS][PER];
#pragma unroll
            for (int m = 0; m < MATS; m++) {
#pragma unroll
                for (int k = 0; k < PER; k++) {
                    int i = tid + k * 128 * HPB, t = i >> 5, q4 = (i & 31) * 4;
                    r[m][k] = t < len ? ld4(m0 + m ? B : C, (row0 + t) * bcStride + g * FN + q4) : zero4;
                }
            }
#pragma unroll
            for (int m = 0; m < MATS; m++) {
#pragma unroll
                for (int k = 0; k < PER; k++) {
                    int i = tid + k * 128 * HPB, t = i >> 5, q4 = (i & 31) * 4;
                    *reinterpret_cast<uint2*>((m0 + m ? Bs : Cs) + t * (TC_LDN / 2) + q4 / 2) =
                        make_uint2(pack_bf16(r[m][k].x, r[m][k].y), pack_bf16(r[m][k].z, r[m][k].w));
                }
            }
        }
    }
    cp_async_wait_all();  // x, C and B; the entering state is loaded after the wait below
    __syncthreads();
    int warp = ht >> 5, lane = tid & 31, gq = lane >> 2, tq = lane & 3;
    int tA = warp * 16 + gq, tB = tA + 8;  // the two rows this thread holds
    // C fragments for k = n (eight k-steps), shared by C·Bᵀ and C·S
    uint32_t cf[8][4];
#pragma unroll
    for (int kk = 0; kk < 8; kk++) {
        const uint32_t* r0 = Cs + tA * (TC_LDN / 2) + kk * 8 + tq;
        const uint32_t* r1 = r0 + 8 * (TC_LDN / 2);
        cf[kk][0] = r0[0]; cf[kk][1] = r1[0]; cf[kk][2] = r0[4]; cf[kk][3] = r1[4];
    }
    // M[t][u] = (C·Bᵀ)[t][u]·exp(s_t − s_u)·coef_u for u ≤ t < len, as bf16 A fragments (k = u); causal: u < 16(w+1)
    uint32_t mf[4][4];
#pragma unroll
    for (int ku = 0; ku < 4; ku++) {
        mf[ku][0] = mf[ku][1] = mf[ku][2] = mf[ku][3] = 0u;
        if (ku > warp) continue;
        float m2[2][4];
#pragma unroll
        for (int half = 0; half < 2; half++) {
            int j = 2 * ku + half;
            float* m = m2[half];
            m[0] = m[1] = m[2] = m[3] = 0.f;
#pragma unroll
            for (int kk = 0; kk < 8; kk++) {
                const uint32_t* br = Bs + (j * 8 + gq) * (TC_LDN / 2) + kk * 8 + tq;
                mma_bf16(m, cf[kk][0], cf[kk][1], cf[kk][2], cf[kk][3], br[0], br[4]);
            }
            int u0 = j * 8 + tq * 2;
            float c0 = sc[u0], c1 = sc[u0 + 1];  // coef_u folded in here, as mamba_ssm's chunk scan scales C·Bᵀ by dt
            m[0] = (u0 <= tA && tA < len) ? m[0] * exp_approx(sa[tA] - sa[u0]) * c0 : 0.f;
            m[1] = (u0 + 1 <= tA && tA < len) ? m[1] * exp_approx(sa[tA] - sa[u0 + 1]) * c1 : 0.f;
            m[2] = (u0 <= tB && tB < len) ? m[2] * exp_approx(sa[tB] - sa[u0]) * c0 : 0.f;
            m[3] = (u0 + 1 <= tB && tB < len) ? m[3] * exp_approx(sa[tB] - sa[u0 + 1]) * c1 : 0.f;
        }
        mf[ku][0] = pack_bf16(m2[0][0], m2[0][1]);
        mf[ku][1] = pack_bf16(m2[0][2], m2[0][3]);
        mf[ku][2] = pack_bf16(m2[1][0], m2[1][1]);
        mf[ku][3] = pack_bf16(m2[1][2], m2[1][3]);
    }
    // z for the epilogue, copied into C and B's room (dead once cf and M are in registers) while the products run; rows
    // padded by 32 bytes so that a warp's pair reads hit distinct banks
    constexpr int ZW = HPB * FP, ZLD = ZW + 32 / sizeof(TZ);
    TZ* Zs = reinterpret_cast<TZ*>(sm);
    if (z) {
        __syncthreads();
        copy_tile_async<FQ, ZW * sizeof(TZ), 128 * HPB, false>(Zs, ZLD, z + row0 * zStride + (size_t)blockIdx.x * ZW,
                                                               zStride, len, tid);
        cp_async_commit();
    }
    // y = Σ_u M[t][u]·X[u][p] + exp(s_t)·(C·S)[t][p]: the chunk's own part first, which needs nothing of the state scan
    float acc[8][4] = {};
#pragma unroll
    for (int ku = 0; ku < 4; ku++) {
        if (ku > warp) continue;
        if constexpr (sizeof(T) == 4) {
#pragma unroll
            for (int j = 0; j < 8; j++) {  // B fragment: x rows u = 16·ku + 2·tq (+1, +8, +9) at column p, rounded
                const float* xr = Xs + (ku * 16 + 2 * tq) * TC_LDX + j * 8 + gq;
                mma_bf16(acc[j], mf[ku][0], mf[ku][1], mf[ku][2], mf[ku][3], pack_bf16(xr[0], xr[TC_LDX]),
                         pack_bf16(xr[8 * TC_LDX], xr[9 * TC_LDX]));
            }
        } else {  // bf16 x: the fragments read transposed, as the state's
            const bf16* xRow = Xr + (ku * 16 + ((lane >> 3) & 1) * 8 + (lane & 7)) * TC_LDK + (lane >> 4) * 8;
#pragma unroll
            for (int j = 0; j < 8; j += 2) {
                uint32_t b0, b1, b2, b3;
                ldmatrix_x4_trans(b0, b1, b2, b3, xRow + j * 8);
                mma_bf16(acc[j], mf[ku][0], mf[ku][1], mf[ku][2], mf[ku][3], b0, b1);
                mma_bf16(acc[j + 1], mf[ku][0], mf[ku][1], mf[ku][2], mf[ku][3], b2, b3);
            }
        }
    }
    // launched as a dependent of the state scan (Kernels.ssd), the block gets here while the scan may still run: only
    // the states are the scan's (a no-op after an ordinary launch). Everything above needs nothing of it, so that a
    // block that waits has only the state's load, C·S and the epilogue left
    grid_dependency_wait();
    // the state entering the chunk, bf16 [n][p] as the state scan (or pass) wrote it; the C·S fragments read it
    // transposed
    copy_tile_async<FN, 2 * FP, 128>(Sn, TC_LDK, statesIn + ((size_t)(b * s.nChunks + c) * s.H + h) * FP * FN, FP, FN,
                                     ht);
    cp_async_commit();
    cp_async_wait_all();
    __syncthreads();
    // lane l addresses row l % 8 of 8×8 tile l / 8: rows n = 16·kk + 8·(tile % 2) + l % 8, columns p from 8·(j + tile / 2)
    const bf16* sRow = Sn + (((lane >> 3) & 1) * 8 + (lane & 7)) * TC_LDK + (lane >> 4) * 8;
    float eA = exp_approx(sa[tA]), eB = exp_approx(sa[tB]);
#pragma unroll
    for (int j = 0; j < 8; j += 2) {  // two column tiles at a time, scaled by exp(s_t) into acc
        float cs[2][4] = {};
#pragma unroll
        for (int kk = 0; kk < 8; kk++) {
            uint32_t b0, b1, b2, b3;
            ldmatrix_x4_trans(b0, b1, b2, b3, sRow + kk * 16 * TC_LDK + j * 8);
            mma_bf16(cs[0], cf[kk][0], cf[kk][1], cf[kk][2], cf[kk][3], b0, b1);
            mma_bf16(cs[1], cf[kk][0], cf[kk][1], cf[kk][2], cf[kk][3], b2, b3);
        }
#pragma unroll
        for (int q = 0; q < 2; q++) {
            acc[j + q][0] += eA * cs[q][0]; acc[j + q][1] += eA * cs[q][1];
            acc[j + q][2] += eB * cs[q][2]; acc[j + q][3] += eB * cs[q][3];
        }
    }
    float Dh = D ? D[h] : 0.f;
    float ss[2] = {0.f, 0.f};
    uint32_t yw[2][8] = {};  // FOLD: bf16 pairs of y ⊙ w, stored after the loop a sector at a time
#pragma unroll
    for (int half = 0; half < 2; half++) {
        int t = half ? tB : tA;
        if (t >= len) continue;
        size_t row = (size_t)(b * s.L + t0 + t);
#pragma unroll
        for (int j = 0; j < 8; j++) {
            int p = j * 8 + tq * 2;
            float2 xv = ld2(Xr, (size_t)t * XLD + p);
            float v0 = acc[j][2 * half] + Dh * xv.x, v1 = acc[j][2 * half + 1] + Dh * xv.y;
            if (z) {
                float2 zv = ld2(Zs, (size_t)t * ZLD + hw * FP + p);
                v0 *= silu_approx(zv.x);
                v1 *= silu_approx(zv.y);
            }
            if (FOLD) {
                float2 wv = *reinterpret_cast<const float2*>(normW + h * FP + p);
                ss[half] += v0 * v0 + v1 * v1;
                yw[half][j] = pack_bf16(v0 * wv.x, v1 * wv.y);
            } else {
                *reinterpret_cast<float2*>(y + row * yStride + h * FP + p) = make_float2(v0, v1);
            }
        }
    }
    if (FOLD) {  // the four lanes of a row (tq) hold its 64 columns of this head
#pragma unroll
        for (int half = 0; half < 2; half++) {
            int t = half ? tB : tA;
            bool live = t < len;
            size_t row = (size_t)(b * s.L + t0 + (live ? t : 0));
            st_row_pairs(yFold + row * yStride + h * FP, yw[half], tq, live);
            ss[half] += __shfl_xor_sync(0xffffffffu, ss[half], 1);
            ss[half] += __shfl_xor_sync(0xffffffffu, ss[half], 2);
            if (tq == 0 && live) rowSS[row * s.H + h] = ss[half];
        }
    }
}
// shared bytes for HPB heads: C and B once (bf16), per head the state (bf16), x (fp32), cumulative a and coef
#define TC_OUTPUT_SHARED(HPB) (2 * 2 * FQ * TC_LDN + (HPB) * TC_OUTPUT_HEAD_SHARED)
// the tensor-core output kernels take the states entering each chunk in bf16 (ssd_state_pass_vec_bf16)
#define SSD_OUT_TC_ARGS(T) const T* x, int xStride, const T* B, const T* C, int bcStride, const T* z, int zStride, \
    const float* D, const float* acum, const float* coef, const bf16* statesIn, float* y, int yStride, int L, int H, \
    int P, int G, int N, int Q, int nChunks
#define SSD_OUT_TC_CALL(T, TZ, HPB, FOLD) ssd_chunk_output_tc<T, TZ, HPB, FOLD>(x, xStride, B, C, bcStride, z, zStride, D, acum, \
    coef, statesIn, y, yStride, normW, yFold, rowSS, SsdDims{L, H, P, G, N, Q, nChunks})
extern "C" __global__ void __launch_bounds__(128) ssd_chunk_output_tc_f32(SSD_OUT_TC_ARGS(float)) {
    const float* normW = nullptr; bf16* yFold = nullptr; float* rowSS = nullptr;
    SSD_OUT_TC_CALL(float, float, 1, false);
}
extern "C" __global__ void __launch_bounds__(128) ssd_chunk_output_tc_bf16(SSD_OUT_TC_ARGS(bf16)) {
    const float* normW = nullptr; bf16* yFold = nullptr; float* rowSS = nullptr;
    SSD_OUT_TC_CALL(bf16, bf16, 1, false);
}
// two heads per block: grid (H / 2, nChunks, batch), H / G even
extern "C" __global__ void __launch_bounds__(256) ssd_chunk_output_tc2_f32(SSD_OUT_TC_ARGS(float)) {
    const float* normW = nullptr; bf16* yFold = nullptr; float* rowSS = nullptr;
    SSD_OUT_TC_CALL(float, float, 2, false);
}
extern "C" __global__ void __launch_bounds__(256) ssd_chunk_output_tc2_bf16(SSD_OUT_TC_ARGS(bf16)) {
    const float* normW = nullptr; bf16* yFold = nullptr; float* rowSS = nullptr;
    SSD_OUT_TC_CALL(bf16, bf16, 2, false);
}
// the gated RMSNorm folded in (the DeviceMixer's BF16 mode: x, B and C from the conv in bf16, z from in_proj in fp32,
// or in bf16 for _fold_bf16): y is not written
#define SSD_OUT_TC_FOLD_ARGS(TZ) const bf16* x, int xStride, const bf16* B, const bf16* C, int bcStride, const TZ* z, \
    int zStride, const float* D, const float* acum, const float* coef, const bf16* statesIn, const float* normW, \
    bf16* yFold, int yStride, float* rowSS, int L, int H, int P, int G, int N, int Q, int nChunks
#define SSD_OUT_TC_FOLD_ENTRY(NAME, TZ, HPB) \
    extern "C" __global__ void __launch_bounds__(128 * HPB) NAME(SSD_OUT_TC_FOLD_ARGS(TZ)) { \
        float* y = nullptr; \
        SSD_OUT_TC_CALL(bf16, TZ, HPB, true); \
    }
SSD_OUT_TC_FOLD_ENTRY(ssd_chunk_output_tc_fold_xbf16, float, 1)
SSD_OUT_TC_FOLD_ENTRY(ssd_chunk_output_tc2_fold_xbf16, float, 2)
SSD_OUT_TC_FOLD_ENTRY(ssd_chunk_output_tc_fold_bf16, bf16, 1)
SSD_OUT_TC_FOLD_ENTRY(ssd_chunk_output_tc2_fold_bf16, bf16, 2)

// ---------------------------------------------------------------------------------------------------------------
// Gated RMSNorm, per group of d/G channels (decision D1); the SiLU(z) gate is already applied by the SSD output.
// grid (rows, G).
template <typename TO>
__device__ void group_rmsnorm(const float* __restrict__ y, const float* __restrict__ w, TO* __restrict__ out,
                              int d, int G, float eps) {
    int r = blockIdx.x, g = blockIdx.y, gs = d / G;
    const float* yr = y + (size_t)r * d + g * gs;
    float ss = 0.f;
    for (int i = threadIdx.x; i < gs; i += blockDim.x) { float v = yr[i]; ss += v * v; }
    ss = block_sum(ss);
    float rstd = rsqrtf(ss / gs + eps);
    TO* o = out + (size_t)r * d + g * gs;
    for (int i = threadIdx.x; i < gs; i += blockDim.x) st(o, i, yr[i] * rstd * w[g * gs + i]);
}
extern "C" __global__ void group_rmsnorm_f32(const float* y, const float* w, float* out, int d, int G, float eps) {
    group_rmsnorm<float>(y, w, out, d, G, eps);
}
extern "C" __global__ void group_rmsnorm_bf16(const float* y, const float* w, bf16* out, int d, int G, float eps) {
    group_rmsnorm<bf16>(y, w, out, d, G, eps);
}

// The same with the group's elements in registers as float4 (see add_rmsnorm_vec).
template <typename TO>
__device__ void group_rmsnorm_vec(const float* __restrict__ y, const float* __restrict__ w, TO* __restrict__ out,
                                  int d, int G, float eps) {
    int r = blockIdx.x, g = blockIdx.y, gs = d / G, n4 = gs >> 2;
    const float4* yr = reinterpret_cast<const float4*>(y + (size_t)r * d + g * gs);
    float4 v[NORM_VEC];
    float ss = 0.f;
#pragma unroll
    for (int k = 0; k < NORM_VEC; k++) {
        int i = threadIdx.x + k * blockDim.x;
        v[k] = i < n4 ? yr[i] : make_float4(0.f, 0.f, 0.f, 0.f);
    }
#pragma unroll
    for (int k = 0; k < NORM_VEC; k++) ss += dot4(v[k]);
    ss = block_sum(ss);
    float rstd = rsqrtf(ss / gs + eps);
    const float4* wg = reinterpret_cast<const float4*>(w + g * gs);
    size_t o4 = ((size_t)r * d + g * gs) >> 2;
#pragma unroll
    for (int k = 0; k < NORM_VEC; k++) {
        int i = threadIdx.x + k * blockDim.x;
        if (i < n4) st4(out, o4 + i, scale4(v[k], rstd, wg[i]));
    }
}
extern "C" __global__ void group_rmsnorm_vec_f32(const float* y, const float* w, float* out, int d, int G, float eps) {
    group_rmsnorm_vec<float>(y, w, out, d, G, eps);
}
extern "C" __global__ void group_rmsnorm_vec_bf16(const float* y, const float* w, bf16* out, int d, int G, float eps) {
    group_rmsnorm_vec<bf16>(y, w, out, d, G, eps);
}

// ---------------------------------------------------------------------------------------------------------------
// Small pieces of the embedding, VAE and output paths (fp32).

// x[r, :] += bias, then SiLU when act != 0. x row stride = cols.
extern "C" __global__ void bias_act_f32(float* x, const float* bias, int rows, int cols, int act) {
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (size_t)rows * cols) return;
    float v = x[i] + (bias ? bias[i % cols] : 0.f);
    x[i] = act ? silu(v) : v;
}

// DiT sinusoidal time embedding, decision D5: [cos(t·f), sin(t·f)], f_i = exp(−ln(10000)·i/half). Double math:
// t reaches 999 and the phase must stay accurate to fp32.
extern "C" __global__ void time_embedding(const float* t, float* out, int batch, int half) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= batch * half) return;
    int b = i / half, k = i % half;
    double f = exp(-log(10000.0) * k / half);
    double arg = (double)t[b] * f;
    out[(size_t)b * 2 * half + k] = (float)cos(arg);
    out[(size_t)b * 2 * half + half + k] = (float)sin(arg);
}

// Sequence embedding (SPEC §2, D5): x[b, i] = token_i + pos[i] + modality[m(i)].
// Layout [TIME, CLASS, BOI, img…, BOT, txt…]; latTok holds latent_in·z for the image then text tokens of each sample.
extern "C" __global__ void embed_sequence(float* x, const float* timeTok, const float* classEmbed, const int* classIds,
                                          const float* boi, const float* bot, const float* latTok, const float* pos,
                                          const float* modality, int batch, int L, int nImg, int d) {
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (size_t)batch * L * d) return;
    int k = (int)(i % d);
    int l = (int)((i / d) % L);
    int b = (int)(i / ((size_t)d * L));
    int textOff = 4 + nImg, nLat = L - 4;
    float tok;
    int m = 0;
    if (l == 0) tok = timeTok[(size_t)b * d + k];
    else if (l == 1) tok = classEmbed[(size_t)classIds[b] * d + k];
    else if (l == 2) tok = boi[k];
    else if (l == textOff - 1) tok = bot[k];
    else if (l < textOff - 1) { tok = latTok[((size_t)b * nLat + (l - 3)) * d + k]; m = 1; }
    else { tok = latTok[((size_t)b * nLat + nImg + (l - textOff)) * d + k]; m = 2; }
    x[i] = tok + pos[(size_t)l * d + k] + modality[(size_t)m * d + k];
}

// out[r, :] = table[ids[r], :]
extern "C" __global__ void gather_rows(const float* table, const int* ids, float* out, int rows, int cols) {
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (size_t)rows * cols) return;
    int r = (int)(i / cols), c = (int)(i % cols);
    out[i] = table[(size_t)ids[r] * cols + c];
}

// ---- A task's whole sampling loop on the device (DeviceSamplingLoop: DPM-Solver 2M, decisions D9, D15-D17) ----
// The state and the model outputs are double, and the arithmetic uses the _rn intrinsics in the host sampler's order
// (nvcc would otherwise contract a*b+c into an FMA, which Java never does), so the loop gives the host loop's bits.

// The denoiser's inputs for one call: lat = [x] or [x; x'] in fp32 (x' with its image positions at α·μ + σ·ε when
// mu is given: image guidance), and time = t_input for every sample of the copies.
extern "C" __global__ void sampling_inputs(const double* x, float* lat, float* time, int b, int perSample, int copies,
                                           const double* mu, const double* noise, int imageValues, double alpha,
                                           double sigma, float timeInput) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    int total = b * perSample;
    if (i < copies * b) time[i] = timeInput;
    if (i >= copies * total) return;
    int j = i % total;
    double v = x[j];
    if (i >= total && mu) {
        int s = j / perSample, k = j % perSample;
        if (k < imageValues) v = __dadd_rn(__dmul_rn(alpha, mu[j]), __dmul_rn(sigma, noise[s * imageValues + k]));
    }
    lat[i] = (float)v;
}

// The x̂0 of one call from the denoiser's output: the first half as is, or, with two copies, u + w·(c − u) from the
// values of each sample at offset `from` on (class guidance: 0; image guidance: the text's offset) and c before it.
// Sets *flag when any output of either pass or a combined value is not finite (the host sampler throws there).
extern "C" __global__ void sampling_prediction(const float* out, double* m, int b, int perSample, int copies, int from,
                                               double w, int* flag) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    int total = b * perSample;
    if (i >= total) return;
    double c = out[i];
    double v = c;
    bool finite = isfinite(c);
    if (copies == 2) {
        double u = out[total + i];
        finite = finite && isfinite(u);
        if (i % perSample >= from) v = __dadd_rn(u, __dmul_rn(w, __dsub_rn(c, u)));
    }
    if (!finite || !isfinite(v)) *flag = 1;
    m[i] = v;
}

// dst [b, count] fp32 = m [b, perSample] at offsets first..first+count of each sample.
extern "C" __global__ void sampling_gather(const double* m, float* dst, int b, int perSample, int first, int count) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= b * count) return;
    int s = i / count, k = i % count;
    dst[i] = (float)m[(size_t)s * perSample + first + k];
}

// m's values at offset first.. of each sample = the means (first dz columns) of stats [b·tokens, 2·dz].
// Sets *flag on a non-finite mean (the host sampler would throw on that x̂0).
extern "C" __global__ void sampling_scatter_mean(const float* stats, double* m, int b, int perSample, int first,
                                                 int tokens, int dz, int* flag) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= b * tokens * dz) return;
    int c = i % dz, r = i / dz, s = r / tokens, t = r % tokens;
    float v = stats[(size_t)r * 2 * dz + c];
    if (!isfinite(v)) *flag = 1;
    m[(size_t)s * perSample + first + t * dz + c] = v;
}

// Sets *flag on a NaN, which fminf/fmaxf would turn into −1 where the host keeps it (and then throws).
extern "C" __global__ void clamp_unit(float* x, int n, int* flag) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    float v = x[i];
    if (isnan(v)) *flag = 1;
    x[i] = fminf(1.f, fmaxf(-1.f, v));
}

// ids[r] = the first index of the largest of logits[r][0..choices), a warp per row (the host's argmax). Sets *flag
// on a NaN among them: the host's scan then depends on where the NaN sits, so the host computes that run.
extern "C" __global__ void argmax_rows(const float* logits, int rows, int cols, int choices, int* ids, int* flag) {
    int r = (blockIdx.x * blockDim.x + threadIdx.x) / 32;
    int lane = threadIdx.x % 32;
    if (r >= rows) return;
    const float* row = logits + (size_t)r * cols;
    int best = lane < choices ? lane : 0;
    float bestV = row[best];
    bool nan = isnan(bestV);
    for (int j = lane + 32; j < choices; j += 32) {
        nan |= isnan(row[j]);
        if (row[j] > bestV) { bestV = row[j]; best = j; }
    }
    if (nan) *flag = 1;
    for (int o = 16; o > 0; o >>= 1) {
        float v = __shfl_xor_sync(0xffffffffu, bestV, o);
        int j = __shfl_xor_sync(0xffffffffu, best, o);
        if (v > bestV || (v == bestV && j < best)) { bestV = v; best = j; }
    }
    if (lane == 0) ids[r] = best;
}

// m = (x − α·m)/σ: the noise form's ε̂ from x̂0 (dpmsolver).
extern "C" __global__ void sampling_to_noise(const double* x, double* m, int n, double alpha, double sigma) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) m[i] = __ddiv_rn(__dsub_rn(x[i], __dmul_rn(alpha, m[i])), sigma);
}

// One DPM-Solver 2M update (DpmSolverSampler.MultistepUpdate.apply), then the hold; sets *flag on a non-finite state.
extern "C" __global__ void sampling_update(double* x, const double* m0, const double* m1, const double* mask,
                                           const double* values, int n, double cx, double phi, double r0, int second,
                                           int* flag) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    double v = __dsub_rn(__dmul_rn(cx, x[i]), __dmul_rn(phi, m0[i]));
    if (second) {
        double d = __ddiv_rn(__dsub_rn(m0[i], m1[i]), r0);
        v = __dsub_rn(v, __dmul_rn(__dmul_rn(0.5, phi), d));
    }
    if (mask && mask[i] != 0.0) v = values[i];
    if (!isfinite(v)) *flag = 1;
    x[i] = v;
}

// Score entropy per token (SPEC §7), in double: se = (1/K) Σ_k [s_k − r_k log s_k + r_k(log r_k − 1)], from
// log-softmax values. One thread per token.
extern "C" __global__ void score_entropy(const float* zt, const float* zhat0, const float* cand, const float* alphaBar,
                                         float* se, int m, int K, int dz) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= m) return;
    double ab = alphaBar[i], sab = sqrt(ab), var = 1.0 - ab;
    double mr = -INFINITY, ms = -INFINITY;
    for (int k = 0; k < K; k++) {
        double dr = 0, ds = 0;
        for (int j = 0; j < dz; j++) {
            double y = cand[((size_t)i * K + k) * dz + j];
            double a = zt[(size_t)i * dz + j] - sab * y, e = zhat0[(size_t)i * dz + j] - y;
            dr += a * a; ds += e * e;
        }
        mr = fmax(mr, -dr / (2 * var));
        ms = fmax(ms, -ab * ds / (2 * var));
    }
    double zr = 0, zs = 0;
    for (int pass = 0; pass < 2; pass++) {
        double acc = 0;
        for (int k = 0; k < K; k++) {
            double dr = 0, ds = 0;
            for (int j = 0; j < dz; j++) {
                double y = cand[((size_t)i * K + k) * dz + j];
                double a = zt[(size_t)i * dz + j] - sab * y, e = zhat0[(size_t)i * dz + j] - y;
                dr += a * a; ds += e * e;
            }
            double lr = -dr / (2 * var) - mr, ls = -ab * ds / (2 * var) - ms;
            if (pass == 0) { zr += exp(lr); zs += exp(ls); }
            else {
                double logr = lr - log(zr), logs = ls - log(zs);
                double r = exp(logr), s = exp(logs);
                acc += s - r * logs + (r > 0 ? r * (logr - 1) : 0.0);
            }
        }
        if (pass == 1) se[i] = (float)(acc / K);
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Random weights generated on the device (benchmarks): uniform in [-scale, scale) from a counter-based hash.
__device__ __forceinline__ float hash_uniform(uint64_t seed, size_t i) {
    uint64_t z = seed + 0x9E3779B97F4A7C15ull * (i + 1);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (float)((z >> 40) * (1.0 / 16777216.0)) * 2.f - 1.f;
}
extern "C" __global__ void fill_uniform_f32(float* p, size_t n, unsigned long long seed, float scale, float offset) {
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) p[i] = offset + scale * hash_uniform(seed, i);
}
extern "C" __global__ void fill_uniform_bf16(bf16* p, size_t n, unsigned long long seed, float scale, float offset) {
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) p[i] = __float2bfloat16(offset + scale * hash_uniform(seed, i));
}

// ---------------------------------------------------------------- training (issue 6)
// Explicit forward-with-saved-activations and backward kernels, fp32, in the style of llm.c. They live in the same
// module as inference so one cuModuleLoadData serves both. Parameter gradients are reduced by a thread (or block)
// that owns each output element and loops over rows in a fixed order: no atomics, so training is deterministic.

// The GEMM fallback, for a machine without cuBLAS (a driver-only install; FallbackGemm): C[m, n] (+)= op(A)·op(B),
// row-major, element (i, k) of op(A) at A[i·lda + k] (A[k·lda + i] when transA) and (k, j) of op(B) at B[k·ldb + j]
// (B[j·ldb + k] when transB), products and sums in fp32 on CUDA cores in a fixed order (deterministic). A 64 × 64 tile a
// block of 16 × 16 threads, each 4 × 4 outputs strided by 16, k in slices of 16 through shared memory. Correct for any
// sizes and strides; a tenth of cuBLAS's speed or less, which is the price of running where cuBLAS is not installed.
template <typename TA, typename TC>
__device__ __forceinline__ void gemm_fallback_body(const TA* A, int lda, int transA, const TA* B, int ldb, int transB,
                                                   TC* C, int ldc, int m, int n, int k, int accumulate) {
    __shared__ float as[16][65];
    __shared__ float bs[16][65];
    const int tx = threadIdx.x & 15, ty = threadIdx.x >> 4;
    const int m0 = blockIdx.x * 64, n0 = blockIdx.y * 64;  // rows on x: gridDim.y stops at 65 535
    float acc[4][4] = {};
    for (int k0 = 0; k0 < k; k0 += 16) {
        for (int e = threadIdx.x; e < 64 * 16; e += 256) {
            int r = e >> 4, kk = e & 15, i = m0 + r, kg = k0 + kk;
            as[kk][r] = i < m && kg < k ? ld(A, transA ? (size_t)kg * lda + i : (size_t)i * lda + kg) : 0.f;
            int c = e & 63, kb = e >> 6, j = n0 + c, kh = k0 + kb;
            bs[kb][c] = j < n && kh < k ? ld(B, transB ? (size_t)j * ldb + kh : (size_t)kh * ldb + j) : 0.f;
        }
        __syncthreads();
#pragma unroll
        for (int kk = 0; kk < 16; kk++) {
            float a[4], b[4];
#pragma unroll
            for (int q = 0; q < 4; q++) {
                a[q] = as[kk][ty + 16 * q];
                b[q] = bs[kk][tx + 16 * q];
            }
#pragma unroll
            for (int p = 0; p < 4; p++)
#pragma unroll
                for (int q = 0; q < 4; q++) acc[p][q] = fmaf(a[p], b[q], acc[p][q]);
        }
        __syncthreads();
    }
#pragma unroll
    for (int p = 0; p < 4; p++) {
        int i = m0 + ty + 16 * p;
#pragma unroll
        for (int q = 0; q < 4; q++) {
            int j = n0 + tx + 16 * q;
            if (i < m && j < n) {
                size_t o = (size_t)i * ldc + j;
                st(C, o, acc[p][q] + (accumulate ? ld(C, o) : 0.f));
            }
        }
    }
}
#define GEMM_FALLBACK(NAME, TA, TC)                                                                                    \
    extern "C" __global__ void __launch_bounds__(256) NAME(const TA* A, int lda, int transA, const TA* B, int ldb,    \
                                                           int transB, TC* C, int ldc, int m, int n, int k,            \
                                                           int accumulate) {                                            \
        gemm_fallback_body<TA, TC>(A, lda, transA, B, ldb, transB, C, ldc, m, n, k, accumulate);                      \
    }
GEMM_FALLBACK(gemm_fallback_f32_f32, float, float)
GEMM_FALLBACK(gemm_fallback_bf16_f32, bf16, float)
GEMM_FALLBACK(gemm_fallback_f32_bf16, float, bf16)
GEMM_FALLBACK(gemm_fallback_bf16_bf16, bf16, bf16)

#include "train_common.cuh"
#include "train_block.cuh"
#include "train_vae.cuh"
#include "train_model.cuh"

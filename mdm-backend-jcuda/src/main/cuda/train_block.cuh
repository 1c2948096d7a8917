// Training kernels of one residual Mamba block (SPEC §5-§6, decision D1; see TRAINING.md). Included by mdm_kernels.cu.
// fp32, row-major; a "row" is a token (row = sample·L + position). Deterministic: every output element is owned by
// one thread, or reduced in a fixed order (block_sum, fixed-pattern warp shuffles); no atomics.
#pragma once

#define TB_EPS 1e-5f

// Sum over one warp in a fixed pattern; every lane gets the total.
__device__ __forceinline__ float tb_warp_sum(float v) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

__device__ __forceinline__ float tb_softplus(float v) { return v > 20.f ? v : log1pf(expf(v)); }
__device__ __forceinline__ float tb_softplus_grad(float v) { return v > 20.f ? 1.f : sigmoidf_(v); }

// V consecutive floats at p into v (one 16-byte access for V 4: p 16-byte aligned), and back.
template <int V> __device__ __forceinline__ void tb_ldv(const float* p, float (&v)[V]) {
    if constexpr (V == 4) {
        float4 q = *reinterpret_cast<const float4*>(p);
        v[0] = q.x; v[1] = q.y; v[2] = q.z; v[3] = q.w;
    } else {
#pragma unroll
        for (int k = 0; k < V; k++) v[k] = p[k];
    }
}
template <int V> __device__ __forceinline__ void tb_stv(float* p, const float (&v)[V]) {
    if constexpr (V == 4) {
        *reinterpret_cast<float4*>(p) = make_float4(v[0], v[1], v[2], v[3]);
    } else {
#pragma unroll
        for (int k = 0; k < V; k++) p[k] = v[k];
    }
}
// The same V values rounded to bf16 (one 8-byte store for V 4: p 8-byte aligned).
template <int V> __device__ __forceinline__ void tb_stv(bf16* p, const float (&v)[V]) {
    if constexpr (V == 4) {
        *reinterpret_cast<uint2*>(p) = make_uint2(pack_bf16(v[0], v[1]), pack_bf16(v[2], v[3]));
    } else {
#pragma unroll
        for (int k = 0; k < V; k++) st(p, k, v[k]);
    }
}

// Pre-norm with the scan-switch gather: for canonical row (s, l), u[s·L + inv[l]] = x[s·L + l] · r · w,
// r = (mean x² + eps)^-½; u in fp32, or in bf16 where it is only in_proj's bf16 GEMM operand (the value rounded once,
// as tr_to_bf16 would round it). grid (rows), block 256; V columns a thread per access (4 where d is a multiple of 4:
// the _vec4 kernels; a paper-width block at batch 8 took 20.7 µs by 4-byte accesses, 12.4 by 16-byte ones).
template <int V, typename T>
__device__ __forceinline__ void tb_prenorm_fwd_body(const float* x, const float* w, const int* inv, T* u, int L,
                                                    int d) {
    int r = blockIdx.x, s = r / L, l = r % L;
    const float* xr = x + (size_t)r * d;
    float ss = 0.f;
    for (int i = threadIdx.x * V; i < d; i += blockDim.x * V) {
        float xv[V];
        tb_ldv<V>(xr + i, xv);
#pragma unroll
        for (int k = 0; k < V; k++) ss += xv[k] * xv[k];
    }
    float rs = rsqrtf(block_sum(ss) / d + TB_EPS);
    T* o = u + ((size_t)s * L + inv[l]) * d;
    for (int i = threadIdx.x * V; i < d; i += blockDim.x * V) {
        float xv[V], wv[V], ov[V];
        tb_ldv<V>(xr + i, xv);
        tb_ldv<V>(w + i, wv);
#pragma unroll
        for (int k = 0; k < V; k++) ov[k] = xv[k] * rs * wv[k];
        tb_stv<V>(o + i, ov);
    }
}
extern "C" __global__ void tb_prenorm_fwd(const float* x, const float* w, const int* inv, float* u, int L, int d) {
    tb_prenorm_fwd_body<1>(x, w, inv, u, L, d);
}
extern "C" __global__ void tb_prenorm_fwd_bf16(const float* x, const float* w, const int* inv, bf16* u, int L, int d) {
    tb_prenorm_fwd_body<1>(x, w, inv, u, L, d);
}
extern "C" __global__ void tb_prenorm_fwd_vec4(const float* x, const float* w, const int* inv, float* u, int L,
                                               int d) {
    tb_prenorm_fwd_body<4>(x, w, inv, u, L, d);
}
extern "C" __global__ void tb_prenorm_fwd_vec4_bf16(const float* x, const float* w, const int* inv, bf16* u, int L,
                                                    int d) {
    tb_prenorm_fwd_body<4>(x, w, inv, u, L, d);
}

// The RMS norm backward's row scale rs = (Σ v²/n + eps)^-½ and coefficient c = rs³·(Σ g⊙v)/n, from a thread's shares
// ss and gv of the two sums over the block's row.
__device__ __forceinline__ void tb_rms_bwd_scale(float ss, float gv, int n, float& rs, float& c) {
    rs = rsqrtf(block_sum(ss) / n + TB_EPS);
    c = rs * rs * rs * block_sum(gv) / n;
}

// Backward of tb_prenorm_fwd plus the residual path, for canonical row (s, l), du = dU[s·L + inv[l]], g = w ⊙ du:
// dx = dOut + r·g − x·r³·(Σ g⊙x)/d; wpart = du ⊙ x · r (the row's share of the weight gradient). grid (rows), 256.
extern "C" __global__ void tb_prenorm_bwd(const float* x, const float* w, const int* inv, const float* dU,
                                          const float* dOut, float* dX, float* wpart, int L, int d) {
    int r = blockIdx.x, s = r / L, l = r % L;
    const float* xr = x + (size_t)r * d;
    const float* du = dU + ((size_t)s * L + inv[l]) * d;
    float ss = 0.f, gx = 0.f;
    for (int i = threadIdx.x; i < d; i += blockDim.x) {
        ss += xr[i] * xr[i];
        gx += w[i] * du[i] * xr[i];
    }
    float rs, c;
    tb_rms_bwd_scale(ss, gx, d, rs, c);
    for (int i = threadIdx.x; i < d; i += blockDim.x) {
        size_t k = (size_t)r * d + i;
        dX[k] = dOut[k] + rs * w[i] * du[i] - xr[i] * c;
        wpart[k] = du[i] * xr[i] * rs;
    }
}

// out[s·L + j] = in[s·L + idx[j]], rows of width d. One thread per element.
extern "C" __global__ void tb_gather_rows(const float* in, const int* idx, float* out, int rows, int L, int d) {
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (size_t)rows * d) return;
    size_t r = i / d, c = i % d;
    size_t s = r / L, j = r % L;
    out[i] = in[(s * L + idx[j]) * d + c];
}

// tb_gather_rows into bf16, where the gathered rows are only a bf16 GEMM operand (out_proj's ∂output): one block a
// row, no index division per element; V columns a thread per access (4 where d is a multiple of 4: _vec4). grid
// (rows), block 256.
template <int V>
__device__ __forceinline__ void tb_gather_rows_bf16_body(const float* in, const int* idx, bf16* out, int L, int d) {
    int r = blockIdx.x, s = r / L, j = r % L;
    const float* src = in + ((size_t)s * L + idx[j]) * d;
    bf16* dst = out + (size_t)r * d;
    for (int c = threadIdx.x * V; c < d; c += blockDim.x * V) {
        float v[V];
        tb_ldv<V>(src + c, v);
        tb_stv<V>(dst + c, v);
    }
}
extern "C" __global__ void tb_gather_rows_bf16(const float* in, const int* idx, bf16* out, int L, int d) {
    tb_gather_rows_bf16_body<1>(in, idx, out, L, d);
}
extern "C" __global__ void tb_gather_rows_bf16_vec4(const float* in, const int* idx, bf16* out, int L, int d) {
    tb_gather_rows_bf16_body<4>(in, idx, out, L, d);
}

// out[s·L + l] = x[s·L + l] + mix[s·L + inv[l]] (inverse permutation, residual): one block a row, no index division
// per element (a first form, a thread an element, took 29.5 µs a paper-width block at batch 8); V columns a thread per
// access (4 where d is a multiple of 4: _vec4). grid (rows), block 256.
template <int V>
__device__ __forceinline__ void tb_residual_unpermute_body(const float* x, const float* mix, const int* inv,
                                                           float* out, int L, int d) {
    int r = blockIdx.x, s = r / L, l = r % L;
    const float* m = mix + ((size_t)s * L + inv[l]) * d;
    for (int c = threadIdx.x * V; c < d; c += blockDim.x * V) {
        float xv[V], mv[V];
        tb_ldv<V>(x + (size_t)r * d + c, xv);
        tb_ldv<V>(m + c, mv);
#pragma unroll
        for (int k = 0; k < V; k++) xv[k] += mv[k];
        tb_stv<V>(out + (size_t)r * d + c, xv);
    }
}
extern "C" __global__ void tb_residual_unpermute(const float* x, const float* mix, const int* inv, float* out, int L,
                                                 int d) {
    tb_residual_unpermute_body<1>(x, mix, inv, out, L, d);
}
extern "C" __global__ void tb_residual_unpermute_vec4(const float* x, const float* mix, const int* inv, float* out,
                                                      int L, int d) {
    tb_residual_unpermute_body<4>(x, mix, inv, out, L, d);
}

// Causal depthwise conv1d (left zero padding K−1) + bias over channels [inOff, inOff + C) of in: pre (kept for the
// backward) and out = SiLU(pre), both dense [rows, C]. w [C, K]. One thread per element.
extern "C" __global__ void tb_conv_fwd(const float* in, int ld, int inOff, const float* w, const float* bias,
                                       float* pre, float* out, int rows, int L, int C, int K) {
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (size_t)rows * C) return;
    int r = (int)(i / C), c = (int)(i % C), l = r % L;
    float acc = bias[c];
    for (int k = 0; k < K; k++) {
        int back = K - 1 - k;
        if (l - back >= 0) acc += w[c * K + k] * in[(size_t)(r - back) * ld + inOff + c];
    }
    pre[i] = acc;
    out[i] = silu(acc);
}

// Input gradient of the conv: din[r, inOff + c] = Σ_k w[c, k] · dpre[r + K−1−k, c] (same sample only).
// dpre dense [rows, C]; din row stride ld. One thread per element.
extern "C" __global__ void tb_conv_bwd_input(const float* dpre, const float* w, float* din, int ld, int inOff,
                                             int rows, int L, int C, int K) {
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (size_t)rows * C) return;
    int r = (int)(i / C), c = (int)(i % C), l = r % L;
    float acc = 0.f;
    for (int k = 0; k < K; k++) {
        int fwd = K - 1 - k;
        if (l + fwd < L) acc += w[c * K + k] * dpre[(size_t)(r + fwd) * C + c];
    }
    din[(size_t)r * ld + inOff + c] = acc;
}

// Weight gradient of the conv, partial over TR_CHUNK_ROWS rows: partial[chunk, c·K + k] =
// Σ_{r in chunk} dpre[r, c] · in[r − (K−1−k), inOff + c] (same sample only); tr_colsum_final adds the chunks in order.
// grid (ceil(C·K/256), chunks), c fastest (coalesced rows).
extern "C" __global__ void tb_conv_bwd_weight(const float* dpre, const float* in, int ld, int inOff, float* partial,
                                              int rows, int L, int C, int K) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= C * K) return;
    int c = i % C, k = i / C, back = K - 1 - k;
    int r0 = blockIdx.y * TR_CHUNK_ROWS, r1 = min(rows, r0 + TR_CHUNK_ROWS);
    float acc = 0.f;
    for (int r = r0; r < r1; r++) {
        if (r % L - back >= 0) acc += dpre[(size_t)r * C + c] * in[(size_t)(r - back) * ld + inOff + c];
    }
    partial[(size_t)blockIdx.y * C * K + c * K + k] = acc;  // the index of dw[c, k]
}

// The conv's pre-activation at a row from its window of inputs, win[k] = input row r − (K − 1 − k), at position l of
// its sample: the taps before the sample's start left out. tb_conv_fwd's sum in its order (an FMA a tap, as nvcc
// contracts tb_conv_fwd's), so that tb_conv_bwd recomputes the forward's bits rather than keeping them.
template <int K>
__device__ __forceinline__ float tb_conv_pre(const float (&wk)[K], const float (&win)[K], float bias, int l) {
    float acc = bias;
#pragma unroll
    for (int k = 0; k < K; k++) {
        if (l - (K - 1 - k) >= 0) acc = __fmaf_rn(wk[k], win[k], acc);
    }
    return acc;
}

// tb_conv_fwd's SiLU output (without the pre-activation: tb_conv_bwd recomputes it) a thread per channel over
// TB_CONV_ROWS consecutive rows, for K ≤ 4: each input row is read once (plus K − 1 rows before the run) and kept in a
// window of registers, with no index division per element. grid (⌈C/256⌉, ⌈rows/TB_CONV_ROWS⌉).
#define TB_CONV_ROWS 16
template <int K>
__device__ __forceinline__ void tb_conv_fwd_rows_body(const float* __restrict__ in, int ld, int inOff,
                                                      const float* __restrict__ w, const float* __restrict__ bias,
                                                      float* __restrict__ out, int rows, int L, int C) {
    int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= C) return;
    int r0 = blockIdx.y * TB_CONV_ROWS;
    float wk[K], win[K];  // win[j] = input row r − (K − 1) + j at row r
#pragma unroll
    for (int k = 0; k < K; k++) wk[k] = w[c * K + k];
#pragma unroll
    for (int j = 0; j < K - 1; j++) {
        int rr = r0 - (K - 1) + j;
        win[j] = rr >= 0 ? in[(size_t)rr * ld + inOff + c] : 0.f;
    }
    float b = bias[c];
    int l = r0 % L;
#pragma unroll
    for (int i = 0; i < TB_CONV_ROWS; i++) {
        int r = r0 + i;
        if (r >= rows) break;
        win[K - 1] = in[(size_t)r * ld + inOff + c];
        out[(size_t)r * C + c] = silu(tb_conv_pre<K>(wk, win, b, l));
#pragma unroll
        for (int j = 0; j < K - 1; j++) win[j] = win[j + 1];
        l = l + 1 == L ? 0 : l + 1;
    }
}
extern "C" __global__ void tb_conv_fwd_rows(const float* in, int ld, int inOff, const float* w, const float* bias,
                                            float* out, int rows, int L, int C, int K) {
    switch (K) {
        case 1: tb_conv_fwd_rows_body<1>(in, ld, inOff, w, bias, out, rows, L, C); break;
        case 2: tb_conv_fwd_rows_body<2>(in, ld, inOff, w, bias, out, rows, L, C); break;
        case 3: tb_conv_fwd_rows_body<3>(in, ld, inOff, w, bias, out, rows, L, C); break;
        default: tb_conv_fwd_rows_body<4>(in, ld, inOff, w, bias, out, rows, L, C); break;
    }
}

// The conv + SiLU backward in one pass, for K ≤ 4: from dout = ∂L/∂SiLU(pre) (dense [rows, C]) and the pre-activation
// recomputed from the conv's inputs (tb_conv_pre, the forward's bits; keeping it cost a 45 MB write and read a
// paper-width block at batch 8, while this kernel reads the inputs anyway), dpre = dout · SiLU'(pre) stays in registers
// (never stored), and a thread per channel over one span of TB_CONV_BWD_ROWS rows writes
//   din[r, inOff + c] = Σ_k w[c, k] · dpre[r + K−1−k, c]   (same sample; row stride ld),
//   wPartial[span, c·K + k] = Σ_{r in span} dpre[r, c] · in[r − (K−1−k), inOff + c]   (same sample),
//   bPartial[span, c] = Σ_{r in span} dpre[r, c],
// in the order of tb_conv_bwd_input, tb_conv_bwd_weight and tr_colsum_partial over tr_silu_bwd's output, but over
// spans of 32 rows where those sum 128 (tr_colsum_final then adds the spans in order): a first version over 128-row
// chunks ran 181 µs a paper-width block at batch 8, each thread a chain of 131 rows. The thread reads K − 1 rows past
// its span for din's last rows (none past the batch: the same-sample condition leaves those taps out). din in fp32, or
// in bf16 where in_proj's backward GEMM is its only reader (tb_conv_bwd_bf16). grid (⌈C/256⌉, ⌈rows/TB_CONV_BWD_ROWS⌉).
#define TB_CONV_BWD_ROWS 32
#define TB_CONV_BWD_BATCH 8
template <int K, typename TD>
__device__ __forceinline__ void tb_conv_bwd_body(const float* __restrict__ dout, const float* __restrict__ w,
                                                 const float* __restrict__ bias, const float* __restrict__ in, int ld,
                                                 int inOff, TD* __restrict__ din, float* __restrict__ wPartial,
                                                 float* __restrict__ bPartial, int rows, int L, int C) {
    int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= C) return;
    int r0 = blockIdx.y * TB_CONV_BWD_ROWS;
    float wk[K], xin[K], dp[K], acc[K];  // at row t: xin[j] = in row t − (K−1) + j, dp[j] = dpre row t − (K−1) + j
#pragma unroll
    for (int k = 0; k < K; k++) {
        wk[k] = w[c * K + k];
        acc[k] = 0.f;
        dp[k] = 0.f;
    }
    xin[0] = 0.f;  // the window as row r0 − 1 left it: each row shifts it, then loads its own
#pragma unroll
    for (int j = 1; j < K; j++) {
        int rr = r0 - K + j;
        xin[j] = rr >= 0 ? in[(size_t)rr * ld + inOff + c] : 0.f;
    }
    float b = bias[c], sb = 0.f;
    int l = r0 % L;                        // position of row t in its sample
    int lr = ((l - (K - 1)) % L + L) % L;  // position of row t − (K − 1), whose din is complete at row t
    // rows in batches of TB_CONV_BWD_BATCH: a batch's loads are all issued before its arithmetic (a first version
    // unrolled the whole span's loop and ran at ≈ 1.1 TB/s)
#pragma unroll 1
    for (int i0 = 0; i0 < TB_CONV_BWD_ROWS + K - 1; i0 += TB_CONV_BWD_BATCH) {
        float g[TB_CONV_BWD_BATCH], x[TB_CONV_BWD_BATCH];
#pragma unroll
        for (int j = 0; j < TB_CONV_BWD_BATCH; j++) {
            int i = i0 + j, t = r0 + i;
            bool row = t < rows && i < TB_CONV_BWD_ROWS + K - 1;
            g[j] = row ? dout[(size_t)t * C + c] : 0.f;
            x[j] = row ? in[(size_t)t * ld + inOff + c] : 0.f;
        }
#pragma unroll
        for (int j = 0; j < TB_CONV_BWD_BATCH; j++) {
            int i = i0 + j, t = r0 + i;
            if (i >= TB_CONV_BWD_ROWS + K - 1) break;
#pragma unroll
            for (int q = 0; q < K - 1; q++) {
                dp[q] = dp[q + 1];
                xin[q] = xin[q + 1];
            }
            xin[K - 1] = x[j];
            dp[K - 1] = t < rows ? __fmul_rn(g[j], silu_grad(tb_conv_pre<K>(wk, xin, b, l))) : 0.f;
            if (i < TB_CONV_BWD_ROWS && t < rows) {
                sb += dp[K - 1];
#pragma unroll
                for (int k = 0; k < K; k++) {
                    if (l - (K - 1 - k) >= 0) acc[k] += dp[K - 1] * xin[k];
                }
            }
            int r = t - (K - 1);
            if (i >= K - 1 && r < rows) {
                float a = 0.f;
#pragma unroll
                for (int k = 0; k < K; k++) {
                    if (lr + (K - 1 - k) < L) a += wk[k] * dp[K - 1 - k];  // dpre row r + K−1−k
                }
                st(din, (size_t)r * ld + inOff + c, a);
            }
            l = l + 1 == L ? 0 : l + 1;
            lr = lr + 1 == L ? 0 : lr + 1;
        }
    }
    bPartial[(size_t)blockIdx.y * C + c] = sb;
#pragma unroll
    for (int k = 0; k < K; k++) wPartial[(size_t)blockIdx.y * C * K + c * K + k] = acc[k];
}
template <typename TD>
__device__ __forceinline__ void tb_conv_bwd_k(const float* dout, const float* w, const float* bias, const float* in,
                                              int ld, int inOff, TD* din, float* wPartial, float* bPartial, int rows,
                                              int L, int C, int K) {
    switch (K) {
        case 1: tb_conv_bwd_body<1>(dout, w, bias, in, ld, inOff, din, wPartial, bPartial, rows, L, C); break;
        case 2: tb_conv_bwd_body<2>(dout, w, bias, in, ld, inOff, din, wPartial, bPartial, rows, L, C); break;
        case 3: tb_conv_bwd_body<3>(dout, w, bias, in, ld, inOff, din, wPartial, bPartial, rows, L, C); break;
        default: tb_conv_bwd_body<4>(dout, w, bias, in, ld, inOff, din, wPartial, bPartial, rows, L, C); break;
    }
}
extern "C" __global__ void tb_conv_bwd(const float* dout, const float* w, const float* bias, const float* in, int ld,
                                       int inOff, float* din, float* wPartial, float* bPartial, int rows, int L, int C,
                                       int K) {
    tb_conv_bwd_k(dout, w, bias, in, ld, inOff, din, wPartial, bPartial, rows, L, C, K);
}
extern "C" __global__ void tb_conv_bwd_bf16(const float* dout, const float* w, const float* bias, const float* in,
                                            int ld, int inOff, bf16* din, float* wPartial, float* bPartial, int rows,
                                            int L, int C, int K) {
    tb_conv_bwd_k(dout, w, bias, in, ld, inOff, din, wPartial, bPartial, rows, L, C, K);
}

// out[r·ld + off + j] = bf16(x[r·ld + off + j]) for j < cols: columns of an fp32 matrix rounded into the same places of
// its bf16 copy (in_proj's ∂dt columns, whose other columns the norm and conv backward wrote in bf16). One thread per
// element.
extern "C" __global__ void tb_round_columns(const float* x, int ld, int off, int cols, bf16* out, int rows) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= rows * cols) return;
    size_t k = (size_t)(i / cols) * ld + off + i % cols;
    out[k] = __float2bfloat16_rn(x[k]);
}

// Δ = softplus(dt + dt_bias) per (row, head); dt at column dtOff of zx (row stride ld). One thread per element.
extern "C" __global__ void tb_delta(const float* zx, int ld, int dtOff, const float* dtBias, float* delta, int rows,
                                    int H) {
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (size_t)rows * H) return;
    size_t r = i / H;
    int h = (int)(i % H);
    delta[i] = tb_softplus(zx[r * ld + dtOff + h] + dtBias[h]);
}

// a_t = exp(Δ A) and k_t (EULER: Δ; ZOH: (a − 1)/A) of one token and head.
__device__ __forceinline__ void tb_discretize(float dl, float A, int zoh, float* a, float* k) {
    *a = expf(dl * A);
    *k = zoh ? expm1f(dl * A) / A : dl;
}

// Sequential SSD scan of one (head h = blockIdx.x, sample s = blockIdx.y), state P×N in shared memory:
// H_t = a_t H_{t−1} + k_t x_t ⊗ B_t, y_t = H_t C_t + D x_t. xbc is the conv output [rows, C] (x at h·P, B at
// di + g·N, C at di + G·N + g·N); y [rows, di]. When hstore is set, H_t is kept at hstore[(row·H + h)·P·N] for the
// backward. Dynamic shared: (P·N + P + 2N) floats. blockDim a multiple of 32.
extern "C" __global__ void tb_ssd_fwd(const float* xbc, int C, const float* delta, const float* Alog, const float* Dp,
                                      int zoh, float* y, float* hstore, int L, int H, int P, int G, int N) {
    extern __shared__ float tb_sm[];
    int h = blockIdx.x, s = blockIdx.y, g = h * G / H, di = H * P, PN = P * N;
    int tid = threadIdx.x, nt = blockDim.x, warp = tid >> 5, lane = tid & 31, nw = nt >> 5;
    float* hs = tb_sm;
    float* xs = hs + PN;
    float* bs = xs + P;
    float* cs = bs + N;
    for (int e = tid; e < PN; e += nt) hs[e] = 0.f;
    float A = -expf(Alog[h]), Dh = Dp[h];
    for (int t = 0; t < L; t++) {
        size_t row = (size_t)s * L + t;
        const float* xr = xbc + row * C;
        for (int i = tid; i < P; i += nt) xs[i] = xr[h * P + i];
        for (int i = tid; i < N; i += nt) {
            bs[i] = xr[di + g * N + i];
            cs[i] = xr[di + G * N + g * N + i];
        }
        float a, k;
        tb_discretize(delta[row * H + h], A, zoh, &a, &k);
        __syncthreads();
        float* hst = hstore ? hstore + (row * H + h) * PN : nullptr;
        for (int e = tid; e < PN; e += nt) {
            float v = a * hs[e] + k * xs[e / N] * bs[e % N];
            hs[e] = v;
            if (hst) hst[e] = v;
        }
        __syncthreads();
        for (int p = warp; p < P; p += nw) {
            float acc = 0.f;
            for (int n = lane; n < N; n += 32) acc += hs[p * N + n] * cs[n];
            acc = tb_warp_sum(acc);
            if (lane == 0) y[row * di + h * P + p] = acc + Dh * xs[p];
        }
        __syncthreads();
    }
}

// d k / d A for ZOH, k = expm1(ΔA)/A: Δ²·f(u), u = ΔA, f(u) = (u·eᵘ − (eᵘ − 1))/u², by its series near 0 where the
// closed form cancels.
__device__ __forceinline__ float tb_zoh_dk_dA(float dl, float A, float a) {
    float u = dl * A;
    float f = fabsf(u) < 0.1f ? 0.5f + u * (1.f / 3.f + u * (1.f / 8.f + u * (1.f / 30.f + u * (1.f / 144.f))))
                              : (u * a - expm1f(u)) / (u * u);
    return dl * dl * f;
}

// Reverse sweep of the SSD of one (head h = blockIdx.x, sample s = blockIdx.y), reading the states tb_ssd_fwd kept.
// dy [rows, di] is ∂L/∂y. dH_t = dy_t ⊗ C_t + a_{t+1} dH_{t+1}. Writes
//   dxbc[row, h·P + p] = k Σ_n dH[p,n] B[n] + D dy[p]         (x part; B and C parts come from tb_group_sum)
//   dBh[(row·H + h)·N + n] = k Σ_p dH[p,n] x[p],  dCh[...] = Σ_p dy[p] H_t[p,n]   (this head's share)
//   dzx[row·ld + dtOff + h] = ∂L/∂dt (through Δ = softplus(dt + dt_bias))
//   dAh[s·H + h] = Σ_t ∂L/∂A,  dDh[s·H + h] = Σ_t Σ_p dy x.
// Dynamic shared: (P·N + 2P + 3N) floats. blockDim a multiple of 32.
extern "C" __global__ void tb_ssd_bwd(const float* xbc, int C, const float* delta, const float* Alog, const float* Dp,
                                      int zoh, const float* dy, const float* hstore, const float* zx, float* dzx, int ld,
                                      int dtOff, const float* dtBias, float* dxbc, float* dBh, float* dCh, float* dAh,
                                      float* dDh, int L, int H, int P, int G, int N) {
    extern __shared__ float tb_sm[];
    int h = blockIdx.x, s = blockIdx.y, g = h * G / H, di = H * P, PN = P * N;
    int tid = threadIdx.x, nt = blockDim.x, warp = tid >> 5, lane = tid & 31, nw = nt >> 5;
    float* dh = tb_sm;
    float* xs = dh + PN;
    float* dys = xs + P;
    float* bs = dys + P;
    float* cs = bs + N;
    float* sn = cs + N;
    for (int e = tid; e < PN; e += nt) dh[e] = 0.f;
    float A = -expf(Alog[h]), Dh = Dp[h];
    float aNext = 0.f, accA = 0.f, accD = 0.f;
    for (int t = L - 1; t >= 0; t--) {
        size_t row = (size_t)s * L + t;
        const float* xr = xbc + row * C;
        for (int i = tid; i < P; i += nt) {
            xs[i] = xr[h * P + i];
            dys[i] = dy[row * di + h * P + i];
        }
        for (int i = tid; i < N; i += nt) {
            bs[i] = xr[di + g * N + i];
            cs[i] = xr[di + G * N + g * N + i];
        }
        float dl = delta[row * H + h], a, k;
        tb_discretize(dl, A, zoh, &a, &k);
        __syncthreads();
        for (int e = tid; e < PN; e += nt) dh[e] = aNext * dh[e] + dys[e / N] * cs[e % N];
        __syncthreads();
        const float* ht = hstore + (row * H + h) * PN;
        for (int n = tid; n < N; n += nt) {
            float sx = 0.f, sc = 0.f;
            for (int p = 0; p < P; p++) {
                sx += dh[p * N + n] * xs[p];
                sc += dys[p] * ht[p * N + n];
            }
            sn[n] = sx;
            dBh[(row * H + h) * N + n] = k * sx;
            dCh[(row * H + h) * N + n] = sc;
        }
        for (int p = warp; p < P; p += nw) {
            float acc = 0.f;
            for (int n = lane; n < N; n += 32) acc += dh[p * N + n] * bs[n];
            acc = tb_warp_sum(acc);
            if (lane == 0) dxbc[row * C + h * P + p] = k * acc + Dh * dys[p];
        }
        float part = 0.f;
        if (t > 0) {
            const float* hp = ht - (size_t)H * PN;  // H_{t−1} of this head: the previous row
            for (int e = tid; e < PN; e += nt) part += dh[e] * hp[e];
        }
        float da = block_sum(part);  // its barriers also publish sn
        float dk = 0.f, dd = 0.f;
        for (int n = 0; n < N; n++) dk += bs[n] * sn[n];
        for (int p = 0; p < P; p++) dd += dys[p] * xs[p];
        float dDelta = da * A * a + dk * (zoh ? a : 1.f);
        float dA = da * dl * a + (zoh ? dk * tb_zoh_dk_dA(dl, A, a) : 0.f);
        accA += dA;
        accD += dd;
        if (tid == 0) {
            size_t j = row * ld + dtOff + h;
            dzx[j] = dDelta * tb_softplus_grad(zx[j] + dtBias[h]);
        }
        aNext = a;
        __syncthreads();
    }
    if (tid == 0) {
        dAh[s * H + h] = accA;
        dDh[s * H + h] = accD;
    }
}

// dxbc[row, di + g·N + n] = Σ_{h of g} dBh[row, h, n] and the same for C at di + G·N + g·N + n, heads in order.
// One thread per (row, g, n). The tensor-core chunk kernel writes the partials in bf16 (tb_group_sum_bf16 below), the
// others in fp32; the sums are fp32 either way.
extern "C" __global__ void tb_group_sum(const float* dBh, const float* dCh, float* dxbc, int C, int rows, int H, int P,
                                        int G, int N) {
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (size_t)rows * G * N) return;
    size_t row = i / (G * N);
    int g = (int)(i % (G * N)) / N, n = (int)(i % N), hpg = H / G, di = H * P;
    float sb = 0.f, sc = 0.f;
    int h = g * hpg, h1 = (g + 1) * hpg;
    for (; h + 8 <= h1; h += 8) {  // eight heads' loads in flight before they are added, in order
        float vb[8], vc[8];
#pragma unroll
        for (int j = 0; j < 8; j++) {
            vb[j] = dBh[(row * H + h + j) * N + n];
            vc[j] = dCh[(row * H + h + j) * N + n];
        }
#pragma unroll
        for (int j = 0; j < 8; j++) {
            sb += vb[j];
            sc += vc[j];
        }
    }
    for (; h < h1; h++) {
        sb += dBh[(row * H + h) * N + n];
        sc += dCh[(row * H + h) * N + n];
    }
    dxbc[row * C + di + g * N + n] = sb;
    dxbc[row * C + di + G * N + g * N + n] = sc;
}

// tb_group_sum for bf16 partials, eight columns a thread (16-byte loads: with one 2-byte column a thread it read at
// about two thirds of the fp32 kernel's bandwidth); N a multiple of 8, as the tensor-core kernels' sizes are. The same
// sums in the same order.
extern "C" __global__ void tb_group_sum_bf16(const bf16* dBh, const bf16* dCh, float* dxbc, int C, int rows, int H,
                                             int P, int G, int N) {
    int N8 = N / 8;
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (size_t)rows * G * N8) return;
    size_t row = i / (G * N8);
    int g = (int)(i % (G * N8)) / N8, n = (int)(i % N8) * 8, hpg = H / G, di = H * P;
    float sb[8] = {}, sc[8] = {};
    auto add = [](float (&acc)[8], uint4 v) {
        float4 lo = widen_bf16x4(make_uint2(v.x, v.y)), hi = widen_bf16x4(make_uint2(v.z, v.w));
        float w[8] = {lo.x, lo.y, lo.z, lo.w, hi.x, hi.y, hi.z, hi.w};
#pragma unroll
        for (int j = 0; j < 8; j++) acc[j] += w[j];
    };
    int h = g * hpg, h1 = (g + 1) * hpg;
    for (; h + 4 <= h1; h += 4) {  // four heads' loads in flight before they are added, in order
        uint4 vb[4], vc[4];
#pragma unroll
        for (int j = 0; j < 4; j++) {
            vb[j] = *reinterpret_cast<const uint4*>(dBh + (row * H + h + j) * N + n);
            vc[j] = *reinterpret_cast<const uint4*>(dCh + (row * H + h + j) * N + n);
        }
#pragma unroll
        for (int j = 0; j < 4; j++) {
            add(sb, vb[j]);
            add(sc, vc[j]);
        }
    }
    for (; h < h1; h++) {
        add(sb, *reinterpret_cast<const uint4*>(dBh + (row * H + h) * N + n));
        add(sc, *reinterpret_cast<const uint4*>(dCh + (row * H + h) * N + n));
    }
    float4* ob = reinterpret_cast<float4*>(dxbc + row * C + di + g * N + n);  // C, di and N multiples of 4
    float4* oc = reinterpret_cast<float4*>(dxbc + row * C + di + G * N + g * N + n);
    ob[0] = make_float4(sb[0], sb[1], sb[2], sb[3]);
    ob[1] = make_float4(sb[4], sb[5], sb[6], sb[7]);
    oc[0] = make_float4(sc[0], sc[1], sc[2], sc[3]);
    oc[1] = make_float4(sc[4], sc[5], sc[6], sc[7]);
}

// gradA_log[h] += A·Σ_s dAh[s, h], gradD[h] += Σ_s dDh[s, h] (A = −exp(A_log), so dA/dA_log = A); samples in order.
extern "C" __global__ void tb_head_grads(const float* dAh, const float* dDh, const float* Alog, float* gAlog,
                                         float* gD, int batch, int H) {
    int h = blockIdx.x * blockDim.x + threadIdx.x;
    if (h >= H) return;
    float sa = 0.f, sd = 0.f;
    for (int s = 0; s < batch; s++) {
        sa += dAh[s * H + h];
        sd += dDh[s * H + h];
    }
    gAlog[h] += -expf(Alog[h]) * sa;
    gD[h] += sd;
}

// Gated RMSNorm forward per group of gs = di/G channels (D1): v = y ⊙ SiLU(z), out = v · r · w,
// r = (mean_group v² + eps)^-½. z at column 0 of zx (row stride ld). out in fp32, or in bf16 where it is only
// out_proj's bf16 GEMM operand (rounded once, as tr_to_bf16 would). grid (rows, G), block 256; V columns a thread
// per access (4 where gs and ld are multiples of 4: the _vec4 kernels).
template <int V, typename T>
__device__ __forceinline__ void tb_gated_norm_fwd_body(const float* y, const float* zx, int ld, const float* w,
                                                       T* out, int di, int G) {
    int r = blockIdx.x, g = blockIdx.y, gs = di / G;
    const float* yr = y + (size_t)r * di + g * gs;
    const float* z = zx + (size_t)r * ld + g * gs;
    float ss = 0.f;
    for (int i = threadIdx.x * V; i < gs; i += blockDim.x * V) {
        float yv[V], zv[V];
        tb_ldv<V>(yr + i, yv);
        tb_ldv<V>(z + i, zv);
#pragma unroll
        for (int k = 0; k < V; k++) {
            float v = yv[k] * silu(zv[k]);
            ss += v * v;
        }
    }
    float rs = rsqrtf(block_sum(ss) / gs + TB_EPS);
    for (int i = threadIdx.x * V; i < gs; i += blockDim.x * V) {
        float yv[V], zv[V], wv[V], o[V];
        tb_ldv<V>(yr + i, yv);
        tb_ldv<V>(z + i, zv);
        tb_ldv<V>(w + g * gs + i, wv);
#pragma unroll
        for (int k = 0; k < V; k++) o[k] = yv[k] * silu(zv[k]) * rs * wv[k];
        tb_stv<V>(out + (size_t)r * di + g * gs + i, o);
    }
}
extern "C" __global__ void tb_gated_norm_fwd(const float* y, const float* zx, int ld, const float* w, float* out,
                                             int di, int G) {
    tb_gated_norm_fwd_body<1>(y, zx, ld, w, out, di, G);
}
extern "C" __global__ void tb_gated_norm_fwd_vec4(const float* y, const float* zx, int ld, const float* w, float* out,
                                                  int di, int G) {
    tb_gated_norm_fwd_body<4>(y, zx, ld, w, out, di, G);
}
extern "C" __global__ void tb_gated_norm_fwd_bf16(const float* y, const float* zx, int ld, const float* w, bf16* out,
                                                  int di, int G) {
    tb_gated_norm_fwd_body<1>(y, zx, ld, w, out, di, G);
}
extern "C" __global__ void tb_gated_norm_fwd_vec4_bf16(const float* y, const float* zx, int ld, const float* w,
                                                       bf16* out, int di, int G) {
    tb_gated_norm_fwd_body<4>(y, zx, ld, w, out, di, G);
}

// Backward of tb_gated_norm_fwd for dOut = ∂L/∂out: with gg = w ⊙ dOut, dv = r·gg − v·r³·(Σ gg⊙v)/gs;
// dy = dv ⊙ SiLU(z), dz = dv ⊙ y ⊙ SiLU'(z) (into dzx at column 0: fp32, or bf16 where in_proj's backward GEMM is its
// only reader), wpart = dOut ⊙ v · r. grid (rows, G), 256.
template <int V, typename TZ>
__device__ __forceinline__ void tb_gated_norm_bwd_body(const float* y, const float* zx, int ld, const float* w,
                                                       const float* dOut, float* dy, TZ* dzx, float* wpart, int di,
                                                       int G) {
    int r = blockIdx.x, g = blockIdx.y, gs = di / G;
    size_t base = (size_t)r * di + g * gs;
    const float* z = zx + (size_t)r * ld + g * gs;
    float ss = 0.f, gv = 0.f;
    for (int i = threadIdx.x * V; i < gs; i += blockDim.x * V) {
        float yv[V], zv[V], wv[V], dv[V];
        tb_ldv<V>(y + base + i, yv);
        tb_ldv<V>(z + i, zv);
        tb_ldv<V>(w + g * gs + i, wv);
        tb_ldv<V>(dOut + base + i, dv);
#pragma unroll
        for (int k = 0; k < V; k++) {
            float v = yv[k] * silu(zv[k]);
            ss += v * v;
            gv += wv[k] * dv[k] * v;
        }
    }
    float rs, c;
    tb_rms_bwd_scale(ss, gv, gs, rs, c);
    for (int i = threadIdx.x * V; i < gs; i += blockDim.x * V) {
        float yv[V], zv[V], wv[V], dov[V], dyo[V], dzo[V], wp[V];
        tb_ldv<V>(y + base + i, yv);
        tb_ldv<V>(z + i, zv);
        tb_ldv<V>(w + g * gs + i, wv);
        tb_ldv<V>(dOut + base + i, dov);
#pragma unroll
        for (int k = 0; k < V; k++) {
            float sz = silu(zv[k]), v = yv[k] * sz;
            float dv = rs * wv[k] * dov[k] - v * c;
            dyo[k] = dv * sz;
            dzo[k] = dv * yv[k] * silu_grad(zv[k]);
            wp[k] = dov[k] * v * rs;
        }
        tb_stv<V>(dy + base + i, dyo);
        tb_stv<V>(dzx + (size_t)r * ld + g * gs + i, dzo);
        tb_stv<V>(wpart + base + i, wp);
    }
}
#define TB_GATED_NORM_BWD_ARGS const float* y, const float* zx, int ld, const float* w, const float* dOut, float* dy, \
    float* dzx, float* wpart, int di, int G
extern "C" __global__ void tb_gated_norm_bwd(TB_GATED_NORM_BWD_ARGS) {
    tb_gated_norm_bwd_body<1>(y, zx, ld, w, dOut, dy, dzx, wpart, di, G);
}
extern "C" __global__ void tb_gated_norm_bwd_vec4(TB_GATED_NORM_BWD_ARGS) {
    tb_gated_norm_bwd_body<4>(y, zx, ld, w, dOut, dy, dzx, wpart, di, G);
}
#define TB_GATED_NORM_BWD_BF16_ARGS const float* y, const float* zx, int ld, const float* w, const float* dOut, \
    float* dy, bf16* dzx, float* wpart, int di, int G
extern "C" __global__ void tb_gated_norm_bwd_bf16(TB_GATED_NORM_BWD_BF16_ARGS) {
    tb_gated_norm_bwd_body<1>(y, zx, ld, w, dOut, dy, dzx, wpart, di, G);
}
extern "C" __global__ void tb_gated_norm_bwd_vec4_bf16(TB_GATED_NORM_BWD_BF16_ARGS) {
    tb_gated_norm_bwd_body<4>(y, zx, ld, w, dOut, dy, dzx, wpart, di, G);
}

// The first row that block b of a grid of n takes in the norms' row-range kernels (its last is the next block's first,
// exclusive): contiguous ranges of ⌊rows/n⌋ or ⌈rows/n⌉ rows. Their grid is one wave of resident blocks
// (CudaContext.residentBlocks), so that no last partial wave idles the SMs: at paper width a first form with 4 rows a
// block ran 648 blocks in 2.45 waves.
__device__ __forceinline__ int tb_range_begin(int b, int n, int rows) { return (int)((long long)b * rows / n); }

// A row-range kernel's four-column slices k < IT of a row of n columns, (threadIdx.x + 256·k)·4 onwards (256 threads):
// loaded from p, and stored to p, where they lie inside the row.
template <int IT> __device__ __forceinline__ void tb_ld_slices(const float* p, int n, float (&v)[IT][4]) {
#pragma unroll
    for (int k = 0; k < IT; k++) {
        int i = (threadIdx.x + k * 256) * 4;
        if (i < n) tb_ldv<4>(p + i, v[k]);
    }
}
template <int IT> __device__ __forceinline__ void tb_st_slices(float* p, int n, const float (&v)[IT][4]) {
#pragma unroll
    for (int k = 0; k < IT; k++) {
        int i = (threadIdx.x + k * 256) * 4;
        if (i < n) tb_stv<4>(p + i, v[k]);
    }
}

// tb_gated_norm_bwd_vec4's function over a range of rows a block (tb_range_begin), for groups of at most 1024·IT
// columns: a row's y, z and dOut stay in registers between the two passes, and the block sums its rows' weight
// gradients in registers, so that wpart gets one row per block, [gridDim.x, di], not one per row (at paper width 42 MB
// a block written and read back by the column sums). dy and dz are tb_gated_norm_bwd_vec4's bits: the same sums in
// the same order. grid (blocks ≤ rows, G), 256 threads; gs a multiple of 4.
template <int IT, typename TZ>
__device__ __forceinline__ void tb_gated_norm_bwd_rows_body(const float* y, const float* zx, int ld, const float* w,
                                                            const float* dOut, float* dy, TZ* dzx, float* wpart,
                                                            int rows, int di, int G) {
    const int g = blockIdx.y, gs = di / G;
    const int begin = tb_range_begin(blockIdx.x, gridDim.x, rows);
    const int end = tb_range_begin(blockIdx.x + 1, gridDim.x, rows);
    float wv[IT][4], wacc[IT][4] = {};
    tb_ld_slices<IT>(w + g * gs, gs, wv);
    for (int r = begin; r < end; r++) {
        const size_t base = (size_t)r * di + g * gs;
        const float* z = zx + (size_t)r * ld + g * gs;
        float yv[IT][4], zv[IT][4], dv[IT][4], ss = 0.f, gv = 0.f;
#pragma unroll
        for (int k = 0; k < IT; k++) {
            int i = (threadIdx.x + k * 256) * 4;
            if (i < gs) {
                tb_ldv<4>(y + base + i, yv[k]);
                tb_ldv<4>(z + i, zv[k]);
                tb_ldv<4>(dOut + base + i, dv[k]);
#pragma unroll
                for (int e = 0; e < 4; e++) {
                    float v = yv[k][e] * silu(zv[k][e]);
                    ss += v * v;
                    gv += wv[k][e] * dv[k][e] * v;
                }
            }
        }
        float rs, c;
        tb_rms_bwd_scale(ss, gv, gs, rs, c);
#pragma unroll
        for (int k = 0; k < IT; k++) {
            int i = (threadIdx.x + k * 256) * 4;
            if (i < gs) {
                float dyo[4], dzo[4];
#pragma unroll
                for (int e = 0; e < 4; e++) {
                    float sz = silu(zv[k][e]), v = yv[k][e] * sz;
                    float d = rs * wv[k][e] * dv[k][e] - v * c;
                    dyo[e] = d * sz;
                    dzo[e] = d * yv[k][e] * silu_grad(zv[k][e]);
                    wacc[k][e] += dv[k][e] * v * rs;
                }
                tb_stv<4>(dy + base + i, dyo);
                tb_stv<4>(dzx + (size_t)r * ld + g * gs + i, dzo);
            }
        }
    }
    tb_st_slices<IT>(wpart + (size_t)blockIdx.x * di + g * gs, gs, wacc);
}
#define TB_GATED_NORM_BWD_ROWS_ENTRIES(IT)                                                                            \
    extern "C" __global__ void __launch_bounds__(256) tb_gated_norm_bwd_rows##IT(TB_GATED_NORM_BWD_ARGS, int rows) {  \
        tb_gated_norm_bwd_rows_body<IT>(y, zx, ld, w, dOut, dy, dzx, wpart, rows, di, G);                             \
    }                                                                                                                 \
    extern "C" __global__ void __launch_bounds__(256) tb_gated_norm_bwd_rows##IT##_bf16(TB_GATED_NORM_BWD_BF16_ARGS,  \
                                                                                        int rows) {                   \
        tb_gated_norm_bwd_rows_body<IT>(y, zx, ld, w, dOut, dy, dzx, wpart, rows, di, G);                             \
    }
TB_GATED_NORM_BWD_ROWS_ENTRIES(1)
TB_GATED_NORM_BWD_ROWS_ENTRIES(2)
TB_GATED_NORM_BWD_ROWS_ENTRIES(4)

// tb_prenorm_bwd over a range of rows a block (tb_range_begin), for d a multiple of 4 of at most 1024·IT: a row's x, du
// and dOut stay in registers between its two passes, and the block sums its rows' weight gradients in registers, so
// that wpart gets one row per block, [gridDim.x, d], not one per row (at paper width 21 MB a block written and read
// back by the column sums). The sums over a row run in four-column slices, not tb_prenorm_bwd's order. grid
// (blocks ≤ rows), 256 threads.
template <int IT>
__device__ __forceinline__ void tb_prenorm_bwd_rows_body(const float* x, const float* w, const int* inv,
                                                         const float* dU, const float* dOut, float* dX, float* wpart,
                                                         int rows, int L, int d) {
    const int begin = tb_range_begin(blockIdx.x, gridDim.x, rows);
    const int end = tb_range_begin(blockIdx.x + 1, gridDim.x, rows);
    float wv[IT][4], wacc[IT][4] = {};
    tb_ld_slices<IT>(w, d, wv);
    for (int r = begin; r < end; r++) {
        const int s = r / L, l = r % L;
        const float* xr = x + (size_t)r * d;
        const float* du = dU + ((size_t)s * L + inv[l]) * d;
        float xv[IT][4], dv[IT][4], ov[IT][4], ss = 0.f, gx = 0.f;
#pragma unroll
        for (int k = 0; k < IT; k++) {
            int i = (threadIdx.x + k * 256) * 4;
            if (i < d) {
                tb_ldv<4>(xr + i, xv[k]);
                tb_ldv<4>(du + i, dv[k]);
                tb_ldv<4>(dOut + (size_t)r * d + i, ov[k]);  // read here so that its load overlaps the sums
#pragma unroll
                for (int e = 0; e < 4; e++) {
                    ss += xv[k][e] * xv[k][e];
                    gx += wv[k][e] * dv[k][e] * xv[k][e];
                }
            }
        }
        float rs, c;
        tb_rms_bwd_scale(ss, gx, d, rs, c);
#pragma unroll
        for (int k = 0; k < IT; k++) {
            int i = (threadIdx.x + k * 256) * 4;
            if (i < d) {
                float o[4];
#pragma unroll
                for (int e = 0; e < 4; e++) {
                    o[e] = ov[k][e] + rs * wv[k][e] * dv[k][e] - xv[k][e] * c;
                    wacc[k][e] += dv[k][e] * xv[k][e] * rs;
                }
                tb_stv<4>(dX + (size_t)r * d + i, o);
            }
        }
    }
    tb_st_slices<IT>(wpart + (size_t)blockIdx.x * d, d, wacc);
}
#define TB_PRENORM_BWD_ROWS_ENTRY(IT)                                                                                 \
    extern "C" __global__ void __launch_bounds__(256) tb_prenorm_bwd_rows##IT(                                        \
        const float* x, const float* w, const int* inv, const float* dU, const float* dOut, float* dX, float* wpart,  \
        int rows, int L, int d) {                                                                                     \
        tb_prenorm_bwd_rows_body<IT>(x, w, inv, dU, dOut, dX, wpart, rows, L, d);                                     \
    }
TB_PRENORM_BWD_ROWS_ENTRY(1)
TB_PRENORM_BWD_ROWS_ENTRY(2)
TB_PRENORM_BWD_ROWS_ENTRY(4)

// ---- Register-tiled SSD scans (the fast path; tb_ssd_fwd/tb_ssd_bwd above serve the shapes it does not take) ----
// The recurrence H_t = a_t H_{t−1} + k_t x_t ⊗ B_t is independent per state element (p, n): only the contractions
// (Σ_n for y and ∂x, Σ_p for ∂B and ∂C, Σ_{p,n} for ∂a and ∂k) couple elements. So each thread keeps PPT×NPL state
// elements in registers, the lanes of a warp span n (reductions over n are warp shuffles), and the warps of the
// block span p. The forward needs no block barrier at all; the backward needs one per step, for the Σ_p over warps
// (double-buffered partials in shared memory). Lane l: nl = l mod LN (n = nl + LN·j), pg = l / LN;
// warp w owns p = (w·(32/LN) + pg)·PPT + i. LN = N / NPL ≤ 32 divides 32; blockDim = 32·P/((32/LN)·PPT).
// Shuffle patterns and summation orders are fixed: deterministic.

// Sums over the lanes that share pg (xor offsets below LN), of K values at once: each value's sum is the one of a
// separate reduction, but the K shuffles of one offset are issued together (LN is a runtime value, so separate loops
// would run one after the other).
template <int K>
__device__ __forceinline__ void tb_sum_over_n(float (&v)[K], int LN) {
    for (int o = LN >> 1; o > 0; o >>= 1)
#pragma unroll
        for (int q = 0; q < K; q++) v[q] += __shfl_xor_sync(0xffffffffu, v[q], o);
}

// The same over the lanes that share nl (xor offsets from LN up).
template <int K>
__device__ __forceinline__ void tb_sum_over_pg(float (&v)[K], int LN) {
    for (int o = LN; o < 32; o <<= 1)
#pragma unroll
        for (int q = 0; q < K; q++) v[q] += __shfl_xor_sync(0xffffffffu, v[q], o);
}

// Software pipelining: a step's global loads (x, B, C, Δ, and in the backward dy, the dt that Δ came from and the
// state H_{t−1}) are issued one step ahead into a second set of registers, so they are in flight while the step before
// computes and each step's dependent chain is arithmetic and shuffles only. The arithmetic and every summation order
// are those of the unpipelined scans (8e68727), so the results are the same bits.

// One state element's update H = a·H + (k·x)·B, rounded the same way wherever it runs: the backward recomputes the
// states the forward did not keep, and they must be the forward's bits.
__device__ __forceinline__ float tb_state_update(float a, float h, float k, float x, float b) {
    return __fmaf_rn(a, h, __fmul_rn(__fmul_rn(k, x), b));
}

// Where the tiled scans keep H_t: only every `every`-th step's (t mod every = phase), at
// hstore[((s·⌈L/every⌉ + t/every)·H + h)·P·N]. With every = 2 (phase 0) the sequential backward recomputes the odd
// steps' states from the even ones before them; with every = Q (phase Q − 1) the kept states are the chunks' last,
// which is all the chunked backward reads.
__device__ __forceinline__ size_t tb_state_offset(int s, int t, int L, int every, int h, int H, int PN) {
    size_t kept = (size_t)(L + every - 1) / every;
    return (((size_t)s * kept + t / every) * H + h) * PN;
}

// Operands of one forward step for one thread: its PPT values of x, its NPL values of B and C, and Δ.
template <int NPL, int PPT>
struct TbFwdStep {
    float x[PPT], b[NPL], c[NPL], dl;
};

// Forward. grid (H, batch). hstore (may be null) keeps the states of the steps t with t mod every = phase
// (tb_state_offset).
template <int NPL, int PPT>
__device__ __forceinline__ void tb_ssd_fwd_tiled(const float* __restrict__ xbc, int C, const float* __restrict__ delta,
                                                 const float* Alog, const float* Dp, int zoh, float* __restrict__ y,
                                                 float* __restrict__ hstore, int every, int phase, int L, int H, int P,
                                                 int G, int N) {
    int h = blockIdx.x, s = blockIdx.y, g = h * G / H, di = H * P, PN = P * N, LN = N / NPL;
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, nl = lane % LN, pg = lane / LN;
    int p0 = (warp * (32 / LN) + pg) * PPT;
    int xo = h * P + p0, bo = di + g * N + nl, co = di + G * N + g * N + nl;
    float A = -expf(Alog[h]), Dh = Dp[h];
    auto load = [&](size_t row, TbFwdStep<NPL, PPT>& o) {
        const float* xr = xbc + row * C;
#pragma unroll
        for (int i = 0; i < PPT; i++) o.x[i] = xr[xo + i];
#pragma unroll
        for (int j = 0; j < NPL; j++) {
            o.b[j] = xr[bo + LN * j];
            o.c[j] = xr[co + LN * j];
        }
        o.dl = delta[row * H + h];
    };
    float st[PPT][NPL];
#pragma unroll
    for (int i = 0; i < PPT; i++)
#pragma unroll
        for (int j = 0; j < NPL; j++) st[i][j] = 0.f;
    size_t row0 = (size_t)s * L;
    TbFwdStep<NPL, PPT> cur, nxt;
    load(row0, cur);
    for (int t = 0; t < L; t++) {
        size_t row = row0 + t;
        load(t + 1 < L ? row + 1 : row, nxt);  // step t+1 (the last step reloads its own row: in bounds, unused)
        float a, k;
        tb_discretize(cur.dl, A, zoh, &a, &k);
        float* hst = hstore && t % every == phase ? hstore + tb_state_offset(s, t, L, every, h, H, PN) : nullptr;
        float acc[PPT];
#pragma unroll
        for (int i = 0; i < PPT; i++) {
            acc[i] = 0.f;
#pragma unroll
            for (int j = 0; j < NPL; j++) {
                st[i][j] = tb_state_update(a, st[i][j], k, cur.x[i], cur.b[j]);
                acc[i] += st[i][j] * cur.c[j];
                if (hst) hst[(p0 + i) * N + nl + LN * j] = st[i][j];
            }
        }
        tb_sum_over_n(acc, LN);
        if (nl == 0) {
#pragma unroll
            for (int i = 0; i < PPT; i++) y[row * di + xo + i] = acc[i] + Dh * cur.x[i];
        }
        cur = nxt;
    }
}

// Operands of one backward step for one thread: as TbFwdStep plus its PPT values of dy, and (thread 0 only) the
// in_proj output dt that Δ came from.
template <int NPL, int PPT>
struct TbBwdStep {
    float x[PPT], dy[PPT], b[NPL], c[NPL], dl, zx;
};

// Backward: the same outputs as tb_ssd_bwd. grid (H, batch); dynamic shared 2·(2·W·N + 3·W) floats, W = warps.
// Step t's ∂a = ⟨∂H_t, H_{t−1}⟩ is taken at the start of step t−1, where ∂H_t and H_{t−1} are both in registers, so
// only three PPT×NPL sets are live (∂H, H_t and the prefetched H_{t−1}); thread 0 finishes step t's ∂dt and ∂A then,
// and one extra pass (t = −1) finishes step 0.
template <int NPL, int PPT>
__device__ __forceinline__ void tb_ssd_bwd_tiled(const float* __restrict__ xbc, int C, const float* __restrict__ delta,
                                                 const float* Alog, const float* Dp, int zoh, const float* __restrict__ dy,
                                                 const float* __restrict__ hstore, int every, const float* zx, float* dzx,
                                                 int ld,
                                                 int dtOff, const float* dtBias, float* __restrict__ dxbc,
                                                 float* __restrict__ dBh, float* __restrict__ dCh, float* dAh, float* dDh,
                                                 int L, int H, int P, int G, int N) {
    extern __shared__ float tb_tiled_sm[];
    int h = blockIdx.x, s = blockIdx.y, g = h * G / H, di = H * P, PN = P * N, LN = N / NPL;
    int tid = threadIdx.x, nt = blockDim.x, lane = tid & 31, warp = tid >> 5, W = nt >> 5;
    int nl = lane % LN, pg = lane / LN;
    int p0 = (warp * (32 / LN) + pg) * PPT;
    int xo = h * P + p0, bo = di + g * N + nl, co = di + G * N + g * N + nl;
    int part = 2 * W * N + 3 * W;  // floats of one buffer: Σ_p ∂H·x and dy·H per warp and n, then ∂a, ∂k, ∂D per warp
    float A = -expf(Alog[h]), Dh = Dp[h], dtb = dtBias[h];
    auto loadStep = [&](size_t row, TbBwdStep<NPL, PPT>& o) {
        const float* xr = xbc + row * C;
#pragma unroll
        for (int i = 0; i < PPT; i++) {
            o.x[i] = xr[xo + i];
            o.dy[i] = dy[row * di + xo + i];
        }
#pragma unroll
        for (int j = 0; j < NPL; j++) {
            o.b[j] = xr[bo + LN * j];
            o.c[j] = xr[co + LN * j];
        }
        o.dl = delta[row * H + h];
        o.zx = tid == 0 ? zx[row * ld + dtOff + h] : 0.f;
    };
    // the kept H_t of step t (this head's P×N block of it), or zero for none
    auto loadState = [&](int t, bool none, float (&hv)[PPT][NPL]) {
        const float* hs = hstore + tb_state_offset(s, max(t, 0), L, every, h, H, PN);
#pragma unroll
        for (int i = 0; i < PPT; i++)
#pragma unroll
            for (int j = 0; j < NPL; j++) hv[i][j] = none ? 0.f : hs[(p0 + i) * N + nl + LN * j];
    };
    // H_t of a step whose state was not kept, from H_{t−1} in hp and step t's operands o, as the forward did
    auto recompute = [&](const TbBwdStep<NPL, PPT>& o, const float (&hp)[PPT][NPL], float (&hv)[PPT][NPL]) {
        float a, k;
        tb_discretize(o.dl, A, zoh, &a, &k);
#pragma unroll
        for (int i = 0; i < PPT; i++)
#pragma unroll
            for (int j = 0; j < NPL; j++) hv[i][j] = tb_state_update(a, hp[i][j], k, o.x[i], o.b[j]);
    };
    size_t row0 = (size_t)s * L;
    float dh[PPT][NPL], ht[PPT][NPL], hn[PPT][NPL];
#pragma unroll
    for (int i = 0; i < PPT; i++)
#pragma unroll
        for (int j = 0; j < NPL; j++) dh[i][j] = 0.f;
    TbBwdStep<NPL, PPT> cur, nxt;
    loadStep(row0 + L - 1, cur);
    if ((L - 1) % every == 0) {
        loadState(L - 1, false, ht);
    } else {  // every = 2, L − 1 odd: H_{L−2} is kept, and stays in hn for the first step, which needs it
        loadState(L - 2, false, hn);
        recompute(cur, hn, ht);
    }
    float aNext = 0.f, accA = 0.f, accD = 0.f;
    float skNext = 0.f, dlNext = 0.f, zxNext = 0.f;  // thread 0: step t+1's Σ ∂k, Δ and dt, for finishing it at step t
    for (int t = L - 1; t >= -1; t--) {
        size_t row = row0 + max(t, 0), rowPrev = row0 + max(t - 1, 0);
        // step t−1's operands and H_{t−1} (zero before the first row), in flight while step t computes; the last two
        // passes reload row 0 (in bounds, unused). A kept H_{t−1} is loaded (with every = 2 it is in hn already: it
        // was the H_{t−1} from which step t's state was recomputed); otherwise H_{t−2}, from which H_{t−1} is
        // recomputed at the end of this step.
        bool keptPrev = (t - 1) % every == 0;
        loadStep(rowPrev, nxt);
        if (t <= 0 || every == 1) {
            loadState(t - 1, t <= 0, hn);
        } else if (!keptPrev) {
            loadState(t - 2, false, hn);
        }
        // ∂a of step t+1 = ⟨∂H_{t+1}, H_t⟩ (zero at t = L−1, where ∂H_L = 0)
        float da = 0.f;
#pragma unroll
        for (int i = 0; i < PPT; i++)
#pragma unroll
            for (int j = 0; j < NPL; j++) da += dh[i][j] * ht[i][j];
        float a = 0.f, k = 0.f, sn[NPL], sc[NPL], dk = 0.f, dd = 0.f;
#pragma unroll
        for (int j = 0; j < NPL; j++) sn[j] = sc[j] = 0.f;
        if (t >= 0) {
            tb_discretize(cur.dl, A, zoh, &a, &k);
            float ax[PPT];
#pragma unroll
            for (int i = 0; i < PPT; i++) {
                ax[i] = 0.f;
#pragma unroll
                for (int j = 0; j < NPL; j++) {
                    dh[i][j] = aNext * dh[i][j] + cur.dy[i] * cur.c[j];
                    ax[i] += dh[i][j] * cur.b[j];
                    sn[j] += dh[i][j] * cur.x[i];
                    sc[j] += cur.dy[i] * ht[i][j];
                }
            }
            tb_sum_over_n(ax, LN);
            if (nl == 0) {
#pragma unroll
                for (int i = 0; i < PPT; i++) {
                    dxbc[row * C + xo + i] = k * ax[i] + Dh * cur.dy[i];
                    dd += cur.dy[i] * cur.x[i];
                }
            }
#pragma unroll
            for (int j = 0; j < NPL; j++) dk += cur.b[j] * sn[j];
        }
        float* buf = tb_tiled_sm + (t & 1) * part;
        tb_sum_over_pg(sn, LN);
        tb_sum_over_pg(sc, LN);
        if (pg == 0) {
#pragma unroll
            for (int j = 0; j < NPL; j++) {
                buf[warp * N + nl + LN * j] = sn[j];
                buf[W * N + warp * N + nl + LN * j] = sc[j];
            }
        }
        da = tb_warp_sum(da);
        dk = tb_warp_sum(dk);
        dd = tb_warp_sum(dd);
        if (lane == 0) {
            buf[2 * W * N + warp] = da;
            buf[2 * W * N + W + warp] = dk;
            buf[2 * W * N + 2 * W + warp] = dd;
        }
        __syncthreads();
        if (t >= 0) {
            for (int n = tid; n < N; n += nt) {
                float vn = 0.f, vc = 0.f;
                for (int w = 0; w < W; w++) {
                    vn += buf[w * N + n];
                    vc += buf[W * N + w * N + n];
                }
                dBh[(row * H + h) * N + n] = k * vn;
                dCh[(row * H + h) * N + n] = vc;
            }
        }
        if (tid == 0) {
            if (t + 1 < L) {  // finish step t+1: a_{t+1} = aNext
                float sa = 0.f;
                for (int w = 0; w < W; w++) sa += buf[2 * W * N + w];
                accA += sa * dlNext * aNext + (zoh ? skNext * tb_zoh_dk_dA(dlNext, A, aNext) : 0.f);
                dzx[(row0 + t + 1) * ld + dtOff + h] =
                    (sa * A * aNext + skNext * (zoh ? aNext : 1.f)) * tb_softplus_grad(zxNext + dtb);
            }
            if (t >= 0) {
                float sk = 0.f, sd = 0.f;
                for (int w = 0; w < W; w++) {
                    sk += buf[2 * W * N + W + w];
                    sd += buf[2 * W * N + 2 * W + w];
                }
                accD += sd;
                skNext = sk;
                dlNext = cur.dl;
                zxNext = cur.zx;
            }
        }
        if (t > 0 && !keptPrev) {
            recompute(nxt, hn, ht);
        } else {
#pragma unroll
            for (int i = 0; i < PPT; i++)
#pragma unroll
                for (int j = 0; j < NPL; j++) ht[i][j] = hn[i][j];
        }
        cur = nxt;
        aNext = a;
    }
    if (tid == 0) {
        dAh[s * H + h] = accA;
        dDh[s * H + h] = accD;
    }
}

// FB, BB: launch bounds of the forward and backward where the pipelined kernel would otherwise take more registers
// than 8 (forward, ≤ 64) or 4 (backward, ≤ 128) blocks of 128 threads per SM allow (fashion's P 32 N 64 is r2x8 at
// 128 threads); ptxas fits those without spilling. r4x8 fits neither (the forward would spill), so it keeps its
// count. BlockTrainer asks each kernel for its largest block and runs the shared-memory scan where a tiling's block
// is larger.
#define TB_SSD_TILED(NPL, PPT, FB, BB)                                                                                 \
    extern "C" __global__ void FB tb_ssd_fwd_r##NPL##x##PPT(const float* xbc, int C, const float* delta,               \
                                                            const float* Alog, const float* Dp, int zoh, float* y,     \
                                                            float* hstore, int every, int phase, int L, int H, int P,  \
                                                            int G, int N) {                                            \
        tb_ssd_fwd_tiled<NPL, PPT>(xbc, C, delta, Alog, Dp, zoh, y, hstore, every, phase, L, H, P, G, N);              \
    }                                                                                                                  \
    extern "C" __global__ void BB tb_ssd_bwd_r##NPL##x##PPT(                                                           \
        const float* xbc, int C, const float* delta, const float* Alog, const float* Dp, int zoh, const float* dy,     \
        const float* hstore, int every, const float* zx, float* dzx, int ld, int dtOff, const float* dtBias,           \
        float* dxbc, float* dBh, float* dCh, float* dAh, float* dDh, int L, int H, int P, int G, int N) {              \
        tb_ssd_bwd_tiled<NPL, PPT>(xbc, C, delta, Alog, Dp, zoh, dy, hstore, every, zx, dzx, ld, dtOff, dtBias, dxbc,  \
                                   dBh, dCh, dAh, dDh, L, H, P, G, N);                                                 \
    }

TB_SSD_TILED(1, 1, , )
TB_SSD_TILED(1, 2, , )
TB_SSD_TILED(1, 4, , )
TB_SSD_TILED(1, 8, , )
TB_SSD_TILED(2, 1, , )
TB_SSD_TILED(2, 2, , )
TB_SSD_TILED(2, 4, , )
TB_SSD_TILED(2, 8, __launch_bounds__(1024), __launch_bounds__(512))
TB_SSD_TILED(4, 1, , )
TB_SSD_TILED(4, 2, __launch_bounds__(1024), )
TB_SSD_TILED(4, 4, __launch_bounds__(1024), __launch_bounds__(512))
TB_SSD_TILED(4, 8, , )

// ---- Chunked SSD backward (ChunkedSsdBackward.java in the tests states its algebra in float64) ----
// Chunks of Q ≤ 64 steps (the last may be shorter). Per chunk c, with Λ_t the cumulative Δ·A inside it and e its last
// step: G_c = what later chunks send back into the state at e, from a reverse pass over the chunks (the mirror of the
// forward's state passing); then every chunk on its own, from its inputs, dy, y, G_c and the forward's kept states at
// the chunks' ends. fp32 throughout, fixed summation orders: deterministic.

// lam[t] = Λ_t and kk[t] = k_t for the chunk's len steps; past len Λ stays at Λ_e and k is 0. The first warp, a step
// per lane and a shuffle scan per 32 steps (a single thread in order took ~30 dependent global loads per chunk).
__device__ __forceinline__ void tb_chunk_decays(const float* delta, size_t row0, int H, int h, int len, int Q, float A,
                                                int zoh, float* lam, float* kk) {
    if (threadIdx.x >= 32) return;
    int lane = threadIdx.x;
    float carry = 0.f;
    for (int base = 0; base < Q; base += 32) {
        int t = base + lane;
        float v = 0.f, k = 0.f;
        if (t < len) {
            float dl = delta[(row0 + t) * H + h], a;
            v = dl * A;
            tb_discretize(dl, A, zoh, &a, &k);
        }
#pragma unroll
        for (int d = 1; d < 32; d <<= 1) {
            float o = __shfl_up_sync(0xffffffffu, v, d);
            if (lane >= d) v += o;
        }
        v += carry;
        if (t < Q) {
            lam[t] = v;
            kk[t] = k;
        }
        carry = __shfl_sync(0xffffffffu, v, 31);
    }
}

// acc[i][j] += Σ_k A[(m0+i)·am + k·ak] · B[k·bk + (n0+j)·bn] over k < K: one 4×4 tile of a product of two
// shared-memory operands whose strides say which index is which (so a transpose is free).
__device__ __forceinline__ void tb_mm4(const float* A, int am, int ak, const float* B, int bk, int bn, int K, int m0,
                                       int n0, float (&acc)[4][4]) {
#pragma unroll 4
    for (int k = 0; k < K; k++) {
        float a[4], b[4];
#pragma unroll
        for (int i = 0; i < 4; i++) {
            a[i] = A[(m0 + i) * am + k * ak];
            b[i] = B[k * bk + (n0 + i) * bn];
        }
#pragma unroll
        for (int i = 0; i < 4; i++)
#pragma unroll
            for (int j = 0; j < 4; j++) acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
    }
}

// Every 4×4 tile of an M×Nn output (both multiples of 4): f(m0, n0). A warp takes 4×8 neighbouring tiles, so its lanes
// read 4 distinct rows of one operand and 8 distinct columns of the other; with every shared row stride ≡ 1 (mod 32)
// (tb_pad) each of those loads touches a bank at most once. (A tile per thread in row order read up to 16 rows 512
// floats apart, all in one bank: the first measured chunk kernel spent most of its 2.9 ms in those conflicts.)
template <typename F>
__device__ __forceinline__ void tb_tiles4(int M, int Nn, F f) {
    int tm = M >> 2, tn = Nn >> 2, bn = (tn + 7) >> 3, blocks = ((tm + 3) >> 2) * bn;
    int lane = threadIdx.x & 31;
    for (int wb = threadIdx.x >> 5; wb < blocks; wb += blockDim.x >> 5) {
        int i = (wb / bn) * 4 + (lane >> 3), j = (wb % bn) * 8 + (lane & 7);
        if (i < tm && j < tn) f(i << 2, j << 2);
    }
}

// A shared row stride for rows of n floats: n + 1, ≡ 1 (mod 32) when n is a multiple of 32 (see tb_tiles4).
__host__ __device__ __forceinline__ int tb_pad(int n) { return n + 1; }

// Reverse pass over the chunks: gback's slot c receives G_c (G_last = 0, G_{c−1} = e^{Λ_e(c)} G_c + Σ_{u in c} e^{Λ_u}
// dy_u ⊗ C_u). A thread keeps 8 rows of one state column in registers through every chunk, so G never goes through
// global memory but to be stored. grid (⌈P / rows⌉, H, batch) with rows = tb_chunk_state_rows(blockDim, P, N) (N ≤
// blockDim); dynamic shared tb_chunk_states_floats(Q, rows, N).
__host__ __device__ __forceinline__ int tb_chunk_state_rows(int threads, int P, int N) {
    return min(8 * (threads / N), (P + 7) / 8 * 8);
}
__host__ __device__ __forceinline__ int tb_chunk_states_floats(int Q, int rows, int N) {
    return Q * rows + Q * N + 2 * Q;
}

extern "C" __global__ void __launch_bounds__(256, 4) tb_ssd_bwd_chunk_states(const float* xbc, int C, const float* delta, const float* Alog,
                                                   const float* dy, float* gback, int L, int Q, int H, int P, int G,
                                                   int N) {
    extern __shared__ __align__(16) float tb_st_sm[];
    int h = blockIdx.y, s = blockIdx.z, tid = threadIdx.x, nt = blockDim.x;
    int rows = tb_chunk_state_rows(nt, P, N), pb = blockIdx.x * rows;
    int g = h * G / H, di = H * P, PN = P * N, chunks = (L + Q - 1) / Q;
    int n = tid % N, pr = 8 * (tid / N);  // this thread's column and first row in the block's slice
    int lane = tid & 31, warp = tid >> 5, nw = nt >> 5;
    bool active = pr < rows;  // threads past the last group of 8 rows idle
    float* dys = tb_st_sm;        // [Q][rows], scaled by e^{Λ_u}
    float* cs = dys + Q * rows;   // [Q][N]
    float* lam = cs + Q * N;      // [Q], then k [Q] (not needed here)
    float A = -expf(Alog[h]);
    float acc[8] = {};
    for (int c = chunks - 1; c >= 0; c--) {
        int t0 = c * Q, len = min(Q, L - t0);
        size_t row0 = (size_t)s * L + t0;
        __syncthreads();  // the previous chunk's reads of shared memory are done
        tb_chunk_decays(delta, row0, H, h, len, Q, A, 0, lam, lam + Q);
        // a step per warp, columns across lanes (no index divisions: they were a good part of these loops)
        for (int t = warp; t < Q; t += nw)
            for (int j = lane; j < N; j += 32) cs[t * N + j] = t < len ? xbc[(row0 + t) * C + di + G * N + g * N + j] : 0.f;
        __syncthreads();
        for (int t = warp; t < Q; t += nw) {
            float w = expf(lam[t]);
            for (int j = lane; j < rows; j += 32) {
                int p = pb + j;
                dys[t * rows + j] = t < len && p < P ? w * dy[(row0 + t) * di + h * P + p] : 0.f;
            }
        }
        __syncthreads();
        if (active) {
            float part[8] = {};
#pragma unroll 2
            for (int u = 0; u < len; u++) {
                float4 lo = *reinterpret_cast<const float4*>(dys + u * rows + pr);
                float4 hi = *reinterpret_cast<const float4*>(dys + u * rows + pr + 4);
                float cv = cs[u * N + n];
                part[0] = fmaf(lo.x, cv, part[0]);
                part[1] = fmaf(lo.y, cv, part[1]);
                part[2] = fmaf(lo.z, cv, part[2]);
                part[3] = fmaf(lo.w, cv, part[3]);
                part[4] = fmaf(hi.x, cv, part[4]);
                part[5] = fmaf(hi.y, cv, part[5]);
                part[6] = fmaf(hi.z, cv, part[6]);
                part[7] = fmaf(hi.w, cv, part[7]);
            }
            float decay = expf(lam[len - 1]);
            float* out = gback + (((size_t)s * chunks + c) * H + h) * PN;
#pragma unroll
            for (int j = 0; j < 8; j++) {
                int p = pb + pr + j;
                if (p < P) out[p * N + n] = acc[j];
                acc[j] = fmaf(decay, acc[j], part[j]);
            }
        }
    }
}

// TF32 tensor-core products for tb_ssd_bwd_chunk_tf32 (a BF16 runtime's chunk kernel): mma.sync m16n8k8, operands
// rounded to tf32 (round to nearest, 10 mantissa bits) as they are read from shared memory, fp32 accumulation.
__device__ __forceinline__ uint32_t tb_tf32(float x) {
    uint32_t r;
    asm("cvt.rna.tf32.f32 %0, %1;" : "=r"(r) : "f"(x));
    return r;
}

// x rounded to tf32 as tb_tf32 rounds it, kept in a float's bits for shared memory: an operand that only the mma
// reads is rounded once where it is stored (tb_mma's AR and BR), not each time a fragment is loaded. (The low 13 bits
// are not cleared, as tb_tf32 does not clear them: the mma ignores them; nothing else may read such a value.)
__device__ __forceinline__ float tb_tf32f(float x) { return __uint_as_float(tb_tf32(x)); }

// ldmatrix of 32-bit elements: X 8×4-float matrices, lane l giving the address of row l % 8 of matrix l / 8 (16 bytes,
// 16-byte aligned) and receiving element (l / 4, l % 4) of each: the tf32 mma's fragment layout for an operand whose k
// runs along a shared row. One instruction for what took 4·X scalar loads (ncu's SASS counters, session 26: the
// fragments' loads were 14 % of tb_ssd_bwd_chunk_tf32's instructions, 4.6 a mma).
__device__ __forceinline__ void tb_ldsm(const float* row, uint32_t (&r)[4]) {
    unsigned a = static_cast<unsigned>(__cvta_generic_to_shared(row));
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3]) : "r"(a));
}
__device__ __forceinline__ void tb_ldsm(const float* row, uint32_t (&r)[2]) {
    unsigned a = static_cast<unsigned>(__cvta_generic_to_shared(row));
    asm volatile("ldmatrix.sync.aligned.m8n8.x2.shared.b16 {%0,%1}, [%2];" : "=r"(r[0]), "=r"(r[1]) : "r"(a));
}

// Where an mma operand's element (i, k) lies in shared memory, i its row index m (A) or its column index n (B) and k
// the product's index. TbStrided: at p[i·si + k·sk]; which index runs along a row is in the strides, literals at every
// call site, so that kAlongRow folds.
struct TbStrided {
    const float* p;
    int si, sk;
    __device__ __forceinline__ bool kAlongRow() const { return sk == 1; }
    __device__ __forceinline__ const float* at(int i, int k) const { return p + i * si + k * sk; }
};

// Element (r, c) of rows of s floats (a multiple of 32) whose 16-byte groups are permuted per row: at
// r·s + 4·((c/4) ⊕ f(r)) + c mod 4, f(r) = 2·(r mod 4) + (r/4 mod 2). Eight consecutive rows from a multiple of 8 put a
// group in eight distinct bank quads (ldmatrix's 8 rows, a row's 16-byte stores), and four consecutive rows from a
// multiple of 4 put the two groups of eight consecutive columns from a multiple of 8 in eight distinct quads too (an
// mma fragment read across the rows: tb_mma's scalar loads). No padding serves both: a row stride ≡ 4 mod 32 serves
// the first, ≡ 8 the second (session 31's call 6).
__device__ __forceinline__ int tb_swizzled(int r, int c, int s) {
    return r * s + ((((c >> 2) ^ (((r & 3) << 1) | ((r >> 2) & 1))) << 2) | (c & 3));
}

// An mma operand in tb_swizzled rows of s floats: element (i, k) at row i, column k where KROW (k along a row), else
// at row k, column i.
template <bool KROW>
struct TbSwizzled {
    const float* p;
    int s;
    __device__ __forceinline__ bool kAlongRow() const { return KROW; }
    __device__ __forceinline__ const float* at(int i, int k) const {
        return p + (KROW ? tb_swizzled(i, k, s) : tb_swizzled(k, i, s));
    }
};

// NT 16×8 tiles side by side: acc[j][e] += Σ_k A(m, k) · B(n, k) over k < K (a multiple of 8) at
// m = m0 + g + 8·(e / 2), n = n0 + 8·j + 2·t + e % 2 (g = lane / 4, t = lane % 4, the mma's accumulator layout), A and
// B operand layouts (TbStrided, TbSwizzled). The A fragments are loaded once for the NT tiles. AR, BR: A or B holds
// tb_tf32f values, taken as they are (each rounding is a compare and a predicated add: ncu's SASS counters, session
// 26, found them a large share of the chunk kernels' instructions). An operand whose k runs along its rows is loaded
// by ldmatrix: its rows must then start 16-byte aligned at multiples of 4 floats, as the tensor-core kernels' padded
// or swizzled rows do; the values, and so the sums, are the scalar loads'.
template <int NT, bool AR = false, bool BR = false, typename OA, typename OB>
__device__ __forceinline__ void tb_mma(OA A, OB B, int K, int m0, int n0, float (&acc)[NT][4]) {
    int lane = threadIdx.x & 31, g = lane >> 2, t = lane & 3;
    // ldmatrix rows: A's matrices are (rows 0-7, k 0-3), (8-15, 0-3), (0-7, 4-7), (8-15, 4-7), the fragment's a0..a3;
    // B's (n 0-7, k 0-3), (0-7, 4-7), then the next tile's, each tile's b0 and b1
    int la = m0 + (lane & 15), lak = (lane >> 4) << 2;
    int lb = n0 + ((lane >> 4) << 3) + (lane & 7), lbk = ((lane >> 3) & 1) << 2;
    auto ta = [](float x) { return AR ? __float_as_uint(x) : tb_tf32(x); };
    auto tb = [](float x) { return BR ? __float_as_uint(x) : tb_tf32(x); };
    for (int k = 0; k < K; k += 8) {
        uint32_t af[4];
        if (A.kAlongRow()) {
            tb_ldsm(A.at(la, k + lak), af);
            if (!AR) {
#pragma unroll
                for (int i = 0; i < 4; i++) af[i] = tb_tf32(__uint_as_float(af[i]));
            }
        } else {
            af[0] = ta(*A.at(m0 + g, k + t));
            af[1] = ta(*A.at(m0 + g + 8, k + t));
            af[2] = ta(*A.at(m0 + g, k + t + 4));
            af[3] = ta(*A.at(m0 + g + 8, k + t + 4));
        }
        uint32_t bf[NT][2];
        if (B.kAlongRow()) {
#pragma unroll
            for (int j = 0; j + 1 < NT; j += 2) {
                uint32_t r[4];
                tb_ldsm(B.at(lb + 8 * j, k + lbk), r);
                bf[j][0] = r[0], bf[j][1] = r[1], bf[j + 1][0] = r[2], bf[j + 1][1] = r[3];
            }
            if constexpr (NT % 2) {
                uint32_t r[2];
                tb_ldsm(B.at(lb + 8 * (NT - 1), k + lbk), r);
                bf[NT - 1][0] = r[0], bf[NT - 1][1] = r[1];
            }
            if (!BR) {
#pragma unroll
                for (int j = 0; j < NT; j++)
#pragma unroll
                    for (int i = 0; i < 2; i++) bf[j][i] = tb_tf32(__uint_as_float(bf[j][i]));
            }
        } else {
#pragma unroll
            for (int j = 0; j < NT; j++) {
                bf[j][0] = tb(*B.at(n0 + 8 * j + g, k + t));
                bf[j][1] = tb(*B.at(n0 + 8 * j + g, k + t + 4));
            }
        }
#pragma unroll
        for (int j = 0; j < NT; j++)
            asm volatile("mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
                         "{%0,%1,%2,%3};"
                         : "+f"(acc[j][0]), "+f"(acc[j][1]), "+f"(acc[j][2]), "+f"(acc[j][3])
                         : "r"(af[0]), "r"(af[1]), "r"(af[2]), "r"(af[3]), "r"(bf[j][0]), "r"(bf[j][1]));
    }
}

// Tiles per warp task of tb_ssd_bwd_chunk_tf32: 16 × 8·TB_NT outputs.
#define TB_NT 2

// Every 16 × 8·TB_NT tile of an M×Nn output (M a multiple of 16, Nn of 8·TB_NT), a warp each: f(m0, n0).
template <typename F>
__device__ __forceinline__ void tb_mma_tiles(int M, int Nn, F f) {
    int tn = Nn / (8 * TB_NT), tiles = (M >> 4) * tn;
    for (int w = threadIdx.x >> 5; w < tiles; w += blockDim.x >> 5) f((w / tn) << 4, (w % tn) * 8 * TB_NT);
}

// The output element of accumulator (j, e) of a tb_mma tile at (m0, n0): its row and column.
__device__ __forceinline__ int tb_mma_row(int m0, int e) { return m0 + ((threadIdx.x & 31) >> 2) + 8 * (e >> 1); }
__device__ __forceinline__ int tb_mma_col(int n0, int j, int e) { return n0 + 8 * j + 2 * (threadIdx.x & 3) + (e & 1); }

// f(r, c, v) for every 4 columns c < cols of every row r < rows: v = src[r·ss + c .. c + 3] for r < valid, else
// zeros (cols a multiple of 4, src's rows 16-byte aligned). A thread issues up to K float4 loads before it hands any
// to f, so that a block's loads are in flight together: the loops of dependent load-and-store pairs they replace
// were chains of global-memory latencies. (K costs 4·K registers: the passes, which keep their state in registers,
// take 2.) Its callers launch SCAN_THREADS (256) threads: a constant count, unsigned indices and 32-bit offsets let
// the kernels compiled for constant sizes drop the slots past the tile and the divisions (ncu's SASS counters,
// session 26: the index and 64-bit address arithmetic of these loads was a large share of the chunk kernels').
template <int K = 8, typename F>
__device__ __forceinline__ void tb_rows4(const float* src, int ss, int rows, int valid, int cols, F f) {
    constexpr unsigned nt = 256;
    const unsigned q = cols >> 2, total = rows * q;
    for (unsigned base = threadIdx.x; base < total; base += K * nt) {
        float4 v[K];
#pragma unroll
        for (int k = 0; k < K; k++) {
            unsigned i = base + k * nt, r = i / q;
            v[k] = i < total && (int)r < valid
                       ? *reinterpret_cast<const float4*>(src + (int)(r * ss + (i - r * q) * 4))
                       : make_float4(0.f, 0.f, 0.f, 0.f);
        }
#pragma unroll
        for (int k = 0; k < K; k++) {
            unsigned i = base + k * nt, r = i / q;
            if (i < total) f((int)r, (int)(i - r * q) * 4, v[k]);
        }
    }
}

// Stores v into a shared row at d: four scalar stores at any alignment (the SIMT kernels' rows are padded by one
// float), one 16-byte store where d is 16-byte aligned (V4: the tensor-core kernels' rows, padded by four). Scalar
// stores of consecutive float4s hit every fourth bank, so a warp's took four wavefronts where one store takes one
// (ncu, session 26: 3.4-way conflicts on 70 % of tb_ssd_bwd_chunk_tf32's shared store wavefronts).
template <bool V4 = false, bool TF32 = false>
__device__ __forceinline__ void tb_st4(float* d, float4 v) {
    if constexpr (TF32) v = make_float4(tb_tf32f(v.x), tb_tf32f(v.y), tb_tf32f(v.z), tb_tf32f(v.w));
    if constexpr (V4) {
        *reinterpret_cast<float4*>(d) = v;
    } else {
        d[0] = v.x;
        d[1] = v.y;
        d[2] = v.z;
        d[3] = v.w;
    }
}

// Shared row stride for rows of n floats: n + 1 for the 4×4 SIMT tiles (tb_pad), n + 4 for the mma fragments (≡ 4
// mod 32 for n a multiple of 32: a fragment's 8 rows × 4 columns fall in 32 distinct banks).
__host__ __device__ __forceinline__ int tb_chunk_pad(int n, bool tc) { return tc ? n + 4 : tb_pad(n); }

// Dynamic shared floats of tb_ssd_bwd_chunk (tc false) and tb_ssd_bwd_chunk_tf32 (tc true), every row padded
// (tb_chunk_pad): x, dy [Q][P]; B, C [Q][N]; two [Q][Q]; a P×N state; Λ, k, q, dk·x [Q]; dk partials [Q][N/4].
__host__ __device__ __forceinline__ int tb_chunk_shared_floats(int Q, int P, int N, bool tc) {
    return 2 * Q * tb_chunk_pad(P, tc) + 2 * Q * tb_chunk_pad(N, tc) + 2 * Q * tb_chunk_pad(Q, tc)
           + P * tb_chunk_pad(N, tc) + 4 * Q + Q * tb_pad(N / 4);
}

// One chunk's gradients (the outputs of tb_ssd_bwd, with dA and dD per chunk: dAc, dDc [(s·H + h)·chunks + c]).
// hstore holds the forward's state at each chunk's end (slot c: tb_state_offset with every = Q); gback G_c.
// grid (chunks, H, batch); dynamic shared tb_chunk_shared_floats(Q, P, N, TC) floats. Q, P and N multiples of 4;
// with TC (the products on tensor cores in TF32) multiples of 16.
// QS, PS, NS: Q, P and N as compile-time constants where nonzero (TB_SPECIALIZED_SHAPES), so that the products' loops,
// strides and the loads' index divisions fold (the arguments must then equal them).
template <bool TC, int QS = 0, int PS = 0, int NS = 0>
__device__ __forceinline__ void tb_ssd_bwd_chunk_body(const float* xbc, int C, const float* delta, const float* Alog,
                                                      const float* Dp, int zoh, const float* dy, const float* y,
                                                      const float* hstore, const float* gback, const float* zx,
                                                      float* dzx, int ld, int dtOff, const float* dtBias, float* dxbc,
                                                      void* dBv, void* dCv, float* dAc, float* dDc, int L, int Qa,
                                                      int H, int Pa, int G, int Na) {
    const int Q = QS ? QS : Qa, P = PS ? PS : Pa, N = NS ? NS : Na;
    // the per-head ∂B and ∂C that tb_group_sum adds up: bf16 where the products are TF32 (half the bytes written and
    // read back: 85 MB each a paper-width block at batch 8 in fp32; −2.3 ms a paper-width step, TRAINING.md's session
    // 29), else fp32
    typedef typename std::conditional<TC, bf16, float>::type TP;
    TP* dBh = static_cast<TP*>(dBv);
    TP* dCh = static_cast<TP*>(dCv);
    extern __shared__ float tb_ck_sm[];
    int c = blockIdx.x, h = blockIdx.y, s = blockIdx.z, chunks = gridDim.x;
    int g = h * G / H, di = H * P, PN = P * N, tid = threadIdx.x, nt = blockDim.x;
    int lane = tid & 31, warp = tid >> 5, nw = nt >> 5;
    // dk partial sums per row: one per 4 columns (SIMT tiles) or per 8·TB_NT (mma tiles)
    int parts = TC ? N / (8 * TB_NT) : N / 4;
    int RP = tb_chunk_pad(P, TC), RN = tb_chunk_pad(N, TC), RQ = tb_chunk_pad(Q, TC), RK = tb_pad(N / 4);
    // dy, B, C, the state and m2, which the products read both along and across their rows, in tb_swizzled rows where
    // the sizes are constants that allow it (multiples of 32), in their padded slots: the rows' strides SP, SN, SQ, and
    // where element (r, c) of such an operand lies (ncu, session 32's call 2: 2.4-way conflicts on the padded rows'
    // shared loads, 26 % of their wavefronts)
    constexpr bool SW = TC && QS > 0 && PS > 0 && NS > 0 && QS % 32 == 0 && PS % 32 == 0 && NS % 32 == 0;
    const int SP = SW ? P : RP, SN = SW ? N : RN, SQ = SW ? Q : RQ;
    auto at = [](int r, int c, int stride) {
        if constexpr (SW) return tb_swizzled(r, c, stride);
        else return r * stride + c;
    };
    // such an operand as the mma reads it: k along its rows (kRow), or down its columns (kCol)
    auto kRow = [](const float* p, int stride) {
        if constexpr (SW) return TbSwizzled<true>{p, stride};
        else return TbStrided{p, stride, 1};
    };
    auto kCol = [](const float* p, int stride) {
        if constexpr (SW) return TbSwizzled<false>{p, stride};
        else return TbStrided{p, 1, stride};
    };
    int t0 = c * Q, len = min(Q, L - t0);
    size_t row0 = (size_t)s * L + t0;
    float* xs = tb_ck_sm;        // [Q][RP]
    float* dys = xs + Q * RP;    // [Q][SP] in a [Q][RP] slot
    float* bs = dys + Q * RP;    // [Q][SN] in a [Q][RN] slot, as cs and st
    float* cs = bs + Q * RN;
    float* m1 = cs + Q * RN;     // [u][t] (row stride RQ): e^{Λu−Λt} C_u·B_t for u ≥ t, else 0; [t][u] where TC, so
                                 // that dx's product reads it along its rows (ldmatrix, tb_mma)
    float* m2 = m1 + Q * RQ;     // [u][t] (row stride SQ): e^{Λu−Λt} dy_u·x_t for u ≥ t, else 0
    float* st = m2 + Q * RQ;     // [P]: G_c, later S_{c−1}
    float* lam = st + P * RN;    // [Q]
    float* kk = lam + Q;         // [Q]
    float* qs = kk + Q;          // [Q]: dy_t·(y_t − D x_t)
    float* dd = qs + Q;          // [Q]: dy_t·x_t
    float* dkp = dd + Q;         // [Q][RK]: dk_t's partial sums
    float A = -expf(Alog[h]), Dh = Dp[h], dtb = dtBias[h];
    // y's elements for the per-step sums below, loaded before everything else where the sizes are constants (a step
    // per warp of the 8, 32 columns per lane): after the barrier their latency stalled the sums (ncu's warp states,
    // session 26's call 9: 8 % of the kernel's samples on the one FFMA that waited for them)
    constexpr int YT = QS / 8, YP = PS / 32;
    constexpr bool yEarly = QS % 8 == 0 && PS % 32 == 0 && YT > 0 && YP > 0 && YT * YP <= 8;
    float yv[yEarly ? YT * YP : 1];
    if constexpr (yEarly) {
#pragma unroll
        for (int i = 0; i < YT; i++)
#pragma unroll
            for (int j = 0; j < YP; j++) {
                int t = warp + 8 * i;
                yv[i * YP + j] = t < len ? y[(row0 + t) * di + h * P + lane + 32 * j] : 0.f;
            }
    }
    tb_chunk_decays(delta, row0, H, h, len, Q, A, zoh, lam, kk);
    const float* xr = xbc + row0 * C;
    tb_rows4(xr + h * P, C, Q, len, P, [&](int t, int p, float4 v) { tb_st4<TC>(xs + t * RP + p, v); });
    tb_rows4(dy + row0 * di + h * P, di, Q, len, P, [&](int t, int p, float4 v) { tb_st4<TC>(dys + at(t, p, SP), v); });
    tb_rows4(xr + di + g * N, C, Q, len, N, [&](int t, int n, float4 v) { tb_st4<TC>(bs + at(t, n, SN), v); });
    tb_rows4(xr + di + G * N + g * N, C, Q, len, N,
             [&](int t, int n, float4 v) { tb_st4<TC, TC>(cs + at(t, n, SN), v); });
    tb_rows4(gback + (((size_t)s * chunks + c) * H + h) * PN, N, P, P, N,
             [&](int p, int n, float4 v) { tb_st4<TC>(st + at(p, n, SN), v); });
    __syncthreads();
    float lamE = lam[len - 1];
    // the two decayed, causal Q×Q matrices, as one 2Q×Q product so that twice the warps share it
    auto decayed = [&](int r0, int u, int t, float v) {  // rounded for the mma, their only reader, where TC
        float d = u >= t ? expf(lam[u] - lam[t]) * v : 0.f;
        (r0 >= Q ? m2 + at(u, t, SQ) : TC ? m1 + t * RQ + u : m1 + u * RQ + t)[0] = TC ? tb_tf32f(d) : d;
    };
    if constexpr (TC) {
        tb_mma_tiles(2 * Q, Q, [&](int r0, int t1) {
            int u0 = r0 >= Q ? r0 - Q : r0;
            float a[TB_NT][4] = {};
            if (r0 >= Q) {
                tb_mma<TB_NT>(kRow(dys, SP), TbStrided{xs, RP, 1}, P, u0, t1, a);
            } else {
                tb_mma<TB_NT, true>(kRow(cs, SN), kRow(bs, SN), N, u0, t1, a);
            }
#pragma unroll
            for (int j = 0; j < TB_NT; j++)
#pragma unroll
                for (int e = 0; e < 4; e++) decayed(r0, tb_mma_row(u0, e), tb_mma_col(t1, j, e), a[j][e]);
        });
    } else {
        tb_tiles4(2 * Q, Q, [&](int r0, int t1) {
            int u0 = r0 >= Q ? r0 - Q : r0;
            float a[4][4] = {};
            if (r0 >= Q) {
                tb_mm4(dys, RP, 1, xs, 1, RP, P, u0, t1, a);
            } else {
                tb_mm4(cs, RN, 1, bs, 1, RN, N, u0, t1, a);
            }
#pragma unroll
            for (int i = 0; i < 4; i++)
#pragma unroll
                for (int j = 0; j < 4; j++) decayed(r0, u0 + i, t1 + j, a[i][j]);
        });
    }
    // per step: dy·(y − D x) and dy·x, a warp per step (the same sums in the same order with y loaded early or here)
    auto stepSums = [&](int t, float vy, float vx) {
        vy = tb_warp_sum(vy);
        vx = tb_warp_sum(vx);
        if (lane == 0) {
            qs[t] = vy;
            dd[t] = vx;
        }
    };
    if constexpr (yEarly) {
#pragma unroll
        for (int i = 0; i < YT; i++) {
            int t = warp + 8 * i;
            float vy = 0.f, vx = 0.f;
#pragma unroll
            for (int j = 0; j < YP; j++) {
                float xv = xs[t * RP + lane + 32 * j], dv = dys[at(t, lane + 32 * j, SP)];
                vy += dv * (yv[i * YP + j] - Dh * xv);
                vx += dv * xv;
            }
            stepSums(t, t < len ? vy : 0.f, t < len ? vx : 0.f);
        }
    } else {
        for (int t = warp; t < Q; t += nw) {
            float vy = 0.f, vx = 0.f;
            if (t < len) {
                const float* yr = y + (row0 + t) * di + h * P;
                for (int p = lane; p < P; p += 32) {
                    float xv = xs[t * RP + p], dv = dys[at(t, p, SP)];
                    vy += dv * (yr[p] - Dh * xv);
                    vx += dv * xv;
                }
            }
            stepSums(t, vy, vx);
        }
    }
    __syncthreads();
    // dx_t = k_t (Σ_u m1[u][t] dy_u + e^{Λe−Λt} G_c B_t) + D dy_t
    auto dxOut = [&](int t, int p, float a1, float a2) {
        if (t < len) dxbc[(row0 + t) * C + h * P + p] = kk[t] * (a1 + expf(lamE - lam[t]) * a2) + Dh * dys[t * RP + p];
    };
    // dB_t = k_t·r_t with r_t = Σ_u m2[u][t] C_u + e^{Λe−Λt} G_cᵀ x_t; returns B_t·r_t's term for dk_t, and gathers
    // Σ_t k_t e^{Λe−Λt} B_t·G_cᵀ x_t (this chunk's own part of ⟨G_c, S_c⟩) in gsOwn
    float gsOwn = 0.f;
    auto dbOut = [&](int t, int n, float a1, float a2) {
        float toG = expf(lamE - lam[t]) * a2, b = bs[t * RN + n], r = a1 + toG;
        if (t < len) dBh[((row0 + t) * H + h) * N + n] = (TP)(kk[t] * r);
        gsOwn += kk[t] * b * toG;
        return b * r;
    };
    if constexpr (TC) {
        tb_mma_tiles(Q, P, [&](int t1, int p0) {
            float a1[TB_NT][4] = {}, a2[TB_NT][4] = {};
            tb_mma<TB_NT, true>(TbStrided{m1, RQ, 1}, kCol(dys, SP), Q, t1, p0, a1);  // m1 stored [t][u]
            tb_mma<TB_NT>(kRow(bs, SN), kRow(st, SN), N, t1, p0, a2);
            // dxOut's values, a row's two neighbouring columns in one 8-byte store and its decay computed once
#pragma unroll
            for (int i = 0; i < 2; i++) {
                int t = tb_mma_row(t1, 2 * i);
                if (t >= len) continue;
                float toG = expf(lamE - lam[t]);
#pragma unroll
                for (int j = 0; j < TB_NT; j++) {
                    int p = tb_mma_col(p0, j, 0);
                    float v[2];
#pragma unroll
                    for (int e = 0; e < 2; e++)
                        v[e] = kk[t] * (a1[j][2 * i + e] + toG * a2[j][2 * i + e]) + Dh * dys[at(t, p + e, SP)];
                    *reinterpret_cast<float2*>(dxbc + (row0 + t) * C + h * P + p) = make_float2(v[0], v[1]);
                }
            }
        });
        tb_mma_tiles(Q, N, [&](int t1, int n0) {
            float a1[TB_NT][4] = {}, a2[TB_NT][4] = {};
            tb_mma<TB_NT, true, true>(kCol(m2, SQ), kCol(cs, SN), Q, t1, n0, a1);
            tb_mma<TB_NT>(TbStrided{xs, RP, 1}, kCol(st, SN), P, t1, n0, a2);
            // dbOut's sums in its order, its decay computed once a row and its stores two columns at a time
            float part[2] = {0.f, 0.f};  // rows g and g + 8
            float toG[2] = {expf(lamE - lam[tb_mma_row(t1, 0)]), expf(lamE - lam[tb_mma_row(t1, 2)])};
            float db[TB_NT][4];
#pragma unroll
            for (int j = 0; j < TB_NT; j++)
#pragma unroll
                for (int e = 0; e < 4; e++) {
                    int t = tb_mma_row(t1, e), n = tb_mma_col(n0, j, e);
                    float fromG = toG[e >> 1] * a2[j][e], b = bs[at(t, n, SN)], r = a1[j][e] + fromG;
                    db[j][e] = kk[t] * r;
                    gsOwn += kk[t] * b * fromG;
                    part[e >> 1] += b * r;
                }
#pragma unroll
            for (int i = 0; i < 2; i++) {
                int t = tb_mma_row(t1, 2 * i);
                if (t < len)
#pragma unroll
                    for (int j = 0; j < TB_NT; j++)
                        *reinterpret_cast<uint32_t*>(dBh + ((row0 + t) * H + h) * N + tb_mma_col(n0, j, 0)) =
                            pack_bf16(db[j][2 * i], db[j][2 * i + 1]);
            }
#pragma unroll
            for (int i = 0; i < 2; i++) {  // the 4 lanes of a row hold its 8·TB_NT columns
                part[i] += __shfl_xor_sync(0xffffffffu, part[i], 1);
                part[i] += __shfl_xor_sync(0xffffffffu, part[i], 2);
                if ((lane & 3) == 0) dkp[tb_mma_row(t1, 2 * i) * RK + n0 / (8 * TB_NT)] = part[i];
            }
        });
    } else {
        tb_tiles4(Q, P, [&](int t1, int p0) {
            float a1[4][4] = {}, a2[4][4] = {};
            tb_mm4(m1, 1, RQ, dys, RP, 1, Q, t1, p0, a1);
            tb_mm4(bs, RN, 1, st, 1, RN, N, t1, p0, a2);
#pragma unroll
            for (int i = 0; i < 4; i++)
#pragma unroll
                for (int j = 0; j < 4; j++) dxOut(t1 + i, p0 + j, a1[i][j], a2[i][j]);
        });
        tb_tiles4(Q, N, [&](int t1, int n0) {
            float a1[4][4] = {}, a2[4][4] = {};
            tb_mm4(m2, 1, RQ, cs, RN, 1, Q, t1, n0, a1);
            tb_mm4(xs, RP, 1, st, RN, 1, P, t1, n0, a2);
#pragma unroll
            for (int i = 0; i < 4; i++) {
                float part = 0.f;
#pragma unroll
                for (int j = 0; j < 4; j++) part += dbOut(t1 + i, n0 + j, a1[i][j], a2[i][j]);
                dkp[(t1 + i) * RK + (n0 >> 2)] = part;
            }
        });
    }
    // ⟨G_c, S_c⟩ without reading S_c, the state at the chunk's end: S_c = e^{Λe} S_{c−1} + Σ_t e^{Λe−Λt} k_t x_t ⊗ B_t,
    // so it is e^{Λe} ⟨G_c, S_{c−1}⟩ + gsOwn. S_{c−1} (zero for the first chunk) replaces G_c in st as it is read: each
    // thread overwrites only the elements it has just read, once every product has read G_c.
    __syncthreads();
    float prev = 0.f;
    tb_rows4(hstore + (c > 0 ? tb_state_offset(s, t0 - 1, L, Q, h, H, PN) : 0), N, P, c > 0 ? P : 0, N,
             [&](int p, int n, float4 v) {
                 float* a = st + at(p, n, SN);
                 prev += a[0] * v.x + a[1] * v.y + a[2] * v.z + a[3] * v.w;
                 tb_st4<TC, TC>(a, v);  // S_{c−1}, read by dC's mma only
             });
    float gs = block_sum(expf(lamE) * prev + gsOwn);  // its barriers also order bs's reads before the scaling below
    // k-scaled B for dC
    for (int t = warp; t < Q; t += nw)
        for (int n = lane; n < N; n += 32) {
            float v = bs[at(t, n, SN)] * kk[t];
            bs[at(t, n, SN)] = TC ? tb_tf32f(v) : v;  // dC's mma is its only reader from here on
        }
    __syncthreads();
    // dC_u = Σ_t m2[u][t] k_t B_t + e^{Λu} S_{c−1}ᵀ dy_u
    auto dcOut = [&](int u, int n, float a1, float a2) {
        if (u < len) dCh[((row0 + u) * H + h) * N + n] = (TP)(a1 + expf(lam[u]) * a2);
    };
    if constexpr (TC) {
        tb_mma_tiles(Q, N, [&](int u1, int n0) {
            float a1[TB_NT][4] = {}, a2[TB_NT][4] = {};
            tb_mma<TB_NT, true, true>(kRow(m2, SQ), kCol(bs, SN), Q, u1, n0, a1);
            tb_mma<TB_NT, false, true>(kRow(dys, SP), kCol(st, SN), P, u1, n0, a2);
            // dcOut's values, a row's decay computed once and two columns in one store
#pragma unroll
            for (int i = 0; i < 2; i++) {
                int u = tb_mma_row(u1, 2 * i);
                if (u >= len) continue;
                float eu = expf(lam[u]);
#pragma unroll
                for (int j = 0; j < TB_NT; j++)
                    *reinterpret_cast<uint32_t*>(dCh + ((row0 + u) * H + h) * N + tb_mma_col(n0, j, 0)) =
                        pack_bf16(a1[j][2 * i] + eu * a2[j][2 * i], a1[j][2 * i + 1] + eu * a2[j][2 * i + 1]);
            }
        });
    } else {
        tb_tiles4(Q, N, [&](int u1, int n0) {
            float a1[4][4] = {}, a2[4][4] = {};
            tb_mm4(m2, RQ, 1, bs, RN, 1, Q, u1, n0, a1);
            tb_mm4(dys, RP, 1, st, RN, 1, P, u1, n0, a2);
#pragma unroll
            for (int i = 0; i < 4; i++)
#pragma unroll
                for (int j = 0; j < 4; j++) dcOut(u1 + i, n0 + j, a1[i][j], a2[i][j]);
        });
    }
    // the decay's gradient: dl_t = Σ_{u=t..e} q_u + ⟨G_c, S_c⟩, q_u = dy_u·(y_u − D x_u) − k_u dk_u. The first warp, a
    // step per lane, suffix sums by shuffles from the last 32 steps down (dkp was written before block_sum's barriers).
    if (warp == 0) {
        float carry = gs, accA = 0.f, accD = 0.f;
        for (int base = ((Q - 1) >> 5) << 5; base >= 0; base -= 32) {
            int t = base + lane;
            float dk = 0.f, v = 0.f;
            if (t < len) {
                for (int q = 0; q < parts; q++) dk += dkp[t * RK + q];
                v = qs[t] - kk[t] * dk;
            }
#pragma unroll
            for (int d = 1; d < 32; d <<= 1) {
                float o = __shfl_down_sync(0xffffffffu, v, d);
                if (lane + d < 32) v += o;
            }
            float suffix = v + carry;
            carry = __shfl_sync(0xffffffffu, suffix, 0);
            if (t < len) {
                size_t row = row0 + t;
                float dl = delta[row * H + h], a = expf(dl * A);
                dzx[row * ld + dtOff + h] =
                    (A * suffix + dk * (zoh ? a : 1.f)) * tb_softplus_grad(zx[row * ld + dtOff + h] + dtb);
                accA += dl * suffix + (zoh ? dk * tb_zoh_dk_dA(dl, A, a) : 0.f);
                accD += dd[t];
            }
        }
        accA = tb_warp_sum(accA);
        accD = tb_warp_sum(accD);
        if (lane == 0) {
            dAc[((size_t)s * H + h) * chunks + c] = accA;
            dDc[((size_t)s * H + h) * chunks + c] = accD;
        }
    }
}

#define TB_SSD_BWD_CHUNK_ARGS const float* xbc, int C, const float* delta, const float* Alog, const float* Dp, int zoh, \
    const float* dy, const float* y, const float* hstore, const float* gback, const float* zx, float* dzx, int ld,    \
    int dtOff, const float* dtBias, float* dxbc, void* dBh, void* dCh, float* dAc, float* dDc, int L, int Q, int H,   \
    int P, int G, int N
#define TB_SSD_BWD_CHUNK_CALL(TC, QS, PS, NS) tb_ssd_bwd_chunk_body<TC, QS, PS, NS>(xbc, C, delta, Alog, Dp, zoh, dy, \
    y, hstore, gback, zx, dzx, ld, dtOff, dtBias, dxbc, dBh, dCh, dAc, dDc, L, Q, H, P, G, N)
extern "C" __global__ void tb_ssd_bwd_chunk(TB_SSD_BWD_CHUNK_ARGS) { TB_SSD_BWD_CHUNK_CALL(false, 0, 0, 0); }
// the products in TF32 on tensor cores: a BF16 runtime's (an FP32 runtime keeps tb_ssd_bwd_chunk's fp32 products)
extern "C" __global__ void tb_ssd_bwd_chunk_tf32(TB_SSD_BWD_CHUNK_ARGS) { TB_SSD_BWD_CHUNK_CALL(true, 0, 0, 0); }

// The (chunk length, P, N) the chunked SSD kernels (TF32, and the fp32 chunk kernel) are also compiled for with
// constant sizes, as NAME_q{Q}p{P}n{N} (BlockTrainer.SPECIALIZED_SHAPES): the paper's and fashion's heads in chunks of
// 32, the lengths they take by default (BlockTrainer.MEASURED_CHUNKS). With constant sizes the products' loops unroll
// and their strides and the loads' divisions fold: at paper width (ncu, one launch, docs/eval/gpu-2026-12-10 calls 2
// and 3) the backward's chunk kernel issues 231 M instructions instead of 325 M and takes 586 µs instead of 803, the
// forward's output kernel 99 M instead of 133 M and 220 µs instead of 297.
#define TB_SPECIALIZED_SHAPES(X) X(32, 64, 128) X(32, 32, 64)
// Launch bounds of the specialized tensor-core chunk kernels, one per TB_SPECIALIZED_SHAPES entry: fashion's heads in
// chunks of 32 at 64 registers, so that four blocks run an SM as its 47 KB of shared memory allow (72 registers held it
// at three); the paper's as the compiler chooses (its shared memory holds two blocks an SM)
#define TB_CHUNK_BOUNDS_32_64_128
#define TB_CHUNK_BOUNDS_32_32_64 __launch_bounds__(256, 4)
#define TB_BWD_CHUNK_ENTRY(QS, PS, NS)                                                                      \
    extern "C" __global__ void tb_ssd_bwd_chunk_q##QS##p##PS##n##NS(TB_SSD_BWD_CHUNK_ARGS) {                \
        TB_SSD_BWD_CHUNK_CALL(false, QS, PS, NS);                                                           \
    }                                                                                                       \
    extern "C" __global__ void TB_CHUNK_BOUNDS_##QS##_##PS##_##NS                                             \
        tb_ssd_bwd_chunk_tf32_q##QS##p##PS##n##NS(TB_SSD_BWD_CHUNK_ARGS) {                                  \
        TB_SSD_BWD_CHUNK_CALL(true, QS, PS, NS);                                                            \
    }
TB_SPECIALIZED_SHAPES(TB_BWD_CHUNK_ENTRY)

// The chunked forward on tensor cores (a BF16 runtime's, where tb_ssd_bwd_chunk_tf32 runs): the same y and kept
// chunk-end states as the sequential scan, in two kernels. TF32 products, fp32 accumulation and state.

// Most 16×8 state tiles a warp of tb_ssd_fwd_chunk_states_tf32 keeps: (P/16)·(N/8) ≤ 8 · its 8 warps.
#define TB_FWD_TILES 8

// Dynamic shared floats of the tensor-core state passes: weighted x or dy [Q][P + 8], B or C [Q][N + 8], Λ and k [Q].
// Their products read both operands along the k (step) index, a row apart, by scalar loads: a row stride ≡ 8 mod 32
// floats puts a fragment's 8 × 4 elements in 32 distinct banks (+4 gave 2-way conflicts on every load, and the L1
// pipe was these kernels' bound: ncu, session 31).
__host__ __device__ __forceinline__ int tb_state_pass_floats(int Q, int P, int N) {
    return Q * (P + 8) + Q * (N + 8) + 2 * Q;
}

// A pass over the chunks with a P×N state in the warps' mma accumulators (16×8 tiles, at most TB_FWD_TILES a warp,
// taken two side by side so that each A fragment is loaded once for both).
// Forward (REV false): the state at every chunk's end but the last, into hstore slot c as the backward reads it:
// S_c = e^{Λe} S_{c−1} + Σ_t e^{Λe−Λt} k_t x_t ⊗ B_t. Reverse (REV true): gback's slot c receives G_c (G_last = 0,
// G_{c−1} = e^{Λe(c)} G_c + Σ_{u in c} e^{Λu} dy_u ⊗ C_u), as tb_ssd_bwd_chunk_states computes it in fp32.
// grid (H, batch), 256 threads; dynamic shared tb_state_pass_floats(Q, P, N) floats.
template <bool REV, int QS = 0, int PS = 0, int NS = 0>
__device__ __forceinline__ void tb_state_pass_tf32(const float* xbc, int C, const float* delta, const float* Alog,
                                                   int zoh, const float* dy, float* states, int L, int Qa, int H,
                                                   int Pa, int G, int Na) {
    const int Q = QS ? QS : Qa, P = PS ? PS : Pa, N = NS ? NS : Na;  // as in tb_ssd_bwd_chunk_body
    extern __shared__ float tb_sp_sm[];
    int h = blockIdx.x, s = blockIdx.y, g = h * G / H, di = H * P, PN = P * N, chunks = (L + Q - 1) / Q;
    int warp = threadIdx.x >> 5, nw = blockDim.x >> 5;
    // tile pairs: 16 × 16 outputs (N is a multiple of 16 where the passes run: BlockTrainer.tensorCoreShape)
    int RP = P + 8, RN = N + 8, pairsN = N / 16, pairs = (P / 16) * pairsN;
    int nOff = REV ? di + G * N + g * N : di + g * N;  // C for the reverse pass, B for the forward
    float* ws = tb_sp_sm;       // [Q][RP]: e^{Λu} dy_u, or e^{Λe−Λt} k_t x_t
    float* ns = ws + Q * RP;    // [Q][RN]: C or B
    float* lam = ns + Q * RN;   // [Q]
    float* kk = lam + Q;        // [Q]
    float A = -expf(Alog[h]);
    float acc[TB_FWD_TILES / 2][2][4] = {};
    // a pair's state tiles into out: a row's two neighbouring columns in one 8-byte store
    auto storePair = [&](float* out, int m0, int n0, const float (&pair)[2][4]) {
#pragma unroll
        for (int b = 0; b < 2; b++)
#pragma unroll
            for (int e = 0; e < 4; e += 2)
                *reinterpret_cast<float2*>(out + tb_mma_row(m0, e) * N + tb_mma_col(n0, b, e)) =
                    make_float2(pair[b][e], pair[b][e + 1]);
    };
    for (int k = 0; k < chunks; k++) {
        int c = REV ? chunks - 1 - k : k, t0 = c * Q, len = min(Q, L - t0);
        size_t row0 = (size_t)s * L + t0;
        __syncthreads();  // the previous chunk's reads of shared memory are done
        tb_chunk_decays(delta, row0, H, h, len, Q, A, zoh, lam, kk);
        __syncthreads();
        float lamE = lam[len - 1];
        tb_rows4<2>(REV ? dy + row0 * di + h * P : xbc + row0 * C + h * P, REV ? di : C, Q, len, P,
                 [&](int t, int p, float4 v) {
                     float w = REV ? expf(lam[t]) : kk[t] * expf(lamE - lam[t]);
                     tb_st4<true, true>(ws + t * RP + p, make_float4(w * v.x, w * v.y, w * v.z, w * v.w));
                 });
        tb_rows4<2>(xbc + row0 * C + nOff, C, Q, len, N, [&](int t, int n, float4 v) { tb_st4<true, true>(ns + t * RN + n, v); });
        __syncthreads();
        float decay = expf(lamE);
        float* out = REV ? states + (((size_t)s * chunks + c) * H + h) * PN
                         : c + 1 < chunks ? states + tb_state_offset(s, t0 + Q - 1, L, Q, h, H, PN) : nullptr;
#pragma unroll
        for (int j = 0; j < TB_FWD_TILES / 2; j++) {
            int i = warp + nw * j;
            if (i < pairs) {
                int m0 = (i / pairsN) << 4, n0 = (i % pairsN) << 4;
                if (REV) storePair(out, m0, n0, acc[j]);  // G_c before this chunk's own part
#pragma unroll
                for (int b = 0; b < 2; b++)
#pragma unroll
                    for (int e = 0; e < 4; e++) acc[j][b][e] *= decay;
                // A[p][t] = ws[t][p], B[t][n]
                tb_mma<2, true, true>(TbStrided{ws, 1, RP}, TbStrided{ns, 1, RN}, Q, m0, n0, acc[j]);
                if (!REV && out) storePair(out, m0, n0, acc[j]);
            }
        }
    }
}

// 64 registers (4 blocks of 256 per SM): the paper's 64 heads × 8 samples run in one wave, not two. SUFFIX and the
// sizes: the generic entries (0, 0, 0) and TB_SPECIALIZED_SHAPES'.
#define TB_STATE_PASS_ENTRIES(SUFFIX, QS, PS, NS)                                                                     \
    extern "C" __global__ void __launch_bounds__(256, 4) tb_ssd_fwd_chunk_states_tf32##SUFFIX(                        \
        const float* xbc, int C, const float* delta, const float* Alog, int zoh, float* hstore, int L, int Q, int H,  \
        int P, int G, int N) {                                                                                        \
        tb_state_pass_tf32<false, QS, PS, NS>(xbc, C, delta, Alog, zoh, nullptr, hstore, L, Q, H, P, G, N);          \
    }                                                                                                                 \
    extern "C" __global__ void __launch_bounds__(256, 4) tb_ssd_bwd_chunk_states_tf32##SUFFIX(                        \
        const float* xbc, int C, const float* delta, const float* Alog, const float* dy, float* gback, int L, int Q,  \
        int H, int P, int G, int N) {                                                                                 \
        tb_state_pass_tf32<true, QS, PS, NS>(xbc, C, delta, Alog, 0, dy, gback, L, Q, H, P, G, N);                   \
    }
TB_STATE_PASS_ENTRIES(, 0, 0, 0)
#define TB_STATE_PASS_SHAPE(QS, PS, NS) TB_STATE_PASS_ENTRIES(_q##QS##p##PS##n##NS, QS, PS, NS)
TB_SPECIALIZED_SHAPES(TB_STATE_PASS_SHAPE)

// Dynamic shared floats of tb_ssd_fwd_chunk_output_tf32: x [Q][P + 8]; B, C [Q][N + 4]; M [Q][Q + 4]; the entering
// state [P][N + 4]; Λ, k [Q]. x is M·X's B operand read along k by scalar loads, conflict-free at a row stride ≡ 8
// mod 32 (tb_state_pass_floats); the others are read by ldmatrix, which needs ≡ 4.
__host__ __device__ __forceinline__ int tb_fwd_output_floats(int Q, int P, int N) {
    return Q * (P + 8) + 2 * Q * (N + 4) + Q * (Q + 4) + P * (N + 4) + 2 * Q;
}

// y_u = Σ_{t ≤ u} e^{Λu−Λt} k_t (C_u·B_t) x_t + e^{Λu} S_{c−1} C_u + D x_u for one chunk, S_{c−1} from hstore (zero
// for the first chunk). grid (chunks, H, batch), 256 threads; dynamic shared tb_fwd_output_floats(Q, P, N) floats.
// QS, PS, NS as in tb_ssd_bwd_chunk_body.
template <int QS, int PS, int NS>
__device__ __forceinline__ void tb_fwd_chunk_output_body(const float* xbc, int C, const float* delta,
                                                         const float* Alog, const float* Dp, int zoh,
                                                         const float* hstore, float* y, int L, int Qa, int H, int Pa,
                                                         int G, int Na) {
    const int Q = QS ? QS : Qa, P = PS ? PS : Pa, N = NS ? NS : Na;
    extern __shared__ float tb_fo_sm[];
    int c = blockIdx.x, h = blockIdx.y, s = blockIdx.z;
    int g = h * G / H, di = H * P, PN = P * N;
    int RP = P + 8, RN = N + 4, RQ = Q + 4, t0 = c * Q, len = min(Q, L - t0);
    size_t row0 = (size_t)s * L + t0;
    float* xs = tb_fo_sm;       // [Q][RP]
    float* bs = xs + Q * RP;    // [Q][RN]
    float* cs = bs + Q * RN;    // [Q][RN]
    float* m = cs + Q * RN;     // [u][t] (row stride RQ): e^{Λu−Λt} k_t C_u·B_t for t ≤ u < len, else 0
    float* st = m + Q * RQ;     // [P][RN]: S_{c−1}
    float* lam = st + P * RN;   // [Q]
    float* kk = lam + Q;        // [Q]
    float A = -expf(Alog[h]), Dh = Dp[h];
    tb_chunk_decays(delta, row0, H, h, len, Q, A, zoh, lam, kk);
    const float* xr = xbc + row0 * C;
    tb_rows4(xr + h * P, C, Q, len, P, [&](int t, int p, float4 v) { tb_st4<true>(xs + t * RP + p, v); });
    // B, C, the state and M are rounded for the mma where they are stored: nothing else reads them
    tb_rows4(xr + di + g * N, C, Q, len, N, [&](int t, int n, float4 v) { tb_st4<true, true>(bs + t * RN + n, v); });
    tb_rows4(xr + di + G * N + g * N, C, Q, len, N,
             [&](int t, int n, float4 v) { tb_st4<true, true>(cs + t * RN + n, v); });
    tb_rows4(hstore + (c > 0 ? tb_state_offset(s, t0 - 1, L, Q, h, H, PN) : 0), N, P, c > 0 ? P : 0, N,
             [&](int p, int n, float4 v) { tb_st4<true, true>(st + p * RN + n, v); });
    __syncthreads();
    tb_mma_tiles(Q, Q, [&](int u0, int t1) {
        float a[TB_NT][4] = {};
        tb_mma<TB_NT, true, true>(TbStrided{cs, RN, 1}, TbStrided{bs, RN, 1}, N, u0, t1, a);
#pragma unroll
        for (int j = 0; j < TB_NT; j++)
#pragma unroll
            for (int e = 0; e < 4; e++) {
                int u = tb_mma_row(u0, e), t = tb_mma_col(t1, j, e);
                m[u * RQ + t] = tb_tf32f(t <= u && u < len ? expf(lam[u] - lam[t]) * kk[t] * a[j][e] : 0.f);
            }
    });
    __syncthreads();
    tb_mma_tiles(Q, P, [&](int u0, int p0) {
        float a1[TB_NT][4] = {}, a2[TB_NT][4] = {};
        tb_mma<TB_NT, true>(TbStrided{m, RQ, 1}, TbStrided{xs, 1, RP}, Q, u0, p0, a1);
        tb_mma<TB_NT, true, true>(TbStrided{cs, RN, 1}, TbStrided{st, RN, 1}, N, u0, p0, a2);
        // a row's decay computed once, two columns in one 8-byte store
#pragma unroll
        for (int i = 0; i < 2; i++) {
            int u = tb_mma_row(u0, 2 * i);
            if (u >= len) continue;
            float eu = expf(lam[u]);
#pragma unroll
            for (int j = 0; j < TB_NT; j++) {
                int p = tb_mma_col(p0, j, 0);
                float v[2];
#pragma unroll
                for (int e = 0; e < 2; e++) v[e] = a1[j][2 * i + e] + eu * a2[j][2 * i + e] + Dh * xs[u * RP + p + e];
                *reinterpret_cast<float2*>(y + (row0 + u) * di + h * P + p) = make_float2(v[0], v[1]);
            }
        }
    });
}

#define TB_FWD_OUTPUT_ENTRY(SUFFIX, QS, PS, NS)                                                                     \
    extern "C" __global__ void __launch_bounds__(256) tb_ssd_fwd_chunk_output_tf32##SUFFIX(                         \
        const float* xbc, int C, const float* delta, const float* Alog, const float* Dp, int zoh,                     \
        const float* hstore, float* y, int L, int Q, int H, int P, int G, int N) {                                    \
        tb_fwd_chunk_output_body<QS, PS, NS>(xbc, C, delta, Alog, Dp, zoh, hstore, y, L, Q, H, P, G, N);             \
    }
TB_FWD_OUTPUT_ENTRY(, 0, 0, 0)
#define TB_FWD_OUTPUT_SHAPE(QS, PS, NS) TB_FWD_OUTPUT_ENTRY(_q##QS##p##PS##n##NS, QS, PS, NS)
TB_SPECIALIZED_SHAPES(TB_FWD_OUTPUT_SHAPE)


// dAh[i] = Σ_c dAc[i·chunks + c], the same for D, chunks in order: the per-sample sums tb_head_grads takes.
extern "C" __global__ void tb_chunk_head_sums(const float* dAc, const float* dDc, float* dAh, float* dDh, int n,
                                              int chunks) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    float sa = 0.f, sd = 0.f;
    for (int c = 0; c < chunks; c++) {
        sa += dAc[(size_t)i * chunks + c];
        sd += dDc[(size_t)i * chunks + c];
    }
    dAh[i] = sa;
    dDh[i] = sd;
}

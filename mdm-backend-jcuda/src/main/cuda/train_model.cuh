// Training kernels: the denoiser's own layers (norm_f, embedding gradients) and the optimizer (see TRAINING.md).
// Included by mdm_kernels.cu. The forward embedding reuses the inference kernels time_embedding and embed_sequence.
// Every reduction is owned by one thread or one block and runs in a fixed order: no atomics, deterministic.
#pragma once

#define TM_THREADS 256

// Block-wide sum in a fixed tree order; every thread gets the result. blockDim.x == TM_THREADS.
__device__ __forceinline__ float tm_block_sum(float v, float* sh) {
    sh[threadIdx.x] = v;
    __syncthreads();
    for (int s = TM_THREADS / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) sh[threadIdx.x] += sh[threadIdx.x + s];
        __syncthreads();
    }
    float r = sh[0];
    __syncthreads();
    return r;
}

// Latent position j (image tokens, then text tokens) of the canonical sequence [TIME, CLASS, BOI, img…, BOT, txt…].
__device__ __forceinline__ int tm_latent_position(int j, int nImg) { return j < nImg ? 3 + j : 4 + j; }

// norm_f at the latent positions: h[b, j] = x[b, l(j)] · rstd · w, rstd = 1/sqrt(mean(x²) + eps); one block per row.
extern "C" __global__ void tm_rmsnorm_latent_fwd(const float* x, const float* w, float* h, float* rstd, int L, int nImg,
                                                 int nLat, int d, float eps) {
    __shared__ float sh[TM_THREADS];
    int row = blockIdx.x, b = row / nLat, j = row % nLat;
    const float* xr = x + ((size_t)b * L + tm_latent_position(j, nImg)) * d;
    float s = 0.f;
    for (int c = threadIdx.x; c < d; c += TM_THREADS) s += xr[c] * xr[c];
    float r = rsqrtf(tm_block_sum(s, sh) / d + eps);
    for (int c = threadIdx.x; c < d; c += TM_THREADS) h[(size_t)row * d + c] = xr[c] * r * w[c];
    if (threadIdx.x == 0) rstd[row] = r;
}

// Backward of tm_rmsnorm_latent_fwd into the residual stream: dx[b, l(j)] = rstd·(g − x̂·mean(g·x̂)), g = dh·w,
// x̂ = x·rstd. dx is written at latent positions only (the caller zeroes the others). One block per row.
extern "C" __global__ void tm_rmsnorm_latent_bwd(const float* x, const float* w, const float* rstd, const float* dh,
                                                 float* dx, int L, int nImg, int nLat, int d) {
    __shared__ float sh[TM_THREADS];
    int row = blockIdx.x, b = row / nLat, j = row % nLat;
    size_t at = ((size_t)b * L + tm_latent_position(j, nImg)) * d;
    const float* xr = x + at;
    const float* g = dh + (size_t)row * d;
    float r = rstd[row];
    float s = 0.f;
    for (int c = threadIdx.x; c < d; c += TM_THREADS) s += g[c] * w[c] * xr[c] * r;
    float mean = tm_block_sum(s, sh) / d;
    for (int c = threadIdx.x; c < d; c += TM_THREADS) dx[at + c] = r * (g[c] * w[c] - xr[c] * r * mean);
}

// partial[chunk, c] = Σ_{rows in chunk} dh[row, c] · x̂[row, c] (x̂ = x · rstd); tr_colsum_final adds the chunks in
// order into dw. grid (ceil(d/256), chunks).
extern "C" __global__ void tm_rmsnorm_latent_dw(const float* x, const float* rstd, const float* dh, float* partial,
                                                int rows, int L, int nImg, int nLat, int d) {
    int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= d) return;
    int r0 = blockIdx.y * TR_CHUNK_ROWS, r1 = min(rows, r0 + TR_CHUNK_ROWS);
    float s = 0.f;
    for (int row = r0; row < r1; row++) {
        int b = row / nLat, j = row % nLat;
        s += dh[(size_t)row * d + c] * x[((size_t)b * L + tm_latent_position(j, nImg)) * d + c] * rstd[row];
    }
    partial[(size_t)blockIdx.y * d + c] = s;
}

// Σ_chunks partial[k, l·d + c] in chunk order: position l's share Σ_b dE[b, l, c] of the embedding's table gradients.
__device__ __forceinline__ float tm_position_sum(const float* partial, int chunks, int L, int d, int l, int c) {
    float s = 0.f;
    for (int k = 0; k < chunks; k++) s += partial[(size_t)k * L * d + l * d + c];
    return s;
}

// Gradients of the sequence embedding's additive tables from dE [batch, L, d] (∂L/∂x_0): pos [L, d], modality [3, d],
// boi [d], bot [d]. The sums over the batch come in as tr_colsum_partial's partials of dE viewed as [batch, L·d]
// ([chunks, L·d]); one thread per output element adds them in a fixed order: chunks, then (modality) positions.
// The first version looped each modality thread over batch × positions (≈ 25 000 rows for the image span).
extern "C" __global__ void tm_embed_tables_bwd(const float* partial, int chunks, float* dPos, float* dModality,
                                               float* dBoi, float* dBot, int L, int nImg, int d) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    int textOff = 4 + nImg;
    if (i < L * d) {
        int l = i / d, c = i % d;
        float s = tm_position_sum(partial, chunks, L, d, l, c);
        dPos[i] += s;
        if (l == 2) dBoi[c] += s;
        if (l == textOff - 1) dBot[c] += s;
        return;
    }
    i -= L * d;
    if (i >= 3 * d) return;
    int m = i / d, c = i % d;
    int from = m == 0 ? 0 : m == 1 ? 3 : textOff, to = m == 0 ? 3 : m == 1 ? 3 + nImg : L;
    float s = 0.f;
    for (int l = from; l < to; l++) s += tm_position_sum(partial, chunks, L, d, l, c);
    if (m == 0) s += tm_position_sum(partial, chunks, L, d, textOff - 1, c);  // BOT is a special token too
    dModality[i] += s;
}

// class_embed gradient: dTable[row, c] += Σ_{b: classIds[b] = row} dE[b, 1, c]; one thread per (row, c).
extern "C" __global__ void tm_class_embed_bwd(const float* dE, const int* classIds, float* dTable, int batch, int rows,
                                              int L, int d) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= rows * d) return;
    int row = i / d, c = i % d;
    float s = 0.f;
    bool hit = false;
    for (int b = 0; b < batch; b++) {
        if (classIds[b] == row) { s += dE[((size_t)b * L + 1) * d + c]; hit = true; }
    }
    if (hit) dTable[i] += s;
}

// dLat[b, j, :] = dE[b, l(j), :]: the gradient of latent_in's output at the image and text positions.
extern "C" __global__ void tm_gather_latent_grad(const float* dE, float* dLat, int batch, int L, int nImg, int nLat,
                                                 int d) {
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (size_t)batch * nLat * d) return;
    int c = (int)(i % d);
    int j = (int)((i / d) % nLat);
    int b = (int)(i / ((size_t)d * nLat));
    dLat[i] = dE[((size_t)b * L + tm_latent_position(j, nImg)) * d + c];
}

// First pass of ‖g‖²: each block reduces a fixed grid-stride slice in double into partial[blockIdx.x], by 16-byte
// loads (g 16-byte aligned, n a multiple of 4: the arena's; session 30's probe: 1.74 against 1.85 ms by 4-byte loads
// over the paper preset).
__device__ __forceinline__ double tm_sumsq4(float4 v) {
    return (double)v.x * v.x + (double)v.y * v.y + (double)v.z * v.z + (double)v.w * v.w;
}

extern "C" __global__ void tm_sumsq_partial(const float* g, size_t n, double* partial) {
    __shared__ double sh[TM_THREADS];
    double s = 0.0;
    const float4* g4 = reinterpret_cast<const float4*>(g);
    size_t n4 = n / 4, stride = (size_t)gridDim.x * TM_THREADS, i = (size_t)blockIdx.x * TM_THREADS + threadIdx.x;
    for (; i + 3 * stride < n4; i += 4 * stride) {  // four strided loads in flight, then added in the same order
        float4 v[4];
#pragma unroll
        for (int j = 0; j < 4; j++) v[j] = g4[i + j * stride];
#pragma unroll
        for (int j = 0; j < 4; j++) s += tm_sumsq4(v[j]);
    }
    for (; i < n4; i += stride) s += tm_sumsq4(g4[i]);
    sh[threadIdx.x] = s;
    __syncthreads();
    for (int k = TM_THREADS / 2; k > 0; k >>= 1) {
        if (threadIdx.x < k) sh[threadIdx.x] += sh[threadIdx.x + k];
        __syncthreads();
    }
    if (threadIdx.x == 0) partial[blockIdx.x] = sh[0];
}

// Second pass: one block sums the partials in a fixed order into out[0].
extern "C" __global__ void tm_sumsq_final(const double* partial, int parts, double* out) {
    __shared__ double sh[TM_THREADS];
    double s = 0.0;
    for (int i = threadIdx.x; i < parts; i += TM_THREADS) s += partial[i];
    sh[threadIdx.x] = s;
    __syncthreads();
    for (int k = TM_THREADS / 2; k > 0; k >>= 1) {
        if (threadIdx.x < k) sh[threadIdx.x] += sh[threadIdx.x + k];
        __syncthreads();
    }
    if (threadIdx.x == 0) out[0] = sh[0];
}

// PyTorch AdamW on the flat buffers (gradient scaled by the clip factor), then the EMA:
// θ ← θ − lr·wd·θ where decayed; m ← β1 m + (1−β1) g; v ← β2 v + (1−β2) g²;
// θ ← θ − (lr/bias1) · m / (√v/√bias2 + ε); ema ← decay·ema + (1 − decay)·θ.
// A thread updates four elements by 16-byte loads and stores, at the copy rate (session 30's probe: 4 a thread 17.1 ms
// over the paper preset, 1 a thread 17.6, 8 a thread 18.6). Every parameter starts a group of TM_GROUP elements (the
// arena's alignment), so one flag byte a group serves it (n/8 bytes): TM_DECAY, the group's tensor is decayed;
// TM_CLEAR_GRADIENT, its gradient is zeroed after use, since the next backward adds to it (ParameterArena's flags).
#define TM_GROUP 8
#define TM_DECAY 1
#define TM_CLEAR_GRADIENT 2
__device__ __forceinline__ void tm_adamw_element(float& w, float g, float& mi, float& vi, float& e, bool decay,
                                                 float lr, float beta1, float beta2, float eps, float weightDecay,
                                                 float bias1, float sqrtBias2, float emaDecay) {
    if (decay) w -= lr * weightDecay * w;
    mi = beta1 * mi + (1.f - beta1) * g;
    vi = beta2 * vi + (1.f - beta2) * g * g;
    w -= (lr / bias1) * mi / (sqrtf(vi) / sqrtBias2 + eps);
    e = emaDecay * e + (1.f - emaDecay) * w;
}

// n: a multiple of 4 (of TM_GROUP, in the arena)
extern "C" __global__ void tm_adamw_ema(float* theta, float* grad, float* m, float* v, float* ema,
                                        __nv_bfloat16* thetaBf16, const unsigned char* groupFlags, size_t n,
                                        float scale, float lr, float beta1, float beta2, float eps, float weightDecay,
                                        float bias1, float sqrtBias2, float emaDecay) {
    size_t i = ((size_t)blockIdx.x * blockDim.x + threadIdx.x) * 4;
    if (i >= n) return;
    float4 w = *reinterpret_cast<const float4*>(theta + i), g = *reinterpret_cast<const float4*>(grad + i);
    float4 mi = *reinterpret_cast<const float4*>(m + i), vi = *reinterpret_cast<const float4*>(v + i);
    float4 e = *reinterpret_cast<const float4*>(ema + i);
    unsigned char flags = groupFlags[i / TM_GROUP];
    bool decay = (flags & TM_DECAY) != 0;
    tm_adamw_element(w.x, g.x * scale, mi.x, vi.x, e.x, decay, lr, beta1, beta2, eps, weightDecay, bias1, sqrtBias2,
                     emaDecay);
    tm_adamw_element(w.y, g.y * scale, mi.y, vi.y, e.y, decay, lr, beta1, beta2, eps, weightDecay, bias1, sqrtBias2,
                     emaDecay);
    tm_adamw_element(w.z, g.z * scale, mi.z, vi.z, e.z, decay, lr, beta1, beta2, eps, weightDecay, bias1, sqrtBias2,
                     emaDecay);
    tm_adamw_element(w.w, g.w * scale, mi.w, vi.w, e.w, decay, lr, beta1, beta2, eps, weightDecay, bias1, sqrtBias2,
                     emaDecay);
    *reinterpret_cast<float4*>(theta + i) = w;
    *reinterpret_cast<float4*>(m + i) = mi;
    *reinterpret_cast<float4*>(v + i) = vi;
    *reinterpret_cast<float4*>(ema + i) = e;
    if (flags & TM_CLEAR_GRADIENT) *reinterpret_cast<float4*>(grad + i) = make_float4(0.f, 0.f, 0.f, 0.f);
    if (thetaBf16)  // the bf16 GEMMs' weights, rounded once per step
        *reinterpret_cast<uint2*>(thetaBf16 + i) = make_uint2(pack_bf16(w.x, w.y), pack_bf16(w.z, w.w));
}

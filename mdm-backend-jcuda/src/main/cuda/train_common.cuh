// Primitives shared by every training layer (included by mdm_kernels.cu).
#pragma once

__device__ __forceinline__ float sigmoidf_(float v) { return 1.f / (1.f + expf(-v)); }
// d silu(v) / dv = s · (1 + v · (1 − s)), s = sigmoid(v)
__device__ __forceinline__ float silu_grad(float v) { float s = sigmoidf_(v); return s * (1.f + v * (1.f - s)); }

// Column sums (bias and norm-weight gradients) in two deterministic stages: TR_CHUNK_ROWS rows per partial, then the
// partials of a column in order. One thread per column over all rows (the first version) left ~1 000 threads each
// walking 50 000 rows: latency-bound, the slowest part of a training step.
#define TR_CHUNK_ROWS 128
// partial[chunk, c] = Σ_{r in chunk} x[r·ld + c], rows in order; grid (ceil(cols/256), chunks). The rows are loaded
// TR_COLSUM_BATCH at a time before they are added (the same sum in the same order): one load at a time, dt_bias's
// 64 columns took 17 µs a paper-width block for 0.7 MB.
#define TR_COLSUM_BATCH 16
extern "C" __global__ void tr_colsum_partial(const float* x, int rows, int cols, int ld, float* partial) {
    int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= cols) return;
    int r0 = blockIdx.y * TR_CHUNK_ROWS, r1 = min(rows, r0 + TR_CHUNK_ROWS);
    float s = 0.f;
    int r = r0;
    for (; r + TR_COLSUM_BATCH <= r1; r += TR_COLSUM_BATCH) {
        float v[TR_COLSUM_BATCH];
#pragma unroll
        for (int j = 0; j < TR_COLSUM_BATCH; j++) v[j] = x[(size_t)(r + j) * ld + c];
#pragma unroll
        for (int j = 0; j < TR_COLSUM_BATCH; j++) s += v[j];
    }
    for (; r < r1; r++) s += x[(size_t)r * ld + c];
    partial[(size_t)blockIdx.y * cols + c] = s;
}

// out[c] += Σ_chunk partial[chunk, c], chunks in order
extern "C" __global__ void tr_colsum_final(const float* partial, int chunks, int cols, float* out) {
    int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= cols) return;
    float s = 0.f;
    for (int k = 0; k < chunks; k++) s += partial[(size_t)k * cols + c];
    out[c] += s;
}

// out[r, c] = bf16(x[r·ld + c]) (round to nearest even), out dense [rows, cols]: a GEMM operand in bf16, so that
// cuBLAS multiplies on bf16 tensor cores (given fp32 matrices it picks TF32 here even when asked for bf16).
// grid (⌈cols/256⌉, min(rows, 65535)), rows strided by gridDim.y.
extern "C" __global__ void tr_to_bf16(const float* x, int rows, int cols, int ld, __nv_bfloat16* out) {
    int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= cols) return;
    for (int r = blockIdx.y; r < rows; r += gridDim.y) out[(size_t)r * cols + c] = __float2bfloat16_rn(x[(size_t)r * ld + c]);
}

// tr_to_bf16 four columns a thread (16-byte loads, 8-byte stores: the one-column form ran at about half the copy
// rate): x 16-byte aligned, cols and ld multiples of 4. grid (⌈cols/1024⌉, min(rows, 65535)).
extern "C" __global__ void tr_to_bf16_vec4(const float* x, int rows, int cols, int ld, __nv_bfloat16* out) {
    int c = 4 * (blockIdx.x * blockDim.x + threadIdx.x);
    if (c >= cols) return;
    for (int r = blockIdx.y; r < rows; r += gridDim.y) {
        float4 v = *reinterpret_cast<const float4*>(x + (size_t)r * ld + c);
        *reinterpret_cast<uint2*>(out + (size_t)r * cols + c) = make_uint2(pack_bf16(v.x, v.y), pack_bf16(v.z, v.w));
    }
}

// out[i] = bf16(x[i]) over a flat buffer (the arena's bf16 weight copy after an upload)
extern "C" __global__ void tr_to_bf16_flat(const float* x, __nv_bfloat16* out, size_t n) {
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) out[i] = __float2bfloat16_rn(x[i]);
}

// y = silu(x) elementwise (x kept by the caller as the saved pre-activation)
extern "C" __global__ void tr_silu_fwd(const float* x, float* y, size_t n) {
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i] = silu(x[i]);
}

// dx = dy · silu'(pre); dx may alias dy
extern "C" __global__ void tr_silu_bwd(const float* pre, const float* dy, float* dx, size_t n) {
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) dx[i] = dy[i] * silu_grad(pre[i]);
}

// y += a · x
extern "C" __global__ void tr_axpy(float* y, const float* x, float a, size_t n) {
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i] += a * x[i];
}

// y[r·ld + c] += bias[c]
extern "C" __global__ void tr_bias_add(float* y, const float* bias, int rows, int cols, int ld) {
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (size_t)rows * cols) return;
    size_t r = i / cols, c = i % cols;
    y[r * ld + c] += bias[c];
}

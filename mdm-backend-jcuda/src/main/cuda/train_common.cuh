// Primitives shared by every training layer (included by mdm_kernels.cu).
#pragma once

__device__ __forceinline__ float sigmoidf_(float v) { return 1.f / (1.f + expf(-v)); }
// d silu(v) / dv = s · (1 + v · (1 − s)), s = sigmoid(v)
__device__ __forceinline__ float silu_grad(float v) { float s = sigmoidf_(v); return s * (1.f + v * (1.f - s)); }

// out[c] += Σ_r x[r·ld + c]: bias gradients. One thread per column, rows in order (deterministic); adjacent threads
// read adjacent columns, so each row's loads coalesce.
extern "C" __global__ void tr_colsum_acc(const float* x, int rows, int cols, int ld, float* out) {
    int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= cols) return;
    float s = 0.f;
    for (int r = 0; r < rows; r++) s += x[(size_t)r * ld + c];
    out[c] += s;
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

// Training kernels: VAE, forward diffusion and the loss terms of SPEC §7 (see TRAINING.md, decisions D2-D4, D7).
// Included by mdm_kernels.cu. Latents are [b, T, dz] with T = nImg + Lt (image tokens first); the VAE's own
// activations are split by modality: image rows s·nImg + t, text rows s·Lt + (t − nImg). No atomics anywhere.
#pragma once

// e[r, :] = table[ids[r], :]
extern "C" __global__ void tv_embed_gather(const int* ids, const float* table, float* e, int rows, int hidden) {
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (size_t)rows * hidden) return;
    size_t r = i / hidden, c = i % hidden;
    e[i] = table[(size_t)ids[r] * hidden + c];
}

// Embedding-row gradients without atomics: the host lists, per distinct id u, the batch rows holding it in ascending
// order (rowsOf[start[u] .. start[u+1])); one thread per (u, column) sums them in that order.
extern "C" __global__ void tv_embed_bwd(const int* uniqueIds, const int* start, const int* rowsOf, const float* dE,
                                        float* dTable, int unique, int hidden) {
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (size_t)unique * hidden) return;
    int u = (int)(i / hidden), c = (int)(i % hidden);
    float s = 0.f;
    for (int j = start[u]; j < start[u + 1]; j++) s += dE[(size_t)rowsOf[j] * hidden + c];
    dTable[(size_t)uniqueIds[u] * hidden + c] += s;
}

// One thread per token (s, t): z0 = μ + exp(½ logσ²)·ε (D3), z_t = √ᾱ z0 + √(1−ᾱ) ε' where noised, z0 where given;
// √ᾱ and √(1−ᾱ) per sample come from the host's double ᾱ; z0 also written split by modality (decoder inputs); kl[token] = Σ_c ½(μ² + σ² − 1 − logσ²).
extern "C" __global__ void tv_reparam_fwd(const float* oImg, const float* oTxt, const float* eps, const float* epsDiff,
                                          const float* noised, const float* sqrtAb, const float* sqrtOneMinusAb,
                                          float* z0, float* zt, float* z0Img, float* z0Txt, float* kl, int b, int nImg,
                                          int lt, int dz) {
    int tok = blockIdx.x * blockDim.x + threadIdx.x;
    int T = nImg + lt;
    if (tok >= b * T) return;
    int s = tok / T, t = tok % T;
    const float* o = t < nImg ? oImg + (size_t)(s * nImg + t) * 2 * dz : oTxt + (size_t)(s * lt + t - nImg) * 2 * dz;
    float* zs = t < nImg ? z0Img + (size_t)(s * nImg + t) * dz : z0Txt + (size_t)(s * lt + t - nImg) * dz;
    float sab = sqrtAb[s], snab = sqrtOneMinusAb[s];
    bool isNoised = noised[tok] == 1.f;
    float k = 0.f;
    for (int c = 0; c < dz; c++) {
        size_t i = (size_t)tok * dz + c;
        float mu = o[c], lv = o[dz + c];
        float z = mu + expf(0.5f * lv) * eps[i];
        z0[i] = z;
        zs[c] = z;
        zt[i] = isNoised ? sab * z + snab * epsDiff[i] : z;
        k += 0.5f * (mu * mu + expf(lv) - 1.f - lv);
    }
    kl[tok] = k;
}

// [b, T, dz] → split image [b·nImg, dz] and text [b·Lt, dz]
extern "C" __global__ void tv_split(const float* z, float* zImg, float* zTxt, int b, int nImg, int lt, int dz) {
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    int T = nImg + lt;
    if (i >= (size_t)b * T * dz) return;
    int c = (int)(i % dz), tok = (int)(i / dz), s = tok / T, t = tok % T;
    if (t < nImg) zImg[(size_t)(s * nImg + t) * dz + c] = z[i];
    else zTxt[(size_t)(s * lt + t - nImg) * dz + c] = z[i];
}

// the inverse of tv_split (overwrites z)
extern "C" __global__ void tv_merge(const float* zImg, const float* zTxt, float* z, int b, int nImg, int lt, int dz) {
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    int T = nImg + lt;
    if (i >= (size_t)b * T * dz) return;
    int c = (int)(i % dz), tok = (int)(i / dz), s = tok / T, t = tok % T;
    z[i] = t < nImg ? zImg[(size_t)(s * nImg + t) * dz + c] : zTxt[(size_t)(s * lt + t - nImg) * dz + c];
}

// Squared error per image row (token) in patch space. Row r (sample r / nImg, token r % nImg) is covered when
// maskStride == 0 (every token) or noised[s·T + t] == 1; loss[r] = Σ_v (x − y)² (0 when not covered) and
// dy[r, v] = 2·scale·(y − x) (0 when not covered), scale = 1 / (covered tokens · pd).
extern "C" __global__ void tv_mse(const float* x, const float* y, const float* noised, int useMask, float scale,
                                  float* loss, float* dy, int rows, int pd, int nImg, int T) {
    int r = blockIdx.x * blockDim.x + threadIdx.x;
    if (r >= rows) return;
    int s = r / nImg, t = r % nImg;
    bool covered = !useMask || noised[s * T + t] == 1.f;
    double acc = 0;
    for (int v = 0; v < pd; v++) {
        size_t i = (size_t)r * pd + v;
        float e = y[i] - x[i];
        acc += (double)e * e;
        dy[i] = covered ? 2.f * scale * e : 0.f;
    }
    loss[r] = covered ? (float)acc : 0.f;
}

// Cross entropy per text row, one block (CE_THREADS threads) per row, fixed-shape tree reductions (deterministic).
// Row r = s·Lt + k is covered when !useMask or noised[s·T + nImg + k] == 1; loss[r] = −log softmax(logits)[id]
// and dLogits = scale·(softmax − onehot(id)) where covered, else 0.
#define CE_THREADS 256
extern "C" __global__ void tv_cross_entropy(const float* logits, const int* ids, const float* noised, int useMask,
                                            float scale, float* loss, float* dLogits, int vocab, int lt, int nImg, int T) {
    __shared__ float red[CE_THREADS];
    int r = blockIdx.x, tid = threadIdx.x;
    int s = r / lt, k = r % lt;
    bool covered = !useMask || noised[s * T + nImg + k] == 1.f;
    const float* row = logits + (size_t)r * vocab;
    float* drow = dLogits + (size_t)r * vocab;
    float m = -INFINITY;
    for (int v = tid; v < vocab; v += CE_THREADS) m = fmaxf(m, row[v]);
    red[tid] = m;
    __syncthreads();
    for (int w = CE_THREADS / 2; w > 0; w >>= 1) {
        if (tid < w) red[tid] = fmaxf(red[tid], red[tid + w]);
        __syncthreads();
    }
    m = red[0];
    __syncthreads();
    float sum = 0.f;
    for (int v = tid; v < vocab; v += CE_THREADS) sum += expf(row[v] - m);
    red[tid] = sum;
    __syncthreads();
    for (int w = CE_THREADS / 2; w > 0; w >>= 1) {
        if (tid < w) red[tid] += red[tid + w];
        __syncthreads();
    }
    float logZ = m + logf(red[0]);
    int target = ids[r];
    for (int v = tid; v < vocab; v += CE_THREADS) {
        float p = expf(row[v] - logZ);
        drow[v] = covered ? scale * (p - (v == target ? 1.f : 0.f)) : 0.f;
    }
    if (tid == 0) loss[r] = covered ? logZ - row[target] : 0.f;
}

// ‖z_t − √ᾱ y‖² and ‖ẑ0 − y‖² of one candidate y, in double (the four passes of tv_score_entropy).
__device__ __forceinline__ void tv_se_distances(const float* z, const float* zh, const float* y, double sab, int dz,
                                                double* dr, double* ds) {
    double r = 0, s = 0;
    for (int c = 0; c < dz; c++) {
        double er = z[c] - sab * y[c], es = (double)zh[c] - y[c];
        r += er * er; s += es * es;
    }
    *dr = r;
    *ds = s;
}

// Score entropy (SPEC §7, D4), one thread per scored (noised) token i, in double. tok[i] is its flat token index,
// candTok[i·K + k] that of candidate y_k (a z0 row). With a_k = −‖z_t − √ᾱ y_k‖²/(2(1−ᾱ)),
// b_k = −ᾱ‖ẑ0 − y_k‖²/(2(1−ᾱ)), log r = logsoftmax(a), log s = logsoftmax(b) and
// se = (1/K) Σ_k [s_k − r_k log s_k + r_k(log r_k − 1)] = KL(r‖s)/K (Σ s = Σ r = 1), the gradients are
// ∂se/∂b_j = (s_j − r_j)/K and ∂se/∂a_j = r_j (log r_j − log s_j − Σ_k r_k(log r_k − log s_k))/K.
// Scaled by g = λ/M: dZhat0[tok] += Σ_j g_b_j ∂b_j/∂ẑ0, dZtSe[tok] = Σ_j g_a_j ∂a_j/∂z_t and
// dY[i, j] = g_a_j ∂a_j/∂y_j + g_b_j ∂b_j/∂y_j (gathered onto z0 by tv_se_gather).
extern "C" __global__ void tv_score_entropy(const float* zt, const float* zhat0, const float* z0, const double* alphaBar,
                                            const int* tok, const int* candTok, float g, float* se, float* dZhat0,
                                            float* dZtSe, float* dY, int m, int K, int dz, int T) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= m) return;
    int n = tok[i];
    double ab = alphaBar[n / T], sab = sqrt(ab), var = 1.0 - ab;
    const float* z = zt + (size_t)n * dz;
    const float* zh = zhat0 + (size_t)n * dz;
    // pass 1: maxima; pass 2: normalizers
    double ma = -INFINITY, mb = -INFINITY;
    for (int k = 0; k < K; k++) {
        const float* y = z0 + (size_t)candTok[(size_t)i * K + k] * dz;
        double dr, ds;
        tv_se_distances(z, zh, y, sab, dz, &dr, &ds);
        ma = fmax(ma, -dr / (2 * var));
        mb = fmax(mb, -ab * ds / (2 * var));
    }
    double za = 0, zb = 0;
    for (int k = 0; k < K; k++) {
        const float* y = z0 + (size_t)candTok[(size_t)i * K + k] * dz;
        double dr, ds;
        tv_se_distances(z, zh, y, sab, dz, &dr, &ds);
        za += exp(-dr / (2 * var) - ma);
        zb += exp(-ab * ds / (2 * var) - mb);
    }
    double lza = ma + log(za), lzb = mb + log(zb);
    // pass 3: the value and Σ r (log r − log s)
    double acc = 0, klrs = 0;
    for (int k = 0; k < K; k++) {
        const float* y = z0 + (size_t)candTok[(size_t)i * K + k] * dz;
        double dr, ds;
        tv_se_distances(z, zh, y, sab, dz, &dr, &ds);
        double lr = -dr / (2 * var) - lza, ls = -ab * ds / (2 * var) - lzb;
        double r = exp(lr), s = exp(ls);
        acc += s + (r > 0 ? -r * ls + r * (lr - 1) : 0.0);
        klrs += r > 0 ? r * (lr - ls) : 0.0;
    }
    se[i] = (float)(acc / K);
    // pass 4: gradients (dZtSe is zeroed by the caller; each scored token has exactly one thread)
    for (int k = 0; k < K; k++) {
        const float* y = z0 + (size_t)candTok[(size_t)i * K + k] * dz;
        double dr, ds;
        tv_se_distances(z, zh, y, sab, dz, &dr, &ds);
        double lr = -dr / (2 * var) - lza, ls = -ab * ds / (2 * var) - lzb;
        double r = exp(lr), s = exp(ls);
        double ga = r > 0 ? g * r * (lr - ls - klrs) / K : 0.0;
        double gb = g * (s - r) / K;
        float* dy = dY + ((size_t)i * K + k) * dz;
        for (int c = 0; c < dz; c++) {
            double er = z[c] - sab * y[c], es = (double)zh[c] - y[c];
            // ∂a/∂z_t = −er/var, ∂a/∂y = √ᾱ er/var, ∂b/∂ẑ0 = −ᾱ es/var, ∂b/∂y = ᾱ es/var
            dZtSe[(size_t)n * dz + c] += (float)(-ga * er / var);
            dZhat0[(size_t)n * dz + c] += (float)(-gb * ab * es / var);
            dy[c] = (float)(ga * sab * er / var + gb * ab * es / var);
        }
    }
}

// dZ0Se[tok[p], c] = Σ_k dY[src[p·K + k], k, c]: row src[p·K + k] had token p as its candidate k (the host inverts
// the cyclic candidate lists). One thread per (p, c), k in order.
extern "C" __global__ void tv_se_gather(const int* tok, const int* src, const float* dY, float* dZ0Se, int m, int K,
                                        int dz) {
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (size_t)m * dz) return;
    int p = (int)(i / dz), c = (int)(i % dz);
    float s = 0.f;
    for (int k = 0; k < K; k++) s += dY[((size_t)src[(size_t)p * K + k] * K + k) * dz + c];
    dZ0Se[(size_t)tok[p] * dz + c] = s;
}

// Backward of tv_reparam_fwd and of the KL term, one thread per (token, c):
// dz0 = dZ0Auto (split) + dZ0Se + (noised ? √ᾱ : 1)·(dZt + dZtSe);
// dμ = dz0 + klScale·μ, dlogσ² = dz0·½exp(½logσ²)·ε + klScale·½(exp(logσ²) − 1), written split by modality.
extern "C" __global__ void tv_reparam_bwd(const float* oImg, const float* oTxt, const float* eps, const float* noised,
                                          const float* sqrtAb, const float* dZ0AutoImg, const float* dZ0AutoTxt,
                                          const float* dZ0Se, const float* dZt, const float* dZtSe, float klScale,
                                          float* dOImg, float* dOTxt, int b, int nImg, int lt, int dz) {
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    int T = nImg + lt;
    if (i >= (size_t)b * T * dz) return;
    int c = (int)(i % dz), tok = (int)(i / dz), s = tok / T, t = tok % T;
    size_t row = t < nImg ? (size_t)(s * nImg + t) : (size_t)(s * lt + t - nImg);
    const float* o = (t < nImg ? oImg : oTxt) + row * 2 * dz;
    float* d = (t < nImg ? dOImg : dOTxt) + row * 2 * dz;
    float auto_ = (t < nImg ? dZ0AutoImg : dZ0AutoTxt)[row * dz + c];
    float through = noised[tok] == 1.f ? sqrtAb[s] : 1.f;
    float dz0 = auto_ + dZ0Se[i] + through * (dZt[i] + dZtSe[i]);
    float mu = o[c], lv = o[dz + c];
    d[c] = dz0 + klScale * mu;
    d[dz + c] = dz0 * 0.5f * expf(0.5f * lv) * eps[i] + klScale * 0.5f * (expf(lv) - 1.f);
}

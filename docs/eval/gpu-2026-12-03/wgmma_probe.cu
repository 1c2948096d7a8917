// Issue 5, session 19: a GEMM of our own for the projections at few tokens, against cuBLAS. D = X·Wᵀ in bf16 with
// fp32 accumulation, X [rows, k] and W [n, k] both row-major (k contiguous), D [rows, n]: what in_proj (n 8448,
// k 2048) and out_proj (n 2048, k 4096) compute. wgmma (sm_90) with both operands in shared memory in the 128-byte
// swizzle, loaded by cp.async in a 5-stage pipeline; a block computes 128 columns of W by BN rows of X (BN chosen
// per row count: 324 rows → 2 tiles of 168, one wave of 132 blocks for in_proj); out_proj may split k over a
// cluster of blocks that add their fp32 partial tiles through distributed shared memory in rank order
// (deterministic). With `pdl` the weights' first stages load before griddepcontrol.wait, so that a programmatic
// dependent launch overlaps them with the previous kernel. Weights rotate over 8 copies (from HBM, as in a 49-block
// step); device time per launch from 100 launches in one CUDA graph, medians of 7 replays; outputs compared with
// cuBLAS's.
// Build: nvcc -O3 -arch=sm_90a -o wgmma_probe wgmma_probe.cu -ldl
#include "../gpu-2026-12-01/probe_common.cuh"
#include "wgmma_ops.cuh"
#include <cstring>
#include <cooperative_groups.h>
#include <cuda.h>
#include <cudaTypedefs.h>

namespace wg {
constexpr int BM = 128, BK = 64, THREADS = 256;
// pipeline depth: five stages where they fit in the 227 KB of shared memory a block may have, else four
template <int BN> __host__ __device__ constexpr int stages() { return 5 * (BM + BN) * BK * 2 + 1024 <= 227 * 1024 ? 5 : 4; }

__device__ __forceinline__ uint64_t desc(uint32_t saddr) {
  // start address, leading byte offset 16 (unused by swizzled K-major), stride byte offset 1024 (8 rows of 128 B),
  // 128-byte swizzle
  return (uint64_t)((saddr & 0x3FFFF) >> 4) | ((uint64_t)1 << 16) | ((uint64_t)64 << 32) | ((uint64_t)1 << 62);
}
__device__ __forceinline__ void cp16(uint32_t dst, const void *src, int bytes) {
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;" ::"r"(dst), "l"(src), "r"(bytes) : "memory");
}
__device__ __forceinline__ void commit() { asm volatile("cp.async.commit_group;" ::: "memory"); }
template <int N> __device__ __forceinline__ void wait_copies() { asm volatile("cp.async.wait_group %0;" ::"n"(N) : "memory"); }

// R rows × 64 columns (k0..k0+63) of a row-major matrix into the 128-byte swizzle: chunk c of row r at c ^ (r % 8);
// rows at or past `limit` read nothing and fill zeros
template <int R>
__device__ __forceinline__ void load_tile(uint32_t s, const bf16 *m, int ld, int row0, int limit, int k0) {
  for (int q = threadIdx.x; q < R * 8; q += THREADS) {
    int r = q >> 3, c = q & 7;
    bool ok = row0 + r < limit;
    const bf16 *src = ok ? m + (size_t)(row0 + r) * ld + k0 + c * 8 : m;
    cp16(s + r * 128 + ((c ^ (r & 7)) << 4), src, ok ? 16 : 0);
  }
}

template <int BN>
__device__ __forceinline__ void mma_step(float (&acc)[BN / 2], uint64_t da, uint64_t db) {
  if constexpr (BN == 128) wgmma_m64n128k16(acc, da, db, 1);
  if constexpr (BN == 168) wgmma_m64n168k16(acc, da, db, 1);
  if constexpr (BN == 176) wgmma_m64n176k16(acc, da, db, 1);
  if constexpr (BN == 216) wgmma_m64n216k16(acc, da, db, 1);
  if constexpr (BN == 256) wgmma_m64n256k16(acc, da, db, 1);
}

// The epilogue both kernels share. Warpgroup `wg` (0 or 1, or -1 for a producer warpgroup that holds no
// accumulators) stages its 64 rows of the 128 × BN tile in shared memory at sp, transposed to rows of D. Every thread
// of the block (nthreads) then stores D's rows t0.. coalesced. Split over k, the block adds the partial tiles of its
// cluster's SPLIT slices in slice order (sliceRank(s): the cluster rank of slice s; `slice`: this block's), so the
// sum is the same every run.
template <int BN, int SPLIT, typename SliceRank>
__device__ __forceinline__ void store_tile(const float (&acc)[BN / 2], int wg, unsigned char *sp, bf16 *D, int rows,
                                           int n, int m0, int t0, int nthreads, int slice, SliceRank sliceRank) {
  const int tid = threadIdx.x, w = (tid & 127) >> 5, l = tid & 31;
  const int mr = wg * 64 + w * 16 + (l >> 2);  // accumulator rows mr and mr + 8 (columns of D)
  if constexpr (SPLIT == 1) {
    constexpr int LD = BM + 8;
    bf16 *st = (bf16 *)sp;  // [BN][LD]: rows of D
    if (wg >= 0) {
#pragma unroll
      for (int i = 0; i < BN / 8; i++) {
        int t = 8 * i + 2 * (l & 3);
        st[t * LD + mr] = __float2bfloat16(acc[4 * i]);
        st[(t + 1) * LD + mr] = __float2bfloat16(acc[4 * i + 1]);
        st[t * LD + mr + 8] = __float2bfloat16(acc[4 * i + 2]);
        st[(t + 1) * LD + mr + 8] = __float2bfloat16(acc[4 * i + 3]);
      }
    }
    __syncthreads();
    for (int q = tid; q < BN * (BM / 8); q += nthreads) {
      int r = q / (BM / 8), c = q % (BM / 8);
      if (t0 + r < rows) *(int4 *)(D + (size_t)(t0 + r) * n + m0 + c * 8) = *(const int4 *)(st + r * LD + c * 8);
    }
  } else {
    constexpr int LD = BM + 4;
    float *st = (float *)sp;  // [BN][LD]: this slice's partial rows of D
    if (wg >= 0) {
#pragma unroll
      for (int i = 0; i < BN / 8; i++) {
        int t = 8 * i + 2 * (l & 3);
        st[t * LD + mr] = acc[4 * i];
        st[(t + 1) * LD + mr] = acc[4 * i + 1];
        st[t * LD + mr + 8] = acc[4 * i + 2];
        st[(t + 1) * LD + mr + 8] = acc[4 * i + 3];
      }
    }
    cooperative_groups::cluster_group cluster = cooperative_groups::this_cluster();
    cluster.sync();
    const int per = (BN + SPLIT - 1) / SPLIT;
    for (int q = tid; q < per * (BM / 8); q += nthreads) {
      int r = slice * per + q / (BM / 8), c = q % (BM / 8);
      if (r >= BN || t0 + r >= rows) continue;
      float v[8] = {0, 0, 0, 0, 0, 0, 0, 0};
#pragma unroll
      for (int s = 0; s < SPLIT; s++) {  // slice 0 first: the same sum every run
        const float *p = cluster.map_shared_rank(st, sliceRank(s)) + r * LD + c * 8;
        float4 x0 = *(const float4 *)p, x1 = *(const float4 *)(p + 4);
        v[0] += x0.x; v[1] += x0.y; v[2] += x0.z; v[3] += x0.w; v[4] += x1.x; v[5] += x1.y; v[6] += x1.z; v[7] += x1.w;
      }
      __align__(16) bf16 o[8];
#pragma unroll
      for (int j = 0; j < 8; j++) o[j] = __float2bfloat16(v[j]);
      *(int4 *)(D + (size_t)(t0 + r) * n + m0 + c * 8) = *(const int4 *)o;
    }
    cluster.sync();  // every block's partial tile stays until the whole cluster has read it
  }
}

template <int BN, int SPLIT>
__global__ void __launch_bounds__(THREADS, 1)
gemm_xwt(const bf16 *__restrict__ X, const bf16 *__restrict__ W, bf16 *__restrict__ D, int rows, int n, int k, int pdl) {
  constexpr int STAGES = stages<BN>();
  extern __shared__ unsigned char smem_raw[];
  constexpr int A_BYTES = BM * BK * 2, B_BYTES = BN * BK * 2, STAGE = A_BYTES + B_BYTES;
  const uint32_t raw = (uint32_t)__cvta_generic_to_shared(smem_raw);
  const uint32_t sb = (raw + 1023) & ~1023u;  // the swizzle's atoms sit on 1 024-byte boundaries
  unsigned char *sp = smem_raw + (sb - raw);
  const int tid = threadIdx.x, wgi = tid >> 7;
  const int m0 = blockIdx.x * BM, t0 = blockIdx.y * BN;
  const int kPer = k / SPLIT, kBeg = blockIdx.z * kPer, KT = kPer / BK;

  for (int s = 0; s < STAGES - 2 && s < KT; s++) load_tile<BM>(sb + s * STAGE, W, k, m0, n, kBeg + s * BK);
  if (pdl) asm volatile("griddepcontrol.wait;" ::: "memory");
  for (int s = 0; s < STAGES - 2; s++) {
    if (s < KT) load_tile<BN>(sb + s * STAGE + A_BYTES, X, k, t0, rows, kBeg + s * BK);
    commit();
  }
  float acc[BN / 2];
#pragma unroll
  for (int i = 0; i < BN / 2; i++) acc[i] = 0.f;
  for (int kt = 0; kt < KT; kt++) {
    wait_copies<STAGES - 3>();
    asm volatile("fence.proxy.async.shared::cta;" ::: "memory");  // cp.async wrote through the generic proxy
    __syncthreads();  // stage kt is in, and every warpgroup is done with stage kt - 2
    int nk = kt + STAGES - 2;
    if (nk < KT) {
      uint32_t s = sb + (nk % STAGES) * STAGE;
      load_tile<BM>(s, W, k, m0, n, kBeg + nk * BK);
      load_tile<BN>(s + A_BYTES, X, k, t0, rows, kBeg + nk * BK);
    }
    commit();
    asm volatile("wgmma.fence.sync.aligned;" ::: "memory");
    uint32_t a = sb + (kt % STAGES) * STAGE + wgi * 64 * 128, b = sb + (kt % STAGES) * STAGE + A_BYTES;
#pragma unroll
    for (int kk = 0; kk < BK / 16; kk++) mma_step<BN>(acc, desc(a + kk * 32), desc(b + kk * 32));
    asm volatile("wgmma.commit_group.sync.aligned;" ::: "memory");
    asm volatile("wgmma.wait_group.sync.aligned 1;" ::: "memory");
  }
  asm volatile("wgmma.wait_group.sync.aligned 0;" ::: "memory");
  if (pdl) asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
  wait_copies<0>();
  __syncthreads();  // the pipeline's buffers become the epilogue's staging tile

  store_tile<BN, SPLIT>(acc, wgi, sp, D, rows, n, m0, t0, THREADS, (int)blockIdx.z, [](int s) { return s; });
}

template <int BN, int SPLIT> size_t smem_bytes() {
  size_t pipe = (size_t)stages<BN>() * (BM * BK * 2 + BN * BK * 2);
  size_t stage = SPLIT == 1 ? (size_t)BN * (BM + 8) * 2 : (size_t)BN * (BM + 4) * 4;
  return std::max(pipe, stage) + 1024;
}

// Queues kernel on `stream` with its dynamic shared memory allowed, as a cluster of `cluster` blocks (when more than
// one) and, with pdl, as a programmatic dependent launch of the kernel queued before it.
template <typename... P, typename... A>
void launch_ex(void (*kernel)(P...), dim3 grid, int threads, size_t smem, dim3 cluster, bool pdl, A &&...args) {
  cudaLaunchConfig_t cfg = {};
  cfg.gridDim = grid;
  cfg.blockDim = dim3(threads);
  cfg.dynamicSmemBytes = smem;
  cfg.stream = stream;
  cudaLaunchAttribute at[2];
  int na = 0;
  if (cluster.x * cluster.y * cluster.z > 1) {
    at[na].id = cudaLaunchAttributeClusterDimension;
    at[na].val.clusterDim.x = cluster.x; at[na].val.clusterDim.y = cluster.y; at[na].val.clusterDim.z = cluster.z;
    na++;
  }
  if (pdl) {
    at[na].id = cudaLaunchAttributeProgrammaticStreamSerialization;
    at[na].val.programmaticStreamSerializationAllowed = 1;
    na++;
  }
  cfg.attrs = at; cfg.numAttrs = na;
  CK(cudaLaunchKernelEx(&cfg, kernel, std::forward<A>(args)...));
}

template <int BN, int SPLIT>
void launch(const bf16 *X, const bf16 *W, bf16 *D, int rows, int n, int k, bool pdl) {
  static bool init = false;
  size_t smem = smem_bytes<BN, SPLIT>();
  if (!init) {
    CK(cudaFuncSetAttribute(gemm_xwt<BN, SPLIT>, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)smem));
    init = true;
  }
  launch_ex(gemm_xwt<BN, SPLIT>, dim3(n / BM, (rows + BN - 1) / BN, SPLIT), THREADS, smem, dim3(1, 1, SPLIT), pdl, X, W,
            D, rows, n, k, (int)pdl);
}

// The same product with TMA loads and warp specialization: warpgroup 0 issues the loads (one thread: two
// cp.async.bulk.tensor a stage into the 128-byte swizzle, counted by a "full" mbarrier per stage), warpgroups 1 and 2
// multiply and release each stage through an "empty" mbarrier. Rows of X past `rows` arrive as zeros.
__device__ __forceinline__ void mbar_init(uint32_t b, int count) {
  asm volatile("mbarrier.init.shared::cta.b64 [%0], %1;" ::"r"(b), "r"(count) : "memory");
}
__device__ __forceinline__ void mbar_expect(uint32_t b, int bytes) {
  asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;" ::"r"(b), "r"(bytes) : "memory");
}
__device__ __forceinline__ void mbar_arrive(uint32_t b) {
  asm volatile("mbarrier.arrive.shared::cta.b64 _, [%0];" ::"r"(b) : "memory");
}
__device__ __forceinline__ void mbar_wait(uint32_t b, int parity) {
  asm volatile("{\n.reg .pred p;\nWAIT_%=:\nmbarrier.try_wait.parity.shared::cta.b64 p, [%0], %1;\n@!p bra WAIT_%=;\n}\n"
               ::"r"(b), "r"(parity) : "memory");
}
__device__ __forceinline__ void tma_load(uint32_t dst, const CUtensorMap *map, int c0, int c1, uint32_t bar) {
  asm volatile("cp.async.bulk.tensor.2d.shared::cluster.global.tile.mbarrier::complete_tx::bytes [%0], [%1, {%2, %3}], [%4];"
               ::"r"(dst), "l"(map), "r"(c0), "r"(c1), "r"(bar) : "memory");
}

__device__ __forceinline__ void tma_load_multicast(uint32_t dst, const CUtensorMap *map, int c0, int c1, uint32_t bar,
                                                   uint16_t mask) {
  asm volatile("cp.async.bulk.tensor.2d.shared::cluster.global.tile.mbarrier::complete_tx::bytes.multicast::cluster"
               " [%0], [%1, {%2, %3}], [%4], %5;"
               ::"r"(dst), "l"(map), "r"(c0), "r"(c1), "r"(bar), "h"(mask) : "memory");
}
__device__ __forceinline__ void mbar_arrive_cluster(uint32_t b, int cta) {
  asm volatile("{\n.reg .b32 r;\nmapa.shared::cluster.u32 r, %0, %1;\nmbarrier.arrive.shared::cluster.b64 _, [r];\n}\n"
               ::"r"(b), "r"(cta) : "memory");
}

// Cluster (CX, CY, SPLIT): the CX blocks side by side along n share their tile of X, each loading BN / CX of its
// rows and multicasting them; the CY blocks along the rows share their tile of W likewise; the SPLIT blocks along z
// split k and add their partial tiles in rank order.
// MODE (diagnostics of calls 5 and 7): 0 multicast; 1 each block loads all of its tiles but the stages are released
// across the cluster as in 0; 2 a cluster launch with each block on its own; 3 only the first stages loaded, the
// products then run on what the buffers hold (the math's own rate); 4 no products (the loads' own rate)
template <int BN, int CX, int CY, int SPLIT, int MODE = 0>
__global__ void __launch_bounds__(384, 1)
gemm_xwt_tma(const __grid_constant__ CUtensorMap wMap, const __grid_constant__ CUtensorMap xMap, bf16 *__restrict__ D,
             int rows, int n, int k, int pdl) {
  constexpr int STAGES = stages<BN>();
  constexpr int A_BYTES = BM * BK * 2, B_BYTES = BN * BK * 2, STAGE = A_BYTES + B_BYTES;
  constexpr int W_PART = BM / CY, X_PART = BN / CX;  // rows each block loads; multiples of 8 (swizzle atoms)
  constexpr bool CLUSTER = CX * CY * SPLIT > 1, SHARED = MODE == 0, CROSS = CLUSTER && MODE != 2;
  extern __shared__ unsigned char smem_raw[];
  __shared__ __align__(8) uint64_t bars[2 * STAGES];
  const uint32_t raw = (uint32_t)__cvta_generic_to_shared(smem_raw);
  const uint32_t sb = (raw + 1023) & ~1023u;
  unsigned char *sp = smem_raw + (sb - raw);
  const uint32_t full = (uint32_t)__cvta_generic_to_shared(bars), empty = full + 8 * STAGES;
  const int tid = threadIdx.x, wgi = tid >> 7;
  const int m0 = blockIdx.x * BM, t0 = blockIdx.y * BN;
  const int kPer = k / SPLIT, kBeg = blockIdx.z * kPer, KT = kPer / BK;
  const int rx = blockIdx.x % CX, ry = blockIdx.y % CY, rz = blockIdx.z % SPLIT;
  // cluster ranks run x fastest: rank = rx + CX · (ry + CY · rz)
  uint16_t xMask = 0, wMask = 0;  // blocks that receive this block's part of X / of W
  for (int i = 0; i < CX; i++) xMask |= 1 << (i + CX * (ry + CY * rz));
  for (int j = 0; j < CY; j++) wMask |= 1 << (rx + CX * (j + CY * rz));
  if (tid == 0) {
    // a stage's buffer is free once every block that writes into it has seen its consumers release it
    for (int s = 0; s < STAGES; s++) { mbar_init(full + 8 * s, 1); mbar_init(empty + 8 * s, CROSS ? 2 * (CX + CY - 1) : 2); }
    asm volatile("fence.mbarrier_init.release.cluster;" ::: "memory");
  }
  if constexpr (CLUSTER) cooperative_groups::this_cluster().sync(); else __syncthreads();
  float acc[BN / 2];
#pragma unroll
  for (int i = 0; i < BN / 2; i++) acc[i] = 0.f;
  if (wgi == 0) {
    if (tid == 0) {
      auto loadW = [&](int kt, int slot) {
        uint32_t dst = sb + slot * STAGE + ry * W_PART * 128;
        if (!SHARED) for (int j = 0; j < CY; j++)
          tma_load(sb + slot * STAGE + j * W_PART * 128, &wMap, kBeg + kt * BK, m0 + j * W_PART, full + 8 * slot);
        else if (CY == 1) tma_load(dst, &wMap, kBeg + kt * BK, m0, full + 8 * slot);
        else tma_load_multicast(dst, &wMap, kBeg + kt * BK, m0 + ry * W_PART, full + 8 * slot, wMask);
      };
      auto loadX = [&](int kt, int slot) {
        uint32_t dst = sb + slot * STAGE + A_BYTES + rx * X_PART * 128;
        if (!SHARED) for (int i = 0; i < CX; i++)
          tma_load(sb + slot * STAGE + A_BYTES + i * X_PART * 128, &xMap, kBeg + kt * BK, t0 + i * X_PART, full + 8 * slot);
        else if (CX == 1) tma_load(dst, &xMap, kBeg + kt * BK, t0, full + 8 * slot);
        else tma_load_multicast(dst, &xMap, kBeg + kt * BK, t0 + rx * X_PART, full + 8 * slot, xMask);
      };
      int first = KT < STAGES ? KT : STAGES;
      for (int s = 0; s < first; s++) {  // the weights need nothing of the previous kernel
        mbar_expect(full + 8 * s, STAGE);
        loadW(s, s);
      }
      if (pdl) asm volatile("griddepcontrol.wait;" ::: "memory");
      for (int s = 0; s < first; s++) loadX(s, s);
      for (int kt = STAGES; kt < KT && MODE != 3; kt++) {
        int slot = kt % STAGES, round = kt / STAGES;
        mbar_wait(empty + 8 * slot, (round - 1) & 1);
        mbar_expect(full + 8 * slot, STAGE);
        loadW(kt, slot);
        loadX(kt, slot);
      }
    }
  } else {
    for (int kt = 0; kt < KT; kt++) {
      int slot = kt % STAGES;
      if (MODE != 3 || kt < STAGES) mbar_wait(full + 8 * slot, (kt / STAGES) & 1);
      asm volatile("wgmma.fence.sync.aligned;" ::: "memory");
      uint32_t a = sb + slot * STAGE + (wgi - 1) * 64 * 128, b = sb + slot * STAGE + A_BYTES;
#pragma unroll
      for (int kk = 0; kk < BK / 16 && MODE != 4; kk++) mma_step<BN>(acc, desc(a + kk * 32), desc(b + kk * 32));
      asm volatile("wgmma.commit_group.sync.aligned;" ::: "memory");
      asm volatile("wgmma.wait_group.sync.aligned 1;" ::: "memory");
      if (kt > 0 && (tid & 127) == 0 && MODE != 3) {
        uint32_t e = empty + 8 * ((kt - 1) % STAGES);
        if (!CROSS) mbar_arrive(e);
        else {
          mbar_arrive(e);
          for (int i = 0; i < CX; i++) if (i != rx) mbar_arrive_cluster(e, i + CX * (ry + CY * rz));
          for (int j = 0; j < CY; j++) if (j != ry) mbar_arrive_cluster(e, rx + CX * (j + CY * rz));
        }
      }
    }
    asm volatile("wgmma.wait_group.sync.aligned 0;" ::: "memory");
  }
  if (pdl) asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
  // every stage consumed here and, in a cluster, in every block whose loads write here
  if constexpr (CLUSTER) cooperative_groups::this_cluster().sync(); else __syncthreads();

  store_tile<BN, SPLIT>(acc, wgi - 1, sp, D, rows, n, m0, t0, 384, rz,
                        [=](int s) { return rx + CX * (ry + CY * s); });
}

static PFN_cuTensorMapEncodeTiled_v12000 encodeTiled;
// a row-major bf16 matrix [rowsTotal][cols] read in boxes of boxRows × 64 columns, 128-byte swizzle
static CUtensorMap tensor_map(const bf16 *p, int rowsTotal, int cols, int boxRows) {
  if (!encodeTiled) {
    cudaDriverEntryPointQueryResult q;
    CK(cudaGetDriverEntryPoint("cuTensorMapEncodeTiled", (void **)&encodeTiled, cudaEnableDefault, &q));
  }
  CUtensorMap m;
  cuuint64_t dims[2] = {(cuuint64_t)cols, (cuuint64_t)rowsTotal}, strides[1] = {(cuuint64_t)cols * 2};
  cuuint32_t box[2] = {64, (cuuint32_t)boxRows}, es[2] = {1, 1};
  CUresult r = encodeTiled(&m, CU_TENSOR_MAP_DATA_TYPE_BFLOAT16, 2, (void *)p, dims, strides, box, es,
                           CU_TENSOR_MAP_INTERLEAVE_NONE, CU_TENSOR_MAP_SWIZZLE_128B, CU_TENSOR_MAP_L2_PROMOTION_L2_256B,
                           CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE);
  if (r != CUDA_SUCCESS) { printf("cuTensorMapEncodeTiled: %d\n", (int)r); exit(3); }
  return m;
}

template <int BN, int CX, int CY, int SPLIT, int MODE = 0>
void launch_tma(const CUtensorMap &wm, const CUtensorMap &xm, bf16 *D, int rows, int n, int k, bool pdl) {
  static bool init = false;
  size_t smem = smem_bytes<BN, SPLIT>();
  if (!init) {
    CK(cudaFuncSetAttribute(gemm_xwt_tma<BN, CX, CY, SPLIT, MODE>, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)smem));
    init = true;
  }
  launch_ex(gemm_xwt_tma<BN, CX, CY, SPLIT, MODE>, dim3(n / BM, (rows + BN - 1) / BN, SPLIT), 384, smem,
            dim3(CX, CY, SPLIT), pdl, wm, xm, D, rows, n, k, (int)pdl);
}
}  // namespace wg

static const int COPIES = 8;

__global__ void compare(const bf16 *a, const bf16 *b, size_t len, float *out) {  // out: max |a - b|, max |b|
  float d = 0, m = 0;
  for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < len; i += (size_t)gridDim.x * blockDim.x) {
    float x = __bfloat162float(a[i]), y = __bfloat162float(b[i]);
    d = fmaxf(d, fabsf(x - y)); m = fmaxf(m, fabsf(y));
  }
  atomicMax((int *)out, __float_as_int(d)); atomicMax((int *)out + 1, __float_as_int(m));
}

typedef void (*launch_t)(const bf16 *, const bf16 *, bf16 *, int, int, int, bool);
typedef void (*launch_tma_t)(const CUtensorMap &, const CUtensorMap &, bf16 *, int, int, int, bool);

int main(int argc, char **argv) {
  bool withCpAsync = argc > 1 && !strcmp(argv[1], "cp.async");  // the first form's variants too
  void *handle;
  void *lib = openCublas(&handle);
  gemmEx_t gemmEx = (gemmEx_t)dlsym(lib, "cublasGemmEx");
  struct Shape { const char *name; int n, k; } shapes[] = {{"z,x,B,C", 8448, 2048}, {"out_proj", 2048, 4096}};
  // name: BN x CX x CY x SPLIT
  // name: BN x CX x CY x SPLIT [mode]
  // name: BN x CX x CY x SPLIT [mode]
  // name: BN x CX x CY x SPLIT [mode]
  struct TmaVariant { const char *name; int rows, bn, cx, cy, split; launch_tma_t f; } tmaVariants[] = {
      {"168x1x1x1", 324, 168, 1, 1, 1, wg::launch_tma<168, 1, 1, 1>},
      {"168x1x1x1 math only", 324, 168, 1, 1, 1, wg::launch_tma<168, 1, 1, 1, 3>},
      {"168x1x1x1 loads only", 324, 168, 1, 1, 1, wg::launch_tma<168, 1, 1, 1, 4>},
      {"176x2x1x1 loads only", 324, 176, 2, 1, 1, wg::launch_tma<176, 2, 1, 1, 4>},
      {"168x1x2x1 loads only", 324, 168, 1, 2, 1, wg::launch_tma<168, 1, 2, 1, 4>},
      {"168x1x1x2", 324, 168, 1, 1, 2, wg::launch_tma<168, 1, 1, 2>},
      {"168x1x1x2 math only", 324, 168, 1, 1, 2, wg::launch_tma<168, 1, 1, 2, 3>},
      {"168x1x1x2 loads only", 324, 168, 1, 1, 2, wg::launch_tma<168, 1, 1, 2, 4>},
      {"128x1x1x1", 324, 128, 1, 1, 1, wg::launch_tma<128, 1, 1, 1>},
      {"128x1x1x1 math only", 324, 128, 1, 1, 1, wg::launch_tma<128, 1, 1, 1, 3>},
      {"256x1x1x1", 512, 256, 1, 1, 1, wg::launch_tma<256, 1, 1, 1>},
      {"256x1x1x1 math only", 512, 256, 1, 1, 1, wg::launch_tma<256, 1, 1, 1, 3>},
      {"256x1x1x1 loads only", 512, 256, 1, 1, 1, wg::launch_tma<256, 1, 1, 1, 4>}};
  struct Variant { const char *name; int rows; launch_t f; } variants[] = {
      {"168x1", 324, wg::launch<168, 1>}, {"168x2", 324, wg::launch<168, 2>}, {"168x4", 324, wg::launch<168, 4>},
      {"216x1", 648, wg::launch<216, 1>}, {"216x2", 648, wg::launch<216, 2>},
      {"256x1", 512, wg::launch<256, 1>}, {"256x2", 512, wg::launch<256, 2>}, {"128x1", 324, wg::launch<128, 1>}};
  const int maxRows = 648;
  float one = 1, zero = 0, *cmp;
  CK(cudaMalloc(&cmp, 8));
  for (Shape sh : shapes) {
    bf16 *w, *x, *ref, *out;
    CK(cudaMalloc(&w, (size_t)COPIES * sh.n * sh.k * 2)); CK(cudaMalloc(&x, (size_t)maxRows * sh.k * 2));
    CK(cudaMalloc(&ref, (size_t)maxRows * sh.n * 2)); CK(cudaMalloc(&out, (size_t)maxRows * sh.n * 2));
    fill_uniform_bf16<<<1024, 256>>>(w, (size_t)COPIES * sh.n * sh.k, 1, 0.05f, -0.025f);
    fill_uniform_bf16<<<1024, 256>>>(x, (size_t)maxRows * sh.k, 2, 1.f, -0.5f);
    CK(cudaDeviceSynchronize());
    for (int rows : {324, 512, 648}) {
      double flop = 2.0 * rows * sh.n * sh.k;
      auto cublas = [&](int i, bf16 *dst) {
        gemmEx(handle, 1, 0, sh.n, rows, sh.k, &one, w + (size_t)(i % COPIES) * sh.n * sh.k, 14, sh.k, x, 14, sh.k,
               &zero, dst, 14, sh.n, 68, -1);
      };
      float base = timeIt([&](int i) { cublas(i, ref); });
      printf("%-8s rows %4d: cuBLAS %6.2f us (%3.0f TFLOP/s)\n", sh.name, rows, base, flop / base / 1e6);
      cublas(0, ref);
      for (Variant v : variants) {
        if (v.rows != rows || !withCpAsync) continue;
        int split = v.name[4] - '0';
        if (sh.k % (64 * split)) continue;
        CK(cudaMemsetAsync(out, 0xff, (size_t)rows * sh.n * 2, stream));
        v.f(x, w, out, rows, sh.n, sh.k, false);
        CK(cudaMemsetAsync(cmp, 0, 8, stream));
        compare<<<264, 256, 0, stream>>>(out, ref, (size_t)rows * sh.n, cmp);
        float h[2];
        CK(cudaMemcpyAsync(h, cmp, 8, cudaMemcpyDeviceToHost, stream)); CK(cudaStreamSynchronize(stream));
        float plain = timeIt([&](int i) { v.f(x, w + (size_t)(i % COPIES) * sh.n * sh.k, out, rows, sh.n, sh.k, false); });
        float dep = timeIt([&](int i) { v.f(x, w + (size_t)(i % COPIES) * sh.n * sh.k, out, rows, sh.n, sh.k, true); });
        printf("  cp.async %s: %6.2f us (%3.0f TFLOP/s), as dependent launches %6.2f us; max |ours - cuBLAS| %.3g of max %.3g\n",
               v.name, plain, flop / plain / 1e6, dep, h[0], h[1]);
        fflush(stdout);
      }
    }
    for (TmaVariant v : tmaVariants) {
      int rows = v.rows;
      gemmEx(handle, 1, 0, sh.n, rows, sh.k, &one, w, 14, sh.k, x, 14, sh.k, &zero, ref, 14, sh.n, 68, -1);
      if (sh.k % (64 * v.split) || (sh.n / 128) % v.cx) continue;
      std::vector<CUtensorMap> wm;
      for (int c = 0; c < COPIES; c++) wm.push_back(wg::tensor_map(w + (size_t)c * sh.n * sh.k, sh.n, sh.k, 128 / v.cy));
      CUtensorMap xm = wg::tensor_map(x, rows, sh.k, v.bn / v.cx);
      double flop = 2.0 * rows * sh.n * sh.k;
      CK(cudaMemsetAsync(out, 0xff, (size_t)rows * sh.n * 2, stream));
      v.f(wm[0], xm, out, rows, sh.n, sh.k, false);
      CK(cudaMemsetAsync(cmp, 0, 8, stream));
      compare<<<264, 256, 0, stream>>>(out, ref, (size_t)rows * sh.n, cmp);
      float h[2];
      CK(cudaMemcpyAsync(h, cmp, 8, cudaMemcpyDeviceToHost, stream)); CK(cudaStreamSynchronize(stream));
      float plain = timeIt([&](int i) { v.f(wm[i % COPIES], xm, out, rows, sh.n, sh.k, false); });
      float dep = timeIt([&](int i) { v.f(wm[i % COPIES], xm, out, rows, sh.n, sh.k, true); });
      printf("%-8s rows %4d: TMA %s: %6.2f us (%3.0f TFLOP/s), as dependent launches %6.2f us; max |ours - cuBLAS| %.3g of max %.3g\n",
             sh.name, rows, v.name, plain, flop / plain / 1e6, dep, h[0], h[1]);
      fflush(stdout);
    }
    cudaFree(w); cudaFree(x); cudaFree(ref); cudaFree(out);
  }
  return 0;
}

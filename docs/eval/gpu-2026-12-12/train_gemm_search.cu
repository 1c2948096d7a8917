// Issue 6, session 28: is there a cuBLASLt configuration faster than cublasGemmEx's default for the six GEMMs of a
// paper-width training block at batch 8 x 324 (bf16 operands, fp32 output, as TrainingOps calls cuBLAS)? Session 16's
// gemm_search.cu (docs/eval/gpu-2026-11-30) with the transposes of the backward products. Searches every algorithm id, tile, stage count, split-K, reduction scheme, swizzle,
// custom option and cluster shape that cublasLtMatmulAlgoCheck accepts, times each against rotating weight copies
// (so the weights come from HBM, as in a 49-block step), and re-times the best beside cublasGemmEx. Shapes are
// cuBLAS's column-major view of the row-major products (Cublas.gemm): C[M, N] = op(A)·op(B), K shared.
// Declarations by hand (values from cublasLt.h of CUDA 13.1) so that it compiles where no cuBLAS headers are.
// Build: nvcc -O2 -arch=sm_90 -o train_gemm_search train_gemm_search.cu -ldl ; run: ./train_gemm_search [seconds per shape]
#include <cuda_runtime.h>
#include <cuda_bf16.h>
#include <dlfcn.h>
#include <cstdio>
#include <cstdlib>
#include <cstdint>
#include <vector>
#include <algorithm>
#include <string>
#include <chrono>

typedef int st_t;
struct Algo { uint64_t data[8]; };
struct Heur { Algo algo; size_t workspaceSize; st_t state; float wavesCount; int reserved[4]; };
typedef void *Handle, *Desc, *Layout, *Pref;

#define FN(ret, name, ...) typedef ret (*name##_t)(__VA_ARGS__); static name##_t name;
FN(st_t, cublasLtCreate, Handle *)
FN(st_t, cublasLtMatmulDescCreate, Desc *, int, int)
FN(st_t, cublasLtMatmulDescSetAttribute, Desc, int, const void *, size_t)
FN(st_t, cublasLtMatrixLayoutCreate, Layout *, int, uint64_t, uint64_t, int64_t)
FN(st_t, cublasLtMatmulPreferenceCreate, Pref *)
FN(st_t, cublasLtMatmulPreferenceSetAttribute, Pref, int, const void *, size_t)
FN(st_t, cublasLtMatmulAlgoGetHeuristic, Handle, Desc, Layout, Layout, Layout, Layout, Pref, int, Heur *, int *)
FN(st_t, cublasLtMatmulAlgoGetIds, Handle, int, int, int, int, int, int, int, int *, int *)
FN(st_t, cublasLtMatmulAlgoInit, Handle, int, int, int, int, int, int, int, Algo *)
FN(st_t, cublasLtMatmulAlgoCheck, Handle, Desc, Layout, Layout, Layout, Layout, const Algo *, Heur *)
FN(st_t, cublasLtMatmulAlgoCapGetAttribute, const Algo *, int, void *, size_t, size_t *)
FN(st_t, cublasLtMatmulAlgoConfigSetAttribute, Algo *, int, const void *, size_t)
FN(st_t, cublasLtMatmulAlgoConfigGetAttribute, const Algo *, int, void *, size_t, size_t *)
FN(st_t, cublasLtMatmul, Handle, Desc, const void *, const void *, Layout, const void *, Layout, const void *,
   const void *, Layout, void *, Layout, const Algo *, void *, size_t, cudaStream_t)
FN(st_t, cublasCreate_v2, void **)
FN(st_t, cublasSetWorkspace_v2, void *, void *, size_t)
FN(st_t, cublasGemmEx, void *, int, int, int, int, int, const void *, const void *, int, int, const void *, int, int,
   const void *, void *, int, int, int, int)

enum { R_32F = 0, R_16BF = 14, COMPUTE_32F = 68, OP_N = 0, OP_T = 1 };
enum { CAP_SPLITK = 0, CAP_RED_MASK = 1, CAP_SWIZZLE = 2, CAP_TILE_IDS = 6, CAP_CUSTOM_MAX = 7, CAP_STAGES_IDS = 13 };
enum { CFG_ID = 0, CFG_TILE = 1, CFG_SPLITK = 2, CFG_RED = 3, CFG_SWIZZLE = 4, CFG_CUSTOM = 5, CFG_STAGES = 6,
       CFG_INNER = 7, CFG_CLUSTER = 8 };
static const size_t WS = 32u << 20;

static void load() {
  void *lt = dlopen("libcublasLt.so.13", RTLD_NOW), *bl = dlopen("libcublas.so.13", RTLD_NOW);
  if (!lt || !bl) { fprintf(stderr, "dlopen: %s\n", dlerror()); exit(2); }
#define L(h, n) n = (n##_t)dlsym(h, #n); if (!n) { fprintf(stderr, "missing %s\n", #n); exit(2); }
  L(lt, cublasLtCreate) L(lt, cublasLtMatmulDescCreate) L(lt, cublasLtMatmulDescSetAttribute)
  L(lt, cublasLtMatrixLayoutCreate) L(lt, cublasLtMatmulPreferenceCreate) L(lt, cublasLtMatmulPreferenceSetAttribute)
  L(lt, cublasLtMatmulAlgoGetHeuristic) L(lt, cublasLtMatmulAlgoGetIds) L(lt, cublasLtMatmulAlgoInit)
  L(lt, cublasLtMatmulAlgoCheck) L(lt, cublasLtMatmulAlgoCapGetAttribute) L(lt, cublasLtMatmulAlgoConfigSetAttribute)
  L(lt, cublasLtMatmulAlgoConfigGetAttribute) L(lt, cublasLtMatmul)
  L(bl, cublasCreate_v2) L(bl, cublasSetWorkspace_v2) L(bl, cublasGemmEx)
}
#define CK(x) do { cudaError_t e = (x); if (e != cudaSuccess) { fprintf(stderr, "%s: %s\n", #x, cudaGetErrorString(e)); exit(3); } } while (0)

__global__ void fill(__nv_bfloat16 *p, size_t n, uint32_t seed) {
  for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x) {
    uint32_t h = (uint32_t)i * 2654435761u ^ seed; h ^= h >> 13; h *= 0x5bd1e995u; h ^= h >> 15;
    p[i] = __float2bfloat16(((h & 0xffff) / 65536.0f - 0.5f) * 0.05f);
  }
}

struct Shape { const char *name; int opA, opB, m, n, k, dType; };
struct Cfg { int id; uint32_t tile, stages, red, swz, custom; int32_t splitk; uint16_t cluster; float us; };

static Handle lt; static void *blas; static void *ws;
static std::vector<void *> weights; static void *A, *D; static const int COPIES = 8;
static cudaEvent_t e0, e1; static float alpha = 1, beta = 0;

struct Problem { Desc op; Layout a, b, c; Shape s; };

static Problem problem(Shape s) {
  Problem p; p.s = s; int ta = s.opA, tb = s.opB;
  cublasLtMatmulDescCreate(&p.op, COMPUTE_32F, R_32F);
  cublasLtMatmulDescSetAttribute(p.op, 3, &ta, sizeof ta);
  cublasLtMatmulDescSetAttribute(p.op, 4, &tb, sizeof tb);
  // stored A is M x K (op N) or K x M (op T), B is K x N or N x K, C is M x N; all dense column-major
  if (s.opA == OP_N) cublasLtMatrixLayoutCreate(&p.a, R_16BF, s.m, s.k, s.m);
  else cublasLtMatrixLayoutCreate(&p.a, R_16BF, s.k, s.m, s.k);
  if (s.opB == OP_N) cublasLtMatrixLayoutCreate(&p.b, R_16BF, s.k, s.n, s.k);
  else cublasLtMatrixLayoutCreate(&p.b, R_16BF, s.n, s.k, s.n);
  cublasLtMatrixLayoutCreate(&p.c, s.dType, s.m, s.n, s.m);
  return p;
}

// mean µs per call over reps calls, each reading the next weight copy
static float timeLt(Problem &p, const Algo *algo, int reps) {
  for (int i = 0; i < 2; i++)
    if (cublasLtMatmul(lt, p.op, &alpha, weights[i % COPIES], p.a, A, p.b, &beta, D, p.c, D, p.c, algo, ws, WS, 0)) return -1;
  cudaEventRecord(e0, 0);
  for (int i = 0; i < reps; i++)
    cublasLtMatmul(lt, p.op, &alpha, weights[i % COPIES], p.a, A, p.b, &beta, D, p.c, D, p.c, algo, ws, WS, 0);
  cudaEventRecord(e1, 0);
  if (cudaEventSynchronize(e1) != cudaSuccess) { fprintf(stderr, "launch failed: %s\n", cudaGetErrorString(cudaGetLastError())); exit(4); }
  float ms; cudaEventElapsedTime(&ms, e0, e1); return ms * 1000 / reps;
}

static float timeGemmEx(const Shape &s, int reps) {
  auto call = [&](int i) { return cublasGemmEx(blas, s.opA, s.opB, s.m, s.n, s.k, &alpha, weights[i % COPIES], R_16BF,
      s.opA == OP_N ? s.m : s.k, A, R_16BF, s.opB == OP_N ? s.k : s.n, &beta, D, s.dType, s.m, COMPUTE_32F, -1); };
  call(0); call(1);
  cudaEventRecord(e0, 0);
  for (int i = 0; i < reps; i++) call(i);
  cudaEventRecord(e1, 0); CK(cudaEventSynchronize(e1));
  float ms; cudaEventElapsedTime(&ms, e0, e1); return ms * 1000 / reps;
}

static float median(std::vector<float> v) { std::sort(v.begin(), v.end()); return v[v.size() / 2]; }

static bool build(Problem &p, const Cfg &c, Algo &a) {
  if (cublasLtMatmulAlgoInit(lt, COMPUTE_32F, R_32F, R_16BF, R_16BF, p.s.dType, p.s.dType, c.id, &a)) return false;
  cublasLtMatmulAlgoConfigSetAttribute(&a, CFG_TILE, &c.tile, 4);
  cublasLtMatmulAlgoConfigSetAttribute(&a, CFG_STAGES, &c.stages, 4);
  cublasLtMatmulAlgoConfigSetAttribute(&a, CFG_SPLITK, &c.splitk, 4);
  cublasLtMatmulAlgoConfigSetAttribute(&a, CFG_RED, &c.red, 4);
  cublasLtMatmulAlgoConfigSetAttribute(&a, CFG_SWIZZLE, &c.swz, 4);
  cublasLtMatmulAlgoConfigSetAttribute(&a, CFG_CUSTOM, &c.custom, 4);
  if (c.cluster) cublasLtMatmulAlgoConfigSetAttribute(&a, CFG_CLUSTER, &c.cluster, 2);
  Heur h;
  return cublasLtMatmulAlgoCheck(lt, p.op, p.a, p.b, p.c, p.c, &a, &h) == 0 && h.workspaceSize <= WS;
}

static void describe(const Algo &a, char *buf) {
  int32_t id = 0, sk = 0; uint32_t tile = 0, st = 0, red = 0, swz = 0, cus = 0; uint16_t cl = 0, in = 0; size_t w;
  cublasLtMatmulAlgoConfigGetAttribute(&a, CFG_ID, &id, 4, &w);
  cublasLtMatmulAlgoConfigGetAttribute(&a, CFG_TILE, &tile, 4, &w);
  cublasLtMatmulAlgoConfigGetAttribute(&a, CFG_STAGES, &st, 4, &w);
  cublasLtMatmulAlgoConfigGetAttribute(&a, CFG_SPLITK, &sk, 4, &w);
  cublasLtMatmulAlgoConfigGetAttribute(&a, CFG_RED, &red, 4, &w);
  cublasLtMatmulAlgoConfigGetAttribute(&a, CFG_SWIZZLE, &swz, 4, &w);
  cublasLtMatmulAlgoConfigGetAttribute(&a, CFG_CUSTOM, &cus, 4, &w);
  cublasLtMatmulAlgoConfigGetAttribute(&a, CFG_INNER, &in, 2, &w);
  cublasLtMatmulAlgoConfigGetAttribute(&a, CFG_CLUSTER, &cl, 2, &w);
  sprintf(buf, "id=%d tile=%u stages=%u splitK=%d red=%u swizzle=%u custom=%u inner=%u cluster=%u", id, tile, st, sk,
          red, swz, cus, in, cl);
}

static std::vector<uint32_t> capList(const Algo &a, int attr) {
  size_t w = 0; cublasLtMatmulAlgoCapGetAttribute(&a, attr, nullptr, 0, &w);
  std::vector<uint32_t> v(w / 4);
  if (w) cublasLtMatmulAlgoCapGetAttribute(&a, attr, v.data(), w, &w);
  if (v.empty()) v.push_back(0);
  return v;
}

static void search(Shape s, double budget) {
  Problem p = problem(s);
  double flop = 2.0 * s.m * s.n * s.k;
  printf("\n=== %s: %c%c m=%d n=%d k=%d out=%s\n", s.name, s.opA ? 'T' : 'N', s.opB ? 'T' : 'N', s.m, s.n, s.k,
         s.dType == R_16BF ? "bf16" : "fp32");
  // 1. cuBLAS's own heuristic candidates
  Pref pref; cublasLtMatmulPreferenceCreate(&pref);
  size_t wsb = WS; cublasLtMatmulPreferenceSetAttribute(pref, 1, &wsb, sizeof wsb);
  std::vector<Heur> hs(128); int nh = 0;
  cublasLtMatmulAlgoGetHeuristic(lt, p.op, p.a, p.b, p.c, p.c, pref, 128, hs.data(), &nh);
  std::vector<std::pair<float, Algo>> all;
  char buf[256];
  for (int i = 0; i < nh; i++) {
    float us = timeLt(p, &hs[i].algo, 20);
    if (us > 0) all.push_back({us, hs[i].algo});
    if (i < 3) { describe(hs[i].algo, buf); printf("heuristic #%d %.2f us  %s\n", i, us, buf); }
  }
  printf("heuristic candidates: %d timed\n", nh);
  // 2a. every algorithm id × tile × stage count cublasLtMatmulAlgoCheck accepts, without split-K or options
  int ids[256], nids = 0;
  cublasLtMatmulAlgoGetIds(lt, COMPUTE_32F, R_32F, R_16BF, R_16BF, s.dType, s.dType, 256, ids, &nids);
  auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  long checked = 0, timed = 0;
  std::vector<std::pair<float, Cfg>> plain;
  struct Caps { int32_t splitOk, customMax; uint32_t redMask, swzOk; };
  std::vector<std::pair<int, Caps>> caps;
  for (int ii = 0; ii < nids && elapsed() < budget; ii++) {
    Algo base; if (cublasLtMatmulAlgoInit(lt, COMPUTE_32F, R_32F, R_16BF, R_16BF, s.dType, s.dType, ids[ii], &base)) continue;
    std::vector<uint32_t> tiles = capList(base, CAP_TILE_IDS), stages = capList(base, CAP_STAGES_IDS);
    Caps c{}; size_t w;
    cublasLtMatmulAlgoCapGetAttribute(&base, CAP_SPLITK, &c.splitOk, 4, &w);
    cublasLtMatmulAlgoCapGetAttribute(&base, CAP_RED_MASK, &c.redMask, 4, &w);
    cublasLtMatmulAlgoCapGetAttribute(&base, CAP_SWIZZLE, &c.swzOk, 4, &w);
    cublasLtMatmulAlgoCapGetAttribute(&base, CAP_CUSTOM_MAX, &c.customMax, 4, &w);
    caps.push_back({ids[ii], c});
    printf("algo %d: %zu tiles, %zu stages, splitK %d, reductions 0x%x, swizzle %u, custom max %d\n", ids[ii],
           tiles.size(), stages.size(), c.splitOk, c.redMask, c.swzOk, c.customMax);
    for (uint32_t tile : tiles) for (uint32_t st : stages) {
      Cfg cfg{ids[ii], tile, st, 0, 0, 0, 1, 0, 0};
      Algo a; checked++;
      if (!build(p, cfg, a)) continue;
      float us = timeLt(p, &a, 10); timed++;
      if (us > 0) { cfg.us = us; plain.push_back({us, cfg}); all.push_back({us, a}); }
      if (elapsed() > budget) break;
    }
  }
  printf("plain configurations: %ld checked, %ld timed in %.1f s\n", checked, timed, elapsed());
  // 2b. the best 24 of those with split-K, reduction schemes, swizzle, custom options and cluster shapes
  std::sort(plain.begin(), plain.end(), [](auto &x, auto &y) { return x.first < y.first; });
  start = std::chrono::steady_clock::now(); checked = timed = 0;
  const int32_t splits[] = {1, 2, 3, 4, 6, 8};
  const uint16_t clusters[] = {0, 2, 3, 5, 6};
  for (int i = 0; i < std::min<int>(24, plain.size()) && elapsed() < budget; i++) {
    Cfg base = plain[i].second; Caps c{};
    for (auto &x : caps) if (x.first == base.id) c = x.second;
    for (int32_t sk : splits) for (uint32_t red : {0u, 1u, 2u, 4u}) {
      if (sk > 1 && !c.splitOk) continue;
      if ((sk == 1) != (red == 0) || (red && !(c.redMask & red))) continue;
      for (uint32_t swz = 0; swz <= (c.swzOk ? 1u : 0u); swz++)
        for (int32_t cus = 0; cus <= std::min(c.customMax, 7); cus++)
          for (uint16_t cl : clusters) {
            Cfg cfg = base; cfg.splitk = sk; cfg.red = red; cfg.swz = swz; cfg.custom = cus; cfg.cluster = cl;
            if (sk == 1 && swz == 0 && cus == 0 && cl == 0) continue;
            Algo a; checked++;
            if (!build(p, cfg, a)) continue;
            float us = timeLt(p, &a, 10); timed++;
            if (us > 0) all.push_back({us, a});
          }
    }
  }
  printf("variations of the best 24: %ld checked, %ld timed in %.1f s\n", checked, timed, elapsed());
  std::sort(all.begin(), all.end(), [](auto &x, auto &y) { return x.first < y.first; });
  // 3. the best ten again, interleaved with cublasGemmEx, medians of 7 runs of 50 calls
  std::vector<std::pair<float, Algo>> distinct;
  std::vector<std::string> seen;
  for (auto &x : all) {
    char d[256]; describe(x.second, d);
    if (std::find(seen.begin(), seen.end(), d) != seen.end()) continue;
    seen.push_back(d); distinct.push_back(x);
    if (distinct.size() == 10) break;
  }
  all = distinct;
  int top = all.size();
  std::vector<std::vector<float>> t(top);
  std::vector<float> base;
  for (int r = 0; r < 7; r++) {
    base.push_back(timeGemmEx(s, 50));
    for (int i = 0; i < top; i++) t[i].push_back(timeLt(p, &all[i].second, 50));
  }
  float b = median(base);
  printf("cublasGemmEx default: %.2f us (%.0f TFLOP/s)\n", b, flop / b / 1e6);
  for (int i = 0; i < top; i++) {
    float m = median(t[i]); describe(all[i].second, buf);
    printf("best #%d: %.2f us (%.0f TFLOP/s, %+.1f %%)  %s\n", i, m, flop / m / 1e6, 100 * (m / b - 1), buf);
  }
  fflush(stdout);
}

int main(int argc, char **argv) {
  double budget = argc > 1 ? atof(argv[1]) : 20;
  load();
  CK(cudaSetDevice(0));
  cudaDeviceProp prop; cudaGetDeviceProperties(&prop, 0);
  printf("%s, %d SMs\n", prop.name, prop.multiProcessorCount);
  cublasLtCreate(&lt); cublasCreate_v2(&blas);
  CK(cudaMalloc(&ws, WS)); cublasSetWorkspace_v2(blas, ws, WS);
  size_t wmax = (size_t)8512 * 4096;
  for (int i = 0; i < COPIES; i++) { void *w; CK(cudaMalloc(&w, wmax * 2)); fill<<<1024, 256>>>((__nv_bfloat16 *)w, wmax, i); weights.push_back(w); }
  CK(cudaMalloc(&A, (size_t)2592 * 8512 * 2)); fill<<<1024, 256>>>((__nv_bfloat16 *)A, (size_t)2592 * 8512, 99);
  CK(cudaMalloc(&D, (size_t)4200 * 8512 * 4));
  CK(cudaEventCreate(&e0)); CK(cudaEventCreate(&e1)); CK(cudaDeviceSynchronize());
  // a paper block at batch 8 x 324 = 2 592 rows: in_proj 2 048 -> 8 512 (z, x, B, C, dt), out_proj 4 096 -> 2 048
  Shape shapes[] = {
    {"in_proj forward", OP_T, OP_N, 8512, 2592, 2048, R_32F}, {"out_proj forward", OP_T, OP_N, 2048, 2592, 4096, R_32F},
    {"in_proj dX", OP_N, OP_N, 2048, 2592, 8512, R_32F}, {"in_proj dW", OP_N, OP_T, 2048, 8512, 2592, R_32F},
    {"out_proj dX", OP_N, OP_N, 4096, 2592, 2048, R_32F}, {"out_proj dW", OP_N, OP_T, 4096, 2048, 2592, R_32F},
  };
  for (Shape &s : shapes) search(s, budget);
  return 0;
}

package dev.mdm.backend.jcuda.cuda;

/**
 * Typed launchers of the kernels in {@code src/main/cuda/mdm_kernels.cu}. Addresses are device addresses; a 0
 * address is a null pointer where the kernel allows one. {@code bf16} selects the bf16-storage flavour.
 */
public final class Kernels {
    /** RMSNorm epsilon everywhere (decision D1). */
    public static final float EPS = 1e-5f;
    private static final int THREADS = 256;
    /** Tiled conv kernel: a thread per channel (or four) over CONV_ROWS rows (as in the .cu file), widths up to 4. */
    private static final int CONV_THREADS = 128;
    private static final int CONV_ROWS = 8;
    /** Whether {@link #convSiluWithWeights} shares the conv's launch with the SSD's weights. For measurements. */
    private static final boolean CONV_WITH_WEIGHTS = Boolean.parseBoolean(System.getProperty(
            "mdm.jcuda.convWithWeights", "true"));
    private static final int CONV_TILED_MAX_WIDTH = 4;
    /** Register-held norms: float4 per thread at most (NORM_VEC in the .cu file). */
    private static final int NORM_VEC = 4;
    /** State pass: elements per thread (float4) when P·N allows, threads per block. */
    private static final int PASS_VECTOR = 4;
    private static final int PASS_THREADS = 128;
    private static final int MAX_CHUNK = 64;
    /** A grid's y extent; the tensor-core SSD kernels put the chunks there. */
    private static final int MAX_GRID_Y = 65_535;
    private static final int FAST_CHUNK = 64;
    private static final int FAST_HEAD_DIM = 64;
    private static final int FAST_STATE = 128;
    private static final int FAST_STATE_SHARED = 4 * (3 * 64 + 64 * 68 + 64 * 132);
    private static final int FAST_OUTPUT_SHARED = 4 * (2 * 64 + 2 * 128 * 68 + 2 * 64 * 68);
    /** Tensor-core chunk kernels: 4 warps; shared bytes as TC_STATE_SHARED / TC_OUTPUT_SHARED in the .cu file. */
    private static final int TC_THREADS = 128;
    private static final int TC_STATE_SHARED = 2 * 128 * 72 + 4 * 2 * 64 + 2 * 64 * 72;
    /** Two heads per state block: Bᵀ staged once, the per-head part twice (TC_STATE_SHARED(2) in the .cu). */
    private static final int TC2_STATE_SHARED = 2 * 128 * 72 + 2 * (4 * 2 * 64 + 2 * 64 * 72);
    /** State kernels of bf16 x and B (TC_STATE_ASYNC_SHARED in the .cu): B [64][136] once, x [64][72] per head. */
    private static final int TC_STATE_ASYNC_SHARED = 2 * 64 * 136 + 2 * 64 * 72 + 3 * 4 * 64;
    private static final int TC2_STATE_ASYNC_SHARED = 2 * 64 * 136 + 2 * (2 * 64 * 72 + 3 * 4 * 64);
    /** Output kernel, per head: the entering state (bf16 [128][72]), x (fp32 [64][68]), cumulative a and coef. */
    private static final int TC_OUTPUT_HEAD_SHARED = 2 * 128 * 72 + 4 * 64 * 68 + 2 * 4 * 64;
    private static final int TC_OUTPUT_SHARED = 2 * 2 * 64 * 136 + TC_OUTPUT_HEAD_SHARED;
    /** Two heads per output block: C and B staged once, the per-head part twice (TC_OUTPUT_SHARED(2) in the .cu). */
    private static final int TC2_OUTPUT_SHARED = 2 * 2 * 64 * 136 + 2 * TC_OUTPUT_HEAD_SHARED;
    /**
     * Fewest chunks (× samples) for the two-head kernels: below, the one-head grid fills the GPU better (at 1 092
     * tokens, 18 chunks, one head a block was no faster: PERF.md, v28). A property for measurements
     * ({@code mdm.jcuda.twoHeadMinChunks}).
     */
    private static final int TC2_MIN_CHUNKS = Integer.getInteger("mdm.jcuda.twoHeadMinChunks", 16);
    /**
     * From this many chunks per sequence the tensor-core state kernel stores each chunk's own state in bf16, halving the
     * state traffic. On the H100 with v24's kernels (state + pass per block): 1 092 tokens (18 chunks) 24.9 + 21.0 →
     * 19.2 + 19.5 µs; but 324 tokens (6 chunks) 11.7 + 8.7 → 9.3 + 11.3 at batch 1 and 54.5 + 56.8 → 39.4 + 84.2 at
     * batch 8, where the pass's short walk over bf16 states is slower (v14 had counted chunks × samples, from 64).
     * Since v27 bf16 x and B take the state scan instead, so only a BF16 mixer whose gated norm does not fold (fp32 x)
     * still stores bf16 own states.
     */
    private static final int BF16_STATES_MIN_CHUNKS = 16;
    /**
     * Up to this many chunks per sequence, bf16 x and B take the state scan (ssd_chunk_weights, then
     * ssd_chunk_state_scan walking the chunks in order) instead of the state kernel and the pass. A property for
     * measurements: 0 gives v26's two-launch form everywhere.
     */
    private static final int SCAN_MAX_CHUNKS = Integer.getInteger("mdm.jcuda.stateScanMaxChunks", Integer.MAX_VALUE);
    /**
     * The n-slice one block of the fused state scan owns (16, 32, 64 or 128 of the state's 128), or 0: the narrowest
     * of 32, 64 and 128 that keeps the grid within {@link #SCAN_MAX_BLOCKS} blocks.
     */
    private static final int SCAN_SLICE = scanSlice(Integer.getInteger("mdm.jcuda.stateScanSlice", 0));
    private static final int SCAN_MAX_BLOCKS = 512;
    /** The state scan's cp.async stages: x, B and the weights are copied this many chunks ahead, less one. */
    private static final int SCAN_STAGES = scanStages(Integer.getInteger("mdm.jcuda.stateScanStages", 3));
    /**
     * Whether the output kernel after the state scan is a programmatic dependent launch (sm_90: its blocks start
     * beside the scan's). A property for measurements.
     */
    private static final boolean DEPENDENT_OUTPUT = Boolean.parseBoolean(System.getProperty(
            "mdm.jcuda.dependentOutput", "true"));
    /**
     * The K slices of {@link #dtProjection}'s cluster (1, 2, 4 or 8), or 0: chosen per shape. A property for
     * measurements.
     */
    private static final int DT_SLICES = dtSlices(Integer.getInteger("mdm.jcuda.dtProjSplit", 0));
    /** DT_TILE of the .cu file: rows and heads of one block of dt_proj_bf16. */
    private static final int DT_TILE = 32;
    /** Blocks {@link #dtProjection} aims for when it picks its slices: about four an H100 SM. */
    private static final int DT_TARGET_BLOCKS = 512;
    /** The most blocks of a portable cluster. */
    private static final int MAX_CLUSTER = 8;
    /** TC_SCAN_W of the .cu file: floats per chunk of ssd_chunk_weights' output. */
    private static final int SCAN_W = 68;

    private final CudaContext cuda;

    private static int scanSlice(int n) {
        if (n != 0 && n != 16 && n != 32 && n != 64 && n != 128) {
            throw new IllegalArgumentException("mdm.jcuda.stateScanSlice: expected 0 (chosen per shape), 16, 32, 64 or "
                    + "128, got " + n);
        }
        return n;
    }

    private static int dtSlices(int n) {
        if (n != 0 && n != 1 && n != 2 && n != 4 && n != 8) {
            throw new IllegalArgumentException("mdm.jcuda.dtProjSplit: expected 0 (chosen per shape), 1, 2, 4 or 8, "
                    + "got " + n);
        }
        return n;
    }

    private static int scanStages(int n) {
        if (n != 2 && n != 3) {
            throw new IllegalArgumentException("mdm.jcuda.stateScanStages: expected 2 or 3, got " + n);
        }
        return n;
    }

    /** @return the fused state scan's n-slice for this shape (its grid: heads × samples × state / slice blocks) */
    static int scanSlice(SsdShape s) {
        if (SCAN_SLICE != 0) {
            return SCAN_SLICE;
        }
        long pairs = (long) s.heads() * s.batch();
        int slice = 32;
        while (slice < s.state() && pairs * s.state() / slice > SCAN_MAX_BLOCKS) {
            slice *= 2;
        }
        return slice;
    }

    /**
     * @param rows tokens
     * @param heads H, a multiple of 32
     * @param k the shared dimension
     * @param clusters whether the device runs thread-block clusters
     * @return the K slices {@link #dtProjection} splits its product into: the fewest that give about
     *     {@link #DT_TARGET_BLOCKS} blocks, at most a cluster's 8, each a multiple of 32 columns
     */
    static int dtSlices(int rows, int heads, int k, boolean clusters) {
        if (!clusters) {
            return 1;
        }
        if (DT_SLICES != 0) {
            return k % (32 * DT_SLICES) == 0 ? DT_SLICES : 1;
        }
        long blocks = (long) ((rows + DT_TILE - 1) / DT_TILE) * (heads / DT_TILE);
        int slices = 1;
        while (slices < MAX_CLUSTER && blocks * slices < DT_TARGET_BLOCKS && k % (64 * slices) == 0) {
            slices *= 2;
        }
        return slices;
    }

    /**
     * Queues {@code dt[rows, heads] = u[rows, k] · w[heads, k]ᵀ} in fp32 from bf16 operands (the folded mixer's dt, the
     * last rows of in_proj's weight), splitting k over a thread-block cluster that adds its partial tiles in a fixed
     * order (sm_90; the whole of k per block below). Where it declines, the caller runs the product through cuBLAS.
     *
     * @param u bf16 rows [rows, k]
     * @param uStride row stride of u (elements)
     * @param w bf16 [heads, k]
     * @param dt fp32 [rows, heads]
     * @param rows tokens
     * @param heads H
     * @param k the shared dimension
     * @return whether the launch was queued: heads a multiple of 32, k of 32, 16-byte aligned rows
     */
    public boolean dtProjection(long u, int uStride, long w, long dt, int rows, int heads, int k) {
        if (!dtProjects(u, uStride, w, rows, heads, k)) {
            return false;
        }
        dtProjection(u, uStride, w, dt, rows, heads, k, dtSlices(rows, heads, k, cuda.clusterLaunches()));
        return true;
    }

    /** @return whether {@link #dtProjection} runs these sizes and addresses */
    static boolean dtProjects(long u, int uStride, long w, int rows, int heads, int k) {
        return rows > 0 && heads > 0 && heads % DT_TILE == 0 && k > 0 && k % 32 == 0 && uStride >= k
                && uStride % 8 == 0 && aligned16(u, w);
    }

    /** {@link #dtProjection} in {@code slices} K slices: 1 anywhere, 2, 4 or 8 (k a multiple of 32 × slices) on sm_90 */
    void dtProjection(long u, int uStride, long w, long dt, int rows, int heads, int k, int slices) {
        int[] grid = {(rows + DT_TILE - 1) / DT_TILE, slices, heads / DT_TILE};
        KernelArgs args = new KernelArgs().ptr(u).i(uStride).ptr(w).ptr(dt).i(rows).i(heads).i(k);
        if (slices > 1) {
            cuda.launchCluster("dt_proj_bf16", grid, 128, 0, slices, args);
        } else {
            cuda.launch("dt_proj_bf16", grid, 128, 0, args);
        }
    }

    /** @return STAGES × TC_SCAN_STAGE_BYTES(ns) of the .cu file: x [64][72] and B [64][ns + 8] in bf16, 68 floats */
    private static int scanShared(int ns) {
        return SCAN_STAGES * (2 * 64 * 72 + 2 * 64 * (ns + 8) + 4 * SCAN_W);
    }

    /** @param cuda the context to launch on */
    public Kernels(CudaContext cuda) {
        this.cuda = cuda;
    }

    /** @return whether every address is a multiple of 16 (0, a null pointer, is) */
    private static boolean aligned16(long... addresses) {
        for (long a : addresses) {
            if (a % 16 != 0) {
                return false;
            }
        }
        return true;
    }

    private static String flavour(String name, boolean bf16) {
        return name + (bf16 ? "_bf16" : "_f32");
    }

    /**
     * Residual add and RMSNorm with permuted indices; see {@code add_rmsnorm} in the kernel source.
     *
     * @param x fp32 [rows, d], updated in place when delta is set
     * @param delta fp32 rows to add (block order), or 0
     * @param deltaPos int [L] position in delta of each canonical position, or 0 for identity
     * @param w fp32 [d] norm weight (unused when out is 0)
     * @param out normed rows, or 0 to only add
     * @param outBf16 out is bf16
     * @param outPos int [L] output position of each canonical position (−1 skips), or 0 for identity
     * @param rows batch·L
     * @param seqLen L
     * @param outRows output rows per sample
     * @param d width
     */
    public void addRmsnorm(long x, long delta, long deltaPos, long w, long out, boolean outBf16, long outPos, int rows,
                           int seqLen, int outRows, int d) {
        addRmsnorm(x, delta, false, deltaPos, 0, 0, 0, w, out, outBf16, outPos, rows, seqLen, outRows, d);
    }

    /**
     * As {@link #addRmsnorm(long, long, long, long, long, boolean, long, int, int, int, int)}, with delta the output
     * of an out_proj whose gated RMSNorm was folded away ({@link #ssdFoldedNorm}): each delta row is first scaled by
     * rsqrt(Σ of its {@code ssParts} sums of squares / {@code ssWidth} + eps).
     *
     * @param x fp32 [rows, d], updated in place when delta is set
     * @param delta rows to add (block order), or 0
     * @param deltaBf16 delta is bf16 (else fp32)
     * @param deltaPos int [L] position in delta of each canonical position, or 0 for identity
     * @param deltaSs fp32 [rows, ssParts] sums of squares per delta row (block order), or 0 for an unscaled delta
     * @param ssParts sums per row
     * @param ssWidth the normed width they cover (d_inner)
     * @param w fp32 [d] norm weight (unused when out is 0)
     * @param out normed rows, or 0 to only add
     * @param outBf16 out is bf16
     * @param outPos int [L] output position of each canonical position (−1 skips), or 0 for identity
     * @param rows batch·L
     * @param seqLen L
     * @param outRows output rows per sample
     * @param d width
     */
    public void addRmsnorm(long x, long delta, boolean deltaBf16, long deltaPos, long deltaSs, int ssParts, int ssWidth,
                           long w, long out, boolean outBf16, long outPos, int rows, int seqLen, int outRows, int d) {
        boolean vec = d % 4 == 0 && d / 4 <= NORM_VEC * THREADS && aligned16(x, w) && delta % (deltaBf16 ? 8 : 16) == 0
                && out % (outBf16 ? 8 : 16) == 0;
        cuda.launch(flavour((vec ? "add_rmsnorm_vec" : "add_rmsnorm") + (deltaBf16 ? "_dbf16" : ""), outBf16),
                new int[] {rows}, THREADS, 0,
                new KernelArgs().ptr(x).ptr(delta).ptr(deltaPos).ptr(deltaSs).i(ssParts)
                        .f(ssWidth > 0 ? 1f / ssWidth : 0f).ptr(w).ptr(out).ptr(outPos).i(seqLen).i(outRows).i(d)
                        .f(EPS));
    }

    /**
     * @param width conv width K
     * @return whether {@link #convSilu} can read fp32 and write bf16 at that width
     */
    public static boolean convNarrows(int width) {
        return width <= CONV_TILED_MAX_WIDTH;
    }

    /**
     * The folded SSD's conv ({@link #convSilu} from bf16 to bf16 with K ≤ 4, four channels a thread) with the SSD's
     * {@code ssd_chunk_weights} (fp32 dt) as extra blocks of the same launch, so that the weights run beside the conv
     * instead of after it. Where the two cannot share a launch (row alignment, or the SSD not taking the state scan)
     * it queues nothing and returns false: the caller then runs {@link #convSilu} and {@link #ssdFoldedNorm} computes
     * the weights itself.
     *
     * @param in bf16 input rows
     * @param inStride input row stride
     * @param inOffset first input channel
     * @param out bf16 output rows
     * @param outStride output row stride
     * @param w fp32 [C, K]
     * @param bias fp32 [C]
     * @param rows batch·L
     * @param channels C
     * @param width K
     * @param s the SSD's sizes
     * @param dt fp32 raw dt rows (dt_bias added and softplus applied here, as the mixer's SSD does)
     * @param dtStride dt row stride
     * @param dtBias fp32 [H]
     * @param a fp32 [H] A
     * @param zoh ZOH instead of EULER
     * @param scratch the SSD's scratch, as {@link #ssdFoldedNorm} will be given it
     * @param afterDtProjection whether {@link #dtProjection} was queued just before: then the conv's blocks start
     *     beside it (a programmatic dependent launch) and only the weights' blocks wait for its dt
     * @return whether the launch was queued (then pass {@code weightsDone} to {@link #ssdFoldedNorm})
     */
    public boolean convSiluWithWeights(long in, int inStride, int inOffset, long out, int outStride, long w, long bias,
                                       int rows, int channels, int width, SsdShape s, long dt, int dtStride,
                                       long dtBias, long a, boolean zoh, long scratch, boolean afterDtProjection) {
        boolean vec = convVec(true, true, in, inStride, inOffset, out, outStride, channels)
                && width <= CONV_TILED_MAX_WIDTH;
        if (!CONV_WITH_WEIGHTS || !vec || !s.fast() || s.chunks() > SCAN_MAX_CHUNKS || rows != s.batch() * s.seqLen()
                || rows <= 0) {
            return false;
        }
        int convX = (rows + CONV_ROWS - 1) / CONV_ROWS;
        int convY = (channels + 4 * CONV_THREADS - 1) / (4 * CONV_THREADS);
        long weightBlocks = (long) (s.chunks() + 3) / 4 * s.heads() * s.batch();
        int extraY = Math.toIntExact((weightBlocks + convX - 1) / convX);
        KernelArgs args = new KernelArgs().ptr(in).i(inStride).i(inOffset).ptr(out).i(outStride).ptr(w).ptr(bias).i(rows)
                .i(channels).i(width).i(convY).ptr(dt).i(dtStride).ptr(dtBias).i(1).ptr(a).i(zoh ? 1 : 0)
                .ptr(scratch).ptr(scratch + s.coefOffset()).ptr(scratch + s.statesOffset()).i(s.seqLen()).i(s.heads())
                .i(s.headDim()).i(s.groups()).i(s.state()).i(s.chunk()).i(s.chunks()).i(s.batch());
        int[] grid = {convX, convY + extraY};
        if (afterDtProjection) {
            cuda.launchDependent("conv_silu_vec_bf16_weights_f32", grid, CONV_THREADS, 0, args);
        } else {
            cuda.launch("conv_silu_vec_bf16_weights_f32", grid, CONV_THREADS, 0, args);
        }
        return true;
    }

    /** @return whether the tiled conv can take four channels a thread: every row start aligned for them */
    private static boolean convVec(boolean bf16, boolean outBf16, long in, int inStride, int inOffset, long out,
                                   int outStride, int channels) {
        return channels % 4 == 0 && inStride % 4 == 0 && inOffset % 4 == 0 && outStride % 4 == 0
                && in % (bf16 ? 8 : 16) == 0 && out % (outBf16 ? 8 : 16) == 0;
    }

    /**
     * Causal depthwise conv1d + bias + SiLU.
     *
     * @param bf16 storage type of in
     * @param outBf16 storage type of out: bf16 from fp32 input needs K ≤ 4 (the tiled kernel)
     * @param in input rows
     * @param inStride input row stride (elements)
     * @param inOffset first input channel
     * @param out output rows
     * @param outStride output row stride
     * @param w fp32 [C, K]
     * @param bias fp32 [C]
     * @param rows batch·L
     * @param seqLen L
     * @param channels C
     * @param width K
     */
    public void convSilu(boolean bf16, boolean outBf16, long in, int inStride, int inOffset, long out, int outStride,
                         long w, long bias, int rows, int seqLen, int channels, int width) {
        if (bf16 != outBf16 && (bf16 || !convNarrows(width))) {
            throw new IllegalArgumentException("conv: only fp32 → bf16 with K ≤ " + CONV_TILED_MAX_WIDTH
                    + " mixes storage types, not " + (bf16 ? "bf16 → fp32" : "K = " + width));
        }
        KernelArgs args = new KernelArgs().ptr(in).i(inStride).i(inOffset).ptr(out).i(outStride).ptr(w).ptr(bias)
                .i(rows).i(seqLen).i(channels).i(width);
        if (rows <= 0 || channels <= 0) {
            return;
        }
        if (width <= CONV_TILED_MAX_WIDTH) {
            // four channels per thread (float4 loads) when every row start is aligned for them
            boolean vec = convVec(bf16, outBf16, in, inStride, inOffset, out, outStride, channels);
            String name = (vec ? "conv_silu_tiled_vec" : "conv_silu_tiled")
                    + (bf16 != outBf16 ? "_f32_bf16" : bf16 ? "_bf16" : "_f32");
            int perBlock = CONV_THREADS * (vec ? 4 : 1);
            cuda.launch(name, new int[] {(rows + CONV_ROWS - 1) / CONV_ROWS, (channels + perBlock - 1) / perBlock},
                    CONV_THREADS, 0, args);
        } else {
            cuda.launch1d(flavour("conv_silu", bf16), (long) rows * channels, args);
        }
    }

    /** Sizes and scratch of one SSD call. */
    public record SsdShape(int batch, int seqLen, int heads, int headDim, int groups, int state, int chunk) {
        /** @return chunks per sequence */
        public int chunks() {
            return (seqLen + chunk - 1) / chunk;
        }

        /**
         * @return bytes of each of the three per-token arrays (cumulative a, coefficient, and the fp32 kernels' low part
         *     of the cumulative a), 256-aligned
         */
        long perTokenBytes() {
            return (4L * batch * heads * seqLen + 255) / 256 * 256;
        }

        /** @return where the coefficients start in the scratch (the cumulative a start at 0) */
        long coefOffset() {
            return perTokenBytes();
        }

        /**
         * @return where the low part of the cumulative a starts: the state and output kernels other than the
         *     tensor-core ones carry each cumulative sum as a float pair (hi at 0, lo here), so that a decay inside a
         *     chunk comes from a difference accurate to its own size (PERF.md, "Found and fixed in session 16")
         */
        long acumLoOffset() {
            return 2 * perTokenBytes();
        }

        /**
         * @return where the chunk states start in the scratch (the state scan keeps its weights there, the two-launch
         *     form each chunk's own state)
         */
        long statesOffset() {
            return 3 * perTokenBytes();
        }

        /** @return bytes of the fp32 chunk states, 256-aligned */
        long stateBytes() {
            return (4L * batch * chunks() * heads * headDim * state + 255) / 256 * 256;
        }

        /**
         * @return scratch bytes: cumulative a (two floats; the tensor-core kernels use only the first) and coefficient
         *     per token and head, one fp32 state per chunk (for many chunks the tensor-core kernels store it in bf16, in
         *     the same region), and at the tensor-core sizes the bf16 states entering the chunks
         */
        public long scratchBytes() {
            return statesOffset() + stateBytes() + (fast() ? stateBytes() / 2 : 0);
        }

        /** @return whether the register-tiled kernels for chunk 64, headDim 64, dState 128 apply */
        public boolean fast() {
            return chunk == FAST_CHUNK && headDim == FAST_HEAD_DIM && state == FAST_STATE;
        }
    }

    /**
     * @param batch samples
     * @param seqLen L
     * @param heads H
     * @param headDim P
     * @param groups G
     * @param state N
     * @param requestedChunk preferred chunk length
     * @return the shape with the largest chunk ≤ the request (and ≤ 64) whose output kernel fits in shared memory
     */
    public SsdShape ssdShape(int batch, int seqLen, int heads, int headDim, int groups, int state, int requestedChunk) {
        int q = Math.max(1, Math.min(Math.min(requestedChunk, MAX_CHUNK), Math.max(seqLen, 1)));
        if (headDim == FAST_HEAD_DIM && state == FAST_STATE && requestedChunk >= FAST_CHUNK
                && FAST_OUTPUT_SHARED <= cuda.maxSharedMemoryPerBlock()) {
            return new SsdShape(batch, seqLen, heads, headDim, groups, state, FAST_CHUNK);
        }
        while (q > 1 && outputShared(q, headDim, state) > cuda.maxSharedMemoryPerBlock()) {
            q /= 2;
        }
        if (outputShared(q, headDim, state) > cuda.maxSharedMemoryPerBlock()) {
            throw new IllegalArgumentException("SSD with headDim " + headDim + " and dState " + state
                    + " needs more shared memory than this GPU has per block");
        }
        return new SsdShape(batch, seqLen, heads, headDim, groups, state, q);
    }

    private static int outputShared(int q, int p, int n) {
        int np = n + 1;
        return 4 * (2 * q + q * np + Math.max(q, p) * np + q * p + q * q);
    }

    /**
     * Chunked SSD with fused discretization, D skip and SiLU(z) gate: three launches (chunk states, the pass over
     * them, the output), or with bf16 x and B on the tensor cores the chunks' weights, the state scan's walk over the
     * chunks and the output.
     *
     * @param bf16 storage type of x, B, C, dt, z
     * @param tensorCores allow the bf16 tensor-core chunk kernels (BF16 precision) at the paper's head sizes
     * @param s sizes
     * @param x x rows, head h at column h·P
     * @param xStride x row stride
     * @param b B rows, group g at column g·N
     * @param c C rows
     * @param bcStride B and C row stride
     * @param dt dt rows, head h at column h
     * @param dtStride dt row stride
     * @param dtBias fp32 [H] (used when softplus)
     * @param softplus Δ = softplus(dt + dtBias) instead of dt
     * @param a fp32 [H] A (negative)
     * @param zoh ZOH instead of EULER
     * @param d fp32 [H] D, or 0
     * @param z gate rows, or 0
     * @param zStride z row stride
     * @param y fp32 output rows
     * @param yStride y row stride
     * @param scratch {@link SsdShape#scratchBytes()} bytes
     */
    public void ssd(boolean bf16, boolean tensorCores, SsdShape s, long x, int xStride, long b, long c, int bcStride,
                    long dt, int dtStride, long dtBias, boolean softplus, long a, boolean zoh, long d, long z, int zStride,
                    long y, int yStride, long scratch) {
        ssd(bf16, tensorCores, s, x, xStride, b, c, bcStride, dt, dtStride, dtBias, softplus, a, zoh, d, z, zStride, y,
                yStride, scratch, stage -> { });
    }

    /**
     * As {@link #ssd(boolean, boolean, SsdShape, long, int, long, long, int, long, int, long, boolean, long, boolean,
     * long, long, int, long, int, long)}, telling {@code marks} after the chunk-state launch ("ssd_state") and after the
     * state pass ("ssd_pass"), for profiling; the state scan tells both once its walk is queued.
     *
     * @param marks told the name of each of the first two launches once it is queued
     */
    public void ssd(boolean bf16, boolean tensorCores, SsdShape s, long x, int xStride, long b, long c, int bcStride,
                    long dt, int dtStride, long dtBias, boolean softplus, long a, boolean zoh, long d, long z, int zStride,
                    long y, int yStride, long scratch, java.util.function.Consumer<String> marks) {
        ssd(bf16, tensorCores, s, x, xStride, b, c, bcStride, dt, dtStride, dtBias, softplus, a, zoh, d, z, zStride,
                bf16, y, yStride, 0, 0, scratch, false, marks);
    }

    /**
     * Whether {@link #ssdFoldedNorm} runs for these sizes: the tensor-core kernels (the paper's head sizes, rows of x,
     * B, C and z that four-element loads can read) with fp32 activations and one group (one RMSNorm scale per row).
     *
     * @param tensorCores BF16 precision
     * @param s sizes
     * @param xStride x row stride
     * @param bcStride B and C row stride
     * @param zStride z row stride
     * @return whether the gated RMSNorm can be folded into the SSD output kernel
     */
    public static boolean foldsGatedNorm(boolean tensorCores, SsdShape s, int xStride, int bcStride, int zStride) {
        return tensorCores && s.fast() && s.chunks() <= MAX_GRID_Y && s.groups() == 1 && xStride % 8 == 0
                && bcStride % 8 == 0 && zStride % 4 == 0;
    }

    /**
     * The SSD of {@link #ssd(boolean, boolean, SsdShape, long, int, long, long, int, long, int, long, boolean, long,
     * boolean, long, long, int, long, int, long, java.util.function.Consumer)} on tensor cores, with x, B and C in
     * bf16 (the tensor-core kernels round them to bf16 for their products anyway; half the bytes), dt in fp32 and z
     * in either, and with the gated RMSNorm that follows it folded in: it writes {@code yn = bf16(y ⊙ normW)} and each
     * row's sums of squares per head {@code rowSs} [rows, H] instead of y, and the consumer of out_proj's output
     * applies the norm's scale
     * ({@link #addRmsnorm(long, long, boolean, long, long, int, int, long, long, boolean, long, int, int, int, int)}).
     * Needs {@link #foldsGatedNorm}; x, B, C, z and yn 16-byte aligned, the strides of x, B and C multiples of 8 and
     * z's of 4 (fp32) or 8 (bf16).
     *
     * @param s sizes
     * @param x bf16 x rows
     * @param xStride x row stride
     * @param b bf16 B rows
     * @param c bf16 C rows
     * @param bcStride B and C row stride
     * @param dt dt rows
     * @param dtStride dt row stride
     * @param dtBias fp32 [H]
     * @param a fp32 [H] A
     * @param zoh ZOH instead of EULER
     * @param d fp32 [H] D, or 0
     * @param z gate rows
     * @param zStride z row stride
     * @param zBf16 z is bf16 (else fp32)
     * @param normW fp32 [H·P] gated-norm weight
     * @param yn bf16 output rows (out_proj's input)
     * @param ynStride yn row stride
     * @param rowSs fp32 [rows, H]
     * @param scratch {@link SsdShape#scratchBytes()} bytes
     * @param weightsDone {@link #convSiluWithWeights} computed the weights into this scratch
     * @param marks told the name of each of the first two launches once it is queued
     */
    public void ssdFoldedNorm(SsdShape s, long x, int xStride, long b, long c, int bcStride, long dt, int dtStride,
                              long dtBias, long a, boolean zoh, long d, long z, int zStride, boolean zBf16, long normW,
                              long yn, int ynStride, long rowSs, long scratch, boolean weightsDone,
                              java.util.function.Consumer<String> marks) {
        if (!foldsGatedNorm(true, s, xStride, bcStride, zStride) || normW == 0 || rowSs == 0) {
            throw new IllegalStateException("the gated-norm fold needs the tensor-core SSD with one group, a norm "
                    + "weight and a sums-of-squares buffer: " + s);
        }
        ssd(false, true, s, x, xStride, b, c, bcStride, dt, dtStride, dtBias, true, a, zoh, d, z, zStride, zBf16, yn,
                ynStride, normW, rowSs, scratch, weightsDone, marks);
    }

    private void ssd(boolean bf16, boolean tensorCores, SsdShape s, long x, int xStride, long b, long c, int bcStride,
                     long dt, int dtStride, long dtBias, boolean softplus, long a, boolean zoh, long d, long z,
                     int zStride, boolean zBf16, long y, int yStride, long normW, long rowSs, long scratch,
                     boolean weightsDone, java.util.function.Consumer<String> marks) {
        long acum = scratch;
        long coef = scratch + s.coefOffset();
        long acumLo = scratch + s.acumLoOffset();
        long states = scratch + s.statesOffset();
        int q = s.chunk();
        int[] grid = {s.chunks(), s.heads(), s.batch()};
        boolean fold = normW != 0;
        // the tensor-core kernels copy the rows of x, z (and bf16 B and C) 16 bytes at a time: 16-byte aligned, bf16
        // strides multiples of 8, fp32 of 4; the fold takes x, B and C in bf16 (the conv wrote them so), dt in fp32
        int xbcStep = bf16 || fold ? 8 : 4;
        boolean tc = tensorCores && s.fast() && s.chunks() <= MAX_GRID_Y && xStride % xbcStep == 0
                && bcStride % xbcStep == 0 && zStride % (zBf16 ? 8 : 4) == 0 && yStride % 2 == 0 && x % 16 == 0
                && b % 16 == 0 && c % 16 == 0 && z % 16 == 0 && y % 8 == 0;
        String types = fold ? "_xbf16" : bf16 ? "_bf16" : "_f32";
        if (fold && !tc) {
            throw new IllegalStateException("the gated-norm fold needs the tensor-core SSD; strides or alignment rule it "
                    + "out: " + s);
        }
        // two heads of one group per tensor-core block share the staged B (and C) when enough blocks are left
        boolean twoHeads = tc && (s.heads() / s.groups()) % 2 == 0 && (long) s.chunks() * s.batch() >= TC2_MIN_CHUNKS;
        boolean async = tc && xbcStep == 8;  // bf16 x and B: the state kernel copies them by cp.async
        int stateShared = twoHeads ? (async ? TC2_STATE_ASYNC_SHARED : TC2_STATE_SHARED)
                : tc ? (async ? TC_STATE_ASYNC_SHARED : TC_STATE_SHARED) : s.fast() ? FAST_STATE_SHARED
                : 4 * (3 * q + q * s.headDim() + q * s.state());
        String fast = twoHeads ? "_tc2" : tc ? "_tc" : s.fast() ? "_fast" : "";
        boolean bf16States = tc && s.chunks() >= BF16_STATES_MIN_CHUNKS;
        int chunkThreads = twoHeads ? 2 * TC_THREADS : tc ? TC_THREADS : THREADS;
        // the tensor-core kernels take the heads along x, so that the blocks resident at once share their chunks' B
        // and C in L2 (with the chunks along x they span every chunk of one head pair and evict each other's)
        int[] chunkGrid = tc ? new int[] {s.heads() / (twoHeads ? 2 : 1), s.chunks(), s.batch()} : grid;
        // the tensor-core output kernel reads the entering states in bf16 (after the own states' fp32-sized region);
        // the others in fp32, written over the own ones
        long statesIn = tc ? states + s.stateBytes() : states;
        boolean scanned = async && s.chunks() <= SCAN_MAX_CHUNKS;
        if (scanned) {
            // the weights go where the two-launch form keeps the chunks' own states (B·H·chunks·68 of its
            // B·chunks·H·P·N floats)
            long weights = states;
            if (!weightsDone) {
                cuda.launch(fold ? "ssd_chunk_weights_f32" : "ssd_chunk_weights_bf16", new int[] {(s.chunks() + 3) / 4,
                        s.heads(), s.batch()}, TC_THREADS, 0, new KernelArgs().ptr(dt).i(dtStride).ptr(dtBias)
                        .i(softplus ? 1 : 0).ptr(a).i(zoh ? 1 : 0).ptr(acum).ptr(coef).ptr(weights).i(s.seqLen())
                        .i(s.heads()).i(s.headDim()).i(s.groups()).i(s.state()).i(q).i(s.chunks()));
            }
            int slice = scanSlice(s);
            cuda.launch("ssd_chunk_state_scan" + slice + "_s" + SCAN_STAGES, new int[] {s.heads(), s.state() / slice,
                    s.batch()}, TC_THREADS, scanShared(slice), new KernelArgs().ptr(x).i(xStride).ptr(b).i(bcStride)
                    .ptr(weights).ptr(statesIn).i(s.seqLen()).i(s.heads()).i(s.headDim()).i(s.groups()).i(s.state())
                    .i(q).i(s.chunks()));
            marks.accept("ssd_state");
            marks.accept("ssd_pass");  // none: the scan is both
        } else {
            KernelArgs state = new KernelArgs().ptr(x).i(xStride).ptr(b).i(bcStride).ptr(dt).i(dtStride)
                    .ptr(dtBias).i(softplus ? 1 : 0).ptr(a).i(zoh ? 1 : 0).ptr(acum).ptr(coef).ptr(states)
                    .i(s.seqLen()).i(s.heads()).i(s.headDim()).i(s.groups()).i(s.state()).i(q).i(s.chunks());
            cuda.launch("ssd_chunk_state" + fast + (bf16States ? "_bs" : "") + types, chunkGrid, chunkThreads,
                    stateShared, tc ? state : state.ptr(acumLo));
            marks.accept("ssd_state");
            int pn = s.headDim() * s.state();
            int vec = tc || pn % PASS_VECTOR == 0 ? PASS_VECTOR : 1;
            String pass = tc ? (bf16States ? "ssd_state_pass_vec_bs_bf16" : "ssd_state_pass_vec_bf16")
                    : vec > 1 ? "ssd_state_pass_vec_f32" : "ssd_state_pass_f32";
            int passItems = pn / vec;
            cuda.launch(pass, new int[] {(passItems + PASS_THREADS - 1) / PASS_THREADS, s.heads(), s.batch()},
                    PASS_THREADS, 0, new KernelArgs().ptr(states).ptr(statesIn).ptr(acum).i(s.seqLen()).i(s.heads())
                            .i(s.headDim()).i(s.state()).i(q).i(s.chunks()));
            marks.accept("ssd_pass");
        }
        int outputShared = twoHeads ? TC2_OUTPUT_SHARED : tc ? TC_OUTPUT_SHARED : s.fast() ? FAST_OUTPUT_SHARED
                : outputShared(q, s.headDim(), s.state());
        KernelArgs out = new KernelArgs().ptr(x).i(xStride).ptr(b).ptr(c).i(bcStride).ptr(z).i(zStride).ptr(d).ptr(acum)
                .ptr(coef).ptr(statesIn);
        out = fold ? out.ptr(normW).ptr(y).i(yStride).ptr(rowSs) : out.ptr(y).i(yStride);
        String outTypes = fold ? (zBf16 ? "_fold_bf16" : "_fold_xbf16") : types;
        out = out.i(s.seqLen()).i(s.heads()).i(s.headDim()).i(s.groups()).i(s.state()).i(q).i(s.chunks());
        if (!tc) {
            out = out.ptr(acumLo);
        }
        if (scanned && DEPENDENT_OUTPUT) {
            // the state scan leaves most of each SM idle: the output kernel's blocks start beside it, copy x, C, B and
            // z and compute the chunk's own part (C·Bᵀ, M, M·X), and wait (griddepcontrol.wait) only for the states
            cuda.launchDependent("ssd_chunk_output" + fast + outTypes, chunkGrid, chunkThreads, outputShared, out);
        } else {
            cuda.launch("ssd_chunk_output" + fast + outTypes, chunkGrid, chunkThreads, outputShared, out);
        }
    }

    /**
     * RMSNorm per group of d/G channels.
     *
     * @param outBf16 out is bf16
     * @param y fp32 [rows, d]
     * @param w fp32 [d]
     * @param out [rows, d]
     * @param rows rows
     * @param d width
     * @param groups G
     */
    public void groupRmsnorm(boolean outBf16, long y, long w, long out, int rows, int d, int groups) {
        int gs = d / groups;
        boolean vec = gs % 4 == 0 && gs / 4 <= NORM_VEC * THREADS && aligned16(y, w) && out % (outBf16 ? 8 : 16) == 0;
        cuda.launch(flavour(vec ? "group_rmsnorm_vec" : "group_rmsnorm", outBf16), new int[] {rows, groups}, THREADS, 0,
                new KernelArgs().ptr(y).ptr(w).ptr(out).i(d).i(groups).f(EPS));
    }

    /**
     * @param x fp32 [rows, cols] in place
     * @param bias fp32 [cols] or 0
     * @param rows rows
     * @param cols cols
     * @param silu apply SiLU after the bias
     */
    public void biasAct(long x, long bias, int rows, int cols, boolean silu) {
        cuda.launch1d("bias_act_f32", (long) rows * cols, new KernelArgs().ptr(x).ptr(bias).i(rows).i(cols).i(silu ? 1 : 0));
    }

    /**
     * @param t fp32 [batch] network time
     * @param out fp32 [batch, 2·half]
     * @param batch samples
     * @param half 128
     */
    public void timeEmbedding(long t, long out, int batch, int half) {
        cuda.launch1d("time_embedding", (long) batch * half, new KernelArgs().ptr(t).ptr(out).i(batch).i(half));
    }

    /**
     * Sequence embedding of SPEC §2.
     *
     * @param x fp32 [batch, L, d] output
     * @param timeTok fp32 [batch, d]
     * @param classEmbed fp32 [classes + 1, d]
     * @param classIds int [batch]
     * @param boi fp32 [d]
     * @param bot fp32 [d]
     * @param latTok fp32 [batch, L − 4, d]
     * @param pos fp32 [L, d]
     * @param modality fp32 [3, d]
     * @param batch samples
     * @param seqLen L
     * @param imageTokens n_img
     * @param d width
     */
    public void embedSequence(long x, long timeTok, long classEmbed, long classIds, long boi, long bot, long latTok,
                              long pos, long modality, int batch, int seqLen, int imageTokens, int d) {
        cuda.launch1d("embed_sequence", (long) batch * seqLen * d, new KernelArgs().ptr(x).ptr(timeTok).ptr(classEmbed)
                .ptr(classIds).ptr(boi).ptr(bot).ptr(latTok).ptr(pos).ptr(modality).i(batch).i(seqLen).i(imageTokens).i(d));
    }

    /**
     * @param table fp32 [V, cols]
     * @param ids int [rows]
     * @param out fp32 [rows, cols]
     * @param rows rows
     * @param cols cols
     */
    public void gatherRows(long table, long ids, long out, int rows, int cols) {
        cuda.launch1d("gather_rows", (long) rows * cols, new KernelArgs().ptr(table).ptr(ids).ptr(out).i(rows).i(cols));
    }

    /**
     * Writes one denoiser call's inputs from the sampler's state.
     *
     * @param x double [b, perSample] state
     * @param lat fp32 [copies·b, perSample] the denoiser's latents
     * @param time fp32 [copies·b] the denoiser's t_input
     * @param b samples
     * @param perSample values a sample
     * @param copies 1, or 2 for a guided call
     * @param mu double [b, perSample] whose first {@code imageValues} a sample are the given image's μ, or 0
     * @param noise double [b, imageValues] ε, or 0
     * @param imageValues image values a sample
     * @param alpha α_t
     * @param sigma σ_t
     * @param timeInput t_input
     */
    public void samplingInputs(long x, long lat, long time, int b, int perSample, int copies, long mu, long noise,
                               int imageValues, double alpha, double sigma, float timeInput) {
        cuda.launch1d("sampling_inputs", (long) copies * b * perSample, new KernelArgs().ptr(x).ptr(lat).ptr(time).i(b)
                .i(perSample).i(copies).ptr(mu).ptr(noise).i(imageValues).d(alpha).d(sigma).f(timeInput));
    }

    /**
     * The x̂0 of one call: the denoiser's output, combined as u + w·(c − u) from offset {@code from} of each sample on
     * when {@code copies} is 2.
     *
     * @param out fp32 [copies·b, perSample] the denoiser's output
     * @param m double [b, perSample] x̂0
     * @param b samples
     * @param perSample values a sample
     * @param copies 1 or 2
     * @param from first guided offset of a sample
     * @param w guidance weight
     * @param flag int, set to 1 on a non-finite value
     */
    public void samplingPrediction(long out, long m, int b, int perSample, int copies, int from, double w, long flag) {
        cuda.launch1d("sampling_prediction", (long) b * perSample, new KernelArgs().ptr(out).ptr(m).i(b).i(perSample)
                .i(copies).i(from).d(w).ptr(flag));
    }

    /**
     * @param m double [b, perSample]
     * @param dst fp32 [b, count]: the values at offsets first..first+count of each sample
     * @param b samples
     * @param perSample values a sample
     * @param first first offset
     * @param count values a sample
     */
    public void samplingGather(long m, long dst, int b, int perSample, int first, int count) {
        cuda.launch1d("sampling_gather", (long) b * count, new KernelArgs().ptr(m).ptr(dst).i(b).i(perSample).i(first)
                .i(count));
    }

    /**
     * @param stats fp32 [b·tokens, 2·dz] encoder outputs, means first
     * @param m double [b, perSample]: the means go to offsets first.. of each sample
     * @param b samples
     * @param perSample values a sample
     * @param first first offset
     * @param tokens tokens a sample
     * @param dz latent size
     * @param flag int, set to 1 on a non-finite mean
     */
    public void samplingScatterMean(long stats, long m, int b, int perSample, int first, int tokens, int dz, long flag) {
        cuda.launch1d("sampling_scatter_mean", (long) b * tokens * dz, new KernelArgs().ptr(stats).ptr(m).i(b)
                .i(perSample).i(first).i(tokens).i(dz).ptr(flag));
    }

    /**
     * @param x fp32 [n], clamped to [−1, 1] in place
     * @param n elements
     * @param flag int, set to 1 on a NaN (which the host's clamp keeps)
     */
    public void clampUnit(long x, int n, long flag) {
        cuda.launch1d("clamp_unit", n, new KernelArgs().ptr(x).i(n).ptr(flag));
    }

    /**
     * @param logits fp32 [rows, cols]
     * @param rows rows
     * @param cols columns
     * @param choices the first columns to choose among
     * @param ids int [rows]: the first index of each row's largest value
     * @param flag int, set to 1 on a NaN among the choices (where the host's scan order decides)
     */
    public void argmaxRows(long logits, int rows, int cols, int choices, long ids, long flag) {
        cuda.launch1d("argmax_rows", 32L * rows, new KernelArgs().ptr(logits).i(rows).i(cols).i(choices).ptr(ids)
                .ptr(flag));
    }

    /**
     * m = (x − α·m)/σ.
     *
     * @param x double [n]
     * @param m double [n], x̂0 in, ε̂ out
     * @param n elements
     * @param alpha α_t
     * @param sigma σ_t
     */
    public void samplingToNoise(long x, long m, int n, double alpha, double sigma) {
        cuda.launch1d("sampling_to_noise", n, new KernelArgs().ptr(x).ptr(m).i(n).d(alpha).d(sigma));
    }

    /**
     * One DPM-Solver 2M update and the hold.
     *
     * @param x double [n] state, updated in place
     * @param m0 double [n] the newest model output
     * @param m1 double [n] the one before (unused at first order)
     * @param mask double [n] or 0 when nothing is held
     * @param values double [n] or 0
     * @param n elements
     * @param cx the state's coefficient
     * @param phi φ
     * @param r0 the step ratio (second order)
     * @param second whether second order
     * @param flag int, set to 1 on a non-finite state
     */
    public void samplingUpdate(long x, long m0, long m1, long mask, long values, int n, double cx, double phi,
                               double r0, boolean second, long flag) {
        cuda.launch1d("sampling_update", n, new KernelArgs().ptr(x).ptr(m0).ptr(m1).ptr(mask).ptr(values).i(n).d(cx)
                .d(phi).d(r0).i(second ? 1 : 0).ptr(flag));
    }

    /**
     * @param zt fp32 [m, dz]
     * @param zhat0 fp32 [m, dz]
     * @param candidates fp32 [m, K, dz]
     * @param alphaBar fp32 [m]
     * @param se fp32 [m] output
     * @param m tokens
     * @param k candidates
     * @param dz latent size
     */
    public void scoreEntropy(long zt, long zhat0, long candidates, long alphaBar, long se, int m, int k, int dz) {
        cuda.launch1d("score_entropy", m, new KernelArgs().ptr(zt).ptr(zhat0).ptr(candidates).ptr(alphaBar).ptr(se)
                .i(m).i(k).i(dz));
    }

    /**
     * Fills with offset + scale·U(−1, 1) from a counter-based hash.
     *
     * @param bf16 element type
     * @param p device address
     * @param n elements
     * @param seed seed
     * @param scale half-width
     * @param offset centre
     */
    public void fillUniform(boolean bf16, long p, long n, long seed, float scale, float offset) {
        cuda.launch1d(bf16 ? "fill_uniform_bf16" : "fill_uniform_f32", n,
                new KernelArgs().ptr(p).l(n).l(seed).f(scale).f(offset));
    }
}

package dev.mdm.backend.jcuda.training;

import dev.mdm.ConfigurationException;
import dev.mdm.Discretization;
import dev.mdm.InvalidInputException;
import dev.mdm.MdmConfig;
import dev.mdm.backend.jcuda.cuda.CudaContext;
import dev.mdm.backend.jcuda.cuda.Cublas;
import dev.mdm.backend.jcuda.model.DeviceMemory;
import dev.mdm.backend.jcuda.cuda.KernelArgs;
import dev.mdm.model.MambaShape;
import dev.mdm.model.ScanOrders;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Forward and backward of one residual Mamba block of SPEC §5-§6 in fp32:
 * {@code out = x + P⁻¹ · Mamba2(P · RMSNorm(x))}. The forward keeps every block's activations (normed input, in_proj
 * and conv outputs, Δ, the SSD's output and chunk states) when they fit on the device; the backward of a block whose
 * forward kept them starts from them, any other backward recomputes them from the block's input (only the residual
 * stream kept between the passes). {@value #ACTIVATIONS_PROPERTY} picks the policy. Then the layers' backward kernels
 * run in reverse ({@code train_block.cuh}). The SSD backward runs in chunks where it can (the forward keeps each
 * chunk's last state; a reverse pass over the chunks, then every chunk on its own, as {@code ChunkedSsdBackward} in the
 * tests states in float64), else as a reverse sweep over the states the scan kept (every other one when both scans are
 * register-tiled, else all). {@value #SCAN_BACKWARD_PROPERTY}{@code =sequential} asks for the sweep. With TF32 chunk
 * products ({@value #CHUNK_PRODUCTS_PROPERTY}; a BF16 runtime's default) the chunk kernel, the reverse pass and the
 * forward, which then also runs in chunks, form their products on tensor cores where the shape allows. Parameter
 * gradients are reduced in a fixed order (deterministic) and added to {@link ParameterArena#grad}. With bf16 GEMMs,
 * in_proj's and out_proj's operands and upstream gradients are written in bf16 by the kernels that produce them (no
 * fp32 copy, no rounding pass). Not thread-safe; one per training session.
 */
public final class BlockTrainer implements AutoCloseable {
    private static final int THREADS = 256;
    /** Threads of the SSD kernels' blocks; train_block.cuh's tb_rows4 takes it as a constant (256), so change both. */
    private static final int SCAN_THREADS = 256;
    /** The system property that picks the SSD backward: {@code chunked} (the default, where it can run; the chunk
     *  length as {@link #chunkLength(int, int, int, int, boolean)} picks it), {@code chunked:Q} (chunks of Q), or
     *  {@code sequential}. */
    public static final String SCAN_BACKWARD_PROPERTY = "mdm.jcuda.scanBackward";
    /** The system property that picks how the SSD's chunk products are formed, in the backward's chunk kernel and
     *  the chunked forward: {@code tf32} (tensor cores; the default unless the GEMMs are exact fp32) or {@code fp32}
     *  (CUDA cores, exact; the forward is then the sequential scan). */
    public static final String CHUNK_PRODUCTS_PROPERTY = "mdm.jcuda.chunkProducts";
    /** The system property that turns off the chunked SSD kernels compiled for constant sizes ({@code false}; the
     *  default {@code true} takes them where {@link #SPECIALIZED_SHAPES} has the block's shape): the generic kernels
     *  compute the same values, so this is for comparing the two. */
    public static final String SPECIALIZED_KERNELS_PROPERTY = "mdm.jcuda.specializedKernels";
    /** (chunk length, P, N) the chunked SSD kernels (TF32 and fp32) are also compiled for, with those sizes as constants
     *  (train_block.cuh's TB_SPECIALIZED_SHAPES): the paper's and fashion's heads, each in its {@link #MEASURED_CHUNKS}
     *  length. */
    static final List<int[]> SPECIALIZED_SHAPES = List.of(new int[] {32, 64, 128}, new int[] {32, 32, 64});
    /**
     * (P, N, chunk length) the chunked SSD takes by default where the chunk leaves room for two blocks an SM, as
     * measured on the H100: the paper's heads in chunks of 32 (64 and 16 slower, docs/eval/gpu-2026-12-10 call 1),
     * fashion's in chunks of 32 (against 64, which had been faster with the generic kernels: its SSD kernels 7.76
     * against 9.24 ms a step with TF32 products and 15.39 against 17.47 with fp32 ones, docs/eval/gpu-2026-12-11 calls 9
     * and 13). Other shapes take the longest such chunk.
     */
    static final List<int[]> MEASURED_CHUNKS = List.of(new int[] {64, 128, 32}, new int[] {32, 64, 32});
    /** Chunk lengths the chunked backward tries, longest first (multiples of 4, at most 64: its kernels' tiles). */
    private static final int[] CHUNK_LENGTHS = {64, 32, 16, 8, 4};
    /** The system property that picks where the backward's activations come from: {@code auto} (the default: kept
     *  when every block's fit in the device's free memory less a reserve), {@code keep}, or {@code recompute}. */
    public static final String ACTIVATIONS_PROPERTY = "mdm.jcuda.activations";

    /** Where a block's backward finds the activations of its forward. */
    public enum ActivationPolicy {
        /** Keep them when every block's fit in free device memory less {@link #reserveBytes(long)}, else recompute. */
        AUTO,
        /** Keep every block's (one set of buffers per block). */
        KEEP,
        /** Recompute them in each backward from the block's input (one set of buffers for all blocks). */
        RECOMPUTE;

        /**
         * @param value the value of {@link #ACTIVATIONS_PROPERTY}, or null
         * @return the policy it names
         */
        static ActivationPolicy parse(String value) {
            if (value == null) {
                return AUTO;
            }
            return switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
                case "auto" -> AUTO;
                case "keep" -> KEEP;
                case "recompute" -> RECOMPUTE;
                default -> throw new InvalidInputException("system property " + ACTIVATIONS_PROPERTY,
                        "auto, keep or recompute", "'" + value + "'");
            };
        }

        /**
         * @param totalDevice the device's memory, bytes
         * @return what AUTO leaves free for what is allocated after the trainer (the denoiser's residual stream, the
         *         VAE's buffers, cuBLAS's workspace, GEMM operand scratch): a tenth of the device, at least 2 GiB
         */
        static long reserveBytes(long totalDevice) {
            return Math.max(2L << 30, totalDevice / 10);
        }
    }

    /**
     * One forward's activations, as the backward reads them. With bf16 GEMMs, in_proj's and out_proj's inputs exist
     * only in bf16, as the pre-norm and the gated norm write them (uBf16, ynBf16; u and yn 0); else only in fp32. The
     * conv's pre-activation is kept only for the per-element conv kernels (convPre 0 where tb_conv_bwd recomputes it).
     */
    private record Activations(long u, long zx, long convPre, long xbc, long delta, long y, long yn, long states,
                               long uBf16, long ynBf16) {
    }

    private final CudaContext cuda;
    private final TrainingOps ops;
    private final MdmConfig config;
    private final MambaShape shape;
    private final ParameterArena arena;
    private final int maxBatch;
    private final int seqLen;
    private final DeviceMemory memory;
    /** Per block: device int[L] of P_i (gather indices) and of P_i⁻¹. */
    private final long[] perm;
    private final long[] inv;
    /** Per block when they are kept, else one set that every block's forward and recomputation overwrite. */
    private final Activations[] activations;
    /** Per block: the block input whose activations its set holds for the next backward, 0 when none. */
    private final long[] keptInput;
    private final int[] keptBatch;
    private final boolean keep;
    /** Whether in_proj and out_proj multiply bf16 operands, which the norms and the gather then write in bf16. */
    private final boolean bf16;
    /** Whether the conv runs as tb_conv_fwd_rows and tb_conv_bwd (widths up to 4), else the per-element kernels. */
    private final boolean convRows;
    private final long mix;
    // backward scratch
    private final long dYn;
    private final long dY;
    private final long dZx;
    /**
     * ∂ in_proj output in bf16 for in_proj's backward GEMMs (a BF16 runtime's; else 0): the gated norm and conv
     * backward write their columns here only, and the SSD's ∂dt columns are rounded in from dZx, where dt_bias's
     * gradient sums them.
     */
    private final long dZxBf16;
    private final long dXbc;
    private final long dBh;
    private final long dCh;
    private final long dU;
    private final long wPart;
    private final long dAh;
    private final long dDh;
    /**
     * The register-tiled scans' layout for this shape, per direction, or null where the shared-memory scan runs: the
     * shape has no tiling, or its block is larger than the tiled kernel's registers allow (both scans keep the states
     * in the same layout, so either backward reads either forward's states).
     */
    private final ScanTiling forwardTiling;
    private final ScanTiling backwardTiling;
    /**
     * Every how many steps the forward keeps H_t for the backward: the chunk length for the chunked backward (each
     * chunk's last state), else 2 when both scans are tiled (the tiled sweep recomputes the other steps' states: the
     * kept states' bytes were most of the scans' time), else 1.
     */
    private final int stateEvery;
    /** Chunk length of the chunked SSD backward, or 0 for the sequential sweep. */
    private final int chunk;
    /** Whether the chunk kernel forms its products on tensor cores in TF32 (tb_ssd_bwd_chunk_tf32), and writes its
     *  per-head ∂B and ∂C in bf16 for tb_group_sum_bf16. */
    private final boolean tf32Chunks;
    /**
     * Whether the forward runs in chunks on tensor cores (tb_ssd_fwd_chunk_*_tf32) rather than as the scan, and the
     * backward's reverse pass over the chunks too (tb_ssd_bwd_chunk_states_tf32): the state fits the warps' tiles.
     */
    private final boolean tf32Passes;
    /** The chunked SSD kernels' name suffix for this block's sizes: {@code _q32p64n128} and the like, or empty. */
    private final String kernelShape;
    /** IT of the gated norm backward's {@code tb_gated_norm_bwd_rows{IT}}, or 0 for the one-row-a-block kernels. */
    private final int normRowsIterations;
    /** IT of {@code tb_prenorm_bwd_rows{IT}}, or 0 where d does not allow it and tb_prenorm_bwd runs. */
    private final int prenormRowsIterations;
    /**
     * The blocks the device holds at once of the gated norm's and the pre-norm's row-range kernels (0 where they do not
     * run): their grids, one wave that loops over the rows.
     */
    private final int normResidentBlocks;
    private final int prenormResidentBlocks;
    private final long gback;
    private final long dAc;
    private final long dDc;
    private boolean closed;

    /**
     * @param cuda the device
     * @param config model sizes
     * @param arena weights and gradients (names {@code blocks.i.norm.weight}, {@code blocks.i.mixer.*})
     * @param maxBatch the most samples one call will see (scratch is sized for it once)
     * @param gemmCompute how in_proj's and out_proj's GEMMs form their products
     */
    public BlockTrainer(CudaContext cuda, MdmConfig config, ParameterArena arena, int maxBatch,
                        Cublas.Compute gemmCompute) {
        this(cuda, config, arena, maxBatch, gemmCompute, requestedChunk(System.getProperty(SCAN_BACKWARD_PROPERTY)),
                ActivationPolicy.parse(System.getProperty(ACTIVATIONS_PROPERTY)),
                tf32ChunkProducts(System.getProperty(CHUNK_PRODUCTS_PROPERTY), gemmCompute));
    }

    /**
     * @param value the value of {@link #CHUNK_PRODUCTS_PROPERTY}, or null
     * @param gemmCompute the session's GEMMs
     * @return whether the chunk kernel should form its products in TF32: asked for, or by default when the GEMMs are
     *         not exact fp32 (a BF16 runtime's; an FP32 runtime is held to the fp32 training tolerance)
     */
    static boolean tf32ChunkProducts(String value, Cublas.Compute gemmCompute) {
        if (value == null) {
            return gemmCompute != Cublas.Compute.FP32;
        }
        return switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "tf32" -> true;
            case "fp32" -> false;
            default -> throw new InvalidInputException("system property " + CHUNK_PRODUCTS_PROPERTY, "tf32 or fp32",
                    "'" + value + "'");
        };
    }

    /**
     * @param chunkLength the chunked SSD backward's chunk length (a multiple of 4 up to 64), {@link #AUTO_CHUNK} for
     *                    the longest that fits, or 0 for the sequential sweep; the sweep runs where the chunked form
     *                    cannot (a shape without a tiled forward, P or N not a multiple of 4, or N over 256)
     * @param policy where the backward finds the forward's activations
     * @param tf32Products whether the chunk kernel forms its products on tensor cores in TF32 where the shape allows
     *                     (chunk length, P and N multiples of 16), else in fp32 on CUDA cores
     */
    BlockTrainer(CudaContext cuda, MdmConfig config, ParameterArena arena, int maxBatch, Cublas.Compute gemmCompute,
                 int chunkLength, ActivationPolicy policy, boolean tf32Products) {
        if (maxBatch <= 0) {
            throw new InvalidInputException("maxBatch", "> 0", String.valueOf(maxBatch));
        }
        this.cuda = cuda;
        this.memory = new DeviceMemory(cuda);
        this.ops = new TrainingOps(cuda, gemmCompute, arena);
        this.config = config;
        this.shape = MambaShape.of(config);
        this.arena = arena;
        this.maxBatch = maxBatch;
        this.seqLen = config.sequenceLength();
        this.bf16 = ops.bf16Operands();
        this.convRows = shape.dConv() <= CONV_ROWS_MAX_WIDTH;
        this.normRowsIterations = gatedNormRowsIterations();
        this.prenormRowsIterations = shape.dModel() % 4 == 0 ? rowsIterations(shape.dModel()) : 0;
        this.normResidentBlocks = normRowsIterations == 0 ? 0
                : cuda.residentBlocks(gatedNormRowsKernel(), THREADS, 0) / shape.nGroups();
        this.prenormResidentBlocks = prenormRowsIterations == 0 ? 0
                : cuda.residentBlocks("tb_prenorm_bwd_rows" + prenormRowsIterations, THREADS, 0);
        ScanTiling tiling = ScanTiling.of(shape.headDim(), shape.dState());
        this.forwardTiling = launchable(tiling, "tb_ssd_fwd_");
        this.backwardTiling = launchable(tiling, "tb_ssd_bwd_");
        this.chunk = forwardTiling == null ? 0 : chunkLength(chunkLength, shape.headDim(), shape.dState(),
                cuda.maxSharedMemoryPerBlock(), tf32Products);
        this.tf32Chunks = chunk > 0 && tf32Products && tensorCoreShape(chunk, shape.headDim(), shape.dState());
        this.tf32Passes = tf32Chunks && tensorCoreForwardShape(shape.headDim(), shape.dState());
        // the fp32 chunk kernel and the TF32 kernels; TF32 chunk products without the TF32 passes (a state too large
        // for the warps' tiles) are never one of the specialized shapes
        this.kernelShape = chunk > 0 && (tf32Passes || !tf32Chunks)
                && specializedKernels(System.getProperty(SPECIALIZED_KERNELS_PROPERTY))
                ? specializedSuffix(chunk, shape.headDim(), shape.dState()) : "";
        this.stateEvery = chunk > 0 ? chunk : forwardTiling != null && backwardTiling != null ? 2 : 1;
        int scanShared = scanBackwardSharedBytes();
        if (backwardTiling == null && scanShared > cuda.maxSharedMemoryPerBlock()) {
            throw new ConfigurationException("MdmConfig", List.of("the SSD backward keeps a headDim×dState state ("
                    + shape.headDim() + "×" + shape.dState() + ") in shared memory: " + scanShared + " bytes, more than the "
                    + cuda.maxSharedMemoryPerBlock() + " this GPU allows per block"));
        }
        long rows = (long) maxBatch * seqLen;
        int d = shape.dModel();
        int di = shape.dInner();
        int h = shape.heads();
        try {
            perm = new long[config.blocks()];
            inv = new long[config.blocks()];
            for (int i = 0; i < config.blocks(); i++) {
                int[] p = ScanOrders.sequence(config, i);
                perm[i] = alloc(4L * seqLen, "block " + i + " scan order");
                cuda.upload(perm[i], p);
                inv[i] = alloc(4L * seqLen, "block " + i + " inverse scan order");
                cuda.upload(inv[i], ScanOrders.inverse(p));
            }
            mix = alloc(4 * rows * d, "mixer output");
            dYn = alloc(4 * rows * di, "∂ gated norm output");
            dY = alloc(4 * rows * di, "∂ SSD output");
            dZx = alloc(4 * rows * shape.inProjRows(), "∂ in_proj output");
            dZxBf16 = bf16 ? alloc(2 * rows * shape.inProjRows(), "∂ in_proj output in bf16") : 0;
            dXbc = alloc(4 * rows * shape.convChannels(), "∂ conv output");
            dBh = alloc(4 * rows * h * shape.dState(), "∂B per head");
            dCh = alloc(4 * rows * h * shape.dState(), "∂C per head");
            dU = alloc(4 * rows * d, "∂ mixer input");
            wPart = alloc(4 * rows * Math.max(d, di), "per-row norm weight gradients");
            dAh = alloc(4L * maxBatch * h, "∂A per sample");
            dDh = alloc(4L * maxBatch * h, "∂D per sample");
            long keptSteps = (long) maxBatch * ((seqLen + stateEvery - 1) / stateEvery);
            long setBytes = activationBytes(rows, keptSteps);
            keep = policy == ActivationPolicy.KEEP || policy == ActivationPolicy.AUTO
                    && (long) config.blocks() * setBytes <= freeBytesForActivations();
            activations = new Activations[keep ? config.blocks() : 1];
            for (int i = 0; i < activations.length; i++) {
                activations[i] = allocActivations(rows, keptSteps, keep ? "block " + i + " " : "");
            }
            keptInput = new long[config.blocks()];
            keptBatch = new int[config.blocks()];
            int chunks = (seqLen + stateEvery - 1) / stateEvery;
            gback = chunk == 0 ? 0 : alloc(4 * keptSteps * di * shape.dState(), "SSD chunk-end state gradients");
            dAc = chunk == 0 ? 0 : alloc(4L * maxBatch * h * chunks, "∂A per chunk");
            dDc = chunk == 0 ? 0 : alloc(4L * maxBatch * h * chunks, "∂D per chunk");
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** @return bytes of one {@link Activations} set */
    private long activationBytes(long rows, long keptSteps) {
        long gemmInputs = (long) shape.dModel() + shape.dInner();  // u and yn: in bf16 or in fp32
        long perRow = shape.inProjRows() + (convRows ? 1L : 2L) * shape.convChannels() + shape.heads() + shape.dInner()
                + (bf16 ? 0 : gemmInputs);
        return 4 * (rows * perRow + keptSteps * shape.dInner() * shape.dState()) + (bf16 ? 2 * rows * gemmInputs : 0);
    }

    private long freeBytesForActivations() {
        long[] info = cuda.memoryInfo();
        return info[0] - ActivationPolicy.reserveBytes(info[1]);
    }

    private Activations allocActivations(long rows, long keptSteps, String owner) {
        int d = shape.dModel();
        int di = shape.dInner();
        return new Activations(bf16 ? 0 : alloc(4 * rows * d, owner + "block input, normed and permuted"),
                alloc(4 * rows * shape.inProjRows(), owner + "in_proj output"),
                convRows ? 0 : alloc(4 * rows * shape.convChannels(), owner + "conv pre-activation"),
                alloc(4 * rows * shape.convChannels(), owner + "conv output"),
                alloc(4 * rows * shape.heads(), owner + "Δ"),
                alloc(4 * rows * di, owner + "SSD output"),
                bf16 ? 0 : alloc(4 * rows * di, owner + "gated norm output"),
                alloc(4 * keptSteps * di * shape.dState(), owner + "SSD states kept for the backward"),
                bf16 ? alloc(2 * rows * d, owner + "block input, normed, permuted, in bf16") : 0,
                bf16 ? alloc(2 * rows * di, owner + "gated norm output in bf16") : 0);
    }

    /** @return whether each block keeps its forward's activations for its backward */
    public boolean keepsActivations() {
        return keep;
    }

    /** Asks for the longest chunk length that fits. */
    static final int AUTO_CHUNK = -1;
    /** Rows a thread of tb_conv_fwd_rows covers ({@code TB_CONV_ROWS} in train_block.cuh). */
    private static final int CONV_ROWS = 16;
    /** Rows a thread of tb_conv_bwd covers, each span a row of its partial sums ({@code TB_CONV_BWD_ROWS}). */
    private static final int CONV_BWD_ROWS = 32;
    /** The widest conv tb_conv_fwd_rows and tb_conv_bwd take (their register windows). */
    static final int CONV_ROWS_MAX_WIDTH = 4;

    /**
     * @param value the value of {@link #SCAN_BACKWARD_PROPERTY}, or null
     * @return {@link #AUTO_CHUNK} for {@code chunked} or none, Q for {@code chunked:Q}, 0 for {@code sequential}
     */
    static int requestedChunk(String value) {
        if (value == null) {
            return AUTO_CHUNK;
        }
        String v = value.strip().toLowerCase(java.util.Locale.ROOT);
        if (v.equals("chunked")) {
            return AUTO_CHUNK;
        }
        if (v.equals("sequential")) {
            return 0;
        }
        if (v.startsWith("chunked:")) {
            String q = v.substring("chunked:".length()).strip();
            int length = q.matches("[0-9]{1,4}") ? Integer.parseInt(q) : 0;
            if (length > 0) {
                return length;  // chunkLength refuses one its kernels cannot take, naming the reason
            }
        }
        throw new InvalidInputException("system property " + SCAN_BACKWARD_PROPERTY,
                "chunked, chunked:Q with Q a multiple of 4 up to 64, or sequential", "'" + value + "'");
    }

    /**
     * @param requested {@link #AUTO_CHUNK}, 0, or a chunk length
     * @param p headDim
     * @param n dState
     * @param maxShared the device's shared memory per block, bytes
     * @param tf32 whether the tensor-core chunk kernel will run where the shape allows (its shared memory counts)
     * @return the chunk length to run, 0 for the sequential sweep: with {@link #AUTO_CHUNK} the {@link #MEASURED_CHUNKS}
     *         length of the heads where it leaves room for two blocks per SM, otherwise the longest whose chunk kernel
     *         does (else the longest that fits); a requested length that does not fit is refused
     */
    static int chunkLength(int requested, int p, int n, int maxShared, boolean tf32) {
        if (requested == 0 || p % 4 != 0 || n % 4 != 0 || n > SCAN_THREADS) {
            return 0;  // the kernels' 4×4 tiles; the reverse pass keeps a state column per thread
        }
        if (requested != AUTO_CHUNK) {
            if (requested % 4 != 0 || requested > 64 || chunkSharedBytes(requested, p, n, tf32) > maxShared) {
                throw new IllegalArgumentException("chunk length " + requested + ": expected a multiple of 4 up to 64"
                        + " whose kernel's " + chunkSharedBytes(requested, p, n, tf32) + " bytes of shared memory fit in "
                        + maxShared);
            }
            return requested;
        }
        for (int[] measured : MEASURED_CHUNKS) {
            int q = measured[2];
            if (measured[0] == p && measured[1] == n && 2 * chunkSharedBytes(q, p, n, tf32) <= maxShared) {
                return q;
            }
        }
        for (int q : CHUNK_LENGTHS) {
            if (2 * chunkSharedBytes(q, p, n, tf32) <= maxShared) {
                return q;
            }
        }
        for (int q : CHUNK_LENGTHS) {
            if (chunkSharedBytes(q, p, n, tf32) <= maxShared) {
                return q;
            }
        }
        return 0;
    }

    /**
     * @param tf32 whether tb_ssd_bwd_chunk_tf32 runs, if the shape allows it (its rows are padded by 4 floats, not 1)
     * @return dynamic shared bytes of the chunk kernel that runs ({@code tb_chunk_shared_floats})
     */
    static int chunkSharedBytes(int q, int p, int n, boolean tf32) {
        int pad = tf32 && tensorCoreShape(q, p, n) ? 4 : 1;
        return 4 * (2 * q * (p + pad) + 2 * q * (n + pad) + 2 * q * (q + pad) + p * (n + pad) + 4 * q
                + q * (n / 4 + 1));
    }

    /**
     * @param value the value of {@link #SPECIALIZED_KERNELS_PROPERTY}, or null
     * @return whether the kernels compiled for constant sizes run where they exist
     */
    static boolean specializedKernels(String value) {
        if (value == null) {
            return true;
        }
        return switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new InvalidInputException("system property " + SPECIALIZED_KERNELS_PROPERTY,
                    "true or false", "'" + value + "'");
        };
    }

    /** @return {@code _q{Q}p{P}n{N}} where {@link #SPECIALIZED_SHAPES} has the shape, else empty */
    static String specializedSuffix(int q, int p, int n) {
        for (int[] shape : SPECIALIZED_SHAPES) {
            if (shape[0] == q && shape[1] == p && shape[2] == n) {
                return "_q" + q + "p" + p + "n" + n;
            }
        }
        return "";
    }

    /** @return whether tb_ssd_bwd_chunk_tf32 takes the shape: its warp tiles are 16×16 */
    static boolean tensorCoreShape(int q, int p, int n) {
        return q % 16 == 0 && p % 16 == 0 && n % 16 == 0;
    }

    /**
     * @return whether the tensor-core passes over the chunks (tb_state_pass_tf32) keep the shape's state in their
     *         warps' accumulators: (P/16)·(N/8) tiles of 16×8, at most TB_FWD_TILES (8) for each of their 8 warps
     */
    static boolean tensorCoreForwardShape(int p, int n) {
        return (p / 16) * (n / 8) <= 8 * (SCAN_THREADS / 32);
    }

    /** @return the chunked SSD kernels' name suffix for this block's sizes ({@code _q32p64n128} and the like), or empty
     *          where the generic kernels run */
    String kernelShape() {
        return kernelShape;
    }

    /** @return whether the chunk kernel forms its products on tensor cores in TF32 */
    public boolean tf32ChunkProducts() {
        return tf32Chunks;
    }

    /** @return the SSD backward's chunk length, 0 when it runs as the sequential sweep */
    int chunkLength() {
        return chunk;
    }

    /** @return the tiling when the kernel {@code prefix + suffix} takes its block size on this device, else null */
    private ScanTiling launchable(ScanTiling tiling, String prefix) {
        return tiling != null && tiling.threads() <= cuda.maxThreadsPerBlock(prefix + tiling.suffix()) ? tiling : null;
    }

    private long alloc(long bytes, String purpose) {
        return memory.alloc(bytes, "BlockTrainer: " + purpose);
    }

    private void check(int block, long x, long other, String otherName, int batch) {
        if (closed) {
            throw new IllegalStateException("BlockTrainer is closed");
        }
        if (block < 0 || block >= config.blocks()) {
            throw new InvalidInputException("block", "a block index in [0, " + config.blocks() + ")", String.valueOf(block));
        }
        if (batch <= 0 || batch > maxBatch) {
            throw new InvalidInputException("batch", "in [1, " + maxBatch + "] (maxBatch of this trainer)",
                    String.valueOf(batch));
        }
        if (x == 0 || other == 0) {
            throw new InvalidInputException(x == 0 ? "x" : otherName, "a device address", "0");
        }
        if (x == other) {
            throw new InvalidInputException(otherName, "a buffer other than x", "the address of x");
        }
    }

    private static String p(int block, String name) {
        return "blocks." + block + "." + name;
    }

    /**
     * @param config model sizes
     * @return the parameters whose gradients {@link #backward} writes whole: every block's in_proj and out_proj weights
     *         (94 % of the paper preset's parameters), which the optimizer therefore need not clear
     */
    public static Set<String> gradientsWrittenWhole(MdmConfig config) {
        Set<String> names = new LinkedHashSet<>();
        for (int i = 0; i < config.blocks(); i++) {
            names.add(p(i, "mixer.in_proj.weight"));
            names.add(p(i, "mixer.out_proj.weight"));
        }
        return Collections.unmodifiableSet(names);
    }

    /**
     * @param block block index i
     * @param x fp32 [batch, L, d] block input
     * @param out fp32 [batch, L, d] block output (not x)
     * @param batch samples
     */
    public void forward(int block, long x, long out, int batch) {
        check(block, x, out, "out", batch);
        Activations a = activations(block);
        mixerForward(block, x, batch, a, keep);
        keptInput[block] = keep ? x : 0;
        keptBatch[block] = batch;
        int rows = batch * seqLen;
        int d = shape.dModel();
        String outProj = p(block, "mixer.out_proj.weight");
        if (bf16) {
            ops.linearForwardRounded(rows, shape.dInner(), d, a.ynBf16(), arena.weight(outProj), mix, d);
        } else {
            ops.linearForward(rows, shape.dInner(), d, a.yn(), shape.dInner(), arena.weight(outProj), 0, mix, d);
        }
        cuda.launch(rowKernel("tb_residual_unpermute"), new int[] {rows}, THREADS, 0,
                new KernelArgs().ptr(x).ptr(mix).ptr(inv[block]).ptr(out).i(seqLen).i(d));
    }

    private Activations activations(int block) {
        return activations[keep ? block : 0];
    }

    /**
     * Pre-norm, permutation, in_proj, conv, SSD (keeping its states for the backward when keepStates is set; the
     * chunked forward always writes them, its output kernel reads them) and gated norm, into a.
     */
    private void mixerForward(int block, long x, int batch, Activations a, boolean keepStates) {
        int rows = batch * seqLen;
        int d = shape.dModel();
        int di = shape.dInner();
        int h = shape.heads();
        int ld = shape.inProjRows();
        int c = shape.convChannels();
        cuda.launch(rowKernel("tb_prenorm_fwd") + (bf16 ? "_bf16" : ""), new int[] {rows}, THREADS, 0, new KernelArgs()
                .ptr(x).ptr(arena.weight(p(block, "norm.weight"))).ptr(inv[block]).ptr(bf16 ? a.uBf16() : a.u())
                .i(seqLen).i(d));
        String inProj = p(block, "mixer.in_proj.weight");
        if (bf16) {
            ops.linearForwardRounded(rows, d, ld, a.uBf16(), arena.weight(inProj), a.zx(), ld);
        } else {
            ops.linearForward(rows, d, ld, a.u(), d, arena.weight(inProj), 0, a.zx(), ld);
        }
        KernelArgs conv = new KernelArgs().ptr(a.zx()).i(ld).i(di)
                .ptr(arena.weight(p(block, "mixer.conv1d.weight"))).ptr(arena.weight(p(block, "mixer.conv1d.bias")));
        if (convRows) {  // tb_conv_bwd recomputes the pre-activation
            cuda.launch("tb_conv_fwd_rows", new int[] {(c + THREADS - 1) / THREADS, (rows + CONV_ROWS - 1) / CONV_ROWS},
                    THREADS, 0, conv.ptr(a.xbc()).i(rows).i(seqLen).i(c).i(shape.dConv()));
        } else {
            cuda.launch1d("tb_conv_fwd", (long) rows * c,
                    conv.ptr(a.convPre()).ptr(a.xbc()).i(rows).i(seqLen).i(c).i(shape.dConv()));
        }
        cuda.launch1d("tb_delta", (long) rows * h, new KernelArgs().ptr(a.zx()).i(ld).i(dtOffset())
                .ptr(arena.weight(p(block, "mixer.dt_bias"))).ptr(a.delta()).i(rows).i(h));
        if (tf32Passes) {
            chunkedForward(block, batch, a);
        } else {
            KernelArgs head = new KernelArgs().ptr(a.xbc()).i(c).ptr(a.delta())
                    .ptr(arena.weight(p(block, "mixer.A_log"))).ptr(arena.weight(p(block, "mixer.D"))).i(zoh()).ptr(a.y())
                    .ptr(keepStates ? a.states() : 0);
            if (forwardTiling != null) {
                cuda.launch("tb_ssd_fwd_" + forwardTiling.suffix(), new int[] {h, batch}, forwardTiling.threads(), 0,
                        scanSizes(head.i(stateEvery).i(chunk > 0 ? chunk - 1 : 0)));
            } else {
                int pn = shape.headDim() * shape.dState();
                cuda.launch("tb_ssd_fwd", new int[] {h, batch}, SCAN_THREADS,
                        4 * (pn + shape.headDim() + 2 * shape.dState()), scanSizes(head));
            }
        }
        cuda.launch(gatedNorm("tb_gated_norm_fwd") + (bf16 ? "_bf16" : ""), new int[] {rows, shape.nGroups()}, THREADS,
                0, new KernelArgs().ptr(a.y()).ptr(a.zx()).i(ld).ptr(arena.weight(p(block, "mixer.norm.weight")))
                        .ptr(bf16 ? a.ynBf16() : a.yn()).i(di).i(shape.nGroups()));
    }

    /**
     * The SSD forward in chunks on tensor cores: the states at the chunks' ends (a pass over the chunks), which the
     * backward reads too, then every chunk's output from the state entering it.
     */
    private void chunkedForward(int block, int batch, Activations a) {
        int h = shape.heads();
        int p = shape.headDim();
        int n = shape.dState();
        int c = shape.convChannels();
        long aLog = arena.weight(p(block, "mixer.A_log"));
        cuda.launch("tb_ssd_fwd_chunk_states_tf32" + kernelShape, new int[] {h, batch}, SCAN_THREADS, statePassSharedBytes(p, n),
                headSizes(new KernelArgs().ptr(a.xbc()).i(c)
                        .ptr(a.delta()).ptr(aLog).i(zoh()).ptr(a.states()).i(seqLen).i(chunk)));
        int chunks = (seqLen + chunk - 1) / chunk;
        cuda.launch("tb_ssd_fwd_chunk_output_tf32" + kernelShape, new int[] {chunks, h, batch}, SCAN_THREADS,
                forwardOutputSharedBytes(p, n),
                headSizes(new KernelArgs().ptr(a.xbc()).i(c).ptr(a.delta()).ptr(aLog)
                        .ptr(arena.weight(p(block, "mixer.D"))).i(zoh()).ptr(a.states()).ptr(a.y()).i(seqLen).i(chunk)));
    }

    /**
     * @return IT of {@code tb_gated_norm_bwd_rows{IT}} (1, 2 or 4: a thread's four-column slices of a group of at most
     *         1 024·IT columns), or 0 where the group is too wide for it or the four-column form does not apply
     */
    private int gatedNormRowsIterations() {
        if (!gatedNormVec4()) {
            return 0;
        }
        return rowsIterations(shape.dInner() / shape.nGroups());
    }

    /**
     * @return IT (1, 2 or 4) of the norms' row-block kernels for rows of this many columns, a thread's four-column
     *         slices of at most 1 024·IT columns, or 0 where a row is too wide for them
     */
    private static int rowsIterations(int columns) {
        for (int it : new int[] {1, 2, 4}) {
            if (columns <= 4 * THREADS * it) {
                return it;
            }
        }
        return 0;
    }

    /**
     * @return the kernel's four-column form ({@code _vec4}, 16-byte accesses) where d is a multiple of 4, else the
     *         kernel, for the kernels over rows of d columns
     */
    private String rowKernel(String kernel) {
        return shape.dModel() % 4 == 0 ? kernel + "_vec4" : kernel;
    }

    /** @return the gated norm backward's row-range kernel, where {@link #normRowsIterations} is not 0 */
    private String gatedNormRowsKernel() {
        return "tb_gated_norm_bwd_rows" + normRowsIterations + (bf16 ? "_bf16" : "");
    }

    /** @return whether a group's columns and in_proj's rows allow the gated norm kernels' four-column form */
    private boolean gatedNormVec4() {
        return shape.dInner() / shape.nGroups() % 4 == 0 && shape.inProjRows() % 4 == 0;
    }

    /** @return the gated norm kernel's four-column form where {@link #gatedNormVec4()}, else the kernel */
    private String gatedNorm(String kernel) {
        return gatedNormVec4() ? kernel + "_vec4" : kernel;
    }

    /** @return dynamic shared bytes of the forward's tensor-core output kernel ({@code tb_fwd_output_floats}) */
    private int forwardOutputSharedBytes(int p, int n) {
        return 4 * (chunk * (p + 8) + 2 * chunk * (n + 4) + chunk * (chunk + 4) + p * (n + 4) + 2 * chunk);
    }

    /** @return dynamic shared bytes of the tensor-core passes over the chunks ({@code tb_state_pass_floats}) */
    private int statePassSharedBytes(int p, int n) {
        return 4 * (chunk * (p + 8) + chunk * (n + 8) + 2 * chunk);
    }

    /** The reverse sweep over the states the recomputed scan kept (tb_ssd_bwd, or its tiled forms). */
    private void scanBackwardSequential(int block, int batch, Activations a) {
        int h = shape.heads();
        KernelArgs head = new KernelArgs().ptr(a.xbc()).i(shape.convChannels()).ptr(a.delta())
                .ptr(arena.weight(p(block, "mixer.A_log"))).ptr(arena.weight(p(block, "mixer.D"))).i(zoh()).ptr(dY)
                .ptr(a.states());
        if (backwardTiling != null) {
            head.i(stateEvery);
        }
        KernelArgs scan = scanSizes(head.ptr(a.zx()).ptr(dZx).i(shape.inProjRows()).i(dtOffset())
                .ptr(arena.weight(p(block, "mixer.dt_bias"))).ptr(dXbc).ptr(dBh).ptr(dCh).ptr(dAh).ptr(dDh));
        if (backwardTiling != null) {
            cuda.launch("tb_ssd_bwd_" + backwardTiling.suffix(), new int[] {h, batch}, backwardTiling.threads(),
                    backwardTiling.backwardSharedBytes(shape.dState()), scan);
        } else {
            cuda.launch("tb_ssd_bwd", new int[] {h, batch}, SCAN_THREADS, scanBackwardSharedBytes(), scan);
        }
    }

    /**
     * The chunked backward: the reverse pass over the chunks for G_c (one kernel, G in registers), every chunk's
     * gradients, then the per-sample sums of ∂A and ∂D over the chunks, in order.
     */
    private void scanBackwardChunked(int block, int batch, Activations a) {
        int h = shape.heads();
        int p = shape.headDim();
        int n = shape.dState();
        int chunks = (seqLen + chunk - 1) / chunk;
        int c = shape.convChannels();
        long aLog = arena.weight(p(block, "mixer.A_log"));
        KernelArgs pass = headSizes(new KernelArgs().ptr(a.xbc()).i(c).ptr(a.delta()).ptr(aLog).ptr(dY).ptr(gback)
                .i(seqLen).i(chunk));
        if (tf32Passes) {
            cuda.launch("tb_ssd_bwd_chunk_states_tf32" + kernelShape, new int[] {h, batch}, SCAN_THREADS, statePassSharedBytes(p, n),
                    pass);
        } else {
            int rows = Math.min(8 * (SCAN_THREADS / n), (p + 7) / 8 * 8);  // tb_chunk_state_rows
            cuda.launch("tb_ssd_bwd_chunk_states", new int[] {(p + rows - 1) / rows, h, batch}, SCAN_THREADS,
                    4 * (chunk * rows + chunk * n + 2 * chunk), pass);
        }
        cuda.launch((tf32Chunks ? "tb_ssd_bwd_chunk_tf32" : "tb_ssd_bwd_chunk") + kernelShape, new int[] {chunks, h, batch},
                SCAN_THREADS, chunkSharedBytes(chunk, p, n, tf32Chunks),
                headSizes(new KernelArgs().ptr(a.xbc()).i(c).ptr(a.delta()).ptr(aLog)
                        .ptr(arena.weight(p(block, "mixer.D"))).i(zoh()).ptr(dY).ptr(a.y()).ptr(a.states()).ptr(gback)
                        .ptr(a.zx()).ptr(dZx).i(shape.inProjRows())
                        .i(dtOffset()).ptr(arena.weight(p(block, "mixer.dt_bias"))).ptr(dXbc).ptr(dBh).ptr(dCh)
                        .ptr(dAc).ptr(dDc).i(seqLen).i(chunk)));
        cuda.launch1d("tb_chunk_head_sums", (long) batch * h,
                new KernelArgs().ptr(dAc).ptr(dDc).ptr(dAh).ptr(dDh).i(batch * h).i(chunks));
    }

    /** @return the scans' trailing arguments appended: L, H, P, G, N */
    private KernelArgs scanSizes(KernelArgs args) {
        return headSizes(args.i(seqLen));
    }

    /** @return the head sizes appended: H, P, G, N (the chunk kernels take L and Q before them) */
    private KernelArgs headSizes(KernelArgs args) {
        return args.i(shape.heads()).i(shape.headDim()).i(shape.nGroups()).i(shape.dState());
    }

    /** @return dynamic shared bytes of tb_ssd_bwd (state gradient, x, dy, B, C, Σ_p dH·x), the larger of the scans */
    private int scanBackwardSharedBytes() {
        return 4 * (shape.headDim() * shape.dState() + 2 * shape.headDim() + 3 * shape.dState());
    }

    private int dtOffset() {
        return 2 * shape.dInner() + 2 * shape.nGroups() * shape.dState();
    }

    private int zoh() {
        return shape.discretization() == Discretization.ZOH ? 1 : 0;
    }

    /**
     * Block i's backward: adds its parameter gradients to {@link ParameterArena#grad}, but writes in_proj's and
     * out_proj's weight gradients (no other contribution exists in a pass, and cuBLAS then need not read them back:
     * 33 + 14 µs a paper-width block at batch 8), so a second backward of the same block before the optimizer step
     * replaces those two.
     *
     * @param block block index i
     * @param x the block input given to {@link #forward}
     * @param dOut fp32 [batch, L, d] ∂L/∂out
     * @param dX fp32 [batch, L, d] ∂L/∂x, written (not accumulated); may not alias dOut
     * @param batch samples
     */
    public void backward(int block, long x, long dOut, long dX, int batch) {
        check(block, x, dOut, "dOut", batch);
        check(block, x, dX, "dX", batch);
        if (dX == dOut) {
            throw new InvalidInputException("dX", "a buffer other than dOut", "the address of dOut");
        }
        Activations a = activations(block);
        boolean recompute = keptInput[block] != x || keptBatch[block] != batch;
        if (recompute) {
            mixerForward(block, x, batch, a, true);
        }
        keptInput[block] = 0;  // the optimizer step that follows changes the weights they came from
        int rows = batch * seqLen;
        int d = shape.dModel();
        int di = shape.dInner();
        int h = shape.heads();
        int n = shape.dState();
        int g = shape.nGroups();
        int ld = shape.inProjRows();
        int c = shape.convChannels();
        // ∂ mixer output in block order: dMix = P·dOut (a gather with P_i), into the mix buffer (in bf16 where it is
        // only out_proj's bf16 GEMM operand)
        String outProj = p(block, "mixer.out_proj.weight");
        if (bf16) {
            cuda.launch(rowKernel("tb_gather_rows_bf16"), new int[] {rows}, THREADS, 0,
                    new KernelArgs().ptr(dOut).ptr(perm[block]).ptr(mix).i(seqLen).i(d));
            ops.linearBackwardRounded(rows, di, d, a.ynBf16(), arena.weight(outProj), mix, dYn, di, false,
                    arena.grad(outProj), false);
        } else {
            cuda.launch1d("tb_gather_rows", (long) rows * d,
                    new KernelArgs().ptr(dOut).ptr(perm[block]).ptr(mix).i(rows).i(seqLen).i(d));
            ops.linearBackward(rows, di, d, a.yn(), di, arena.weight(outProj), mix, d, dYn, di, false,
                    arena.grad(outProj), false, 0);
        }
        KernelArgs norm = new KernelArgs().ptr(a.y()).ptr(a.zx()).i(ld).ptr(arena.weight(p(block, "mixer.norm.weight")))
                .ptr(dYn).ptr(dY).ptr(bf16 ? dZxBf16 : dZx).ptr(wPart).i(di).i(g);
        int wPartRows = rows;
        if (normRowsIterations > 0) {  // a range of rows a block, one weight-gradient row a block
            wPartRows = Math.min(rows, Math.max(1, normResidentBlocks));
            cuda.launch(gatedNormRowsKernel(), new int[] {wPartRows, g}, THREADS, 0, norm.i(rows));
        } else {
            cuda.launch(gatedNorm("tb_gated_norm_bwd") + (bf16 ? "_bf16" : ""), new int[] {rows, g}, THREADS, 0, norm);
        }
        ops.columnSumAccumulate(wPart, wPartRows, di, di, arena.grad(p(block, "mixer.norm.weight")));
        if (chunk > 0) {
            scanBackwardChunked(block, batch, a);
        } else {
            scanBackwardSequential(block, batch, a);
        }
        // the tensor-core chunk kernel writes its per-head partials in bf16, which a thread sums eight columns at a time
        cuda.launch1d(tf32Chunks ? "tb_group_sum_bf16" : "tb_group_sum", (long) rows * g * (tf32Chunks ? n / 8 : n),
                new KernelArgs().ptr(dBh).ptr(dCh).ptr(dXbc).i(c).i(rows).i(h).i(shape.headDim()).i(g).i(n));
        cuda.launch("tb_head_grads", new int[] {(h + THREADS - 1) / THREADS}, THREADS, 0, new KernelArgs().ptr(dAh)
                .ptr(dDh).ptr(arena.weight(p(block, "mixer.A_log"))).ptr(arena.grad(p(block, "mixer.A_log")))
                .ptr(arena.grad(p(block, "mixer.D"))).i(batch).i(h));
        ops.columnSumAccumulate(dZx + 4L * dtOffset(), rows, h, ld, arena.grad(p(block, "mixer.dt_bias")));
        convBackward(block, rows, a);
        String inProj = p(block, "mixer.in_proj.weight");
        if (bf16) {
            roundColumns(dtOffset(), h, rows);
            if (!convRows) {
                roundColumns(di, c, rows);
            }
            ops.linearBackwardRounded(rows, d, ld, a.uBf16(), arena.weight(inProj), dZxBf16, dU, d, false,
                    arena.grad(inProj), false);
        } else {
            ops.linearBackward(rows, d, ld, a.u(), d, arena.weight(inProj), dZx, ld, dU, d, false, arena.grad(inProj),
                    false, 0);
        }
        KernelArgs prenorm = new KernelArgs().ptr(x).ptr(arena.weight(p(block, "norm.weight"))).ptr(inv[block]).ptr(dU)
                .ptr(dOut).ptr(dX).ptr(wPart);
        int prenormPartRows = rows;
        if (prenormRowsIterations > 0) {  // a range of rows a block, one weight-gradient row a block
            prenormPartRows = Math.min(rows, prenormResidentBlocks);
            cuda.launch("tb_prenorm_bwd_rows" + prenormRowsIterations, new int[] {prenormPartRows}, THREADS, 0,
                    prenorm.i(rows).i(seqLen).i(d));
        } else {
            cuda.launch("tb_prenorm_bwd", new int[] {rows}, THREADS, 0, prenorm.i(seqLen).i(d));
        }
        ops.columnSumAccumulate(wPart, prenormPartRows, d, d, arena.grad(p(block, "norm.weight")));
    }

    /** dZx's columns [from, from + count) rounded into the same places of dZxBf16. */
    private void roundColumns(int from, int count, int rows) {
        cuda.launch1d("tb_round_columns", (long) rows * count, new KernelArgs().ptr(dZx).i(shape.inProjRows()).i(from)
                .i(count).ptr(dZxBf16).i(rows));
    }

    /**
     * conv + SiLU backward from dXbc (∂ conv output): the input gradient into dZx's x, B and C columns (dZxBf16's in
     * one pass at BF16), and the weight and bias gradients, each a sum over spans of rows that
     * {@link TrainingOps#finishColumnSum} adds in order. One pass (tb_conv_bwd, 32-row spans) where the width allows,
     * else ∂pre in place and a kernel per gradient (128-row chunks).
     */
    private void convBackward(int block, int rows, Activations a) {
        int c = shape.convChannels();
        int k = shape.dConv();
        int taps = c * k;
        long weight = arena.weight(p(block, "mixer.conv1d.weight"));
        // the partial sums' rows: tb_conv_bwd's 32-row spans, or the per-element kernels' 128-row chunks
        int parts = convRows ? (rows + CONV_BWD_ROWS - 1) / CONV_BWD_ROWS : TrainingOps.chunks(rows);
        long partial = ops.partials((long) parts * (taps + c));
        long biasPartial = partial + 4L * parts * taps;
        int[] grid = {(c + THREADS - 1) / THREADS, parts};
        if (convRows) {
            cuda.launch(bf16 ? "tb_conv_bwd_bf16" : "tb_conv_bwd", grid, THREADS, 0, new KernelArgs().ptr(dXbc)
                    .ptr(weight).ptr(arena.weight(p(block, "mixer.conv1d.bias"))).ptr(a.zx()).i(shape.inProjRows())
                    .i(shape.dInner()).ptr(bf16 ? dZxBf16 : dZx).ptr(partial).ptr(biasPartial).i(rows).i(seqLen).i(c)
                    .i(k));
        } else {
            ops.siluBackward(a.convPre(), dXbc, dXbc, (long) rows * c);
            cuda.launch1d("tb_conv_bwd_input", (long) rows * c, new KernelArgs().ptr(dXbc).ptr(weight).ptr(dZx)
                    .i(shape.inProjRows()).i(shape.dInner()).i(rows).i(seqLen).i(c).i(k));
            cuda.launch("tb_conv_bwd_weight", new int[] {(taps + THREADS - 1) / THREADS, parts}, THREADS, 0,
                    new KernelArgs().ptr(dXbc).ptr(a.zx()).i(shape.inProjRows()).i(shape.dInner()).ptr(partial)
                            .i(rows).i(seqLen).i(c).i(k));
            cuda.launch("tr_colsum_partial", grid, THREADS, 0, new KernelArgs().ptr(dXbc).i(rows).i(c).i(c)
                    .ptr(biasPartial));
        }
        ops.finishColumnSum(partial, parts, taps, arena.grad(p(block, "mixer.conv1d.weight")));
        ops.finishColumnSum(biasPartial, parts, c, arena.grad(p(block, "mixer.conv1d.bias")));
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        ops.close();
        memory.close();
    }
}

package dev.mdm.backend.jcuda.training;

import dev.mdm.backend.jcuda.cuda.CudaContext;
import dev.mdm.backend.jcuda.cuda.Cublas;
import dev.mdm.backend.jcuda.cuda.Gemm;
import dev.mdm.backend.jcuda.cuda.KernelArgs;

/**
 * The operations every training layer is built from: a linear layer's forward and backward through cuBLAS (fp32
 * matrices, exact fp32, TF32 or bf16 products as the session chose, the default algorithm on one stream: deterministic;
 * for bf16 products both operands are rounded to bf16 by {@code tr_to_bf16} into scratch kept between calls, unless
 * the caller gives them in bf16: {@link #linearForwardRounded}, {@link #linearBackwardRounded}),
 * bias-gradient column sums and SiLU (kernels of {@code train_common.cuh}). All row-major, queued on the context's
 * stream.
 */
public final class TrainingOps implements AutoCloseable {
    private static final int THREADS = 256;
    /** Rows per partial sum of the two-stage column sums ({@code TR_CHUNK_ROWS} in train_common.cuh). */
    public static final int CHUNK_ROWS = 128;
    private final CudaContext cuda;
    private final Gemm gemm;
    private final Cublas.Compute gemmCompute;
    /** Whose bf16 weight copy a bf16 product reads instead of rounding the weight. */
    private final ParameterArena arena;
    private final Scratch partials = new Scratch("partial sums of gradient reductions");
    private final Scratch bf16A = new Scratch("bf16 copy of a GEMM's first operand");
    private final Scratch bf16B = new Scratch("bf16 copy of a GEMM's second operand");

    /**
     * @param cuda the device
     * @param gemmCompute how the linear layers' GEMMs form their products
     * @param arena where the weights live: for bf16 products a weight in it is read from the arena's bf16 copy (the
     *              same bits as rounding it, which AdamW keeps current) where the arena keeps one, instead of being
     *              rounded at each use
     */
    public TrainingOps(CudaContext cuda, Cublas.Compute gemmCompute, ParameterArena arena) {
        this.cuda = cuda;
        this.gemm = cuda.gemm();
        this.gemmCompute = gemmCompute;
        this.arena = arena;
    }

    /** @return the context */
    public CudaContext cuda() {
        return cuda;
    }

    /**
     * {@code y[rows, out] = x[rows, in] · Wᵀ (+ bias)}, W [out, in] as PyTorch stores it.
     *
     * @param rows rows of x
     * @param in input width
     * @param out output width
     * @param x input, row stride {@code ldx}
     * @param ldx row stride of x
     * @param w weight [out, in]
     * @param bias bias [out] or 0 for none
     * @param y output, row stride {@code ldy}
     * @param ldy row stride of y
     */
    public void linearForward(int rows, int in, int out, long x, int ldx, long w, long bias, long y, int ldy) {
        gemm(false, true, rows, out, in, operand(x, rows, in, ldx, bf16A), weight(w, out, in), y, ldy, false);
        if (bias != 0) {
            cuda.launch1d("tr_bias_add", (long) rows * out, new KernelArgs().ptr(y).ptr(bias).i(rows).i(out).i(ldy));
        }
    }

    /**
     * Backward of {@link #linearForward}: {@code dx (+)= dy · W}, {@code dW += dyᵀ · x}, {@code db += Σ_rows dy}.
     *
     * @param rows rows
     * @param in input width
     * @param out output width
     * @param x the forward input
     * @param ldx its row stride
     * @param w weight [out, in]
     * @param dy upstream gradient [rows, out]
     * @param lddy its row stride
     * @param dx input gradient [rows, in], or 0 to skip it (a first layer)
     * @param lddx row stride of dx
     * @param accumulateDx add to dx instead of overwriting it
     * @param dw weight gradient [out, in] (accumulated)
     * @param db bias gradient [out] (accumulated) or 0 when the layer has no bias
     */
    public void linearBackward(int rows, int in, int out, long x, int ldx, long w, long dy, int lddy, long dx, int lddx,
                               boolean accumulateDx, long dw, long db) {
        linearBackward(rows, in, out, x, ldx, w, dy, lddy, dx, lddx, accumulateDx, dw, true, db);
    }

    /**
     * {@link #linearBackward(int, int, int, long, int, long, long, int, long, int, boolean, long, long)} that writes
     * dW instead of adding to it where {@code accumulateDw} is false: for a layer whose weight gradient has no other
     * contribution in the backward pass, so that cuBLAS need not read it back (in_proj's dW at paper width and batch
     * 8: 180 → 147 µs, session 25's probe).
     *
     * @param accumulateDw add to dw (the others' contract) or overwrite it
     */
    public void linearBackward(int rows, int in, int out, long x, int ldx, long w, long dy, int lddy, long dx, int lddx,
                               boolean accumulateDx, long dw, boolean accumulateDw, long db) {
        Operand dyOp = operand(dy, rows, out, lddy, bf16A);  // rounded once for both products
        if (dx != 0) {
            gemm(false, false, rows, in, out, dyOp, weight(w, out, in), dx, lddx, accumulateDx);
        }
        gemm(true, false, out, in, rows, dyOp, operand(x, rows, in, ldx, bf16B), dw, in, accumulateDw);
        if (db != 0) {
            columnSumAccumulate(dy, rows, out, lddy, db);
        }
    }

    /**
     * {@link #linearForward} for a bf16 runtime whose caller already wrote x in bf16 (dense [rows, in]): a kernel that
     * produces x can round it as it stores it, instead of storing fp32 for this class to round.
     *
     * @param xBf16 x in bf16, dense
     * @throws IllegalStateException if this runtime does not multiply bf16 operands
     */
    public void linearForwardRounded(int rows, int in, int out, long xBf16, long w, long y, int ldy) {
        requireBf16("linearForwardRounded");
        gemm(false, true, rows, out, in, new Operand(xBf16, in, Cublas.R_16BF), weight(w, out, in), y, ldy, false);
    }

    /**
     * {@link #linearBackward} for a bf16 runtime whose caller holds both x and dy in bf16 (dense): {@code dx (+)= dy · W},
     * {@code dW (+)= dyᵀ · x}; no bias.
     *
     * @param xBf16 the forward input in bf16, dense [rows, in]
     * @param dyBf16 the upstream gradient in bf16, dense [rows, out]
     * @param accumulateDw add to dw or overwrite it (as the 14-argument {@link #linearBackward})
     * @throws IllegalStateException if this runtime does not multiply bf16 operands
     */
    public void linearBackwardRounded(int rows, int in, int out, long xBf16, long w, long dyBf16, long dx,
                                      int lddx, boolean accumulateDx, long dw, boolean accumulateDw) {
        requireBf16("linearBackwardRounded");
        Operand dyOp = new Operand(dyBf16, out, Cublas.R_16BF);
        gemm(false, false, rows, in, out, dyOp, weight(w, out, in), dx, lddx, accumulateDx);
        gemm(true, false, out, in, rows, dyOp, new Operand(xBf16, in, Cublas.R_16BF), dw, in, accumulateDw);
    }

    /** @return whether the GEMMs multiply bf16 operands (a BF16 runtime's), so that producers may write them in bf16 */
    public boolean bf16Operands() {
        return bf16();
    }

    private void requireBf16(String method) {
        if (!bf16()) {
            throw new IllegalStateException(method + " needs bf16 GEMM operands; this runtime's GEMMs compute " + gemmCompute);
        }
    }

    private boolean bf16() {
        return gemmCompute == Cublas.Compute.BF16;
    }

    /** @return the weight [out, in] as the GEMM reads it: the arena's bf16 copy, else as {@link #operand} makes it */
    private Operand weight(long w, int out, int in) {
        long copy = bf16() ? arena.weightBf16At(w) : 0;
        return copy != 0 ? new Operand(copy, in, Cublas.R_16BF) : operand(w, out, in, in, bf16B);
    }

    /** A GEMM operand as cuBLAS reads it: its address, row stride and element type. */
    private record Operand(long address, int ld, int type) {
    }

    /**
     * @return x [rows, cols] (row stride ld) as the GEMM reads it: itself, or for {@link Cublas.Compute#BF16} its bf16
     *         copy (dense) in {@code into}, queued now
     */
    private Operand operand(long x, int rows, int cols, int ld, Scratch into) {
        if (!bf16()) {
            return new Operand(x, ld, Cublas.R_32F);
        }
        return round(x, rows, cols, ld, into.ensure(cuda, 2L * rows * cols));
    }

    /** @return x [rows, cols] (row stride ld) rounded to bf16 into out (dense), queued now */
    private Operand round(long x, int rows, int cols, int ld, long out) {
        boolean vec4 = x % 16 == 0 && ld % 4 == 0 && cols % 4 == 0;
        int perBlock = vec4 ? 4 * THREADS : THREADS;
        cuda.launch(vec4 ? "tr_to_bf16_vec4" : "tr_to_bf16", new int[] {(cols + perBlock - 1) / perBlock,
                Math.min(rows, 65535)}, THREADS, 0, new KernelArgs().ptr(x).i(rows).i(cols).i(ld).ptr(out));
        return new Operand(out, cols, Cublas.R_16BF);
    }

    /** bf16 operands are multiplied with fp32 products and accumulation; fp32 ones as the session chose. */
    private void gemm(boolean transA, boolean transB, int m, int n, int k, Operand a, Operand b, long c, int ldc,
                      boolean accumulate) {
        Cublas.Compute compute = a.type() == Cublas.R_16BF ? Cublas.Compute.FP32 : gemmCompute;
        gemm.gemm(compute, a.type(), transA, transB, m, n, k, a.address(), a.ld(), b.address(), b.ld(), c, ldc,
                accumulate);
    }

    /**
     * {@code out[c] += Σ_r x[r, c]}.
     *
     * @param x [rows, cols] with row stride ld
     * @param rows rows
     * @param cols columns
     * @param ld row stride
     * @param out [cols]
     */
    public void columnSumAccumulate(long x, int rows, int cols, int ld, long out) {
        finishColumnSum(columnSumPartials(x, rows, cols, ld), chunks(rows), cols, out);
    }

    /**
     * The first stage of {@link #columnSumAccumulate}: {@code partial[k, c] = Σ_{r in chunk k} x[r, c]}, chunks of
     * {@link #CHUNK_ROWS} rows, in the {@link #partials} scratch (valid until the next reduction is queued).
     *
     * @param x [rows, cols] with row stride ld
     * @param rows rows
     * @param cols columns
     * @param ld row stride
     * @return the device address of partial, [{@link #chunks}(rows), cols]
     */
    public long columnSumPartials(long x, int rows, int cols, int ld) {
        int chunks = chunks(rows);
        long partial = partials((long) chunks * cols);
        cuda.launch("tr_colsum_partial", new int[] {(cols + THREADS - 1) / THREADS, chunks}, THREADS, 0,
                new KernelArgs().ptr(x).i(rows).i(cols).i(ld).ptr(partial));
        return partial;
    }

    /**
     * @param rows rows to reduce
     * @return the number of {@link #CHUNK_ROWS}-row partial sums
     */
    public static int chunks(int rows) {
        return Math.max(1, (rows + CHUNK_ROWS - 1) / CHUNK_ROWS);
    }

    /**
     * A scratch buffer for partial sums, grown when needed and reused (work on the one stream is ordered, so the
     * next reduction cannot overwrite partials still being read).
     *
     * @param floats how many
     * @return its device address
     */
    public long partials(long floats) {
        return partials.ensure(cuda, floats * Float.BYTES);
    }

    /**
     * {@code out[c] += Σ_k partial[k, c]}, chunks in order.
     *
     * @param partial [chunks, cols]
     * @param chunks rows of partial
     * @param cols columns
     * @param out [cols]
     */
    public void finishColumnSum(long partial, int chunks, int cols, long out) {
        cuda.launch("tr_colsum_final", new int[] {(cols + THREADS - 1) / THREADS}, THREADS, 0,
                new KernelArgs().ptr(partial).i(chunks).i(cols).ptr(out));
    }

    /**
     * @param x pre-activation
     * @param y silu(x)
     * @param n elements
     */
    public void siluForward(long x, long y, long n) {
        cuda.launch1d("tr_silu_fwd", n, new KernelArgs().ptr(x).ptr(y).l(n));
    }

    /**
     * @param pre the saved pre-activation
     * @param dy upstream gradient
     * @param dx dy · silu'(pre); may be dy
     * @param n elements
     */
    public void siluBackward(long pre, long dy, long dx, long n) {
        cuda.launch1d("tr_silu_bwd", n, new KernelArgs().ptr(pre).ptr(dy).ptr(dx).l(n));
    }

    /**
     * @param y y += a·x
     * @param x addend
     * @param a scale
     * @param n elements
     */
    public void axpy(long y, long x, float a, long n) {
        cuda.launch1d("tr_axpy", n, new KernelArgs().ptr(y).ptr(x).f(a).l(n));
    }

    /** Frees the scratch buffers. Idempotent. */
    @Override
    public void close() {
        partials.free(cuda);
        bf16A.free(cuda);
        bf16B.free(cuda);
    }

    /**
     * A device buffer grown when needed and reused: work on the one stream is ordered, so the next user cannot
     * overwrite contents still being read; growing waits for the stream before it frees the old buffer.
     */
    private static final class Scratch {
        private final String what;
        private long address;
        private long bytes;

        Scratch(String what) {
            this.what = what;
        }

        long ensure(CudaContext cuda, long need) {
            if (need > bytes) {
                if (address != 0) {
                    cuda.synchronize();
                    free(cuda);
                }
                address = cuda.alloc(need, what);
                bytes = need;
            }
            return address;
        }

        void free(CudaContext cuda) {
            if (address != 0) {
                cuda.free(address, bytes);
                address = 0;
                bytes = 0;
            }
        }
    }
}

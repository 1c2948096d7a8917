package dev.mdm.backend.jcuda.model;

import dev.mdm.Discretization;
import dev.mdm.backend.jcuda.cuda.CudaContext;
import dev.mdm.backend.jcuda.cuda.Cublas;
import dev.mdm.backend.jcuda.cuda.Kernels;
import dev.mdm.model.MambaShape;
import dev.mdm.model.Parameters;

/**
 * One Mamba-2 mixer on the device (SPEC §6): in_proj GEMM, fused causal conv1d + SiLU, chunked SSD fused with
 * discretization, D skip and SiLU(z) gate, grouped RMSNorm, out_proj GEMM. In bf16 mode the projection weights and
 * their inputs are bf16 (tensor-core GEMMs, fp32 accumulation); in_proj's output, the conv output, the SSD and its
 * state stay fp32, since each further bf16 rounding on the way costs accuracy the bf16 tolerance of SPEC §10 lacks.
 * Inside a denoiser in BF16 at the paper's head sizes the grouped RMSNorm is folded away ({@link #forwardFoldedNorm}),
 * and there the activations are stored as mamba_ssm's bf16 models store them (the tensor-core SSD rounds x, B and C to
 * bf16 anyway): in_proj writes z, x, B and C in bf16 and dt in fp32, the conv writes x, B and C in bf16, and out_proj
 * writes bf16 for the fp32 residual add (PERF.md, v28 and v29: the bf16 error stays within SPEC §10's relative bound).
 */
public final class DeviceMixer {
    /**
     * Whether the folded mixer's in_proj writes z, x, B and C in bf16 (half the bytes that in_proj writes and the conv
     * and the SSD read back) and dt in fp32 by a GEMM of its own (exp(Δ·A) needs dt's precision: v6 in PERF.md). A
     * property for measurements: false gives v27's single fp32 in_proj.
     */
    private static final boolean BF16_IN_PROJ = Boolean.parseBoolean(System.getProperty("mdm.jcuda.bf16InProj",
            "true"));
    /**
     * Whether the folded mixer's out_proj writes its output in bf16 (the next add+RMSNorm reads it so; half the bytes),
     * as mamba_ssm's bf16 models do before their fp32 residual add. A property for measurements.
     */
    private static final boolean BF16_OUT = Boolean.parseBoolean(System.getProperty("mdm.jcuda.bf16MixerOut", "true"));
    /**
     * Up to this many rows that dt GEMM is our own kernel ({@link Kernels#dtProjection}: K split over a cluster) with
     * the conv launched beside it, instead of cuBLAS. On the H100 (PERF.md, v32) the pair saves ≈ 2 µs a block at 324
     * rows, where the conv's blocks run while dt is computed; the kernel alone is no faster than cuBLAS's (5.2 against
     * 5.1 µs at 324 rows, 7.5 against 5.2 at 1 092), so from 1 092 rows on it gains nothing. A property for
     * measurements: 0 gives v31's cuBLAS GEMM everywhere.
     */
    private static final int DT_PROJECTION_MAX_ROWS = Integer.getInteger("mdm.jcuda.dtProjectionMaxRows", 512);
    private final MambaShape shape;
    private final boolean bf16;
    private final long inProj;
    private final long outProj;
    private final long convW;
    private final long convB;
    private final long dtBias;
    private final long a;
    private final long d;
    private final long normW;

    private DeviceMixer(MambaShape shape, boolean bf16, long inProj, long outProj, long convW, long convB, long dtBias,
                        long a, long d, long normW) {
        this.shape = shape;
        this.bf16 = bf16;
        this.inProj = inProj;
        this.outProj = outProj;
        this.convW = convW;
        this.convB = convB;
        this.dtBias = dtBias;
        this.a = a;
        this.d = d;
        this.normW = normW;
    }

    /**
     * Copies a mixer's weights (mamba_ssm names, unprefixed, already validated) to the device.
     *
     * @param mem owner of the allocations
     * @param shape sizes
     * @param w weights
     * @param bf16 bf16 projections
     * @return the mixer
     */
    public static DeviceMixer upload(DeviceMemory mem, MambaShape shape, Parameters w, boolean bf16) {
        double[] aLog = w.get("A_log").toDoubleArray();
        float[] aNeg = new float[aLog.length];
        for (int i = 0; i < aLog.length; i++) {
            aNeg[i] = (float) -Math.exp(aLog[i]);
        }
        return new DeviceMixer(shape, bf16, mem.upload(w.get("in_proj.weight"), bf16),
                mem.upload(w.get("out_proj.weight"), bf16), mem.upload(w.get("conv1d.weight"), false),
                mem.upload(w.get("conv1d.bias"), false), mem.upload(w.get("dt_bias"), false), mem.upload(aNeg),
                mem.upload(w.get("D"), false), mem.upload(w.get("norm.weight"), false));
    }

    /**
     * Random weights drawn on the device with mamba_ssm's ranges (benchmarks: nothing crosses the bus).
     *
     * @param mem owner of the allocations
     * @param k kernels
     * @param shape sizes
     * @param bf16 bf16 projections
     * @param seed seed
     * @return the mixer
     */
    public static DeviceMixer random(DeviceMemory mem, Kernels k, MambaShape shape, boolean bf16, long seed) {
        int es = bf16 ? 2 : 4;
        int dm = shape.dModel();
        int h = shape.heads();
        long inProj = mem.alloc((long) shape.inProjRows() * dm * es);
        k.fillUniform(bf16, inProj, (long) shape.inProjRows() * dm, seed, (float) (1 / Math.sqrt(dm)), 0);
        long outProj = mem.alloc((long) dm * shape.dInner() * es);
        k.fillUniform(bf16, outProj, (long) dm * shape.dInner(), seed + 1, (float) (1 / Math.sqrt(shape.dInner())), 0);
        long convW = mem.alloc(4L * shape.convChannels() * shape.dConv());
        k.fillUniform(false, convW, (long) shape.convChannels() * shape.dConv(), seed + 2, 0.5f, 0);
        long convB = mem.alloc(4L * shape.convChannels());
        k.fillUniform(false, convB, shape.convChannels(), seed + 3, 0.1f, 0);
        long dtBias = mem.alloc(4L * h);
        k.fillUniform(false, dtBias, h, seed + 4, 1f, -4.6f);  // Δ around softplus(−4.6) ≈ 0.01
        long a = mem.alloc(4L * h);
        k.fillUniform(false, a, h, seed + 5, 7.5f, -8.5f);     // A in (−16, −1)
        long d = mem.alloc(4L * h);
        k.fillUniform(false, d, h, seed + 6, 0f, 1f);
        long normW = mem.alloc(4L * shape.dInner());
        k.fillUniform(false, normW, shape.dInner(), seed + 7, 0f, 1f);
        return new DeviceMixer(shape, bf16, inProj, outProj, convW, convB, dtBias, a, d, normW);
    }

    /** @return sizes */
    public MambaShape shape() {
        return shape;
    }

    /** @return parameter count */
    public long parameterCount() {
        long h = shape.heads();
        return (long) shape.inProjRows() * shape.dModel() + (long) shape.dModel() * shape.dInner()
                + (long) shape.convChannels() * (shape.dConv() + 1) + 3 * h + shape.dInner();
    }

    private Kernels.SsdShape ssdShape(Kernels k, int batch, int seqLen) {
        return k.ssdShape(batch, seqLen, shape.heads(), shape.headDim(), shape.nGroups(), shape.dState(), shape.chunkSize());
    }

    /**
     * @param k kernels (for the SSD chunk choice)
     * @param batch samples
     * @param seqLen L
     * @return workspace bytes {@link #forward} needs
     */
    public long workspaceBytes(Kernels k, int batch, int seqLen) {
        return carve(new Workspace.Carver(0), k, batch, seqLen, false).used();
    }

    /**
     * @param k kernels (for the SSD chunk choice)
     * @param batch samples
     * @param seqLen L
     * @return workspace bytes {@link #forwardFoldedNorm} needs: no fp32 y
     */
    public long foldedWorkspaceBytes(Kernels k, int batch, int seqLen) {
        return carve(new Workspace.Carver(0), k, batch, seqLen, true).used();
    }

    private record Buffers(long zx, long dt, long xbc, long y, long yn, long scratch, long used) {
    }

    /** @return the row stride of in_proj's output: without dt's columns when they have a GEMM of their own */
    private int zxStride(boolean folded) {
        return folded && BF16_IN_PROJ ? shape.inProjRows() - shape.heads() : shape.inProjRows();
    }

    private Buffers carve(Workspace.Carver c, Kernels k, int batch, int seqLen, boolean folded) {
        long rows = (long) batch * seqLen;
        int es = bf16 ? 2 : 4;
        boolean split = folded && BF16_IN_PROJ;
        long zx = c.take(rows * zxStride(folded) * (split ? 2 : 4));
        long dt = split ? c.take(rows * shape.heads() * 4) : 0;
        // the folded SSD takes the conv's x, B and C in bf16 (it rounds them to bf16 for its products anyway)
        long xbc = c.take(rows * shape.convChannels() * (folded ? 2 : 4));
        long y = folded ? 0 : c.take(rows * shape.dInner() * 4);  // the folded SSD writes yn directly
        long yn = c.take(rows * shape.dInner() * es);
        long scratch = c.take(ssdShape(k, batch, seqLen).scratchBytes());
        return new Buffers(zx, dt, xbc, y, yn, scratch, c.used());
    }

    /**
     * Queues the mixer (no allocation, no host work: graph-capturable).
     *
     * @param cuda context
     * @param k kernels
     * @param u input [batch·L, d], bf16 in bf16 mode else fp32
     * @param batch samples
     * @param seqLen L
     * @param out fp32 [batch·L, d]
     * @param workspace {@link #workspaceBytes} bytes
     */
    public void forward(CudaContext cuda, Kernels k, long u, int batch, int seqLen, long out, long workspace) {
        forward(cuda, k, u, batch, seqLen, out, workspace, null);
    }

    /** Called after each stage of {@link #forward}, for profiling. */
    public interface StageListener {
        /** @param stage the stage just queued */
        void after(String stage);
    }

    /**
     * As {@link #forward(CudaContext, Kernels, long, int, int, long, long)}, telling a listener after each stage.
     *
     * @param cuda context
     * @param k kernels
     * @param u input
     * @param batch samples
     * @param seqLen L
     * @param out output
     * @param workspace workspace
     * @param listener told after each stage, or null
     */
    public void forward(CudaContext cuda, Kernels k, long u, int batch, int seqLen, long out, long workspace,
                        StageListener listener) {
        forward(cuda, k, u, batch, seqLen, out, 0, workspace, listener);
    }

    /**
     * Whether {@link #forwardFoldedNorm} runs at these sizes: BF16 mode, one group, the tensor-core SSD (the paper's
     * head sizes) and a conv the tiled kernel runs (K ≤ 4), which writes x, B and C in bf16 for it.
     *
     * @param k kernels
     * @param batch samples
     * @param seqLen L
     * @return whether the gated RMSNorm folds into the SSD output kernel
     */
    public boolean foldsGatedNorm(Kernels k, int batch, int seqLen) {
        // B and C start d_inner and d_inner + G·N columns into the conv's bf16 output rows: aligned for 16-byte copies
        // when both are multiples of 8, as the rows' strides must be
        int gn = shape.nGroups() * shape.dState();
        return shape.dInner() % 8 == 0 && gn % 8 == 0 && Kernels.convNarrows(shape.dConv())
                && Kernels.foldsGatedNorm(bf16, ssdShape(k, batch, seqLen), shape.convChannels(), shape.convChannels(),
                        zxStride(true));
    }

    /** @return whether {@link #forwardFoldedNorm} writes its output in bf16 */
    public static boolean foldedOutputBf16() {
        return BF16_OUT;
    }

    /**
     * The mixer with its gated RMSNorm folded away (PERF.md): {@code out} is out_proj of the un-normalized gated
     * output, and {@code rowSs} [batch·L, heads] holds each row's sums of squares per head, from which the consumer
     * applies the norm's per-row scale (it commutes with out_proj:
     * {@link Kernels#addRmsnorm(long, long, boolean, long, long, int, int, long, long, boolean, long, int, int, int, int)}).
     * One launch and the fp32 y round trip fewer per block. Needs {@link #foldsGatedNorm}: {@link Kernels#ssdFoldedNorm}
     * refuses other sizes.
     *
     * @param cuda context
     * @param k kernels
     * @param u input [batch·L, d], bf16
     * @param batch samples
     * @param seqLen L
     * @param out [batch·L, d], before the norm's scale: bf16 where {@link #foldedOutputBf16()}, else fp32
     * @param rowSs fp32 [batch·L, heads]
     * @param workspace {@link #foldedWorkspaceBytes} bytes
     * @param listener told after each stage, or null
     */
    public void forwardFoldedNorm(CudaContext cuda, Kernels k, long u, int batch, int seqLen, long out, long rowSs,
                                  long workspace, StageListener listener) {
        if (rowSs == 0) {
            throw new IllegalArgumentException("rowSs: a sums-of-squares buffer, not 0");
        }
        forward(cuda, k, u, batch, seqLen, out, rowSs, workspace, listener);
    }

    private void forward(CudaContext cuda, Kernels k, long u, int batch, int seqLen, long out, long rowSs,
                         long workspace, StageListener listener) {
        StageListener mark = listener != null ? listener : s -> { };
        Buffers buf = carve(new Workspace.Carver(workspace), k, batch, seqLen, rowSs != 0);
        Kernels.SsdShape ssd = ssdShape(k, batch, seqLen);
        int rows = batch * seqLen;
        int es = 4;
        int type = bf16 ? Cublas.R_16BF : Cublas.R_32F;
        int dm = shape.dModel();
        int di = shape.dInner();
        int gn = shape.nGroups() * shape.dState();
        boolean folded = rowSs != 0;
        boolean split = folded && BF16_IN_PROJ;
        int zxStride = zxStride(folded);
        int conv = shape.convChannels();
        int h = shape.heads();
        boolean dtProjected = false;
        if (split) {  // in_proj's weight rows are z, x, B, C, then dt: two products over one weight
            cuda.gemm().linear(rows, zxStride, dm, u, dm, inProj, type, buf.zx(), zxStride, Cublas.R_16BF, false);
            long dtWeight = inProj + 2L * zxStride * dm;
            dtProjected = rows <= DT_PROJECTION_MAX_ROWS && k.dtProjection(u, dm, dtWeight, buf.dt(), rows, h, dm);
            if (!dtProjected) {
                cuda.gemm().linear(rows, h, dm, u, dm, dtWeight, type, buf.dt(), h, Cublas.R_32F, false);
            }
        } else {
            cuda.gemm().linear(rows, zxStride, dm, u, dm, inProj, type, buf.zx(), zxStride, Cublas.R_32F, false);
        }
        mark.after("in_proj");
        long dts = split ? buf.dt() : buf.zx() + (long) (2 * di + 2 * gn) * es;
        int dtStride = split ? h : zxStride;
        boolean zoh = shape.discretization() == Discretization.ZOH;
        // the SSD's weights in the conv's launch where they can share it (bf16 in and out)
        boolean weightsDone = split && k.convSiluWithWeights(buf.zx(), zxStride, di, buf.xbc(), conv, convW, convB,
                rows, conv, shape.dConv(), ssd, dts, dtStride, dtBias, a, zoh, buf.scratch(), dtProjected);
        if (!weightsDone) {
            k.convSilu(split, folded, buf.zx(), zxStride, di, buf.xbc(), conv, convW, convB, rows, seqLen, conv,
                    shape.dConv());
        }
        mark.after("conv");
        int xbcEs = folded ? 2 : es;
        long xs = buf.xbc();
        long bs = buf.xbc() + (long) di * xbcEs;
        long cs = buf.xbc() + (long) (di + gn) * xbcEs;
        if (folded) {
            k.ssdFoldedNorm(ssd, xs, conv, bs, cs, conv, dts, dtStride, dtBias, a, zoh, d,
                    buf.zx(), zxStride, split, normW, buf.yn(), di, rowSs, buf.scratch(), weightsDone, mark::after);
            mark.after("ssd_output");
        } else {
            k.ssd(false, bf16, ssd, xs, conv, bs, cs, conv, dts, zxStride, dtBias, true, a, zoh, d,
                    buf.zx(), zxStride, buf.y(), di, buf.scratch(), mark::after);
            mark.after("ssd_output");
            k.groupRmsnorm(bf16, buf.y(), normW, buf.yn(), rows, di, shape.nGroups());
            mark.after("norm");
        }
        cuda.gemm().linear(rows, dm, di, buf.yn(), di, outProj, type, out, dm,
                folded && BF16_OUT ? Cublas.R_16BF : Cublas.R_32F, false);
        mark.after("out_proj");
    }
}

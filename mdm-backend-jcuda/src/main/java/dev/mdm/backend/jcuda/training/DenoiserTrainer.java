package dev.mdm.backend.jcuda.training;

import dev.mdm.MdmConfig;
import dev.mdm.backend.jcuda.cuda.CudaContext;
import dev.mdm.backend.jcuda.cuda.Cublas;
import dev.mdm.backend.jcuda.model.DeviceMemory;
import dev.mdm.backend.jcuda.cuda.KernelArgs;
import dev.mdm.backend.jcuda.model.DeviceModel;

/**
 * The denoiser of SPEC §2 (time MLP, sequence embedding, the M blocks through {@link BlockTrainer}, norm_f,
 * latent_out), forward and backward, fp32. Keeps the residual stream at every block boundary for the backward pass.
 * The forward embedding runs the inference kernels ({@code time_embedding}, {@code embed_sequence}), so training and
 * inference embed identically (decision D5). Not thread-safe.
 */
public final class DenoiserTrainer implements AutoCloseable {
    private static final int THREADS = 256;
    private static final float EPS = 1e-5f;
    private static final int FREQUENCIES = 2 * DeviceModel.TIME_HALF;

    private final CudaContext cuda;
    private final MdmConfig config;
    private final ParameterArena arena;
    private final BlockTrainer blocks;
    private final TrainingOps ops;
    private final int maxBatch;
    private final DeviceMemory memory;
    private final long temb;
    private final long thPre;
    private final long th;
    private final long timeTok;
    private final long latTok;
    private final long[] residual;
    private final long hf;
    private final long rstd;
    private final long dA;
    private final long dB;
    private final long dHf;
    private final long dLat;
    private final long dTh;
    private long zt;
    private long classIds;
    private int batch = -1;
    private boolean closed;

    /**
     * @param cuda the device
     * @param config model sizes
     * @param arena weights and gradients
     * @param blocks the block layer
     * @param maxBatch the most samples one call will see
     * @param gemmCompute how the time MLP's, latent_in's and latent_out's GEMMs form their products
     */
    public DenoiserTrainer(CudaContext cuda, MdmConfig config, ParameterArena arena, BlockTrainer blocks, int maxBatch,
                           Cublas.Compute gemmCompute) {
        this.cuda = cuda;
        this.memory = new DeviceMemory(cuda);
        this.config = config;
        this.arena = arena;
        this.blocks = blocks;
        this.ops = new TrainingOps(cuda, gemmCompute, arena);
        this.maxBatch = maxBatch;
        long d = config.dModel();
        long b = maxBatch;
        long nlat = config.latentTokens();
        long stream = b * config.sequenceLength() * d;
        try {
            temb = alloc(b * FREQUENCIES, "the time embedding");
            thPre = alloc(b * d, "the time MLP's hidden pre-activation");
            th = alloc(b * d, "the time MLP's hidden activation");
            timeTok = alloc(b * d, "the time token");
            latTok = alloc(b * nlat * d, "latent_in's output");
            residual = new long[config.blocks() + 1];
            for (int i = 0; i < residual.length; i++) {
                residual[i] = alloc(stream, "residual stream " + i + " of " + residual.length);
            }
            hf = alloc(b * nlat * d, "norm_f's output");
            rstd = alloc(b * nlat, "norm_f's inverse RMS");
            dA = alloc(stream, "the residual-stream gradient");
            dB = alloc(stream, "the residual-stream gradient");
            dHf = alloc(b * nlat * d, "norm_f's output gradient");
            dLat = alloc(b * nlat * d, "latent_in's output gradient");
            dTh = alloc(b * d, "the time MLP's hidden gradient");
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private long alloc(long floats, String purpose) {
        return memory.alloc(floats * Float.BYTES, "denoiser training: " + purpose + " (batch " + maxBatch + ")");
    }

    /** @return the most samples one call may have */
    public int maxBatch() {
        return maxBatch;
    }

    /**
     * Queues the forward pass. {@code zt} and {@code classIds} are read again by {@link #backward}: keep them unchanged
     * until then.
     *
     * @param zt fp32 [b, n_img + Lt, dz] latents
     * @param timeInput fp32 [b] t − 1
     * @param classIds int32 [b]
     * @param batch samples
     * @param zhat0 fp32 [b, n_img + Lt, dz], written
     */
    public void forward(long zt, long timeInput, long classIds, int batch, long zhat0) {
        ensureOpen();
        if (batch < 1 || batch > maxBatch) {
            throw new IllegalArgumentException("batch " + batch + " outside [1, " + maxBatch + "]");
        }
        this.zt = zt;
        this.classIds = classIds;
        this.batch = batch;
        int d = config.dModel();
        int seqLen = config.sequenceLength();
        int nImg = config.imageTokens();
        int nlat = config.latentTokens();
        int dz = config.latentDim();
        cuda.launch1d("time_embedding", (long) batch * DeviceModel.TIME_HALF,
                new KernelArgs().ptr(timeInput).ptr(temb).i(batch).i(DeviceModel.TIME_HALF));
        ops.linearForward(batch, FREQUENCIES, d, temb, FREQUENCIES, arena.weight("time_mlp.0.weight"),
                arena.weight("time_mlp.0.bias"), thPre, d);
        ops.siluForward(thPre, th, (long) batch * d);
        ops.linearForward(batch, d, d, th, d, arena.weight("time_mlp.2.weight"), arena.weight("time_mlp.2.bias"),
                timeTok, d);
        ops.linearForward(batch * nlat, dz, d, zt, dz, arena.weight("latent_in.weight"), 0, latTok, d);
        cuda.launch1d("embed_sequence", (long) batch * seqLen * d, new KernelArgs().ptr(residual[0]).ptr(timeTok)
                .ptr(arena.weight("class_embed")).ptr(classIds).ptr(arena.weight("boi")).ptr(arena.weight("bot"))
                .ptr(latTok).ptr(arena.weight("pos")).ptr(arena.weight("modality")).i(batch).i(seqLen).i(nImg).i(d));
        for (int i = 0; i < config.blocks(); i++) {
            blocks.forward(i, residual[i], residual[i + 1], batch);
        }
        long last = residual[config.blocks()];
        cuda.launch("tm_rmsnorm_latent_fwd", new int[] {batch * nlat}, THREADS, 0, new KernelArgs().ptr(last)
                .ptr(arena.weight("norm_f.weight")).ptr(hf).ptr(rstd).i(seqLen).i(nImg).i(nlat).i(d).f(EPS));
        ops.linearForward(batch * nlat, d, dz, hf, d, arena.weight("latent_out.weight"), 0, zhat0, dz);
    }

    /**
     * Queues the backward pass of the last {@link #forward}, adding every denoiser parameter's gradient.
     *
     * @param dZhat0 ∂L/∂ẑ_0
     * @param dZt ∂L/∂z_t through the denoiser, written
     * @param batch samples (as in the forward pass)
     */
    public void backward(long dZhat0, long dZt, int batch) {
        ensureOpen();
        if (batch != this.batch) {
            throw new IllegalStateException("backward for batch " + batch + " after a forward pass of batch " + this.batch);
        }
        int d = config.dModel();
        int seqLen = config.sequenceLength();
        int nImg = config.imageTokens();
        int nlat = config.latentTokens();
        int dz = config.latentDim();
        int rows = batch * nlat;
        long last = residual[config.blocks()];
        // latent_out, then norm_f back into the residual stream (non-latent positions receive no gradient)
        ops.linearBackward(rows, d, dz, hf, d, arena.weight("latent_out.weight"), dZhat0, dz, dHf, d, false,
                arena.grad("latent_out.weight"), 0);
        cuda.memsetZero(dA, 4L * batch * seqLen * d);
        long normW = arena.weight("norm_f.weight");
        cuda.launch("tm_rmsnorm_latent_bwd", new int[] {rows}, THREADS, 0, new KernelArgs().ptr(last).ptr(normW)
                .ptr(rstd).ptr(dHf).ptr(dA).i(seqLen).i(nImg).i(nlat).i(d));
        int chunks = TrainingOps.chunks(rows);
        long partial = ops.partials((long) chunks * d);
        cuda.launch("tm_rmsnorm_latent_dw", new int[] {(d + THREADS - 1) / THREADS, chunks}, THREADS, 0, new KernelArgs()
                .ptr(last).ptr(rstd).ptr(dHf).ptr(partial).i(rows).i(seqLen).i(nImg).i(nlat).i(d));
        ops.finishColumnSum(partial, chunks, d, arena.grad("norm_f.weight"));
        long dOut = dA;
        long dIn = dB;
        for (int i = config.blocks() - 1; i >= 0; i--) {
            blocks.backward(i, residual[i], dOut, dIn, batch);
            long t = dOut;
            dOut = dIn;
            dIn = t;
        }
        long dE = dOut;
        // the embedding's tables, from the batch sums of dE per (position, column)
        int sampleChunks = TrainingOps.chunks(batch);
        long sampleSums = ops.columnSumPartials(dE, batch, seqLen * d, seqLen * d);
        cuda.launch1d("tm_embed_tables_bwd", (long) (seqLen + 3) * d, new KernelArgs().ptr(sampleSums).i(sampleChunks)
                .ptr(arena.grad("pos")).ptr(arena.grad("modality")).ptr(arena.grad("boi")).ptr(arena.grad("bot"))
                .i(seqLen).i(nImg).i(d));
        int classRows = config.classes() + 1;
        cuda.launch1d("tm_class_embed_bwd", (long) classRows * d, new KernelArgs().ptr(dE).ptr(classIds)
                .ptr(arena.grad("class_embed")).i(batch).i(classRows).i(seqLen).i(d));
        // latent_in: its output gradient at the image and text positions, then dZt
        cuda.launch1d("tm_gather_latent_grad", (long) rows * d, new KernelArgs().ptr(dE).ptr(dLat).i(batch).i(seqLen)
                .i(nImg).i(nlat).i(d));
        ops.linearBackward(rows, dz, d, zt, dz, arena.weight("latent_in.weight"), dLat, d, dZt, dz, false,
                arena.grad("latent_in.weight"), 0);
        // the time MLP, from the TIME position (row stride L·d)
        int ld = seqLen * d;
        ops.linearBackward(batch, d, d, th, d, arena.weight("time_mlp.2.weight"), dE, ld, dTh, d, false,
                arena.grad("time_mlp.2.weight"), arena.grad("time_mlp.2.bias"));
        ops.siluBackward(thPre, dTh, dTh, (long) batch * d);
        ops.linearBackward(batch, FREQUENCIES, d, temb, FREQUENCIES, arena.weight("time_mlp.0.weight"), dTh, d, 0,
                FREQUENCIES, false, arena.grad("time_mlp.0.weight"), arena.grad("time_mlp.0.bias"));
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("DenoiserTrainer (" + config + ") is closed");
        }
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

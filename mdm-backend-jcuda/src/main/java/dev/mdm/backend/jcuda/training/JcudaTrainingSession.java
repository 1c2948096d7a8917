package dev.mdm.backend.jcuda.training;

import dev.mdm.InvalidInputException;
import dev.mdm.MdmConfig;
import dev.mdm.Precision;
import dev.mdm.backend.jcuda.cuda.CudaContext;
import dev.mdm.backend.jcuda.cuda.Cublas;
import dev.mdm.backend.jcuda.cuda.KernelArgs;
import dev.mdm.model.GradientResult;
import dev.mdm.model.LossBreakdown;
import dev.mdm.model.OptimizerSettings;
import dev.mdm.model.OptimizerState;
import dev.mdm.model.Parameters;
import dev.mdm.model.TrainingBatch;
import dev.mdm.model.TrainingSession;
import dev.mdm.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@link TrainingSession} on the GPU: encode → denoise → losses → backward (denoiser, then encoder) → global-norm
 * clipping, AdamW and EMA as one kernel each over the flat buffers of a {@link ParameterArena}. The update also clears
 * the gradients the next backward adds to (the others it writes whole), so a step needs no memset of ∇θ.
 * Activations, gradients, master weights and optimizer state are fp32 at either precision; the linear layers' GEMMs
 * (fp32 in and out) form their products in fp32 for an FP32 runtime and on TF32 tensor cores for a BF16 runtime,
 * whose inference already rounds to bf16 (other choices: {@link #GEMM_PROPERTY}).
 * The master weights live in the arena; the owning runtime is told after every step so that its inference weights
 * follow. {@link #step} returns once the update is queued: what reads the arena waits for it (downloads synchronize the
 * stream), while the caller prepares its next batch beside it. The layer trainers are sized for the largest batch seen
 * and re-created when a larger one arrives.
 * Not thread-safe (the owner's lock serializes device work).
 */
public final class JcudaTrainingSession implements TrainingSession {
    private static final int THREADS = 256;
    private static final int NORM_PARTS = 1024;
    /** PyTorch's clip_grad_norm_ guard against a zero norm. */
    private static final double CLIP_EPS = 1e-6;

    /** The runtime a session trains. */
    public interface Owner {
        /**
         * @param work the session's device work
         * @param <T> result type
         * @return its result, run under the device lock with the context current, after checking the owner is open;
         *     the owner's inference copy of the weights is left as it is (a session reads its own arena), to be
         *     brought up to date when inference or {@code parameters()} next needs it, not at every step
         */
        <T> T lockedForSession(Supplier<T> work);

        /** @param session whose arena now holds newer weights than the owner's inference copy */
        void weightsUpdated(JcudaTrainingSession session);

        /** @param session about to free its arena (called under the device lock) */
        void released(JcudaTrainingSession session);
    }

    private final CudaContext cuda;
    private final MdmConfig config;
    private final OptimizerSettings settings;
    private final Cublas.Compute gemmCompute;
    private final Owner owner;
    private final ParameterArena arena;
    private final long normPartials;
    private final long normOut;
    /**
     * Whether every gradient the backward adds to is zero: after allocation, and after an update (which clears them);
     * the others the backward writes whole. Otherwise (after {@link #gradients}, or a step refused) a backward first
     * clears all, a 5.4 GB memset at the paper's size.
     */
    private boolean accumulatedGradientsZero = true;
    private BlockTrainer blocks;
    private VaeLossTrainer vae;
    private DenoiserTrainer denoiser;
    private int capacity;
    private long timeInput;
    private long classIds;
    private long zt;
    private long zhat0;
    private long dZhat0;
    private long dZt;
    private long steps;
    private boolean closed;

    /**
     * Uploads the weights (and the resume state) into a new arena. Call under the device lock.
     *
     * @param cuda the device
     * @param config model sizes
     * @param settings optimizer settings
     * @param weights the current weights, every parameter of the layout
     * @param resumeState {@code adam.m.*}, {@code adam.v.*}, {@code ema.*}, {@code adam.step}, or null to start fresh
     * @param owner the runtime
     * @param precision the runtime's precision, which picks the GEMMs' compute type ({@link #gemmCompute})
     */
    public JcudaTrainingSession(CudaContext cuda, MdmConfig config, OptimizerSettings settings, Parameters weights,
                                Parameters resumeState, Owner owner, Precision precision) {
        if (settings == null) {
            throw new InvalidInputException("settings", "optimizer settings", "null");
        }
        this.cuda = cuda;
        this.config = config;
        this.settings = settings;
        this.owner = owner;
        this.gemmCompute = gemmCompute(precision);
        Map<String, int[]> layout = dev.mdm.model.ParameterLayout.of(config);
        if (resumeState != null) {
            OptimizerState.requireResumable(layout, resumeState);
        }
        ParameterArena a = ParameterArena.allocate(cuda, config, gemmCompute == Cublas.Compute.BF16,
                BlockTrainer.gradientsWrittenWhole(config));
        long partials = 0;
        long out = 0;
        try {
            partials = cuda.alloc((long) NORM_PARTS * Double.BYTES, "gradient-norm partial sums");
            out = cuda.alloc(Double.BYTES, "gradient norm");
            a.upload(a.weights(), weights);
            if (resumeState == null) {
                cuda.copyAsync(a.ema(), a.weights(), a.count() * Float.BYTES);
            } else {
                a.upload(a.adamM(), resumeState.withPrefixRemoved("adam.m."));
                a.upload(a.adamV(), resumeState.withPrefixRemoved("adam.v."));
                a.upload(a.ema(), resumeState.withPrefixRemoved("ema."));
                steps = resumeState.get("adam.step").getLong(0);
            }
            cuda.synchronize();
        } catch (RuntimeException e) {
            cuda.free(partials, (long) NORM_PARTS * Double.BYTES);
            cuda.free(out, Double.BYTES);
            a.close();
            throw e;
        }
        this.arena = a;
        this.normPartials = partials;
        this.normOut = out;
    }

    /**
     * The system property that picks a BF16 runtime's training GEMMs: {@code bf16} (the default), {@code tf32} or
     * {@code fp32}. An FP32 runtime always forms exact fp32 products, as its fp32 tolerance requires.
     */
    public static final String GEMM_PROPERTY = "mdm.jcuda.trainingGemm";

    /**
     * @param precision the runtime's precision
     * @return the compute type of its training GEMMs, {@link #GEMM_PROPERTY} applied
     */
    static Cublas.Compute gemmCompute(Precision precision) {
        return gemmCompute(precision, System.getProperty(GEMM_PROPERTY));
    }

    /**
     * {@code bf16} rounds both operands of every training GEMM to bf16 with a kernel of our own (2⁻⁸ relative at
     * most) and multiplies them on bf16 tensor cores with fp32 accumulation (asked for
     * {@code CUBLAS_COMPUTE_32F_FAST_16BF} with fp32 matrices, cuBLAS 13.1 ran TF32 kernels for every training shape
     * profiled). {@code tf32} rounds them to 10-bit mantissas on the tensor cores. Both pass the bf16 kit's gradient
     * rules; bf16 is the faster at the paper's widths (TRAINING.md).
     *
     * @param precision the runtime's precision
     * @param choice the value of {@link #GEMM_PROPERTY}, or null for the default
     * @return the compute type of its training GEMMs
     */
    static Cublas.Compute gemmCompute(Precision precision, String choice) {
        if (precision != Precision.BF16) {
            return Cublas.Compute.FP32;
        }
        if (choice == null) {
            return Cublas.Compute.BF16;
        }
        return switch (choice.strip().toLowerCase(Locale.ROOT)) {
            case "bf16" -> Cublas.Compute.BF16;
            case "tf32" -> Cublas.Compute.TF32;
            case "fp32" -> Cublas.Compute.FP32;
            default -> throw new InvalidInputException("system property " + GEMM_PROPERTY, "bf16, tf32 or fp32",
                    "'" + choice + "'");
        };
    }

    /** @return how this session's GEMMs form their products */
    public Cublas.Compute gemmCompute() {
        return gemmCompute;
    }

    /**
     * @return whether the blocks' backward starts from activations their forward kept ({@link BlockTrainer}); false
     *         before the first step, which sizes the buffers
     */
    public boolean keepsActivations() {
        return blocks != null && blocks.keepsActivations();
    }

    /**
     * @return whether the SSD backward's chunk kernel forms its products on tensor cores in TF32 ({@link BlockTrainer});
     *         false before the first step
     */
    public boolean tf32ChunkProducts() {
        return blocks != null && blocks.tf32ChunkProducts();
    }

    @Override
    public GradientResult gradients(TrainingBatch batch) {
        int b = validate(batch);
        return owner.lockedForSession(() -> {
            ensureOpen();
            LossBreakdown loss = backward(batch, b);
            return new GradientResult(loss, arena.download(arena.grads()));
        });
    }

    @Override
    public LossBreakdown step(TrainingBatch batch) {
        int b = validate(batch);
        return owner.lockedForSession(() -> {
            ensureOpen();
            LossBreakdown loss = backward(batch, b);
            update();
            owner.weightsUpdated(this);
            return loss;
        });
    }

    private int validate(TrainingBatch batch) {
        if (batch == null) {
            throw new InvalidInputException("batch", "a training batch", "null");
        }
        batch.validate(config);
        int b = batch.images().dim(0);
        if (b < 1) {
            throw new InvalidInputException("batch", "at least one sample", "0 samples");
        }
        return b;
    }

    /** Loss and ∇θ (in the arena's gradient buffer) for one batch. */
    private LossBreakdown backward(TrainingBatch batch, int b) {
        ensureCapacity(b);
        float[] t = new float[b];
        long[] steps = batch.timesteps().toLongArray();
        for (int i = 0; i < b; i++) {
            t[i] = steps[i] - 1;
        }
        cuda.upload(timeInput, t);
        cuda.upload(classIds, batch.classIds().toIntArray());
        if (!accumulatedGradientsZero) {
            arena.zeroGrads();
        }
        accumulatedGradientsZero = false;
        vae.encode(batch, zt);
        denoiser.forward(zt, timeInput, classIds, b, zhat0);
        vae.lossAndGradient(zhat0, dZhat0);
        denoiser.backward(dZhat0, dZt, b);
        vae.backwardEncoder(dZt);
        return vae.losses();
    }

    private void ensureCapacity(int b) {
        if (b <= capacity) {
            return;
        }
        freeTrainers();
        long lat = (long) b * config.latentTokens() * config.latentDim() * Float.BYTES;
        try {
            timeInput = cuda.alloc(4L * b, "training t − 1");
            classIds = cuda.alloc(4L * b, "training class ids");
            zt = cuda.alloc(lat, "training z_t");
            zhat0 = cuda.alloc(lat, "training ẑ_0");
            dZhat0 = cuda.alloc(lat, "training ∂L/∂ẑ_0");
            dZt = cuda.alloc(lat, "training ∂L/∂z_t");
            capacity = b;
            blocks = new BlockTrainer(cuda, config, arena, b, gemmCompute);
            vae = new VaeLossTrainer(cuda, config, arena, b, gemmCompute);
            denoiser = new DenoiserTrainer(cuda, config, arena, blocks, b, gemmCompute);
        } catch (RuntimeException e) {
            freeTrainers();
            throw e;
        }
    }

    private void freeTrainers() {
        if (denoiser != null) {
            denoiser.close();
        }
        if (vae != null) {
            vae.close();
        }
        if (blocks != null) {
            blocks.close();
        }
        denoiser = null;
        vae = null;
        blocks = null;
        long lat = (long) capacity * config.latentTokens() * config.latentDim() * Float.BYTES;
        cuda.free(timeInput, 4L * capacity);
        cuda.free(classIds, 4L * capacity);
        for (long p : new long[] {zt, zhat0, dZhat0, dZt}) {
            cuda.free(p, lat);
        }
        timeInput = classIds = zt = zhat0 = dZhat0 = dZt = 0;
        capacity = 0;
    }

    /**
     * Clipping, AdamW and EMA over the flat buffers, queued and not waited for; refuses a non-finite gradient norm,
     * changing nothing.
     */
    private void update() {
        long n = arena.count();
        cuda.launch("tm_sumsq_partial", new int[] {NORM_PARTS}, THREADS, 0,
                new KernelArgs().ptr(arena.grads()).l(n).ptr(normPartials));
        cuda.launch("tm_sumsq_final", new int[] {1}, THREADS, 0,
                new KernelArgs().ptr(normPartials).i(NORM_PARTS).ptr(normOut));
        double norm = Math.sqrt(downloadDouble(normOut));
        if (!Double.isFinite(norm)) {
            throw new IllegalStateException("non-finite gradient norm (" + norm + ") at step " + (steps + 1)
                    + "; the weights and optimizer state were left unchanged (lower the learning rate?)");
        }
        double scale = settings.gradClipNorm() > 0 ? Math.min(1, settings.gradClipNorm() / (norm + CLIP_EPS)) : 1;
        long t = steps + 1;
        // not waited for: the caller's next batch is checked and converted while the update runs, and every read of
        // the arena (downloads, ParameterArena.upload) waits for the stream first
        arena.adamwEmaStep(settings, t, scale);
        accumulatedGradientsZero = true;
        steps = t;
    }

    private double downloadDouble(long address) {
        float[] two = cuda.downloadFloats(address, 2);
        ByteBuffer buf = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
        buf.putFloat(two[0]).putFloat(two[1]);
        return buf.getDouble(0);
    }

    /**
     * The current master weights. Call under the device lock.
     *
     * @return θ as F32 tensors under the parameter names
     */
    public Parameters weights() {
        ensureOpen();
        return arena.download(arena.weights());
    }

    @Override
    public long steps() {
        ensureOpen();
        return steps;
    }

    @Override
    public Parameters emaParameters() {
        return owner.lockedForSession(() -> {
            ensureOpen();
            return arena.download(arena.ema());
        });
    }

    @Override
    public Parameters optimizerState() {
        return owner.lockedForSession(() -> {
            ensureOpen();
            var out = new LinkedHashMap<String, Tensor>();
            arena.download(arena.adamM()).asMap().forEach((k, v) -> out.put("adam.m." + k, v));
            arena.download(arena.adamV()).asMap().forEach((k, v) -> out.put("adam.v." + k, v));
            arena.download(arena.ema()).asMap().forEach((k, v) -> out.put("ema." + k, v));
            out.put("adam.step", Tensor.ofLongs(new long[] {steps}));
            return Parameters.of(out);
        });
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("JcudaTrainingSession (" + config + ") is closed");
        }
    }

    /** @return whether {@link #close} ran */
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        cuda.lock().lock();
        try {
            if (closed) {
                return;
            }
            cuda.enter();
            // the owner may copy the latest weights out of the arena before it goes
            owner.released(this);
            closed = true;
            cuda.synchronize();  // the last step's update may still be running on the arena
            freeTrainers();
            cuda.free(normPartials, (long) NORM_PARTS * Double.BYTES);
            cuda.free(normOut, Double.BYTES);
            arena.close();
        } finally {
            cuda.lock().unlock();
        }
    }
}

package dev.mdm.backend.jcuda;

import dev.mdm.InvalidInputException;
import dev.mdm.MdmConfig;
import dev.mdm.backend.jcuda.cuda.CudaContext;
import dev.mdm.backend.jcuda.cuda.Kernels;
import dev.mdm.backend.jcuda.model.DeviceModel;
import dev.mdm.backend.jcuda.model.DeviceSamplingLoop;
import dev.mdm.backend.jcuda.model.Patches;
import dev.mdm.backend.jcuda.model.Workspace;
import dev.mdm.backend.jcuda.training.JcudaTrainingSession;
import dev.mdm.model.Decoder;
import dev.mdm.model.Denoiser;
import dev.mdm.model.Encoder;
import dev.mdm.model.LatentDistribution;
import dev.mdm.model.LossBreakdown;
import dev.mdm.model.LossFunction;
import dev.mdm.model.MambaBlock;
import dev.mdm.model.OptimizerSettings;
import dev.mdm.model.Parameters;
import dev.mdm.model.ScanSwitch;
import dev.mdm.model.TrainingBatch;
import dev.mdm.model.TrainingSession;
import dev.mdm.sampling.SamplerSettings;
import dev.mdm.sampling.SamplingRun;
import dev.mdm.spi.ModelRuntime;
import dev.mdm.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One MDM model on the GPU. The denoiser is recorded as one CUDA graph per batch size on its first call and
 * replayed afterwards (system property {@code mdm.jcuda.graphs=false} turns this off); its workspace grows to the
 * largest batch seen and is then reused, so steady-state calls allocate nothing on the device. A call too large for
 * the GPU's free memory throws {@link DeviceOutOfMemoryException} before queuing any work; the workspace keeps its
 * previous size and the model stays usable.
 *
 * <p>A task's whole DPM-Solver 2M run ({@link #sampleWhole}) is recorded as one CUDA graph too, per batch size and
 * sampling settings (at most {@link #MAX_LOOP_GRAPHS} kept), with no host work between its steps; system property
 * {@code mdm.jcuda.wholeLoop=false} leaves every run to the host sampler instead.
 *
 * <p>Training sessions ({@link #train}) keep fp32 master weights of their own; after a step this runtime's weights are
 * stale and are re-read from the session (and re-converted to this runtime's precision) on the next call that uses
 * them, and when the session closes.
 */
final class JcudaModelRuntime implements ModelRuntime, JcudaTrainingSession.Owner {
    private final JcudaBackend backend;
    private final CudaContext cuda;
    private final MdmConfig config;
    private Parameters parameters;
    private DeviceModel model;
    private Kernels k;
    private final List<JcudaTrainingSession> sessions = new ArrayList<>();
    private JcudaTrainingSession newerWeights;
    private final Workspace workspace;
    private final Map<Integer, CudaContext.Graph> graphs = new HashMap<>();
    /** Whole sampling runs recorded, by everything that shapes their graph. */
    private final Map<LoopKey, CudaContext.Graph> loops = new HashMap<>();
    static final int MAX_LOOP_GRAPHS = 8;
    private final boolean wholeLoop = !"false".equalsIgnoreCase(System.getProperty("mdm.jcuda.wholeLoop"));
    private final boolean useGraphs = !"false".equalsIgnoreCase(System.getProperty("mdm.jcuda.graphs"));
    private long graphBase;
    private boolean closed;

    JcudaModelRuntime(JcudaBackend backend, MdmConfig config, Parameters parameters) {
        this.backend = backend;
        this.cuda = backend.cuda();
        this.config = config;
        this.parameters = parameters;
        this.model = DeviceModel.upload(cuda, config, parameters, backend.bf16());
        this.k = model.kernels();
        this.workspace = new Workspace(cuda);
    }

    /**
     * @param work inference work, or a read of the weights
     * @param <T> result type
     * @return its result, under the device lock, after checking this runtime is open and taking the newest weights
     *     a training session wrote
     */
    public <T> T locked(java.util.function.Supplier<T> work) {
        return backend.locked(() -> {
            if (closed) {
                throw new IllegalStateException("JcudaModelRuntime (" + config + ") is closed");
            }
            refreshWeights();
            return work.get();
        });
    }

    @Override
    public <T> T lockedForSession(java.util.function.Supplier<T> work) {
        // no refreshWeights(): downloading every weight and rebuilding the inference model before each training
        // step cost `mdm train` ≈ 15 ms a step of fashion's 80 (session 21, a JFR profile on the H100)
        return backend.locked(() -> {
            if (closed) {
                throw new IllegalStateException("JcudaModelRuntime (" + config + ") is closed");
            }
            return work.get();
        });
    }

    /** Takes the newest weights from the session that changed them, rebuilding the inference model (lock held). */
    private void refreshWeights() {
        if (newerWeights == null) {
            return;
        }
        Parameters updated = newerWeights.weights();
        newerWeights = null;
        DeviceModel rebuilt = DeviceModel.upload(cuda, config, updated, backend.bf16());
        closeGraphs();
        model.close();
        model = rebuilt;
        k = model.kernels();
        parameters = updated;
    }

    @Override
    public void weightsUpdated(JcudaTrainingSession session) {
        newerWeights = session;
    }

    @Override
    public void released(JcudaTrainingSession session) {
        sessions.remove(session);
        if (newerWeights == session && !closed) {
            refreshWeights();
        }
        if (newerWeights == session) {
            newerWeights = null;
        }
    }

    @Override
    public MdmConfig config() {
        return config;
    }

    @Override
    public Encoder encoder() {
        return new Encoder() {
            @Override
            public LatentDistribution encodeImage(Tensor images) {
                int b = images.requireShape("images", -1, config.imageChannels(), config.imageHeight(), config.imageWidth()).dim(0);
                images.requireFinite("images");
                float[] patches = Patches.patchify(config, images.toDoubleArray(), b);
                DeviceModel.Vae v = model.vae();
                return split(mlp(patches, b * config.imageTokens(), config.patchDim(), v.imgEnc1W(), v.imgEnc1B(),
                        v.imgEnc2W(), v.imgEnc2B(), 2 * config.latentDim()), b, config.imageTokens());
            }

            @Override
            public LatentDistribution encodeText(Tensor tokens) {
                int b = tokens.requireShape("tokens", -1, config.textLength()).dim(0);
                int[] ids = tokenIds(tokens);
                DeviceModel.Vae v = model.vae();
                return split(mlpFromIds(ids, v), b, config.textLength());
            }
        };
    }

    private int[] tokenIds(Tensor tokens) {
        if (tokens.dtype().isFloating()) {
            throw new InvalidInputException("tokens", "an integer dtype", tokens.dtype().toString());
        }
        int[] ids = tokens.toIntArray();
        for (int id : ids) {
            if (id < 0 || id >= config.vocabSize()) {
                throw new InvalidInputException("tokens", "ids in [0, " + config.vocabSize() + ")", String.valueOf(id));
            }
        }
        return ids;
    }

    private LatentDistribution split(float[] stats, int b, int tokens) {
        int dz = config.latentDim();
        float[] mean = new float[b * tokens * dz];
        float[] logVar = new float[mean.length];
        for (int r = 0; r < b * tokens; r++) {
            System.arraycopy(stats, r * 2 * dz, mean, r * dz, dz);
            System.arraycopy(stats, r * 2 * dz + dz, logVar, r * dz, dz);
        }
        return new LatentDistribution(Tensor.ofFloats(mean, b, tokens, dz), Tensor.ofFloats(logVar, b, tokens, dz));
    }

    /** act(in·W1ᵀ + b1) then ·W2ᵀ + b2, on the device; in is [rows, inCols] fp32 on the host. */
    private float[] mlp(float[] in, int rows, int inCols, long w1, long b1, long w2, long b2, int outCols) {
        int hid = config.vaeHidden();
        return locked(() -> {
            long[] sizes = {4L * rows * inCols, 4L * rows * hid, 4L * rows * outCols};
            Workspace.Carver at = new Workspace.Carver(workspace.ensure(total(sizes),
                    "a VAE call on " + rows + " tokens"));
            long x = at.take(sizes[0]);
            long h = at.take(sizes[1]);
            long y = at.take(sizes[2]);
            cuda.upload(x, in);
            model.linear(rows, hid, inCols, x, w1, b1, h, true);
            model.linear(rows, outCols, hid, h, w2, b2, y, false);
            return cuda.downloadFloats(y, rows * outCols);
        });
    }

    private float[] mlpFromIds(int[] ids, DeviceModel.Vae v) {
        int hid = config.vaeHidden();
        int rows = ids.length;
        int out = 2 * config.latentDim();
        return locked(() -> {
            long[] sizes = {4L * rows, 4L * rows * hid, 4L * rows * hid, 4L * rows * out};
            Workspace.Carver at = new Workspace.Carver(workspace.ensure(total(sizes),
                    "the text encoder on " + rows + " tokens"));
            long idsAt = at.take(sizes[0]);
            long e = at.take(sizes[1]);
            long h = at.take(sizes[2]);
            long y = at.take(sizes[3]);
            cuda.upload(idsAt, ids);
            k.gatherRows(v.textEmbed(), idsAt, e, rows, hid);
            model.linear(rows, hid, hid, e, v.txtEnc1W(), v.txtEnc1B(), h, true);
            model.linear(rows, out, hid, h, v.txtEnc2W(), v.txtEnc2B(), y, false);
            return cuda.downloadFloats(y, rows * out);
        });
    }

    private static long total(long[] sizes) {
        Workspace.Carver c = new Workspace.Carver(0);
        for (long s : sizes) {
            c.take(s);
        }
        return c.used();
    }

    @Override
    public Decoder decoder() {
        return new Decoder() {
            @Override
            public Tensor decodeImage(Tensor latents) {
                int b = latents.requireShape("latents", -1, config.imageTokens(), config.latentDim()).dim(0);
                float[] patches = decodeImagePatches(latents.requireFinite("latents").toFloatArray(), b * config.imageTokens());
                return Tensor.ofFloats(Patches.unpatchify(config, patches, b), b, config.imageChannels(),
                        config.imageHeight(), config.imageWidth());
            }

            @Override
            public Tensor decodeText(Tensor latents) {
                int b = latents.requireShape("latents", -1, config.textLength(), config.latentDim()).dim(0);
                float[] logits = decodeTextLogits(latents.requireFinite("latents").toFloatArray(), b * config.textLength());
                return Tensor.ofFloats(logits, b, config.textLength(), config.vocabSize());
            }
        };
    }

    private float[] decodeImagePatches(float[] z, int rows) {
        DeviceModel.Vae v = model.vae();
        return mlp(z, rows, config.latentDim(), v.imgDec1W(), v.imgDec1B(), v.imgDec2W(), v.imgDec2B(), config.patchDim());
    }

    private float[] decodeTextLogits(float[] z, int rows) {
        DeviceModel.Vae v = model.vae();
        return mlp(z, rows, config.latentDim(), v.txtDec1W(), v.txtDec1B(), v.txtDec2W(), v.txtDec2B(), config.vocabSize());
    }

    @Override
    public ScanSwitch scanSwitch() {
        return backend.scanSwitch(config);
    }

    @Override
    public MambaBlock block(int index) {
        if (index < 0 || index >= config.blocks()) {
            throw new InvalidInputException("index", "a block in [0, " + config.blocks() + ")", String.valueOf(index));
        }
        return new MambaBlock() {
            @Override
            public int index() {
                return index;
            }

            @Override
            public Tensor forward(Tensor x) {
                int seqLen = config.sequenceLength();
                int d = config.dModel();
                int b = x.requireShape("x", -1, seqLen, d).dim(0);
                x.requireFinite("x");
                if (b == 0) {
                    return Tensor.ofFloats(new float[0], 0, seqLen, d);
                }
                return locked(() -> {
                    int rows = b * seqLen;
                    long[] sizes = {4L * rows * d, 4L * rows * d, 4L * rows * d,
                        model.mixer(index).workspaceBytes(k, b, seqLen)};
                    Workspace.Carver at = new Workspace.Carver(workspace.ensure(total(sizes),
                            "block " + index + " on a batch of " + b));
                    long xs = at.take(sizes[0]);
                    long u = at.take(sizes[1]);
                    long out = at.take(sizes[2]);
                    long scratch = at.take(sizes[3]);
                    backend.upload(xs, x, false);
                    long perm = model.inversePermutation(index);
                    k.addRmsnorm(xs, 0, 0, model.blockNorm(index), u, model.bf16(), perm, rows, seqLen, seqLen, d);
                    model.mixer(index).forward(cuda, k, u, b, seqLen, out, scratch);
                    k.addRmsnorm(xs, out, perm, 0, 0, false, 0, rows, seqLen, seqLen, d);
                    return backend.download(xs, b, seqLen, d);
                });
            }

            @Override
            public Tensor mixer(Tensor u) {
                return locked(() -> backend.runMixer(model.mixer(index), u, workspace));
            }
        };
    }

    @Override
    public Denoiser denoiser() {
        return this::predict;
    }

    private Tensor predict(Tensor latents, Tensor timeInput, Tensor classIds) {
        int nlat = config.latentTokens();
        int dz = config.latentDim();
        int b = latents.requireShape("latents", -1, nlat, dz).dim(0);
        latents.requireFinite("latents");
        timeInput.requireShape("timeInput", b).requireFinite("timeInput");
        classIds.requireShape("classIds", b);
        if (classIds.dtype().isFloating()) {
            throw new InvalidInputException("classIds", "an integer dtype", classIds.dtype().toString());
        }
        int[] cls = classIds.toIntArray();
        for (int c : cls) {
            if (c < 0 || c > config.classes()) {
                throw new InvalidInputException("classIds", "ids in [0, " + config.classes() + "] (" + config.classes()
                        + " = null class)", String.valueOf(c));
            }
        }
        if (b == 0) {
            return Tensor.ofFloats(new float[0], 0, nlat, dz);
        }
        return locked(() -> {
            long base = workspace.ensure(denoiserWorkspaceBytes(b), "the denoiser's workspace for a batch of " + b);
            if (base != graphBase) {
                closeGraphs();
                graphBase = base;
            }
            DeviceModel.DenoiseBuffers buf = model.buffers(base, b);
            backend.upload(buf.latents(), latents, false);
            backend.upload(buf.time(), timeInput, false);
            cuda.upload(buf.classIds(), cls);
            if (useGraphs) {
                graphs.computeIfAbsent(b, n -> cuda.capture(() -> model.denoise(buf, n))).launch();
            } else {
                model.denoise(buf, b);
            }
            return backend.download(buf.output(), b, nlat, dz);
        });
    }

    /** Closes every recorded graph: their addresses or weights are about to go. */
    private void closeGraphs() {
        graphs.values().forEach(CudaContext.Graph::close);
        graphs.clear();
        closeLoops();
    }

    private void closeLoops() {
        loops.values().forEach(CudaContext.Graph::close);
        loops.clear();
    }

    /** What a whole run's graph depends on besides the workspace's base and the weights. */
    private record LoopKey(int batch, SamplerSettings settings, List<Double> betas, double classGuidance,
                           boolean imageGuided, double imageGuidance, boolean infill, boolean clampText,
                           int textChoices, boolean projectImage) {
        static LoopKey of(SamplingRun run) {
            return new LoopKey(run.batch(), run.settings(), Arrays.stream(run.betas()).boxed().toList(),
                    run.classGuidance(), run.imageGuidance() != null,
                    run.imageGuidance() == null ? 0 : run.imageGuidance().weight(), run.infill() != null,
                    run.clampText(), run.textChoices(), run.projectImage());
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here: DPM-Solver 2M runs as one CUDA graph (see the class comment). Other methods, non-finite or malformed
     * inputs, a run that meets a non-finite value, and a run the GPU has no memory for are left to the host sampler.
     */
    @Override
    public Optional<Tensor> sampleWhole(SamplingRun run) {
        if (run == null) {
            throw new InvalidInputException("run", "a sampling run", "null");
        }
        if (!wholeLoop || !run.xT().dtype().isFloating()
                || !Arrays.stream(run.xT().toDoubleArray()).allMatch(Double::isFinite)
                || !classIdsInRange(run.classIds())) {
            return Optional.empty();  // the host sampler runs it, and names what is wrong with it
        }
        return Optional.ofNullable(locked(() -> {
            if (DeviceSamplingLoop.unsupported(run, config, model.vae() != null) != null) {
                return null;
            }
            try {
                return runWhole(run);
            } catch (DeviceOutOfMemoryException e) {
                // the host sampler's per-step calls need less device memory: let it try
                closeLoops();
                return null;
            }
        }));
    }

    /** Runs {@code run} as one graph, recorded on first use (lock held). */
    private Tensor runWhole(SamplingRun run) {
        long bytes = new DeviceSamplingLoop(model, 0, run).workspaceBytes();
        long base = workspace.ensure(bytes, "a sampling run of batch " + run.batch());
        if (base != graphBase) {
            closeGraphs();
            graphBase = base;
        }
        DeviceSamplingLoop loop = new DeviceSamplingLoop(model, base, run);
        loop.upload(cuda);
        if (useGraphs) {
            LoopKey key = LoopKey.of(run);
            CudaContext.Graph g = loops.get(key);
            if (g == null) {
                if (loops.size() >= MAX_LOOP_GRAPHS) {
                    closeLoops();
                }
                g = cuda.capture("the CUDA graph of a sampling run of batch " + run.batch(), loop::record);
                loops.put(key, g);
            }
            g.launch();
        } else {
            loop.record();
        }
        return loop.result(cuda);
    }

    private boolean classIdsInRange(long[] ids) {
        for (long c : ids) {
            if (c < 0 || c > config.classes()) {
                return false;
            }
        }
        return true;
    }

    /**
     * @param batch samples
     * @return device bytes a denoiser call on {@code batch} samples needs beyond the weights
     */
    long denoiserWorkspaceBytes(int batch) {
        return model.buffers(0, batch).used();
    }

    @Override
    public LossFunction loss() {
        return new JcudaLoss(config, encoder(), decoderPatches(), denoiser(), backend);
    }

    /** Image decoder at patch level and text logits, for the loss terms that select tokens. */
    JcudaLoss.TokenDecoder decoderPatches() {
        return new JcudaLoss.TokenDecoder() {
            @Override
            public float[] imagePatches(float[] z, int rows) {
                return decodeImagePatches(z, rows);
            }

            @Override
            public float[] textLogits(float[] z, int rows) {
                return decodeTextLogits(z, rows);
            }
        };
    }

    @Override
    public Parameters parameters() {
        locked(() -> null);
        return parameters;
    }

    @Override
    public TrainingSession train(OptimizerSettings settings, Parameters resumeState) {
        return locked(() -> {
            JcudaTrainingSession s = new JcudaTrainingSession(cuda, config, settings, parameters, resumeState, this,
                    backend.precision());
            sessions.add(s);
            return s;
        });
    }

    @Override
    public void close() {
        cuda.lock().lock();
        try {
            if (!closed) {
                closed = true;
                cuda.enter();
                for (JcudaTrainingSession s : new ArrayList<>(sessions)) {
                    s.close();
                }
                closeGraphs();
                workspace.close();
                model.close();
            }
        } finally {
            cuda.lock().unlock();
        }
    }
}

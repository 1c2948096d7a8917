package dev.mdm.backend.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import dev.mdm.BackendUnavailableException;
import dev.mdm.Device;
import dev.mdm.InvalidInputException;
import dev.mdm.MdmConfig;
import dev.mdm.MdmException;
import dev.mdm.Precision;
import dev.mdm.backend.onnx.GraphBuilder.Type;
import dev.mdm.model.MambaMixer;
import dev.mdm.model.MambaShape;
import dev.mdm.model.Parameters;
import dev.mdm.model.ScanSwitch;
import dev.mdm.model.SsdRequest;
import dev.mdm.sampling.DpmSolverSampler;
import dev.mdm.sampling.Sampler;
import dev.mdm.sampling.SamplerSettings;
import dev.mdm.spi.Backend;
import dev.mdm.spi.BackendContext;
import dev.mdm.spi.Capability;
import dev.mdm.spi.ModelRuntime;
import dev.mdm.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * MDM on ONNX Runtime: every inference component is an ONNX graph built in Java ({@link GraphBuilder}) and run by one
 * cached {@link GraphSession} per shape family (batch and length stay dynamic inside a family). Computes in float32;
 * score entropy runs in float64. Capabilities: {@link Capability#ONNX_EXPORT}; no training.
 */
public final class OnnxBackend implements Backend {
    /** Version of this backend. */
    public static final String IMPLEMENTATION_VERSION = "0.1.0";

    private final Device device;
    private final OrtEnvironment env;
    private final OrtSession.SessionOptions options;
    private final Set<Capability> capabilities;
    private final Map<Object, GraphSession> sessions = new ConcurrentHashMap<>();
    private final Set<AutoCloseable> children = Collections.newSetFromMap(new ConcurrentHashMap<>());
    private final Map<MdmConfig, OnnxScanSwitch> scanSwitches = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ReentrantReadWriteLock lifetime = new ReentrantReadWriteLock();

    OnnxBackend(BackendContext context) {
        if (context.precision() != Precision.FP32) {
            throw new BackendUnavailableException("backend 'onnx' cannot compute in " + context.precision(),
                    List.of("onnx: computes in FP32 only; ask for Precision.FP32, or use the jcuda backend for BF16 "
                            + "and the reference backend for FP64"));
        }
        this.device = context.device();
        this.env = OrtStartup.environment();
        EnumSet<Capability> caps = EnumSet.of(Capability.ONNX_EXPORT);
        if (device.isGpu()) {
            EnumSet<OrtProvider> providers = OrtEnvironment.getAvailableProviders();
            if (!providers.contains(OrtProvider.CUDA)) {
                throw new BackendUnavailableException("backend 'onnx' cannot open " + device, List.of(
                        "onnx: this ONNX Runtime has no CUDA execution provider (it has " + providers + "); put "
                                + "com.microsoft.onnxruntime:onnxruntime_gpu 1.29.0 on the class path instead of "
                                + "onnxruntime, on a machine with CUDA 12 and cuDNN 9"));
            }
            caps.add(Capability.GPU);
        }
        try {
            this.options = sessionOptions();
        } catch (OrtException e) {
            throw new BackendUnavailableException("backend 'onnx' failed to start ONNX Runtime", List.of("onnx: " + e.getMessage()), e);
        }
        this.capabilities = Collections.unmodifiableSet(caps);
    }

    @Override
    public String name() {
        return OnnxBackendProvider.NAME;
    }

    @Override
    public String version() {
        return IMPLEMENTATION_VERSION + " (ONNX Runtime " + env.getVersion() + ", opset " + GraphBuilder.OPSET + ")";
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public Precision precision() {
        return Precision.FP32;
    }

    @Override
    public Set<Capability> capabilities() {
        return capabilities;
    }

    @Override
    public Tensor ssd(SsdRequest request) {
        checkOpen();
        if (request == null) {
            throw new InvalidInputException("request", "an SsdRequest", "null");
        }
        request.x().requireFinite("x");
        request.a().requireFinite("A");
        request.b().requireFinite("B");
        request.c().requireFinite("C");
        if (request.dtBias() == null) {
            for (double v : request.dt().toDoubleArray()) {
                if (!(v >= 0) || Double.isInfinite(v)) {
                    throw new InvalidInputException("dt", "finite steps Δ >= 0 (already softplus'd)", String.valueOf(v));
                }
            }
        } else {
            request.dt().requireFinite("dt_raw");
            request.dtBias().requireFinite("dt_bias");
        }
        if (request.d() != null) {
            request.d().requireFinite("D");
        }
        if (request.z() != null) {
            request.z().requireFinite("z");
        }
        if (request.x().dim(0) == 0 || request.x().dim(1) == 0) {
            throw new InvalidInputException("x", "at least one sample and one position", java.util.Arrays.toString(request.x().shape()));
        }
        var family = new OperatorGraphs.SsdFamily(request.x().dim(2), request.x().dim(3), request.b().dim(2),
                request.b().dim(3), request.discretization(), request.dtBias() != null, request.d() != null,
                request.z() != null);
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("x", request.x());
        if (request.dtBias() != null) {
            in.put("dt_raw", request.dt());
            in.put("dt_bias", request.dtBias());
        } else {
            in.put("dt", request.dt());
        }
        in.put("A", request.a());
        in.put("B", request.b());
        in.put("C", request.c());
        if (request.d() != null) {
            in.put("D", request.d());
        }
        if (request.z() != null) {
            in.put("z", request.z());
        }
        return session(family, () -> OperatorGraphs.ssd(family)).run(in).get("y");
    }

    @Override
    public MambaMixer mambaMixer(MambaShape shape, Parameters weights) {
        checkOpen();
        Objects.requireNonNull(shape, "shape");
        if (weights == null) {
            throw new InvalidInputException("weights", "the mixer parameters", "null");
        }
        weights.requireLayout(shape.parameterShapes(), "weights");
        for (var e : weights.asMap().entrySet()) {
            e.getValue().requireFinite(e.getKey());
        }
        return whileOpen(() -> {
            OnnxMambaMixer mixer = new OnnxMambaMixer(this, shape, ModelGraphs.mixerModel("mixer", shape, weights::get, ""));
            children.add(mixer);
            return mixer;
        });
    }

    @Override
    public ScanSwitch scanSwitch(MdmConfig config) {
        checkOpen();
        return scanSwitches.computeIfAbsent(config, c -> new OnnxScanSwitch(this, c));
    }

    @Override
    public Tensor scoreEntropy(Tensor zt, Tensor zhat0, Tensor candidates, Tensor alphaBar) {
        checkOpen();
        requireGiven("z_t", zt);
        requireGiven("zhat0", zhat0);
        requireGiven("candidates", candidates);
        requireGiven("alphaBar", alphaBar);
        int m = zt.requireShape("z_t", -1, -1).dim(0);
        int dz = zt.dim(1);
        zhat0.requireShape("zhat0", m, dz);
        candidates.requireShape("candidates", m, -1, dz);
        alphaBar.requireShape("alphaBar", m);
        if (candidates.dim(1) < 1) {
            throw new InvalidInputException("candidates", "at least one candidate per token", java.util.Arrays.toString(candidates.shape()));
        }
        zt.requireFinite("z_t");
        zhat0.requireFinite("zhat0");
        candidates.requireFinite("candidates");
        for (double a : alphaBar.toDoubleArray()) {
            if (!(a > 0 && a < 1)) {
                throw new InvalidInputException("alphaBar", "values in (0, 1)", String.valueOf(a));
            }
        }
        if (m == 0) {
            return Tensor.of(new double[0], 0);
        }
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("z_t", zt);
        in.put("zhat0", zhat0);
        in.put("candidates", candidates);
        in.put("alpha_bar", alphaBar);
        return session("score_entropy", OperatorGraphs::scoreEntropy).run(in).get("se");
    }

    @Override
    public Sampler sampler(SamplerSettings settings, double[] betas) {
        checkOpen();
        // the solver's arithmetic is on host doubles; the model calls it makes run as ONNX graphs (decision D11)
        return new DpmSolverSampler(settings, betas);
    }

    @Override
    public ModelRuntime load(MdmConfig config, Parameters parameters) {
        checkOpen();
        Objects.requireNonNull(config, "config");
        if (parameters == null) {
            throw new InvalidInputException("parameters", "the model's parameters", "null");
        }
        parameters.requireLayout(config);
        for (var e : parameters.asMap().entrySet()) {
            e.getValue().requireFinite(e.getKey());
        }
        return load(config, parameters, ModelGraphs.INLINE_LIMIT_BYTES);
    }

    /**
     * @param config the model's sizes
     * @param parameters its weights, checked
     * @param inlineLimitBytes the most bytes of weights the denoiser graph keeps inline; beyond, it keeps them as
     *     external data (tests ask for 0 to take that path with small models)
     * @return the runtime, closed with this backend
     */
    OnnxModelRuntime load(MdmConfig config, Parameters parameters, long inlineLimitBytes) {
        return whileOpen(() -> {
            OnnxModelRuntime runtime = new OnnxModelRuntime(this, config, parameters, inlineLimitBytes);
            children.add(runtime);
            return runtime;
        });
    }

    /**
     * @param key the shape family
     * @param graph builds the graph the first time
     * @return the cached session of that family
     */
    GraphSession session(Object key, Supplier<ModelProto> graph) {
        return whileOpen(() -> sessions.computeIfAbsent(key, k -> open(graph.get())));
    }

    /**
     * @param model a graph
     * @return a new session the caller owns
     */
    GraphSession open(ModelProto model) {
        return whileOpen(() -> new GraphSession(env, model, options));
    }

    /**
     * @param graph a graph, perhaps with external data
     * @return a new session the caller owns; a graph with external data gets session options of its own, which carry
     *     its initializers
     */
    GraphSession open(OnnxGraph graph) {
        if (!graph.hasExternalData()) {
            return open(graph.model());
        }
        return whileOpen(() -> {
            try {
                return new GraphSession(env, graph, sessionOptions());
            } catch (OrtException e) {
                throw new MdmException("ONNX Runtime could not make session options for the " + graph.name()
                        + " graph: " + e.getMessage(), e);
            }
        });
    }

    /** @return options for this backend's sessions: every graph optimization, on its device */
    private OrtSession.SessionOptions sessionOptions() throws OrtException {
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        try {
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (device.isGpu()) {
                o.addCUDA(device.index());
            }
            return o;
        } catch (OrtException | RuntimeException e) {
            o.close();
            throw e;
        }
    }

    /** @param child a closed mixer or runtime, no longer to be closed with this backend */
    void released(AutoCloseable child) {
        children.remove(child);
    }

    /**
     * @param perm a sequence permutation
     * @param type element type
     * @return the cached permutation session
     */
    GraphSession permutation(int[] perm, Type type) {
        return session(List.of(type, java.util.Arrays.toString(perm)), () -> OperatorGraphs.permutation(perm, type));
    }

    void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("the onnx backend is closed");
        }
    }

    /**
     * Runs body while this backend cannot close: sessions and children made here are in the collections that
     * {@link #close} sweeps, and never made from the shared options after they are freed.
     */
    private <T> T whileOpen(Supplier<T> body) {
        lifetime.readLock().lock();
        try {
            checkOpen();
            return body.get();
        } finally {
            lifetime.readLock().unlock();
        }
    }

    @Override
    public void close() {
        // the write lock only to mark closed (waiting for creations in progress), not while closing: a run in progress
        // may still need a session lookup, and the sessions' own locks make their close wait for their runs
        lifetime.writeLock().lock();
        try {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
        } finally {
            lifetime.writeLock().unlock();
        }
        List<RuntimeException> failures = new ArrayList<>();
        for (AutoCloseable c : List.copyOf(children)) {
            try {
                c.close();
            } catch (Exception e) {
                failures.add(e instanceof RuntimeException r ? r : new RuntimeException(e));
            }
        }
        children.clear();
        sessions.values().forEach(s -> {
            try {
                s.close();
            } catch (RuntimeException e) {
                failures.add(e);
            }
        });
        sessions.clear();
        options.close();
        if (!failures.isEmpty()) {
            RuntimeException first = failures.get(0);
            failures.subList(1, failures.size()).forEach(first::addSuppressed);
            throw first;
        }
    }

    @Override
    public String toString() {
        return "OnnxBackend{" + device + ", " + (closed.get() ? "closed" : "open") + "}";
    }

    private static void requireGiven(String argument, Tensor t) {
        if (t == null) {
            throw new InvalidInputException(argument, "a tensor", "null");
        }
    }
}

package dev.mdm.backend.djl;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.mdm.BackendUnavailableException;
import dev.mdm.Device;
import dev.mdm.InvalidInputException;
import dev.mdm.MdmConfig;
import dev.mdm.Precision;
import dev.mdm.model.MambaMixer;
import dev.mdm.model.MambaShape;
import dev.mdm.model.Parameters;
import dev.mdm.model.ScanSwitch;
import dev.mdm.model.SsdRequest;
import dev.mdm.sampling.DpmSolverSampler;
import dev.mdm.sampling.Sampler;
import dev.mdm.sampling.SamplerSettings;
import dev.mdm.spi.Backend;
import dev.mdm.spi.Capability;
import dev.mdm.spi.ModelRuntime;
import dev.mdm.tensor.Tensor;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * MDM on DJL NDArrays with the PyTorch engine, on the CPU, in FP32 (or FP64). Inference is thread-safe; every call
 * runs in its own native memory scope (see {@link ComputeScope}). Closing the backend closes every model and mixer
 * it created.
 */
public final class DjlBackend implements Backend {
    /** The SSD chunk length of {@link #ssd}, which has no configuration of its own; results do not depend on it. */
    static final int DEFAULT_CHUNK = 64;
    private static final String MODULE_VERSION = "0.1.0";

    private final Precision precision;
    private final ComputeScope scope;
    private final Lifecycle lifecycle = new Lifecycle("DJL backend");
    private final String version;

    DjlBackend(Precision precision) {
        this.precision = Objects.requireNonNull(precision, "precision");
        Engine engine;
        try {
            engine = Engine.getEngine("PyTorch");
        } catch (RuntimeException | LinkageError e) {
            throw new BackendUnavailableException("the DJL PyTorch engine failed to load",
                    List.of(String.valueOf(e.getMessage()), "run with -Dai.djl.offline=true and the pytorch-native-cpu "
                            + "linux-x86_64 jar on the class path"), e);
        }
        this.version = MODULE_VERSION + " (DJL " + Engine.getDjlVersion() + ", PyTorch " + engine.getVersion() + ")";
        this.scope = ComputeScope.root(precision == Precision.FP64 ? DataType.FLOAT64 : DataType.FLOAT32);
    }

    @Override
    public String name() {
        return DjlBackendProvider.NAME;
    }

    @Override
    public String version() {
        return version;
    }

    @Override
    public Device device() {
        return Device.cpu();
    }

    @Override
    public Precision precision() {
        return precision;
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.TRAINING, Capability.FP64);
    }

    @Override
    public Tensor ssd(SsdRequest request) {
        return ssd(request, DEFAULT_CHUNK);
    }

    /** {@link #ssd(SsdRequest)} with an explicit chunk length. */
    Tensor ssd(SsdRequest request, int chunk) {
        lifecycle.ensureOpen();
        if (request == null) {
            throw new InvalidInputException("request", "an SsdRequest", "null");
        }
        if (chunk < 1) {
            throw new InvalidInputException("chunk", "a chunk length >= 1", String.valueOf(chunk));
        }
        Inputs.floats("x", request.x(), -1, -1, -1, -1);
        Inputs.floats(request.dtBias() == null ? "dt" : "dt_raw", request.dt(), -1, -1, -1);
        Inputs.floats("A", request.a(), -1);
        Inputs.floats("B", request.b(), -1, -1, -1, -1);
        Inputs.floats("C", request.c(), -1, -1, -1, -1);
        if (request.dtBias() != null) {
            Inputs.floats("dt_bias", request.dtBias(), -1);
        } else {
            Inputs.within("dt", request.dt(), 0, Double.POSITIVE_INFINITY);
        }
        Inputs.within("A", request.a(), Double.NEGATIVE_INFINITY, 0);
        if (request.d() != null) {
            Inputs.floats("D", request.d(), -1);
        }
        if (request.z() != null) {
            Inputs.floats("z", request.z(), -1, -1, -1, -1);
        }
        DataType type = scope.type();
        return lifecycle.read(() -> scope.call(m -> {
            NDArray dt = HostTransfer.floats(m, request.dt(), type);
            if (request.dtBias() != null) {
                dt = Layers.softplus(dt.add(HostTransfer.floats(m, request.dtBias(), type)));
            }
            NDArray y = ChunkedSsd.scan(HostTransfer.floats(m, request.x(), type), dt,
                    HostTransfer.floats(m, request.a(), type), HostTransfer.floats(m, request.b(), type),
                    HostTransfer.floats(m, request.c(), type),
                    request.d() == null ? null : HostTransfer.floats(m, request.d(), type),
                    request.z() == null ? null : HostTransfer.floats(m, request.z(), type),
                    request.discretization(), chunk);
            return HostTransfer.toHost(y);
        }));
    }

    @Override
    public MambaMixer mambaMixer(MambaShape shape, Parameters weights) {
        lifecycle.ensureOpen();
        Objects.requireNonNull(shape, "shape");
        if (weights == null) {
            throw new InvalidInputException("weights", "the mixer parameters", "null");
        }
        weights.requireLayout(shape.parameterShapes(), "weights");
        weights.asMap().forEach((k, v) -> v.requireFinite(k));
        return lifecycle.read(() -> lifecycle.adopt(
                inChild(child -> new DjlMambaMixer(shape, weights, child, lifecycle))));
    }

    @Override
    public ScanSwitch scanSwitch(MdmConfig config) {
        lifecycle.ensureOpen();
        Objects.requireNonNull(config, "config");
        return new DjlScanSwitch(config, scope, lifecycle);
    }

    @Override
    public Tensor scoreEntropy(Tensor zt, Tensor zhat0, Tensor candidates, Tensor alphaBar) {
        lifecycle.ensureOpen();
        return lifecycle.read(() -> scoreEntropy(scope, zt, zhat0, candidates, alphaBar));
    }

    static Tensor scoreEntropy(ComputeScope scope, Tensor zt, Tensor zhat0, Tensor candidates, Tensor alphaBar) {
        int m = Inputs.floats("z_t", zt, -1, -1).dim(0);
        int dz = zt.dim(1);
        Inputs.floats("zhat0", zhat0, m, dz);
        Inputs.floats("candidates", candidates, m, -1, dz);
        Inputs.floats("alphaBar", alphaBar, m);
        Inputs.within("alphaBar", alphaBar, 0, 1);
        double[] ab = alphaBar.toDoubleArray();
        DataType type = scope.type();
        return scope.call(mgr -> HostTransfer.toHost(ScoreEntropy.perToken(mgr, HostTransfer.floats(mgr, zt, type),
                HostTransfer.floats(mgr, zhat0, type), HostTransfer.floats(mgr, candidates, type), ab, type)));
    }

    @Override
    public Sampler sampler(SamplerSettings settings, double[] betas) {
        lifecycle.ensureOpen();
        // the shared host implementation of SPEC §8 (decision D11): a sampler is host arithmetic around model calls
        return new DpmSolverSampler(settings, betas);
    }

    @Override
    public ModelRuntime load(MdmConfig config, Parameters parameters) {
        lifecycle.ensureOpen();
        Objects.requireNonNull(config, "config");
        if (parameters == null) {
            throw new InvalidInputException("parameters", "every parameter of SPEC §12", "null");
        }
        parameters.requireLayout(config);
        parameters.asMap().forEach((k, v) -> v.requireFinite(k));
        return lifecycle.read(() -> lifecycle.adopt(
                inChild(child -> new DjlModelRuntime(config, parameters, child, lifecycle))));
    }

    @Override
    public void close() {
        lifecycle.close(scope::close);
    }

    /** Loads host parameters into NDArrays of the scope's type, owned by its manager. */
    static java.util.Map<String, NDArray> upload(ComputeScope scope, Parameters parameters) {
        var out = new java.util.LinkedHashMap<String, NDArray>();
        NDManager m = scope.manager();
        parameters.asMap().forEach((k, v) -> {
            NDArray a = HostTransfer.floats(m, v, scope.type());
            a.setName(k);
            out.put(k, a);
        });
        return out;
    }

    /**
     * Builds an object in a child scope of this backend's; when building fails (an upload halfway, say), the child and
     * what it already holds are closed, instead of staying attached to this backend until it closes.
     */
    private <T> T inChild(java.util.function.Function<ComputeScope, T> build) {
        ComputeScope child = scope.child();
        try {
            return build.apply(child);
        } catch (RuntimeException | Error e) {
            child.close();
            throw e;
        }
    }
}

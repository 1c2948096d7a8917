package dev.mdm.backend.jcuda;

import dev.mdm.BackendUnavailableException;
import dev.mdm.Device;
import dev.mdm.InvalidInputException;
import dev.mdm.MdmConfig;
import dev.mdm.Precision;
import dev.mdm.backend.jcuda.cuda.CudaContext;
import dev.mdm.backend.jcuda.cuda.Kernels;
import dev.mdm.backend.jcuda.model.DeviceMemory;
import dev.mdm.backend.jcuda.model.DeviceMixer;
import dev.mdm.backend.jcuda.model.Workspace;
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
import dev.mdm.tensor.DType;
import dev.mdm.tensor.Tensor;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * MDM on one NVIDIA GPU: our CUDA kernels through JCuda's driver API, cuBLAS through FFM. FP32 computes everything
 * in fp32 (no TF32); BF16 stores the block projections and the activations between them in bf16 and accumulates
 * in fp32, and trains with fp32 data, its GEMMs on bf16-rounded operands and its SSD chunk products in TF32, both on
 * tensor cores (see {@code TRAINING.md}). Every device operation runs under one lock on one stream, so the methods are
 * thread-safe.
 */
public final class JcudaBackend implements Backend {
    /** Version of this backend. */
    public static final String VERSION = "0.1.0";

    private final Device device;
    private final Precision precision;
    private final CudaContext cuda;
    private final Kernels kernels;
    private final Workspace workspace;
    private final List<AutoCloseable> children = new ArrayList<>();
    private boolean closed;

    JcudaBackend(Device device, Precision precision) {
        this.device = device;
        this.precision = precision;
        try {
            cuda = CudaContext.open(device.index());
        } catch (RuntimeException | LinkageError e) {
            throw new BackendUnavailableException("backend 'jcuda' could not open " + device,
                    List.of("jcuda: " + e.getMessage()), e);
        }
        cuda.lock().lock();
        try {
            kernels = new Kernels(cuda);
            workspace = new Workspace(cuda);
        } finally {
            cuda.lock().unlock();
        }
    }

    @Override
    public String name() {
        return "jcuda";
    }

    @Override
    public String version() {
        return locked(() -> VERSION + " (JCuda 12.6.0, " + cuda.gemm().version() + ", " + cuda.describe() + ")");
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public Precision precision() {
        return precision;
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.GPU, Capability.BF16, Capability.CUDA_GRAPHS, Capability.TRAINING);
    }

    boolean bf16() {
        return precision == Precision.BF16;
    }

    CudaContext cuda() {
        return cuda;
    }

    /** Runs device work under the context lock with the context current, after checking this backend is open. */
    <T> T locked(Supplier<T> work) {
        cuda.lock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("JcudaBackend on " + device + " is closed");
            }
            cuda.enter();
            return work.get();
        } finally {
            cuda.lock().unlock();
        }
    }

    /**
     * @param data host floats at a device address
     * @param address where
     * @param shape tensor shape
     * @return an F32 tensor read back from the device
     */
    Tensor download(long address, int... shape) {
        return Tensor.ofFloats(cuda.downloadFloats(address, Math.toIntExact(Tensor.elementCount(shape))), shape);
    }

    /** Copies a tensor into the device as fp32 or bf16. */
    void upload(long address, Tensor t, boolean asBf16) {
        cuda.upload(address, t.to(asBf16 ? DType.BF16 : DType.F32).toBytes());
    }

    @Override
    public Tensor ssd(SsdRequest r) {
        for (var e : new Object[][] {{"x", r.x()}, {"dt", r.dt()}, {"dt_bias", r.dtBias()}, {"A", r.a()}, {"B", r.b()},
            {"C", r.c()}, {"D", r.d()}, {"z", r.z()}}) {
            if (e[1] != null) {
                ((Tensor) e[1]).requireFinite((String) e[0]);
            }
        }
        int b = r.x().dim(0);
        int l = r.x().dim(1);
        int h = r.x().dim(2);
        int p = r.x().dim(3);
        int g = r.b().dim(2);
        int n = r.b().dim(3);
        if (b * l == 0) {
            return Tensor.ofFloats(new float[0], b, l, h, p);
        }
        // the SSD computes in fp32 in both precisions; storing host inputs as bf16 here would only lose accuracy
        boolean half = false;
        int es = 4;
        return locked(() -> {
            Kernels.SsdShape s = kernels.ssdShape(b, l, h, p, g, n, 64);
            long rows = (long) b * l;
            Workspace.Carver c = new Workspace.Carver(0);
            long[] size = {rows * h * p * es, rows * h * es, rows * g * n * es, rows * g * n * es, rows * h * p * es,
                4L * h, 4L * h, 4L * h, rows * h * p * 4, s.scratchBytes()};
            for (long z : size) {
                c.take(z);
            }
            Workspace.Carver at = new Workspace.Carver(workspace.ensure(c.used(), "SSD on " + rows + " tokens"));
            long x = at.take(size[0]);
            long dt = at.take(size[1]);
            long bb = at.take(size[2]);
            long cc = at.take(size[3]);
            long z = at.take(size[4]);
            long a = at.take(size[5]);
            long d = at.take(size[6]);
            long bias = at.take(size[7]);
            long y = at.take(size[8]);
            long scratch = at.take(size[9]);
            upload(x, r.x(), half);
            upload(dt, r.dt(), half);
            upload(bb, r.b(), half);
            upload(cc, r.c(), half);
            upload(a, r.a(), false);
            if (r.z() != null) {
                upload(z, r.z(), half);
            }
            if (r.d() != null) {
                upload(d, r.d(), false);
            }
            if (r.dtBias() != null) {
                upload(bias, r.dtBias(), false);
            }
            kernels.ssd(half, half, s, x, h * p, bb, cc, g * n, dt, h, bias, r.dtBias() != null, a,
                    r.discretization() == dev.mdm.Discretization.ZOH, r.d() != null ? d : 0, r.z() != null ? z : 0,
                    h * p, y, h * p, scratch);
            return download(y, b, l, h, p);
        });
    }

    /**
     * Runs one mixer on a host tensor.
     *
     * @param mixer the device mixer
     * @param u [b, l, d]
     * @param ws workspace to use
     * @return [b, l, d] F32
     */
    Tensor runMixer(DeviceMixer mixer, Tensor u, Workspace ws) {
        int dm = mixer.shape().dModel();
        u.requireShape("u", -1, -1, dm).requireFinite("u");
        int b = u.dim(0);
        int l = u.dim(1);
        if (b * l == 0) {
            return Tensor.ofFloats(new float[0], b, l, dm);
        }
        return locked(() -> {
            long rows = (long) b * l;
            boolean half = bf16();
            Workspace.Carver size = new Workspace.Carver(0);
            size.take(rows * dm * (half ? 2 : 4));
            size.take(rows * dm * 4);
            size.take(mixer.workspaceBytes(kernels, b, l));
            Workspace.Carver at = new Workspace.Carver(ws.ensure(size.used(), "the mixer on a batch of " + b + " × " + l + " tokens"));
            long in = at.take(rows * dm * (half ? 2 : 4));
            long out = at.take(rows * dm * 4);
            long scratch = at.take(mixer.workspaceBytes(kernels, b, l));
            upload(in, u, half);
            mixer.forward(cuda, kernels, in, b, l, out, scratch);
            return download(out, b, l, dm);
        });
    }

    @Override
    public MambaMixer mambaMixer(MambaShape shape, Parameters weights) {
        weights.requireLayout(shape.parameterShapes(), "mixer weights");
        return locked(() -> {
            DeviceMemory mem = new DeviceMemory(cuda);
            Workspace ws = new Workspace(cuda);
            DeviceMixer m;
            try {
                m = DeviceMixer.upload(mem, shape, weights, bf16());
            } catch (RuntimeException e) {
                mem.close();
                throw e;
            }
            JcudaMixer mixer = new JcudaMixer(this, m, mem, ws);
            children.add(mixer);
            return mixer;
        });
    }

    @Override
    public ScanSwitch scanSwitch(MdmConfig config) {
        return new HostScanSwitch(config);
    }

    @Override
    public Tensor scoreEntropy(Tensor zt, Tensor zhat0, Tensor candidates, Tensor alphaBar) {
        zt.requireShape("zt", -1, -1).requireFinite("zt");
        int m = zt.dim(0);
        int dz = zt.dim(1);
        zhat0.requireShape("zhat0", m, dz).requireFinite("zhat0");
        candidates.requireShape("candidates", m, -1, dz).requireFinite("candidates");
        int k = candidates.dim(1);
        if (k < 1) {
            throw new InvalidInputException("candidates", "at least one candidate per token", "shape [" + m + ", 0, " + dz + "]");
        }
        alphaBar.requireShape("alphaBar", m);
        for (double a : alphaBar.toDoubleArray()) {
            if (!(a > 0 && a < 1)) {
                throw new InvalidInputException("alphaBar", "values in (0, 1)", String.valueOf(a));
            }
        }
        if (m == 0) {
            return Tensor.ofFloats(new float[0], 0);
        }
        return locked(() -> {
            Workspace.Carver size = new Workspace.Carver(0);
            long[] bytes = {4L * m * dz, 4L * m * dz, 4L * m * k * dz, 4L * m, 4L * m};
            for (long b : bytes) {
                size.take(b);
            }
            Workspace.Carver at = new Workspace.Carver(workspace.ensure(size.used(), "score entropy on " + m + " tokens"));
            long zta = at.take(bytes[0]);
            long zha = at.take(bytes[1]);
            long ca = at.take(bytes[2]);
            long aa = at.take(bytes[3]);
            long se = at.take(bytes[4]);
            upload(zta, zt, false);
            upload(zha, zhat0, false);
            upload(ca, candidates, false);
            upload(aa, alphaBar, false);
            kernels.scoreEntropy(zta, zha, ca, aa, se, m, k, dz);
            return download(se, m);
        });
    }

    @Override
    public Sampler sampler(SamplerSettings settings, double[] betas) {
        return new DpmSolverSampler(settings, betas);
    }

    @Override
    public ModelRuntime load(MdmConfig config, Parameters parameters) {
        parameters.requireLayout(config);
        return locked(() -> {
            JcudaModelRuntime rt = new JcudaModelRuntime(this, config, parameters);
            children.add(rt);
            return rt;
        });
    }

    @Override
    public void close() {
        cuda.lock().lock();
        try {
            if (closed) {
                return;
            }
            cuda.enter();
            for (AutoCloseable c : children) {
                try {
                    c.close();
                } catch (Exception e) {
                    // keep freeing the rest; the context close below releases whatever is left
                }
            }
            children.clear();
            workspace.close();
            closed = true;
        } finally {
            cuda.lock().unlock();
        }
        cuda.close();
    }

    @Override
    public String toString() {
        return "JcudaBackend{" + device + ", " + precision + "}";
    }
}

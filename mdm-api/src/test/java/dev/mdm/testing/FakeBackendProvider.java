package dev.mdm.testing;

import dev.mdm.Device;
import dev.mdm.MdmConfig;
import dev.mdm.Precision;
import dev.mdm.model.Decoder;
import dev.mdm.model.Denoiser;
import dev.mdm.model.Encoder;
import dev.mdm.model.LossFunction;
import dev.mdm.model.MambaBlock;
import dev.mdm.model.MambaMixer;
import dev.mdm.model.MambaShape;
import dev.mdm.model.OptimizerSettings;
import dev.mdm.model.Parameters;
import dev.mdm.model.ScanSwitch;
import dev.mdm.model.SsdRequest;
import dev.mdm.model.TrainingSession;
import dev.mdm.sampling.Sampler;
import dev.mdm.sampling.SamplerSettings;
import dev.mdm.sampling.Trajectory;
import dev.mdm.spi.Availability;
import dev.mdm.spi.Backend;
import dev.mdm.spi.BackendContext;
import dev.mdm.spi.BackendProvider;
import dev.mdm.spi.Capability;
import dev.mdm.spi.ModelRuntime;
import dev.mdm.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend for tests of the API layer: it selects, opens, loads and closes like a real one and keeps the weights it
 * is given, but computes nothing (every compute method throws). Registered as a service in the test class path under
 * the name {@code fake}.
 */
public class FakeBackendProvider implements BackendProvider {
    private final String name;
    private final int priority;
    private final Availability availability;
    private final Device opens;
    /** Backends created by this provider, to check that they are closed. */
    public final List<FakeBackend> created = new ArrayList<>();

    /** The service-loader constructor: an available CPU backend named {@code fake}. */
    public FakeBackendProvider() {
        this("fake", -100, Availability.ready(), null);
    }

    /**
     * @param name provider name
     * @param priority selection priority
     * @param availability what the probe answers
     * @param opens the device every created backend reports, or null for the one asked for
     */
    public FakeBackendProvider(String name, int priority, Availability availability, Device opens) {
        this.name = name;
        this.priority = priority;
        this.availability = availability;
        this.opens = opens;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int priority() {
        return priority;
    }

    @Override
    public Availability probe() {
        return availability;
    }

    @Override
    public Backend create(BackendContext context) {
        FakeBackend b = new FakeBackend(name, opens != null ? opens : context.device(), context.precision());
        created.add(b);
        return b;
    }

    @Override
    public String toString() {
        return "FakeBackendProvider[" + name + "]";
    }

    /** An open fake backend. */
    public static final class FakeBackend implements Backend {
        private final String name;
        private final Device device;
        private final Precision precision;
        /** Number of {@link #close()} calls. */
        public final AtomicInteger closes = new AtomicInteger();

        FakeBackend(String name, Device device, Precision precision) {
            this.name = name;
            this.device = device;
            this.precision = precision;
        }

        @Override public String name() { return name; }
        @Override public String version() { return "0.0-test"; }
        @Override public Device device() { return device; }
        @Override public Precision precision() { return precision; }
        @Override public Set<Capability> capabilities() { return Set.of(); }
        @Override public Tensor ssd(SsdRequest request) { throw computes(); }
        @Override public MambaMixer mambaMixer(MambaShape shape, Parameters weights) { throw computes(); }
        @Override public ScanSwitch scanSwitch(MdmConfig config) { throw computes(); }
        @Override public Tensor scoreEntropy(Tensor zt, Tensor zhat0, Tensor candidates, Tensor alphaBar) { throw computes(); }

        @Override
        public Sampler sampler(SamplerSettings settings, double[] betas) {
            return new Sampler() {
                @Override public SamplerSettings settings() { return settings; }
                @Override public Trajectory sample(Tensor xT, dev.mdm.sampling.DenoisingFunction model,
                        dev.mdm.sampling.Infill infill, long seed) { throw computes(); }
            };
        }

        @Override
        public ModelRuntime load(MdmConfig config, Parameters parameters) {
            parameters.requireLayout(config);
            return new FakeRuntime(config, parameters);
        }

        @Override
        public void close() {
            closes.incrementAndGet();
        }
    }

    /** Holds weights, computes nothing. */
    static final class FakeRuntime implements ModelRuntime {
        private final MdmConfig config;
        private final Parameters parameters;

        FakeRuntime(MdmConfig config, Parameters parameters) {
            this.config = config;
            this.parameters = parameters;
        }

        @Override public MdmConfig config() { return config; }
        @Override public Encoder encoder() { throw computes(); }
        @Override public Decoder decoder() { throw computes(); }
        @Override public ScanSwitch scanSwitch() { throw computes(); }
        @Override public MambaBlock block(int index) { throw computes(); }
        @Override public Denoiser denoiser() { throw computes(); }
        @Override public LossFunction loss() { throw computes(); }
        @Override public Parameters parameters() { return parameters; }
        @Override public TrainingSession train(OptimizerSettings settings, Parameters resumeState) { throw computes(); }
        @Override public void close() { }
    }

    private static UnsupportedOperationException computes() {
        return new UnsupportedOperationException("the fake test backend computes nothing");
    }
}

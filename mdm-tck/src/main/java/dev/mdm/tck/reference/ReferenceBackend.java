package dev.mdm.tck.reference;

import dev.mdm.Device;
import dev.mdm.InvalidInputException;
import dev.mdm.MdmConfig;
import dev.mdm.Precision;
import dev.mdm.model.MambaMixer;
import dev.mdm.model.MambaShape;
import dev.mdm.model.Parameters;
import dev.mdm.model.ScanSwitch;
import dev.mdm.model.SsdRequest;
import dev.mdm.sampling.Sampler;
import dev.mdm.sampling.SamplerSettings;
import dev.mdm.spi.Backend;
import dev.mdm.spi.Capability;
import dev.mdm.spi.ModelRuntime;
import dev.mdm.tensor.Tensor;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The pure-Java float64 reference oracle of SPEC §2-§8 as a backend: plain loops written for clarity, on the CPU, in
 * float64 whatever precision was asked for. Forward only (no {@link Capability#TRAINING}). Every method returns F64
 * tensors (decision D10). Thread-safe: components hold only immutable weights.
 */
public final class ReferenceBackend implements Backend {
    /** Version of the oracle. */
    public static final String VERSION = "0.1.0";

    private final Precision requested;
    private final ReferenceLifecycle lifecycle = new ReferenceLifecycle("reference backend", null);
    private final AtomicInteger created = new AtomicInteger();

    /** @param requested the precision the user asked for; the oracle computes in float64 regardless */
    public ReferenceBackend(Precision requested) {
        this.requested = requested;
    }

    @Override
    public String name() {
        return ReferenceBackendProvider.NAME;
    }

    @Override
    public String version() {
        return VERSION + " (pure Java, float64 for every requested precision; requested " + requested + ")";
    }

    @Override
    public Device device() {
        return Device.cpu();
    }

    @Override
    public Precision precision() {
        return Precision.FP64;
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.FP64);
    }

    @Override
    public Tensor ssd(SsdRequest request) {
        lifecycle.requireOpen();
        if (request == null) {
            throw new InvalidInputException("request", "an SsdRequest", "null");
        }
        return ReferenceSsd.run(request);
    }

    @Override
    public MambaMixer mambaMixer(MambaShape shape, Parameters weights) {
        lifecycle.requireOpen();
        if (shape == null) {
            throw new InvalidInputException("shape", "a MambaShape", "null");
        }
        if (weights == null) {
            throw new InvalidInputException("weights", "the mixer weights of SPEC §6", "null");
        }
        return new ReferenceMamba2Mixer(shape, weights, child("Mamba-2 mixer"));
    }

    @Override
    public ScanSwitch scanSwitch(MdmConfig config) {
        lifecycle.requireOpen();
        if (config == null) {
            throw new InvalidInputException("config", "an MdmConfig", "null");
        }
        return new ReferenceScanSwitch(config, lifecycle.child("scan switch"));
    }

    @Override
    public Tensor scoreEntropy(Tensor zt, Tensor zhat0, Tensor candidates, Tensor alphaBar) {
        lifecycle.requireOpen();
        requireNonNull("zt", zt);
        requireNonNull("zhat0", zhat0);
        requireNonNull("candidates", candidates);
        requireNonNull("alphaBar", alphaBar);
        return ReferenceScoreEntropy.compute(zt, zhat0, candidates, alphaBar);
    }

    @Override
    public Sampler sampler(SamplerSettings settings, double[] betas) {
        lifecycle.requireOpen();
        if (settings == null) {
            throw new InvalidInputException("settings", "SamplerSettings", "null");
        }
        return new ReferenceSampler(settings, betas, lifecycle.child("sampler"));
    }

    @Override
    public ModelRuntime load(MdmConfig config, Parameters parameters) {
        lifecycle.requireOpen();
        return new ReferenceModelRuntime(config, parameters, child("model runtime"));
    }

    private ReferenceLifecycle child(String what) {
        return lifecycle.child("reference " + what + " #" + created.incrementAndGet());
    }

    private static void requireNonNull(String argument, Tensor t) {
        if (t == null) {
            throw new InvalidInputException(argument, "a tensor", "null");
        }
    }

    @Override
    public void close() {
        lifecycle.close();
    }

    @Override
    public String toString() {
        return "ReferenceBackend[" + version() + "]";
    }
}

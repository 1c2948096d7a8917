package dev.mdm.tck;

import dev.mdm.Device;
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
import java.util.Set;

/** A backend that forwards every call to another; broken fakes override the one thing they break. */
class ForwardingBackend implements Backend {
    protected final Backend delegate;

    ForwardingBackend(Backend delegate) {
        this.delegate = delegate;
    }

    @Override
    public String name() {
        return "broken-" + delegate.name();
    }

    @Override
    public String version() {
        return delegate.version();
    }

    @Override
    public Device device() {
        return delegate.device();
    }

    @Override
    public Precision precision() {
        return delegate.precision();
    }

    @Override
    public Set<Capability> capabilities() {
        return delegate.capabilities();
    }

    @Override
    public Tensor ssd(SsdRequest request) {
        return delegate.ssd(request);
    }

    @Override
    public MambaMixer mambaMixer(MambaShape shape, Parameters weights) {
        return delegate.mambaMixer(shape, weights);
    }

    @Override
    public ScanSwitch scanSwitch(MdmConfig config) {
        return delegate.scanSwitch(config);
    }

    @Override
    public Tensor scoreEntropy(Tensor zt, Tensor zhat0, Tensor candidates, Tensor alphaBar) {
        return delegate.scoreEntropy(zt, zhat0, candidates, alphaBar);
    }

    @Override
    public Sampler sampler(SamplerSettings settings, double[] betas) {
        return delegate.sampler(settings, betas);
    }

    @Override
    public ModelRuntime load(MdmConfig config, Parameters parameters) {
        return delegate.load(config, parameters);
    }

    @Override
    public void close() {
        delegate.close();
    }
}

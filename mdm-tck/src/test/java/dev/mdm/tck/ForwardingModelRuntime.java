package dev.mdm.tck;

import dev.mdm.MdmConfig;
import dev.mdm.model.Decoder;
import dev.mdm.model.Denoiser;
import dev.mdm.model.Encoder;
import dev.mdm.model.LossFunction;
import dev.mdm.model.MambaBlock;
import dev.mdm.model.OptimizerSettings;
import dev.mdm.model.Parameters;
import dev.mdm.model.ScanSwitch;
import dev.mdm.model.TrainingSession;
import dev.mdm.spi.ModelRuntime;

/** A model that forwards every call to another; broken fakes override the one thing they break. */
class ForwardingModelRuntime implements ModelRuntime {
    protected final ModelRuntime delegate;

    ForwardingModelRuntime(ModelRuntime delegate) {
        this.delegate = delegate;
    }

    @Override
    public MdmConfig config() {
        return delegate.config();
    }

    @Override
    public java.util.Optional<dev.mdm.tensor.Tensor> sampleWhole(dev.mdm.sampling.SamplingRun run) {
        return delegate.sampleWhole(run);
    }

    @Override
    public Encoder encoder() {
        return delegate.encoder();
    }

    @Override
    public Decoder decoder() {
        return delegate.decoder();
    }

    @Override
    public ScanSwitch scanSwitch() {
        return delegate.scanSwitch();
    }

    @Override
    public MambaBlock block(int index) {
        return delegate.block(index);
    }

    @Override
    public Denoiser denoiser() {
        return delegate.denoiser();
    }

    @Override
    public LossFunction loss() {
        return delegate.loss();
    }

    @Override
    public Parameters parameters() {
        return delegate.parameters();
    }

    @Override
    public TrainingSession train(OptimizerSettings settings, Parameters resumeState) {
        return delegate.train(settings, resumeState);
    }

    @Override
    public void close() {
        delegate.close();
    }
}

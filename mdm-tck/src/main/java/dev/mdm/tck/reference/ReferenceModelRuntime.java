package dev.mdm.tck.reference;

import dev.mdm.InvalidInputException;
import dev.mdm.MdmConfig;
import dev.mdm.model.Decoder;
import dev.mdm.model.Denoiser;
import dev.mdm.model.Encoder;
import dev.mdm.model.LossFunction;
import dev.mdm.model.MambaBlock;
import dev.mdm.model.MambaShape;
import dev.mdm.model.OptimizerSettings;
import dev.mdm.model.Parameters;
import dev.mdm.model.ScanSwitch;
import dev.mdm.model.TrainingSession;
import dev.mdm.spi.ModelRuntime;
import java.util.ArrayList;
import java.util.List;

/** One model on the reference backend: the components of SPEC §2-§7 wired to one set of float64 weights. */
final class ReferenceModelRuntime implements ModelRuntime {
    private final MdmConfig config;
    private final ReferenceWeights weights;
    private final ReferenceLifecycle lifecycle;
    private final ReferenceVae vae;
    private final ReferenceScanSwitch scanSwitch;
    private final List<ReferenceMambaBlock> blocks;
    private final ReferenceDenoiser denoiser;
    private final ReferenceLoss loss;

    ReferenceModelRuntime(MdmConfig config, Parameters parameters, ReferenceLifecycle lifecycle) {
        if (config == null) {
            throw new InvalidInputException("config", "an MdmConfig", "null");
        }
        if (parameters == null) {
            throw new InvalidInputException("parameters", "the parameters of SPEC §12", "null");
        }
        parameters.requireLayout(config);
        this.config = config;
        this.weights = new ReferenceWeights(parameters);
        this.lifecycle = lifecycle;
        this.vae = new ReferenceVae(config, weights, lifecycle);
        this.scanSwitch = new ReferenceScanSwitch(config, lifecycle);
        MambaShape shape = MambaShape.of(config);
        List<ReferenceMambaBlock> list = new ArrayList<>();
        for (int i = 0; i < config.blocks(); i++) {
            String prefix = "blocks." + i + ".";
            var mixer = new ReferenceMamba2Mixer(shape, parameters.withPrefixRemoved(prefix + "mixer."), lifecycle);
            list.add(new ReferenceMambaBlock(i, config, weights.get(prefix + "norm.weight"), mixer, scanSwitch, lifecycle));
        }
        this.blocks = List.copyOf(list);
        this.denoiser = new ReferenceDenoiser(config, weights, blocks, lifecycle);
        this.loss = new ReferenceLoss(config, vae, denoiser, lifecycle);
    }

    @Override
    public MdmConfig config() {
        return config;
    }

    @Override
    public Encoder encoder() {
        lifecycle.requireOpen();
        return vae;
    }

    @Override
    public Decoder decoder() {
        lifecycle.requireOpen();
        return vae;
    }

    @Override
    public ScanSwitch scanSwitch() {
        lifecycle.requireOpen();
        return scanSwitch;
    }

    @Override
    public MambaBlock block(int index) {
        lifecycle.requireOpen();
        if (index < 0 || index >= blocks.size()) {
            throw new InvalidInputException("index", "a block index in [0, " + blocks.size() + ")", String.valueOf(index));
        }
        return blocks.get(index);
    }

    @Override
    public Denoiser denoiser() {
        lifecycle.requireOpen();
        return denoiser;
    }

    @Override
    public LossFunction loss() {
        lifecycle.requireOpen();
        return loss;
    }

    @Override
    public Parameters parameters() {
        lifecycle.requireOpen();
        return weights.toParameters();
    }

    @Override
    public TrainingSession train(OptimizerSettings settings, Parameters resumeState) {
        lifecycle.requireOpen();
        throw new UnsupportedOperationException("backend '" + ReferenceBackendProvider.NAME
                + "' has no TRAINING capability: it is a forward-only float64 oracle; "
                + "use ReferenceAdamW to check another backend's optimizer step");
    }

    @Override
    public void close() {
        lifecycle.close();
    }
}

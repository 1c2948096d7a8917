package dev.mdm.backend.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.mdm.InvalidInputException;
import dev.mdm.MdmConfig;
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
import dev.mdm.spi.ModelRuntime;
import dev.mdm.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One model on DJL: its weights in their own NDManager and every component bound to them. Inference runs
 * concurrently; an optimizer step updates the weights in place under the write lock.
 */
final class DjlModelRuntime implements ModelRuntime {
    private final MdmConfig config;
    private final ComputeScope scope;
    private final Lifecycle parent;
    private final Lifecycle lifecycle = new Lifecycle("DJL model");
    private final Map<String, NDArray> arrays;
    private final Weights weights;
    private final MdmNetwork network;

    DjlModelRuntime(MdmConfig config, Parameters parameters, ComputeScope scope, Lifecycle parent) {
        this.config = config;
        this.scope = scope;
        this.parent = parent;
        this.arrays = DjlBackend.upload(scope, parameters);
        this.weights = Weights.of(arrays);
        this.network = new MdmNetwork(config, scope.type());
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
                Inputs.floats("images", images, -1, config.imageChannels(), config.imageHeight(), config.imageWidth());
                return read(m -> latent(network.encodeImage(weights, HostTransfer.floats(m, images, scope.type()))));
            }

            @Override
            public LatentDistribution encodeText(Tensor tokens) {
                long[] ids = Inputs.ids("tokens", tokens, config.vocabSize() - 1, -1, config.textLength());
                return read(m -> latent(network.encodeText(weights,
                        HostTransfer.longs(m, ids, new Shape(tokens.dim(0), config.textLength())))));
            }
        };
    }

    private static LatentDistribution latent(NDArray[] muLogVar) {
        return new LatentDistribution(HostTransfer.toHost(muLogVar[0]), HostTransfer.toHost(muLogVar[1]));
    }

    @Override
    public Decoder decoder() {
        return new Decoder() {
            @Override
            public Tensor decodeImage(Tensor latents) {
                Inputs.floats("latents", latents, -1, config.imageTokens(), config.latentDim());
                return read(m -> HostTransfer.toHost(network.unpatchify(
                        network.decodeImagePatches(weights, HostTransfer.floats(m, latents, scope.type())))));
            }

            @Override
            public Tensor decodeText(Tensor latents) {
                Inputs.floats("latents", latents, -1, config.textLength(), config.latentDim());
                return read(m -> HostTransfer.toHost(
                        network.decodeText(weights, HostTransfer.floats(m, latents, scope.type()))));
            }
        };
    }

    @Override
    public ScanSwitch scanSwitch() {
        lifecycle.ensureOpen();
        return new DjlScanSwitch(config, scope, lifecycle);
    }

    @Override
    public MambaBlock block(int index) {
        lifecycle.ensureOpen();
        if (index < 0 || index >= config.blocks()) {
            throw new InvalidInputException("index", "a block index in [0, " + config.blocks() + ")", String.valueOf(index));
        }
        return new MambaBlock() {
            @Override
            public int index() {
                return index;
            }

            @Override
            public Tensor forward(Tensor x) {
                Inputs.floats("x", x, -1, config.sequenceLength(), config.dModel());
                return read(m -> HostTransfer.toHost(
                        network.block(weights, m, index, HostTransfer.floats(m, x, scope.type()))));
            }

            @Override
            public Tensor mixer(Tensor u) {
                Inputs.floats("u", u, -1, -1, config.dModel());
                return read(m -> HostTransfer.toHost(Mamba2.forward(weights.under("blocks." + index + ".mixer."),
                        network.mambaShape(), HostTransfer.floats(m, u, scope.type()))));
            }
        };
    }

    @Override
    public Denoiser denoiser() {
        return (latents, timeInput, classIds) -> {
            int b = Inputs.floats("latents", latents, -1, config.latentTokens(), config.latentDim()).dim(0);
            double[] t = Inputs.floats("timeInput", timeInput, b).toDoubleArray();
            long[] c = Inputs.ids("classIds", classIds, config.classes(), b);
            return read(m -> HostTransfer.toHost(
                    network.denoise(weights, m, HostTransfer.floats(m, latents, scope.type()), t, c,
                            MdmNetwork.Intermediates.FREE_PER_BLOCK)));
        };
    }

    @Override
    public LossFunction loss() {
        return new LossFunction() {
            @Override
            public LossBreakdown compute(TrainingBatch batch) {
                validate(batch);
                return read(m -> breakdown(network.loss(weights, m, batch)));
            }

            @Override
            public Tensor scoreEntropy(Tensor zt, Tensor zhat0, Tensor candidates, Tensor alphaBar) {
                lifecycle.ensureOpen();
                return lifecycle.read(() -> DjlBackend.scoreEntropy(scope, zt, zhat0, candidates, alphaBar));
            }
        };
    }

    void validate(TrainingBatch batch) {
        if (batch == null) {
            throw new InvalidInputException("batch", "a TrainingBatch", "null");
        }
        batch.validate(config);
        if (batch.tokens().dtype().isFloating() || batch.classIds().dtype().isFloating()) {
            throw new InvalidInputException("batch", "integer tokens and class ids",
                    batch.tokens().dtype() + " tokens, " + batch.classIds().dtype() + " class ids");
        }
        for (double v : batch.noised().toDoubleArray()) {
            if (v != 0 && v != 1) {
                throw new InvalidInputException("noised", "only 0 and 1", String.valueOf(v));
            }
        }
    }

    static LossBreakdown breakdown(MdmNetwork.LossTerms t) {
        return new LossBreakdown(scalar(t.total()), scalar(t.imageReconstruction()), scalar(t.imageDenoised()),
                scalar(t.textReconstruction()), scalar(t.textDenoised()), scalar(t.kl()), scalar(t.scoreEntropy()));
    }

    static double scalar(NDArray a) {
        return a.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble();
    }

    @Override
    public Parameters parameters() {
        return read(m -> {
            var out = new LinkedHashMap<String, Tensor>();
            arrays.forEach((k, v) -> out.put(k, HostTransfer.toHost(v)));
            return Parameters.of(out);
        });
    }

    @Override
    public TrainingSession train(OptimizerSettings settings, Parameters resumeState) {
        lifecycle.ensureOpen();
        Objects.requireNonNull(settings, "settings");
        return lifecycle.read(() -> lifecycle.adopt(new DjlTrainingSession(this, settings, resumeState)));
    }

    // ---- what the training session needs ----

    MdmNetwork network() {
        return network;
    }

    ComputeScope scope() {
        return scope;
    }

    Lifecycle lifecycle() {
        return lifecycle;
    }

    /** @return the live weight arrays, name to array; only a session's step writes them, under the write lock */
    Map<String, NDArray> arrays() {
        return arrays;
    }

    private <T> T read(java.util.function.Function<ai.djl.ndarray.NDManager, T> body) {
        lifecycle.ensureOpen();
        return lifecycle.read(() -> scope.call(body));
    }

    @Override
    public void close() {
        parent.release(this);
        lifecycle.close(scope::close);
    }
}

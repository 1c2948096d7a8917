package dev.mdm.backend.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.mdm.InvalidInputException;
import dev.mdm.MdmConfig;
import dev.mdm.model.Decoder;
import dev.mdm.model.Denoiser;
import dev.mdm.model.Encoder;
import dev.mdm.model.LatentDistribution;
import dev.mdm.model.LossFunction;
import dev.mdm.model.MambaBlock;
import dev.mdm.model.OptimizerSettings;
import dev.mdm.model.Parameters;
import dev.mdm.model.ScanSwitch;
import dev.mdm.model.TrainingSession;
import dev.mdm.spi.ModelRuntime;
import dev.mdm.spi.OnnxExporter;
import dev.mdm.tensor.DType;
import dev.mdm.tensor.Tensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * One model on the ONNX backend. Each component's graph is built and its session opened on first use, then reused;
 * the denoiser is a single graph for a whole network evaluation with a dynamic batch, whose weights ONNX Runtime is
 * given from memory as external data when they would not fit a protobuf message. Implements {@link OnnxExporter}.
 */
final class OnnxModelRuntime implements ModelRuntime, OnnxExporter {
    private final OnnxBackend backend;
    private final MdmConfig config;
    private final Parameters parameters;
    private final ModelGraphs graphs;
    private final Map<String, GraphSession> sessions = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ReentrantReadWriteLock lifetime = new ReentrantReadWriteLock();

    OnnxModelRuntime(OnnxBackend backend, MdmConfig config, Parameters parameters, long inlineLimitBytes) {
        this.backend = backend;
        this.config = config;
        var f32 = new LinkedHashMap<String, Tensor>();
        parameters.asMap().forEach((k, v) -> f32.put(k, v.to(DType.F32)));
        this.parameters = Parameters.of(f32);
        this.graphs = new ModelGraphs(config, this.parameters, inlineLimitBytes);
    }

    @Override
    public MdmConfig config() {
        return config;
    }

    @Override
    public Encoder encoder() {
        checkOpen();
        return new Encoder() {
            @Override
            public LatentDistribution encodeImage(Tensor images) {
                Inputs.require("images", images, -1, config.imageChannels(), config.imageHeight(), config.imageWidth());
                Inputs.nonEmpty("images", images);
                images.requireFinite("images");
                Map<String, Tensor> out = run("encoder_image", graphs::imageEncoder, Map.of("images", images));
                return new LatentDistribution(out.get("mean"), out.get("log_var"));
            }

            @Override
            public LatentDistribution encodeText(Tensor tokens) {
                Inputs.require("tokens", tokens, -1, config.textLength());
                Inputs.nonEmpty("tokens", tokens);
                Tensor ids = Inputs.ids("tokens", tokens, config.vocabSize());
                Map<String, Tensor> out = run("encoder_text", graphs::textEncoder, Map.of("tokens", ids));
                return new LatentDistribution(out.get("mean"), out.get("log_var"));
            }
        };
    }

    @Override
    public Decoder decoder() {
        checkOpen();
        return new Decoder() {
            @Override
            public Tensor decodeImage(Tensor latents) {
                Inputs.sequence("latents", latents, config.imageTokens(), config.latentDim());
                return run("decoder_image", graphs::imageDecoder, Map.of("latents", latents)).get("images");
            }

            @Override
            public Tensor decodeText(Tensor latents) {
                Inputs.sequence("latents", latents, config.textLength(), config.latentDim());
                return run("decoder_text", graphs::textDecoder, Map.of("latents", latents)).get("logits");
            }
        };
    }

    @Override
    public ScanSwitch scanSwitch() {
        checkOpen();
        return backend.scanSwitch(config);
    }

    @Override
    public MambaBlock block(int index) {
        checkOpen();
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
                Inputs.sequence("x", x, config.sequenceLength(), config.dModel());
                return run("block_" + index, () -> graphs.block(index), Map.of("x", x)).get("y");
            }

            @Override
            public Tensor mixer(Tensor u) {
                Inputs.sequence("u", u, -1, config.dModel());
                return run("mixer_" + index, () -> graphs.mixer(index), Map.of("u", u)).get("y");
            }
        };
    }

    @Override
    public Denoiser denoiser() {
        checkOpen();
        return this::predict;
    }

    /** One denoiser evaluation (SPEC §2); the inputs are checked here, before ONNX Runtime sees them. */
    Tensor predict(Tensor latents, Tensor timeInput, Tensor classIds) {
        int b = Inputs.sequence("latents", latents, config.latentTokens(), config.latentDim());
        Inputs.require("timeInput", timeInput, b);
        timeInput.requireFinite("timeInput");
        Inputs.require("classIds", classIds, b);
        Tensor classes = Inputs.ids("classIds", classIds, config.classes() + 1L);
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("latents", latents);
        in.put("time_input", timeInput);
        in.put("class_ids", classes);
        return runGraph("denoiser", graphs::denoiser, in).get("x0");
    }

    @Override
    public LossFunction loss() {
        checkOpen();
        return new OnnxLoss(config, this, backend);
    }

    @Override
    public Parameters parameters() {
        checkOpen();
        return parameters;
    }

    @Override
    public TrainingSession train(OptimizerSettings settings, Parameters resumeState) {
        checkOpen();
        throw new UnsupportedOperationException("backend 'onnx' lacks the TRAINING capability: it runs inference only; "
                + "train on the djl or jcuda backend and load the checkpoint here");
    }

    @Override
    public List<Path> exportOnnx(Path directory) {
        checkOpen();
        return OnnxExport.write(directory, config, Map.of(
                DENOISER, graphs.denoiser(),
                ENCODER_IMAGE, OnnxGraph.inline(graphs.imageEncoder()),
                ENCODER_TEXT, OnnxGraph.inline(graphs.textEncoder()),
                DECODER_IMAGE, OnnxGraph.inline(graphs.imageDecoder()),
                DECODER_TEXT, OnnxGraph.inline(graphs.textDecoder())));
    }

    private Map<String, Tensor> run(String graph, Supplier<ModelProto> build, Map<String, Tensor> inputs) {
        return runGraph(graph, () -> OnnxGraph.inline(build.get()), inputs);
    }

    /** Runs a graph that may keep its weights as external data, opening its session on first use. */
    private Map<String, Tensor> runGraph(String graph, Supplier<OnnxGraph> build, Map<String, Tensor> inputs) {
        GraphSession session;
        // the session is looked up or made while this runtime cannot close, so that close sees and closes it
        lifetime.readLock().lock();
        try {
            checkOpen();
            session = sessions.computeIfAbsent(graph, k -> backend.open(build.get()));
        } finally {
            lifetime.readLock().unlock();
        }
        return session.run(inputs);  // a session closed meanwhile says so (its own lock)
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("this onnx ModelRuntime is closed");
        }
    }

    @Override
    public void close() {
        lifetime.writeLock().lock();
        boolean closing;
        try {
            closing = closed.compareAndSet(false, true);
        } finally {
            lifetime.writeLock().unlock();
        }
        if (closing) {
            backend.released(this);
            // every session, even when one fails to close: the first failure is thrown with the others suppressed
            RuntimeException failure = null;
            for (GraphSession s : sessions.values()) {
                try {
                    s.close();
                } catch (RuntimeException e) {
                    if (failure == null) {
                        failure = e;
                    } else {
                        failure.addSuppressed(e);
                    }
                }
            }
            sessions.clear();
            if (failure != null) {
                throw failure;
            }
        }
    }
}

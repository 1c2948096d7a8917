package dev.mdm;

import dev.mdm.checkpoint.Checkpoint;
import dev.mdm.model.Decoder;
import dev.mdm.model.Denoiser;
import dev.mdm.model.Encoder;
import dev.mdm.model.LossFunction;
import dev.mdm.model.MambaBlock;
import dev.mdm.model.ParameterInitializer;
import dev.mdm.model.Parameters;
import dev.mdm.model.ScanSwitch;
import dev.mdm.sampling.Sampler;
import dev.mdm.sampling.SamplerSettings;
import dev.mdm.spi.Backend;
import dev.mdm.spi.BackendContext;
import dev.mdm.spi.BackendProvider;
import dev.mdm.spi.BackendRegistry;
import dev.mdm.spi.Capability;
import dev.mdm.spi.ModelRuntime;
import dev.mdm.spi.OnnxExporter;
import dev.mdm.task.Generation;
import dev.mdm.task.Prompt;
import dev.mdm.task.TaskRunner;
import dev.mdm.task.TextSampling;
import dev.mdm.tensor.Tensor;
import dev.mdm.training.Trainer;
import dev.mdm.text.SentencePieceTokenizer;
import dev.mdm.text.Tokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A Multi-modal Diffusion Mamba model on one backend: the entry point of the SDK.
 *
 * <pre>{@code
 * try (MDM mdm = MDM.builder().backend("djl").config(MdmConfig.tiny()).seed(7).build()) {
 *     Tensor x0 = mdm.denoiser().predict(latents, timeInput, classIds);
 * }
 * }</pre>
 *
 * <p>Immutable and thread-safe for inference; {@link #close()} frees the backend and everything it holds. The five
 * named components of the paper are reachable on their own: {@link #encoder()}, {@link #scanSwitch()},
 * {@link #block(int)}, {@link #loss()}, {@link #sampler()} (and {@link #decoder()}, {@link #denoiser()}).
 */
public final class MDM implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(MDM.class.getName());

    private final Builder settings;
    private final MdmConfig config;
    private final Backend backend;
    private final ModelRuntime runtime;
    private final Sampler sampler;
    private final Tokenizer tokenizer;
    /** the tokenizer this instance opened from its checkpoint, closed with it; null when the caller gave one */
    private final SentencePieceTokenizer ownTokenizer;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param b the builder's settings without the weights: a model keeps no second copy of them (its backend holds
     *     them, and {@link #toBuilder()} reads them back from it)
     */
    private MDM(Builder b, MdmConfig config, Backend backend, ModelRuntime runtime, SentencePieceTokenizer ownTokenizer,
                SamplerSettings samplerSettings) {
        this.settings = b;
        this.config = config;
        this.backend = backend;
        this.runtime = runtime;
        this.ownTokenizer = ownTokenizer;
        this.tokenizer = b.tokenizer != null ? b.tokenizer : ownTokenizer;
        this.sampler = backend.sampler(samplerSettings, betas(config));
    }

    /** @return a builder with defaults: the {@code tiny} config, FP32, seed 0, backend by the selection rules */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder for a variant of this model: its settings, its weights as they are now (read back from the backend
     * by this call) and its tokenizer, each of which the builder's setters may replace once, e.g.
     * {@code mdm.toBuilder().backend("onnx").sampler(SamplerSettings.defaults().withSteps(50)).build()}. The variant
     * opens a backend of its own.
     *
     * @return the builder
     */
    public Builder toBuilder() {
        checkOpen();
        Builder b = settings.copy();
        b.checkpoint = null;
        b.config = config;
        b.parameters = runtime.parameters();
        b.inherited.addAll(b.setFields());
        return b;
    }

    /**
     * @return a report of every backend found, whether it can run here and why not, and which one would be chosen
     */
    public static String diagnose() {
        return BackendRegistry.discover().diagnose();
    }

    // ---- checkpoints ----

    /**
     * Loads a model file with the default backend selection ({@code mdm.backend}, {@code MDM_BACKEND}, then
     * priority), and the tokenizer the file carries, if any (see {@link Builder#checkpoint(Path)}). For another
     * backend, device or precision use {@code MDM.builder().checkpoint(path)…build()}.
     *
     * @param path a file written by {@link #save(Path)} or {@link Checkpoint#save(Path)}
     * @return the model
     * @throws CheckpointException if the file is not a valid MDM checkpoint
     * @throws InvalidInputException if its weights do not fit its config or are not finite (named by tensor)
     * @throws dev.mdm.text.TokenizerException if the tokenizer it carries is not a SentencePiece model
     * @throws BackendNotFoundException if {@code mdm.backend} or {@code MDM_BACKEND} names a backend not on the
     *     class path
     * @throws BackendUnavailableException if no backend can run here
     */
    public static MDM load(Path path) {
        return builder().checkpoint(path).build();
    }

    /**
     * Writes the weights, the config, the backend that computed them and the SentencePiece model of its tokenizer (the
     * one its checkpoint carried, else that of a {@link SentencePieceTokenizer} given to the builder), atomically: a
     * failed or interrupted save leaves any previous file intact. {@link #load} then gets the tokenizer back.
     *
     * @param path the file to create or replace
     * @throws CheckpointException if the file cannot be written
     */
    public void save(Path path) {
        checkOpen();
        Checkpoint c = Checkpoint.of(config, runtime.parameters())
                .withBackend(backend.name() + " " + backend.version() + " (" + backend.device() + ", " + backend.precision() + ")");
        byte[] tokenizerModel = tokenizerModel();
        (tokenizerModel != null ? c.withTokenizerModel(tokenizerModel) : c).save(path);
    }

    /**
     * @return the SentencePiece model to store with this model's weights: the one its checkpoint carried, else that of
     *     its SentencePiece tokenizer, else null (another kind of tokenizer, or none)
     */
    private byte[] tokenizerModel() {
        byte[] carried = settings.carriedTokenizerModel;
        if (carried != null) {
            return carried;
        }
        return tokenizer instanceof SentencePieceTokenizer s ? s.model() : null;
    }

    /** @return the model sizes */
    public MdmConfig config() {
        return config;
    }

    /** @return the backend computing this model */
    public Backend backend() {
        checkOpen();
        return backend;
    }

    /** @return the model loaded on the backend */
    public ModelRuntime runtime() {
        checkOpen();
        return runtime;
    }

    /** @return the noisy-latent encoder */
    public Encoder encoder() {
        return runtime().encoder();
    }

    /** @return the VAE decoders */
    public Decoder decoder() {
        return runtime().decoder();
    }

    /** @return the image/text scan switch */
    public ScanSwitch scanSwitch() {
        return runtime().scanSwitch();
    }

    /**
     * @param index 0 ≤ index &lt; {@code config().blocks()}
     * @return that Mamba block
     */
    public MambaBlock block(int index) {
        if (index < 0 || index >= config.blocks()) {
            throw new InvalidInputException("index", "a block index in [0, " + config.blocks() + ")", String.valueOf(index));
        }
        return runtime().block(index);
    }

    /** @return the denoising network */
    public Denoiser denoiser() {
        return runtime().denoiser();
    }

    /** @return the training losses (forward) */
    public LossFunction loss() {
        return runtime().loss();
    }

    /** @return the sampler configured in the builder */
    public Sampler sampler() {
        checkOpen();
        return sampler;
    }

    /**
     * @return the tokenizer given to the builder, else the one the checkpoint carries (opened when the SentencePiece
     *     library is on the class path), if any
     */
    public java.util.Optional<Tokenizer> tokenizer() {
        checkOpen();  // a tokenizer the model opened is closed with it
        return java.util.Optional.ofNullable(tokenizer);
    }

    /** @return a host copy of the weights */
    public Parameters parameters() {
        return runtime().parameters();
    }

    // ---- tasks (SPEC §9); the work is done by dev.mdm.task.TaskRunner ----

    private TaskRunner tasks() {
        checkOpen();
        return new TaskRunner(runtime, sampler.settings(),
                s -> s.equals(sampler.settings()) ? sampler : backend.sampler(s, betas(config)), tokenizer);
    }

    /**
     * Generates one sample: joint image and caption, a class-conditional image (with classifier-free guidance), or
     * an image for a text. Class-conditional generation and text-to-image need a tokenizer (the first gives its text
     * as the tokenizer's pad ids); joint generation runs without one and then returns no caption. Given tokens enter
     * as their clean latent z₀ = μ; see {@link TaskRunner}.
     *
     * @param prompt what to generate
     * @return the sample, with the seed that reproduces it
     */
    public Generation generate(Prompt prompt) {
        return tasks().generate(prompt);
    }

    /**
     * @param prompt what to generate
     * @param count how many samples, sampled as one batch
     * @return the samples, the i-th drawn from the prompt's seed + i (as Java {@code long}s add, wrapping), which
     *     {@link Generation#seed()} reports: each can be drawn again alone, except with DDPM, whose noise at every step
     *     is drawn for the whole batch. Batches from seeds s and s + 1 share all but one sample: space the seeds of
     *     successive batches by their count
     */
    public List<Generation> generate(Prompt prompt, int count) {
        return tasks().generate(prompt, count);
    }

    /**
     * @param text a description that fits in the model's text length (needs a tokenizer)
     * @return an image [C, H, W] in [-1, 1]
     */
    public Tensor textToImage(String text) {
        return tasks().generate(Prompt.textToImage(text)).image();
    }

    /**
     * Image captioning (needs a tokenizer), mode-seeking: temperature 0 ({@link TextSampling#DEFAULT}).
     * Deterministic: the same image gives the same caption.
     *
     * @param image [C, H, W] in [-1, 1]
     * @return the caption
     */
    public String caption(Tensor image) {
        return tasks().caption(image);
    }

    /**
     * Image captioning with chosen image guidance, temperature and seed (see {@link TextSampling}). Deterministic
     * for a given image and settings: draw several samples with several seeds.
     *
     * @param image [C, H, W] in [-1, 1]
     * @param sampling e.g. {@code TextSampling.SAMPLE.withSeed(3)} for a sample instead of the mode-seeking
     *     caption
     * @return the caption
     */
    public String caption(Tensor image, TextSampling sampling) {
        return tasks().caption(image, sampling);
    }

    /**
     * Captions, mode-seeking: temperature 0 ({@link TextSampling#DEFAULT}; decision D18 in docs/DECISIONS.md).
     *
     * @param images [b, C, H, W] in [-1, 1]
     * @return a caption per image, computed as one batch
     */
    public List<String> captions(Tensor images) {
        return tasks().captions(images);
    }

    /**
     * Captions with chosen image guidance (decision D17: at every step the text is predicted once with the clean
     * image and once with the image noised to the text's noise level, and the difference is amplified by w) and
     * temperature (decision D18: the text starts from τ·x_T).
     *
     * @param images [b, C, H, W] in [-1, 1]
     * @param sampling image guidance, temperature and seed
     * @return a caption per image, computed as one batch
     */
    public List<String> captions(Tensor images, TextSampling sampling) {
        return tasks().captions(images, sampling);
    }

    /**
     * Visual question answering (needs a tokenizer), mode-seeking: temperature 0 ({@link TextSampling#DEFAULT}).
     * Deterministic.
     *
     * @param image [C, H, W] in [-1, 1]
     * @param question the question; it must leave at least one text position for the answer
     * @return the answer
     */
    public String answer(Tensor image, String question) {
        return tasks().answer(image, question);
    }

    /**
     * Visual question answering with chosen image guidance and temperature (see {@link TextSampling}).
     * Deterministic for given inputs and settings.
     *
     * @param image [C, H, W] in [-1, 1]
     * @param question the question; it must leave at least one text position for the answer
     * @param sampling image guidance, temperature and seed
     * @return the answer
     */
    public String answer(Tensor image, String question, TextSampling sampling) {
        return tasks().answer(image, question, sampling);
    }

    /**
     * @param images [b, C, H, W] in [-1, 1]
     * @param questions one question per image
     * @return an answer per image at temperature 0 ({@link TextSampling#DEFAULT}), computed as one batch
     */
    public List<String> answers(Tensor images, List<String> questions) {
        return tasks().answers(images, questions);
    }

    /**
     * Answers with chosen image guidance and temperature (see {@link TextSampling}).
     *
     * @param images [b, C, H, W] in [-1, 1]
     * @param questions one question per image
     * @param sampling image guidance, temperature and seed
     * @return an answer per image, computed as one batch
     */
    public List<String> answers(Tensor images, List<String> questions, TextSampling sampling) {
        return tasks().answers(images, questions, sampling);
    }

    /**
     * Starts configuring training of this model's weights in place, with the task mix of SPEC §9.
     *
     * @return a trainer builder
     * @throws UnsupportedOperationException when the backend lacks {@link dev.mdm.spi.Capability#TRAINING}
     */
    public Trainer.Builder trainer() {
        checkOpen();
        Trainer.Builder b = Trainer.builder(runtime, tokenizer, backend.name(), backend.capabilities())
                .backendDescription(backend.name() + " " + backend.version() + " (" + backend.device() + ", " + backend.precision() + ")");
        byte[] tokenizerModel = tokenizerModel();
        return tokenizerModel != null ? b.tokenizerModel(tokenizerModel) : b;
    }

    /**
     * Text-to-text completion (needs a tokenizer). Deterministic.
     *
     * @param prompt the start of a text; it must leave at least one text position
     * @return the continuation, without the prompt
     */
    public String complete(String prompt) {
        return tasks().complete(prompt);
    }

    /**
     * Writes the model as standalone ONNX files (see {@link OnnxExporter} for the files and their inputs and outputs),
     * runnable wherever ONNX Runtime runs.
     *
     * @param directory where to write; created if needed
     * @return the paths written
     * @throws UnsupportedOperationException when this backend lacks {@link Capability#ONNX_EXPORT}
     */
    public List<java.nio.file.Path> exportOnnx(java.nio.file.Path directory) {
        Objects.requireNonNull(directory, "directory");
        ModelRuntime r = runtime();
        if (!backend.capabilities().contains(Capability.ONNX_EXPORT) || !(r instanceof OnnxExporter exporter)) {
            throw new UnsupportedOperationException("backend '" + backend.name() + "' cannot export ONNX (it lacks the "
                    + "ONNX_EXPORT capability); load these weights on the onnx backend and export from there: "
                    + "MDM.builder().backend(\"onnx\").config(mdm.config()).parameters(mdm.parameters()).build()"
                    + ".exportOnnx(dir), with dev.mdm:mdm-backend-onnx on the class path");
        }
        return exporter.exportOnnx(directory);
    }

    /**
     * @param config a configuration
     * @return its discrete β schedule, linear from betaStart to betaEnd over T steps
     */
    public static double[] betas(MdmConfig config) {
        int t = config.timesteps();
        double[] b = new double[t];
        for (int i = 0; i < t; i++) {
            b[i] = t == 1 ? config.betaStart() : config.betaStart() + (config.betaEnd() - config.betaStart()) * i / (t - 1);
        }
        return b;
    }

    /**
     * @param config a configuration
     * @return ᾱ_t = Π_{k≤t}(1 − β_k) of {@link #betas} for t = 0..T (ᾱ_0 = 1), as the losses use it (decision D3)
     */
    public static double[] alphaBars(MdmConfig config) {
        double[] betas = betas(config);
        double[] ab = new double[betas.length + 1];
        ab[0] = 1;
        for (int t = 1; t <= betas.length; t++) {
            ab[t] = ab[t - 1] * (1 - betas[t - 1]);
        }
        return ab;
    }

    /** Frees the model and the backend. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                runtime.close();
            } finally {
                try {
                    backend.close();
                } finally {
                    if (ownTokenizer != null) {
                        ownTokenizer.close();
                    }
                }
            }
        }
    }

    /** @return true after {@link #close()} */
    public boolean isClosed() {
        return closed.get();
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("this MDM (backend " + backend.name() + ") is closed");
        }
    }

    @Override
    public String toString() {
        return "MDM{backend=" + backend.name() + " " + backend.version() + ", device=" + backend.device()
                + ", precision=" + backend.precision() + ", blocks=" + config.blocks() + ", d=" + config.dModel() + "}";
    }

    /**
     * Builds an {@link MDM}. Each setter validates its argument and rejects being called twice (on a builder from
     * {@link MDM#toBuilder()}, a setting copied from the model may be replaced once); {@link #build()} checks the
     * whole and reports every problem together.
     */
    public static final class Builder {
        private String backendName;
        private BackendProvider provider;
        private BackendRegistry registry;
        private Device device;
        private Precision precision;
        private MdmConfig config;
        private Long seed;
        private Parameters parameters;
        private SamplerSettings samplerSettings;
        private Tokenizer tokenizer;
        private Checkpoint checkpoint;
        /** the SentencePiece model a variant's source carried in its checkpoint (see {@link MDM#toBuilder()}) */
        private byte[] carriedTokenizerModel;
        /** settings copied from a model by {@link MDM#toBuilder()}: each may be set once more, replacing the copy */
        private final EnumSet<Setting> inherited = EnumSet.noneOf(Setting.class);
        private final List<String> problems = new ArrayList<>();

        private Builder() {
        }

        private Builder copy() {
            Builder b = new Builder();
            b.backendName = backendName;
            b.provider = provider;
            b.registry = registry;
            b.device = device;
            b.precision = precision;
            b.config = config;
            b.seed = seed;
            b.parameters = parameters;
            b.samplerSettings = samplerSettings;
            b.tokenizer = tokenizer;
            b.checkpoint = checkpoint;
            b.carriedTokenizerModel = carriedTokenizerModel;
            return b;
        }

        /** The settings whose setters {@link #once} guards, named as its messages name them. */
        private enum Setting {
            BACKEND, REGISTRY, DEVICE, PRECISION, CONFIG, SEED, PARAMETERS, SAMPLER, TOKENIZER, CHECKPOINT;

            @Override
            public String toString() {
                return this == SAMPLER ? "sampler" : name().toLowerCase(java.util.Locale.ROOT);
            }
        }

        /** @return the settings that hold a value */
        private EnumSet<Setting> setFields() {
            EnumSet<Setting> set = EnumSet.noneOf(Setting.class);
            if (backendName != null || provider != null) set.add(Setting.BACKEND);
            if (registry != null) set.add(Setting.REGISTRY);
            if (device != null) set.add(Setting.DEVICE);
            if (precision != null) set.add(Setting.PRECISION);
            if (config != null) set.add(Setting.CONFIG);
            if (seed != null) set.add(Setting.SEED);
            if (parameters != null) set.add(Setting.PARAMETERS);
            if (samplerSettings != null) set.add(Setting.SAMPLER);
            if (tokenizer != null) set.add(Setting.TOKENIZER);
            if (checkpoint != null) set.add(Setting.CHECKPOINT);
            return set;
        }

        private void once(Setting setting, Object current) {
            if (current != null && !inherited.remove(setting)) {
                throw new IllegalStateException(setting + " was already set to " + current);
            }
        }

        /**
         * @param name a backend name such as {@code djl}, {@code onnx}, {@code jcuda}, {@code reference}
         * @return this builder
         */
        public Builder backend(String name) {
            if (name == null || name.isBlank()) {
                throw new InvalidInputException("backend", "a backend name such as djl, onnx, jcuda",
                        name == null ? "null" : "'" + name + "'");
            }
            once(Setting.BACKEND, backendName != null ? backendName : provider);
            backendName = name.trim();
            provider = null;  // replaces an inherited provider (toBuilder)
            return this;
        }

        /**
         * @param provider a provider instance, used even if it is not registered as a service
         * @return this builder
         */
        public Builder backend(BackendProvider provider) {
            Objects.requireNonNull(provider, "provider");
            once(Setting.BACKEND, backendName != null ? backendName : this.provider);
            this.provider = provider;
            backendName = null;  // replaces an inherited name (toBuilder)
            return this;
        }

        /**
         * @param registry where to look backends up (default: {@link BackendRegistry#discover()})
         * @return this builder
         */
        public Builder registry(BackendRegistry registry) {
            Objects.requireNonNull(registry, "registry");
            once(Setting.REGISTRY, this.registry);
            this.registry = registry;
            return this;
        }

        /**
         * @param device where to compute; a GPU that cannot be had is an error, never a CPU fallback
         * @return this builder
         */
        public Builder device(Device device) {
            Objects.requireNonNull(device, "device");
            once(Setting.DEVICE, this.device);
            this.device = device;
            return this;
        }

        /**
         * @param precision FP64, FP32 (default) or BF16
         * @return this builder
         */
        public Builder precision(Precision precision) {
            Objects.requireNonNull(precision, "precision");
            once(Setting.PRECISION, this.precision);
            this.precision = precision;
            return this;
        }

        /**
         * @param config model sizes (default {@link MdmConfig#tiny()})
         * @return this builder
         */
        public Builder config(MdmConfig config) {
            Objects.requireNonNull(config, "config");
            once(Setting.CONFIG, this.config);
            this.config = config;
            return this;
        }

        /**
         * @param seed seed of the initial weights when none are given (default 0); on a builder from
         *     {@link MDM#toBuilder()} it replaces the weights copied from the model with fresh ones
         * @return this builder
         */
        public Builder seed(long seed) {
            once(Setting.SEED, this.seed);
            if (inherited.remove(Setting.PARAMETERS)) {
                parameters = null;  // a variant given a seed draws fresh weights instead of its source model's
            }
            this.seed = seed;
            return this;
        }

        /**
         * @param parameters trained weights in the layout of the config (default: initialized from the seed)
         * @return this builder
         */
        public Builder parameters(Parameters parameters) {
            Objects.requireNonNull(parameters, "parameters");
            once(Setting.PARAMETERS, this.parameters);
            this.parameters = parameters;
            return this;
        }

        /**
         * @param settings sampler used by {@link MDM#sampler()} and the tasks (default DPM-Solver++ 2M, 20 steps)
         * @return this builder
         */
        public Builder sampler(SamplerSettings settings) {
            Objects.requireNonNull(settings, "settings");
            once(Setting.SAMPLER, this.samplerSettings);
            this.samplerSettings = settings;
            return this;
        }

        /**
         * @param tokenizer tokenizer of the text modality, needed by text tasks; taken instead of a checkpoint's, and
         *     not closed by the model (the caller owns it)
         * @return this builder
         */
        public Builder tokenizer(Tokenizer tokenizer) {
            Objects.requireNonNull(tokenizer, "tokenizer");
            once(Setting.TOKENIZER, this.tokenizer);
            this.tokenizer = tokenizer;
            return this;
        }

        /**
         * Selects and opens the backend, then loads the model on it.
         *
         * @return the model
         * @throws ConfigurationException listing every problem of the settings
         * @throws dev.mdm.text.TokenizerException if the checkpoint carries a tokenizer model that is not a SentencePiece
         *     model
         * @throws BackendNotFoundException if the named backend is not on the class path
         * @throws BackendUnavailableException if no suitable backend can run here
         */
        public MDM build() {
            problems.clear();
            checkpointConflicts();
            MdmConfig cfg = config != null ? config : checkpoint != null ? checkpoint.config() : MdmConfig.tiny();
            if (parameters != null && problems.isEmpty()) { // after a checkpoint conflict a layout mismatch is only noise
                try {
                    parameters.requireLayout(cfg);
                } catch (InvalidInputException e) {
                    problems.add(inherited.contains(Setting.PARAMETERS)
                            ? "the weights toBuilder() copied from the model do not fit the config (" + e.getMessage()
                                    + "); call seed(...) for fresh weights, or parameters(...)"
                            : "parameters do not match the config: " + e.getMessage());
                }
            }
            if (tokenizer != null && tokenizer.vocabSize() > cfg.vocabSize()) {
                problems.add("tokenizer has " + tokenizer.vocabSize() + " ids but config.vocabSize is " + cfg.vocabSize());
            }
            if (!problems.isEmpty()) {
                throw new ConfigurationException("MDM.Builder", problems);
            }
            SentencePieceTokenizer own = tokenizer == null ? checkpointTokenizer(cfg) : null;
            try {
                return build(cfg, own);
            } catch (RuntimeException | Error e) {
                if (own != null) {
                    own.close();
                }
                throw e;
            }
        }

        /**
         * @return the tokenizer the checkpoint carries, opened; null when it carries none, or when the SentencePiece
         *     library is missing (the model loads, its components work, and the tasks say they need a tokenizer)
         * @throws ConfigurationException if it has more ids than the config's vocabulary
         * @throws dev.mdm.text.TokenizerException if it is not a SentencePiece model
         */
        private SentencePieceTokenizer checkpointTokenizer(MdmConfig cfg) {
            byte[] model = checkpoint != null ? checkpoint.tokenizerModel().orElse(null) : carriedTokenizerModel;
            if (model == null) {
                return null;
            }
            String file = checkpoint != null ? checkpoint.source().map(Path::toString).orElse("the checkpoint")
                    : "the model this builder was made from";
            SentencePieceTokenizer t;
            try {
                t = SentencePieceTokenizer.fromBytes(model, "tokenizer.model of " + file);
            } catch (dev.mdm.text.TokenizerException e) {
                if (!(e.getCause() instanceof LinkageError)) {
                    throw e;  // not a SentencePiece model: a broken file, reported
                }
                // the library, an optional dependency of mdm-api, is missing: the model still loads
                LOG.log(System.Logger.Level.WARNING, "{0} carries a SentencePiece tokenizer, which cannot be opened here "
                        + "({1}); text tasks will need MDM.builder().tokenizer(...)", file, e.getMessage());
                return null;
            }
            int ids = t.vocabSize();
            if (ids > cfg.vocabSize()) {
                t.close();
                throw new ConfigurationException("MDM.Builder", List.of("the tokenizer of " + file + " has " + ids
                        + " ids but config.vocabSize is " + cfg.vocabSize()));
            }
            return t;
        }

        private MDM build(MdmConfig cfg, SentencePieceTokenizer own) {
            BackendProvider p = provider;
            if (p == null) {
                BackendRegistry r = registry != null ? registry : BackendRegistry.discover();
                p = r.select(backendName);
            } else {
                var a = BackendRegistry.probe(p);
                if (!a.available()) {
                    throw new BackendUnavailableException("backend '" + p.name() + "' cannot run here", a.reasons());
                }
            }
            Device dev = device != null ? device : p.defaultDevice();
            Precision prec = precision != null ? precision : Precision.FP32;
            Backend backend = create(p, new BackendContext(dev, prec));
            try {
                if (dev.isGpu() && !backend.device().isGpu()) {
                    throw new BackendUnavailableException("asked for " + dev + " but backend '" + p.name()
                            + "' opened " + backend.device() + "; no silent CPU fallback", List.of());
                }
                Parameters params = parameters != null ? parameters : checkpoint != null ? checkpoint.parameters()
                        : ParameterInitializer.initialize(cfg, seed == null ? 0 : seed);
                ModelRuntime runtime = backend.load(cfg, params);
                Builder kept = this.copy();
                kept.parameters = null;
                kept.checkpoint = null;
                if (checkpoint != null) {
                    kept.carriedTokenizerModel = checkpoint.tokenizerModel().orElse(null);
                }
                // the default's 20 steps, or T where a (test) schedule has fewer: a solver takes at most T steps
                MDM mdm = new MDM(kept, cfg, backend, runtime, own, samplerSettings != null ? samplerSettings
                        : SamplerSettings.defaults().withSteps(Math.min(SamplerSettings.defaults().steps(), cfg.timesteps())));
                LOG.log(System.Logger.Level.INFO, "MDM backend {0} {1} on {2} ({3})", backend.name(), backend.version(),
                        backend.device(), backend.precision());
                return mdm;
            } catch (RuntimeException | Error e) {
                backend.close();
                throw e;
            }
        }

        /**
         * Opens the backend; a native library that fails to load or link surfaces as a {@link LinkageError}, which is
         * a backend that cannot run here, not a bug of the caller, so it is reported with the backend's name and cause.
         */
        private static Backend create(BackendProvider p, BackendContext context) {
            try {
                return p.create(context);
            } catch (LinkageError e) {
                throw new BackendUnavailableException("backend '" + p.name() + "' cannot run here: its native code failed to load",
                        List.of(p.name() + ": " + e), e);
            }
        }

        // ---- checkpoints ----

        /**
         * Takes the config and parameters from a model file (read and checked now). Setting {@link #parameters}
         * as well, or a {@link #config} that differs from the file's, is reported by {@link #build()}. When no
         * {@link #tokenizer} is given, {@link #build()} opens the tokenizer the file carries, if any (which needs
         * {@code ai.djl.sentencepiece:sentencepiece} on the class path; without it a warning is logged, the model's
         * components work and its tasks fail with the reason), and the model closes it.
         *
         * <p>On a builder from {@link MDM#toBuilder()} the file's weights and config replace those copied from the
         * model, and so does its tokenizer where the file carries one.
         *
         * @param path a file written by {@link MDM#save(Path)} or {@link Checkpoint#save(Path)}
         * @return this builder
         * @throws CheckpointException if the file is not a valid MDM checkpoint
         */
        public Builder checkpoint(Path path) {
            Objects.requireNonNull(path, "path");
            once(Setting.CHECKPOINT, this.checkpoint);
            Checkpoint loaded = Checkpoint.load(path);
            // a variant given a file takes the file's weights, config and, where it carries one, tokenizer instead of
            // its source model's (each dropped on its own: seed(...) may have dropped the copied weights already)
            if (inherited.remove(Setting.PARAMETERS)) {
                parameters = null;
            }
            if (inherited.remove(Setting.CONFIG)) {
                config = null;
            }
            if (loaded.tokenizerModel().isPresent()) {
                if (inherited.remove(Setting.TOKENIZER)) {
                    tokenizer = null;
                }
                carriedTokenizerModel = null;
            }
            this.checkpoint = loaded;
            return this;
        }

        private void checkpointConflicts() {
            if (checkpoint == null) {
                return;
            }
            String file = checkpoint.source().map(Path::toString).orElse("the checkpoint");
            if (parameters != null) {
                problems.add("parameters were set and checkpoint(" + file + ") also supplies them; set only one");
            }
            if (config != null && !config.equals(checkpoint.config())) {
                problems.add("config differs from that of checkpoint(" + file + ") in " + differences(config, checkpoint.config())
                        + "; drop config(...) to use the file's");
            }
        }

        private static String differences(MdmConfig given, MdmConfig inFile) {
            try {
                var json = new com.fasterxml.jackson.databind.ObjectMapper();
                var a = json.readTree(given.toJson());
                var b = json.readTree(inFile.toJson());
                List<String> out = new ArrayList<>();
                a.fieldNames().forEachRemaining(f -> {
                    if (!a.get(f).equals(b.get(f))) {
                        out.add(f + " (given " + a.get(f) + ", file " + b.get(f) + ")");
                    }
                });
                return String.join(", ", out);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException("MdmConfig.toJson() wrote invalid JSON", e);
            }
        }
    }
}

package dev.mdm.training;

import dev.mdm.ConfigurationException;
import dev.mdm.InvalidInputException;
import dev.mdm.MdmConfig;
import dev.mdm.checkpoint.Checkpoint;
import dev.mdm.data.Dataset;
import dev.mdm.data.Example;
import dev.mdm.model.LossBreakdown;
import dev.mdm.model.OptimizerSettings;
import dev.mdm.model.Parameters;
import dev.mdm.model.TrainingBatch;
import dev.mdm.model.TrainingSession;
import dev.mdm.spi.Capability;
import dev.mdm.spi.ModelRuntime;
import dev.mdm.task.PackedText;
import dev.mdm.task.Task;
import dev.mdm.task.TextLayout;
import dev.mdm.tensor.Tensor;
import dev.mdm.text.Tokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * Trains a loaded model on a {@link Dataset} with the task mix of SPEC §9 (get one with {@code mdm.trainer()}).
 *
 * <p>Each example of a batch gets a task drawn from the mix among those it supports (VQA needs a question;
 * text-to-text needs a caption of at least 2 tokens, split at a uniform point into a given prompt and a continuation).
 * Its text is packed by the shared {@link TextLayout}, its noised mask is {@link Task#noisedMask}, its class is kept
 * for joint and class-conditional samples except with the class-drop probability (0.1, for classifier-free guidance)
 * and is the null class for the other tasks. Images given to captioning and VQA examples are mirrored and shifted as
 * {@link Builder#givenImageAugmentation} says (not at all by default). The rest of the randomness (t and both noises)
 * is drawn by {@link TrainingBatch#draw}, t uniform in [1, T] except for captioning and VQA examples when
 * {@link Builder#captionTimesFrom} (and for VQA {@link Builder#answerTimesFrom}) moves their range up. Examples are visited in a fresh random order each epoch. Everything random comes from one
 * {@code L64X128MixRandom} seeded by {@link Builder#seed(long)}, so a run is reproducible on a deterministic backend.
 *
 * <p>The weights are trained in place: after {@link #fit} the model (and {@code MDM}) holds them.
 */
public final class Trainer {
    private final ModelRuntime runtime;
    private final MdmConfig config;
    private final Tokenizer tokenizer;
    private final OptimizerSettings optimizer;
    private final int batchSize;
    private final long steps;
    private final java.time.Duration timeLimit;
    private final long seed;
    private final Map<Task, Double> mix;
    private final double classDrop;
    private final GivenImageAugmentation givenImageAugmentation;
    private final int captionTimesFrom;
    private final int answerTimesFrom;
    private final long checkpointEvery;
    private final Path checkpointFile;
    private final Map<String, String> checkpointSettings;
    private final byte[] tokenizerModel;
    private final String backendDescription;
    private final Parameters resumeState;

    private Trainer(Builder b) {
        runtime = b.runtime;
        config = b.runtime.config();
        tokenizer = b.tokenizer;
        optimizer = b.optimizer;
        batchSize = b.batchSize;
        steps = b.steps;
        timeLimit = b.timeLimit;
        seed = b.seed;
        mix = new EnumMap<>(b.mix);
        classDrop = b.classDrop;
        givenImageAugmentation = b.givenImageAugmentation;
        captionTimesFrom = b.captionTimesFrom;
        answerTimesFrom = b.answerTimesFrom == null ? b.captionTimesFrom : b.answerTimesFrom;
        checkpointEvery = b.checkpointEvery;
        checkpointFile = b.checkpointFile;
        checkpointSettings = b.checkpointSettings;
        tokenizerModel = b.tokenizerModel;
        backendDescription = b.backendDescription;
        resumeState = b.resumeState;
    }

    /**
     * @param runtime the model to train in place
     * @param tokenizer the tokenizer of its text, or null (then {@link Builder#build()} says how to add one)
     * @param backendName the backend's name, for messages and checkpoints
     * @param capabilities the backend's capabilities; {@link Capability#TRAINING} is required
     * @throws UnsupportedOperationException naming the backend when it cannot train
     * @return a builder with defaults: {@link OptimizerSettings#paper()}, batch 16, 1000 steps, seed 0, every task of
     *     SPEC §9 equally likely, class drop 0.1, no given-image augmentation, every task's t drawn from [1, T], no
     *     checkpoints
     */
    public static Builder builder(ModelRuntime runtime, Tokenizer tokenizer, String backendName, Set<Capability> capabilities) {
        return new Builder(runtime, tokenizer, backendName, capabilities);
    }

    /**
     * Trains for the configured number of steps.
     *
     * @param dataset the examples; images [C, H, W] of the model's size, classes in [0, classes)
     * @param listener told about every step and checkpoint (may be null)
     * @return the progress after the last step
     */
    public TrainingProgress fit(Dataset dataset, TrainingListener listener) {
        if (dataset == null || dataset.size() < 1) {
            throw new InvalidInputException("dataset", "a dataset with at least one example",
                    dataset == null ? "null" : "an empty dataset");
        }
        TrainingListener heard = listener != null ? listener : p -> { };
        TextLayout layout = TextLayout.of(config, tokenizer);
        int[] order = new int[dataset.size()];
        TrainingProgress progress = null;
        long deadline = timeLimit == null ? Long.MAX_VALUE : System.nanoTime() + timeLimit.toNanos();
        Thread[] worker = new Thread[1];
        ExecutorService prefetch = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "mdm-trainer-batches");
            t.setDaemon(true);
            worker[0] = t;
            return t;
        });
        try (TrainingSession session = runtime.train(optimizer, resumeState)) {
            // seeded with the optimizer steps already taken too, so that a resumed run draws new batches, times and
            // noise instead of replaying those of the run it continues (a fresh run: the seed alone, as before)
            RandomGenerator random = RandomGeneratorFactory.of("L64X128MixRandom")
                    .create(seed + session.steps() * 0x9E3779B97F4A7C15L);
            // Batches are built one step ahead on one thread of their own, while the backend computes the step
            // before: +14 % steps a minute for fashion on the H100 (session 21). That thread alone draws from the
            // generator, in step order, so the batches are those a loop without it would build, bit for bit.
            int[] next = {order.length};  // where the next batch starts in this epoch's order; at the end: reshuffle
            java.util.concurrent.Callable<TrainingBatch> build = () -> {
                List<Integer> indices = new ArrayList<>(batchSize);
                for (int i = 0; i < batchSize; i++) {
                    if (next[0] == order.length) {
                        shuffle(order, random);
                        next[0] = 0;
                    }
                    indices.add(order[next[0]++]);
                }
                return batch(dataset, indices, layout, random);
            };
            Future<TrainingBatch> ahead = prefetch.submit(build);
            for (long step = 1; step <= steps; step++) {
                long start = System.nanoTime();
                TrainingBatch batch = await(ahead);
                ahead = step < steps ? prefetch.submit(build) : null;
                LossBreakdown loss = session.step(batch);
                double seconds = (System.nanoTime() - start) / 1e9;
                progress = new TrainingProgress(step, steps, loss, batchSize / Math.max(seconds, 1e-9), session.steps());
                heard.onStep(progress);
                boolean last = step == steps || System.nanoTime() - deadline >= 0;
                if (checkpointFile != null && (step % checkpointEvery == 0 || last)) {
                    Checkpoint c = Checkpoint.of(config, runtime.parameters()).withOptimizerState(session.optimizerState())
                            .withBackend(backendDescription).withTrainingSettings(checkpointSettings);
                    (tokenizerModel != null ? c.withTokenizerModel(tokenizerModel) : c).save(checkpointFile);
                    heard.onCheckpoint(step, checkpointFile);
                }
                if (last) {
                    break;
                }
            }
        } finally {
            prefetch.shutdownNow();
            try {
                // a batch being built ahead finishes in milliseconds; fit leaves no thread behind. Joined as a thread:
                // the executor reports itself terminated from inside its worker, before that thread has ended
                if (worker[0] != null) {
                    worker[0].join(60_000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return progress;
    }

    /** @return the batch, or the exception that building it threw (a bad example, named), as if built here */
    private static TrainingBatch await(Future<TrainingBatch> batch) {
        try {
            return batch.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.util.concurrent.CancellationException("interrupted while waiting for the next batch");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("building a batch failed", e.getCause());
        }
    }

    static void shuffle(int[] order, RandomGenerator random) {
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }

    /** Builds one batch: task, packed text, class and noised mask per example, then t and noises. */
    TrainingBatch batch(Dataset dataset, List<Integer> indices, TextLayout layout, RandomGenerator random) {
        int b = indices.size();
        int imageSize = config.imageChannels() * config.imageHeight() * config.imageWidth();
        int lt = config.textLength();
        int n = config.latentTokens();
        double[] images = new double[b * imageSize];
        long[] tokens = new long[b * lt];
        long[] classes = new long[b];
        double[] noised = new double[b * n];
        int[] earliest = new int[b];
        for (int i = 0; i < b; i++) {
            int index = indices.get(i);
            Example e = dataset.get(index);
            String where = "dataset[" + index + "]";
            Tensor image = e.image().requireShape(where + ".image", config.imageChannels(), config.imageHeight(), config.imageWidth());
            System.arraycopy(image.toDoubleArray(), 0, images, i * imageSize, imageSize);
            if (e.classId() < 0 || e.classId() >= config.classes()) {
                throw new InvalidInputException(where + ".classId", "a class in [0, " + config.classes() + ")", String.valueOf(e.classId()));
            }
            int[] caption = tokenizer.encode(e.caption());
            Task task = drawTask(e, caption, random);
            earliest[i] = 1;
            if (!task.noisesImage()) {
                // captioning and VQA: the tasks given a clean image, which must read it to write their text
                earliest[i] = task == Task.VQA ? answerTimesFrom : captionTimesFrom;
                givenImageAugmentation.apply(images, i * imageSize, config.imageChannels(), config.imageHeight(),
                        config.imageWidth(), random);
            }
            PackedText text = switch (task) {
                case JOINT, CAPTION, TEXT_TO_IMAGE -> layout.caption(caption);
                case CLASS_TO_IMAGE -> layout.empty();
                case VQA -> {
                    try {
                        yield layout.questionAnswer(tokenizer.encode(e.question()), tokenizer.encode(e.answer()));
                    } catch (InvalidInputException tooLong) {
                        throw new InvalidInputException(where + ".question", "a question that leaves room for the answer",
                                tooLong.getMessage());
                    }
                }
                case TEXT_TO_TEXT -> {
                    int limit = Math.min(caption.length - 1, lt - 1);
                    int split = 1 + random.nextInt(limit);
                    yield layout.promptContinuation(java.util.Arrays.copyOf(caption, split),
                            java.util.Arrays.copyOfRange(caption, split, caption.length));
                }
            };
            System.arraycopy(text.ids(), 0, tokens, i * lt, lt);
            boolean keepClass = task.usesClass() && random.nextDouble() >= classDrop;
            classes[i] = keepClass ? e.classId() : config.classes();
            System.arraycopy(task.noisedMask(config, text.givenLength()), 0, noised, i * n, n);
        }
        return TrainingBatch.draw(config, Tensor.of(images, b, config.imageChannels(), config.imageHeight(), config.imageWidth()),
                Tensor.ofLongs(tokens, b, lt), Tensor.ofLongs(classes, b), Tensor.of(noised, b, n), earliest, random);
    }

    private Task drawTask(Example e, int[] caption, RandomGenerator random) {
        double total = 0;
        List<Task> allowed = new ArrayList<>();
        for (Map.Entry<Task, Double> m : mix.entrySet()) {
            Task t = m.getKey();
            boolean possible = switch (t) {
                case VQA -> e.question() != null;
                case TEXT_TO_TEXT -> caption.length >= 2 && config.textLength() >= 2;
                default -> true;
            };
            if (possible && m.getValue() > 0) {
                allowed.add(t);
                total += m.getValue();
            }
        }
        if (allowed.isEmpty()) {
            throw new InvalidInputException("taskMix", "a task every example supports (VQA needs questions, "
                    + "text-to-text captions of 2+ tokens)", mix + " for an example without them");
        }
        double u = random.nextDouble() * total;
        for (Task t : allowed) {
            u -= mix.get(t);
            if (u < 0) {
                return t;
            }
        }
        return allowed.get(allowed.size() - 1);
    }

    /**
     * Configures a {@link Trainer}. Setters validate their argument; {@link #build()} checks the whole and reports
     * every problem together.
     */
    public static final class Builder {
        private final ModelRuntime runtime;
        private final Tokenizer tokenizer;
        private final String backendName;
        private OptimizerSettings optimizer = OptimizerSettings.paper();
        private int batchSize = 16;
        private long steps = 1000;
        private java.time.Duration timeLimit;
        private long seed;
        private final Map<Task, Double> mix = new EnumMap<>(Task.class);
        private double classDrop = 0.1;
        private GivenImageAugmentation givenImageAugmentation = GivenImageAugmentation.NONE;
        private int captionTimesFrom = 1;
        private Integer answerTimesFrom;   // null: as captionTimesFrom
        private long checkpointEvery;
        private Path checkpointFile;
        private Map<String, String> checkpointSettings = Map.of();
        private byte[] tokenizerModel;
        private String backendDescription;
        private Parameters resumeState;

        private Builder(ModelRuntime runtime, Tokenizer tokenizer, String backendName, Set<Capability> capabilities) {
            this.runtime = Objects.requireNonNull(runtime, "runtime");
            this.tokenizer = tokenizer;
            this.backendName = Objects.requireNonNull(backendName, "backendName");
            if (!capabilities.contains(Capability.TRAINING)) {
                throw new UnsupportedOperationException("backend '" + backendName + "' cannot train (it lacks the TRAINING "
                        + "capability); build the model on a backend that has it, such as djl (CPU) or jcuda (GPU)");
            }
            this.backendDescription = backendName;
            for (Task t : Task.values()) {
                mix.put(t, 1.0);
            }
        }

        /**
         * @param settings AdamW, clipping and EMA settings
         * @return this builder
         */
        public Builder optimizer(OptimizerSettings settings) {
            this.optimizer = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /**
         * @param size examples per step, ≥ 1
         * @return this builder
         */
        public Builder batchSize(int size) {
            if (size < 1) {
                throw new InvalidInputException("batchSize", "at least 1", String.valueOf(size));
            }
            this.batchSize = size;
            return this;
        }

        /**
         * @param n optimizer steps, ≥ 1
         * @return this builder
         */
        public Builder steps(long n) {
            if (n < 1) {
                throw new InvalidInputException("steps", "at least 1", String.valueOf(n));
            }
            this.steps = n;
            return this;
        }

        /**
         * Stops early, after the first step that ends past this much wall time since {@link Trainer#fit} began, and
         * writes the final checkpoint there (a fixed time budget, as for comparing two models fairly on one machine).
         *
         * @param limit a positive duration, or null for none (the default)
         * @return this builder
         */
        public Builder timeLimit(java.time.Duration limit) {
            if (limit != null && (limit.isNegative() || limit.isZero())) {
                throw new InvalidInputException("timeLimit", "a positive duration or null", limit.toString());
            }
            this.timeLimit = limit;
            return this;
        }

        /**
         * @param s seed of the example order, tasks, class drops, t and noises
         * @return this builder
         */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /**
         * @param weights relative weight of each task (absent tasks get 0); each finite and ≥ 0, some > 0
         * @return this builder
         */
        public Builder taskMix(Map<Task, Double> weights) {
            Objects.requireNonNull(weights, "weights");
            double total = 0;
            for (Map.Entry<Task, Double> w : weights.entrySet()) {
                Double v = w.getValue();
                if (w.getKey() == null || v == null || !Double.isFinite(v) || v < 0) {
                    throw new InvalidInputException("taskMix", "finite weights ≥ 0 per task", String.valueOf(weights));
                }
                total += v;
            }
            if (total <= 0) {
                throw new InvalidInputException("taskMix", "at least one weight > 0", String.valueOf(weights));
            }
            mix.clear();
            mix.putAll(weights);
            return this;
        }

        /**
         * @param p probability that a joint or class-conditional example is trained with the null class (default 0.1)
         * @return this builder
         */
        public Builder classDropProbability(double p) {
            if (!(p >= 0 && p <= 1)) {
                throw new InvalidInputException("classDropProbability", "a probability in [0, 1]", String.valueOf(p));
            }
            this.classDrop = p;
            return this;
        }

        /**
         * @param augmentation how to mirror and shift the images that captioning and VQA examples are given
         *     (default {@link GivenImageAugmentation#NONE})
         * @return this builder
         */
        public Builder givenImageAugmentation(GivenImageAugmentation augmentation) {
            if (augmentation == null) {
                throw new InvalidInputException("givenImageAugmentation", "an augmentation (GivenImageAugmentation.NONE for none)", "null");
            }
            this.givenImageAugmentation = augmentation;
            return this;
        }

        /**
         * Draws the diffusion step of captioning and VQA examples uniformly from [{@code t}, T] instead of [1, T]
         * (the other tasks keep [1, T]). The words that depend on the image stay legible in their own noisy latents
         * until ᾱ_t is small, and only there must the network read the image to write them; below that an example
         * carries little signal about the image. Moving those examples' times up spends their gradient where the
         * caption is decided, a coarse form of CDCD's time warping (Dieleman et al. 2022). Where that starts depends
         * on the text latents, which training with this setting moves: decision D23 in docs/DECISIONS.md has the
         * measurements (for the {@code fashion} preset, 600-800 of 1 000). Default 1: SPEC §7's draw.
         *
         * @param t the earliest step, in [1, T] of the model's schedule
         * @return this builder
         * @throws InvalidInputException naming {@code captionTimesFrom} when {@code t} lies outside [1, T]
         */
        public Builder captionTimesFrom(int t) {
            this.captionTimesFrom = diffusionStep("captionTimesFrom", t);
            return this;
        }

        /**
         * Draws the diffusion step of VQA examples alone from [{@code t}, T]; without it they follow
         * {@link #captionTimesFrom}, as they did before this setting existed. An answer such as "yes" may be decided at
         * other steps than a class word: on the {@code fashion} preset VQA reached 95.9 % where captioning and VQA both
         * drew SPEC's times, against 93.7 % where both drew from 800 (decision D23).
         *
         * @param t the earliest step of VQA examples, in [1, T] of the model's schedule (1: SPEC §7's draw)
         * @return this builder
         * @throws InvalidInputException naming {@code answerTimesFrom} when {@code t} lies outside [1, T]
         */
        public Builder answerTimesFrom(int t) {
            this.answerTimesFrom = diffusionStep("answerTimesFrom", t);
            return this;
        }

        private int diffusionStep(String name, int t) {
            int steps = runtime.config().timesteps();
            if (t < 1 || t > steps) {
                throw new InvalidInputException(name, "a diffusion step in [1, " + steps + "]", String.valueOf(t));
            }
            return t;
        }

        /**
         * Writes a checkpoint (weights, optimizer state, config) every {@code n} steps and after the last one.
         *
         * @param n steps between checkpoints, ≥ 1
         * @param file the file, replaced atomically each time
         * @return this builder
         */
        public Builder checkpointEvery(long n, Path file) {
            if (n < 1) {
                throw new InvalidInputException("checkpointEvery", "at least 1 step", String.valueOf(n));
            }
            this.checkpointEvery = n;
            this.checkpointFile = Objects.requireNonNull(file, "file");
            return this;
        }

        /**
         * Records the run's settings in every checkpoint it writes ({@link Checkpoint#trainingSettings()}), so that a
         * run resumed from one can continue with them; the trainer itself does not read them. {@code mdm train}
         * stores its options here.
         *
         * @param settings names to values, e.g. {@code "--lr" → "1.25E-5"}
         * @return this builder
         * @throws InvalidInputException naming {@code checkpointSettings} when a name or value is null or a name blank
         */
        public Builder checkpointSettings(Map<String, String> settings) {
            this.checkpointSettings = Checkpoint.requireTrainingSettings("checkpointSettings", settings);
            return this;
        }

        /**
         * @param model the serialized tokenizer model to store in checkpoints, so that they load with their tokenizer
         * @return this builder
         */
        public Builder tokenizerModel(byte[] model) {
            this.tokenizerModel = Objects.requireNonNull(model, "model").clone();
            return this;
        }

        /**
         * Continues an earlier run: the optimizer starts from the AdamW moments and EMA weights it saved (a
         * checkpoint's {@link Checkpoint#optimizerState()}) instead of from zero. Load the weights of the same
         * checkpoint into the model. {@link TrainingProgress#optimizerStep()} then continues from the saved
         * {@code adam.step}, while {@link TrainingProgress#step()} counts the steps of this run from 1.
         *
         * @param state optimizer state written by an earlier run
         * @return this builder
         */
        public Builder resumeState(Parameters state) {
            this.resumeState = Objects.requireNonNull(state, "state");
            return this;
        }

        /**
         * @param description the backend with its version and device, recorded in checkpoints
         * @return this builder
         */
        public Builder backendDescription(String description) {
            if (description == null || description.isBlank()) {
                throw new InvalidInputException("backendDescription", "a non-blank description", String.valueOf(description));
            }
            this.backendDescription = description;
            return this;
        }

        /**
         * @return the trainer
         * @throws ConfigurationException when the model has no tokenizer
         */
        public Trainer build() {
            if (tokenizer == null) {
                throw new ConfigurationException("Trainer", List.of("training needs a tokenizer for the captions, questions "
                        + "and answers: build the model with MDM.builder().tokenizer(tokenizer)"));
            }
            return new Trainer(this);
        }
    }
}

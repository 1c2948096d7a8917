package dev.mdm.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.mdm.ConfigurationException;
import dev.mdm.InvalidInputException;
import dev.mdm.MdmConfig;
import dev.mdm.checkpoint.Checkpoint;
import dev.mdm.data.Dataset;
import dev.mdm.data.Example;
import dev.mdm.model.Decoder;
import dev.mdm.model.Denoiser;
import dev.mdm.model.Encoder;
import dev.mdm.model.GradientResult;
import dev.mdm.model.LossBreakdown;
import dev.mdm.model.LossFunction;
import dev.mdm.model.MambaBlock;
import dev.mdm.model.OptimizerSettings;
import dev.mdm.model.ParameterInitializer;
import dev.mdm.model.Parameters;
import dev.mdm.model.ScanSwitch;
import dev.mdm.model.TrainingBatch;
import dev.mdm.model.TrainingSession;
import dev.mdm.spi.Capability;
import dev.mdm.spi.ModelRuntime;
import dev.mdm.task.Task;
import dev.mdm.task.TextLayout;
import dev.mdm.tensor.Tensor;
import dev.mdm.text.Tokenizer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.stream.LongStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Trainer on a recording fake model")
class TrainerTest {
    private static final MdmConfig CONFIG = MdmConfig.tiny();
    private static final int N_IMG = CONFIG.imageTokens();
    private static final int LT = CONFIG.textLength();

    /** Words "wN" are id N; pad 0, eos 2. */
    private static final Tokenizer WORDS = new Tokenizer() {
        @Override
        public int vocabSize() {
            return 64;
        }

        @Override
        public int padId() {
            return 0;
        }

        @Override
        public int eosId() {
            return 2;
        }

        @Override
        public int[] encode(String text) {
            return Arrays.stream(text.trim().split("\\s+")).mapToInt(w -> Integer.parseInt(w.substring(1))).toArray();
        }

        @Override
        public String decode(int[] ids) {
            throw new UnsupportedOperationException();
        }
    };

    /** Records the batches and returns a loss that counts them. */
    private static final class Recording implements ModelRuntime {
        final List<TrainingBatch> batches = new ArrayList<>();
        boolean sessionClosed;
        /** How long each step takes, so that a time limit is crossed at a predictable pace. */
        long stepMillis;

        @Override
        public MdmConfig config() {
            return CONFIG;
        }

        @Override
        public TrainingSession train(OptimizerSettings settings, Parameters resumeState) {
            long resumedSteps = resumeState == null ? 0 : resumeState.get("adam.step").getLong(0);
            return new TrainingSession() {
                private long taken;

                @Override
                public GradientResult gradients(TrainingBatch batch) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public LossBreakdown step(TrainingBatch batch) {
                    batches.add(batch.validate(CONFIG));
                    if (stepMillis > 0) {
                        try {
                            Thread.sleep(stepMillis);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new IllegalStateException(e);
                        }
                    }
                    taken++;
                    return new LossBreakdown(batches.size(), 0, 0, 0, 0, 0, 0);
                }

                @Override
                public long steps() {
                    return resumedSteps + taken;
                }

                @Override
                public Parameters emaParameters() {
                    return parameters();
                }

                @Override
                public Parameters optimizerState() {
                    return Parameters.of(Map.of("adam.step", Tensor.ofLongs(new long[] {steps()})));
                }

                @Override
                public void close() {
                    sessionClosed = true;
                }
            };
        }

        @Override
        public Parameters parameters() {
            return ParameterInitializer.initialize(CONFIG, 0);
        }

        @Override
        public Encoder encoder() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Decoder decoder() {
            throw new UnsupportedOperationException();
        }

        @Override
        public ScanSwitch scanSwitch() {
            throw new UnsupportedOperationException();
        }

        @Override
        public MambaBlock block(int index) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Denoiser denoiser() {
            throw new UnsupportedOperationException();
        }

        @Override
        public LossFunction loss() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
        }
    }

    private static Dataset dataset(boolean questions) {
        return dataset(index -> {
            double[] px = new double[64];
            Arrays.fill(px, index / 10.0);
            return new Example(Tensor.of(px, 1, 8, 8), index % 4, "w5 w6 w7 w" + (10 + index),
                    questions ? "w9 w10" : null, questions ? "w11" : null);
        });
    }

    /** Five examples of classes index mod 4. */
    private static Dataset dataset(IntFunction<Example> example) {
        return new Dataset() {
            @Override
            public int size() {
                return 5;
            }

            @Override
            public Example get(int index) {
                return example.apply(index);
            }

            @Override
            public List<String> classNames() {
                return List.of("a", "b", "c", "d");
            }
        };
    }

    private final Recording runtime = new Recording();

    private Trainer.Builder builder() {
        return Trainer.builder(runtime, WORDS, "fake", Set.of(Capability.TRAINING));
    }

    private static double[] row(Tensor t, int i, int width) {
        return Arrays.copyOfRange(t.toDoubleArray(), i * width, (i + 1) * width);
    }

    @Test
    @DisplayName("VQA examples hold the image and the question span and score the answer span")
    void vqaLayoutAndMask() {
        builder().taskMix(Map.of(Task.VQA, 1.0)).batchSize(3).steps(2).build().fit(dataset(true), null);
        assertThat(runtime.batches).hasSize(2);
        TrainingBatch b = runtime.batches.get(0);
        for (int i = 0; i < 3; i++) {
            assertThat(Arrays.copyOfRange(b.tokens().toLongArray(), i * LT, (i + 1) * LT)).containsExactly(9, 10, 11, 2, 0, 0, 0, 0);
            double[] mask = row(b.noised(), i, N_IMG + LT);
            assertThat(Arrays.copyOfRange(mask, 0, N_IMG + 2)).containsOnly(0.0);
            assertThat(Arrays.copyOfRange(mask, N_IMG + 2, N_IMG + LT)).containsOnly(1.0);
            assertThat(b.classIds().toLongArray()[i]).isEqualTo(CONFIG.classes());
        }
        assertThat(runtime.sessionClosed).isTrue();
    }

    @Test
    @DisplayName("every task's mask, text and class agree with TextLayout and Task; text-to-text splits its caption")
    void taskMixIsConsistent() {
        builder().batchSize(40).steps(10).seed(4).build().fit(dataset(true), null);
        int textToText = 0;
        for (TrainingBatch b : runtime.batches) {
            long[] tokens = b.tokens().toLongArray();
            long[] classes = b.classIds().toLongArray();
            for (int i = 0; i < 40; i++) {
                double[] mask = row(b.noised(), i, N_IMG + LT);
                long[] text = Arrays.copyOfRange(tokens, i * LT, (i + 1) * LT);
                boolean imageNoised = mask[0] == 1;
                int givenText = 0;
                while (givenText < LT && mask[N_IMG + givenText] == 0) {
                    givenText++;
                }
                if (classes[i] != CONFIG.classes()) {
                    // joint (all noised) or class-conditional (empty text given)
                    assertThat(imageNoised).isTrue();
                    assertThat(givenText == 0 || (givenText == LT && Arrays.stream(text).allMatch(t -> t == 0))).isTrue();
                } else if (!imageNoised) {
                    assertThat(givenText).as("captioning or VQA").isIn(0, 2);
                } else if (givenText > 0 && givenText < LT) {
                    textToText++;
                    assertThat(givenText).isBetween(1, 3);
                    assertThat(Arrays.copyOfRange(text, 0, 3)).containsExactly(5, 6, 7);
                }
            }
        }
        assertThat(textToText).isGreaterThan(20);
    }

    @Test
    @DisplayName("joint and class-conditional examples drop their class with probability 0.1")
    void classDrop() {
        builder().taskMix(Map.of(Task.JOINT, 1.0)).batchSize(100).steps(30).build().fit(dataset(false), null);
        long dropped = runtime.batches.stream().flatMapToLong(b -> Arrays.stream(b.classIds().toLongArray()))
                .filter(c -> c == CONFIG.classes()).count();
        assertThat(dropped / 3000.0).isCloseTo(0.1, within(0.025));
    }

    @Test
    @DisplayName("the listener hears every step with its loss; checkpoints are written every N steps and at the end, with the run's settings")
    void listenerAndCheckpoints(@TempDir Path dir) {
        Path file = dir.resolve("ckpt.safetensors");
        List<TrainingProgress> steps = new ArrayList<>();
        List<Long> saved = new ArrayList<>();
        TrainingProgress last = builder().batchSize(2).steps(5).checkpointEvery(2, file)
                .checkpointSettings(Map.of("--lr", "1.25E-5")).build().fit(dataset(true), new TrainingListener() {
            @Override
            public void onStep(TrainingProgress progress) {
                steps.add(progress);
            }

            @Override
            public void onCheckpoint(long step, Path f) {
                saved.add(step);
            }
        });
        assertThat(steps).extracting(TrainingProgress::step).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(steps).extracting(p -> p.loss().total()).containsExactly(1.0, 2.0, 3.0, 4.0, 5.0);
        assertThat(steps).allSatisfy(p -> assertThat(p.samplesPerSecond()).isPositive());
        assertThat(last.step()).isEqualTo(5);
        assertThat(saved).containsExactly(2L, 4L, 5L);
        Checkpoint c = Checkpoint.load(file);
        assertThat(c.config()).isEqualTo(CONFIG);
        assertThat(c.optimizerState().get("adam.step").toLongArray()).containsExactly(5);
        assertThat(c.trainingSettings()).as("the builder's, in every checkpoint").containsExactly(Map.entry("--lr", "1.25E-5"));
        assertThatThrownBy(() -> builder().checkpointSettings(Map.of("", "1")))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("checkpointSettings");
    }

    @Test
    @DisplayName("a resumed run counts its own steps from 1 and the optimizer's steps on from the saved adam.step")
    void resumedRunContinuesTheOptimizerStep(@TempDir Path dir) {
        Path file = dir.resolve("ckpt.safetensors");
        List<TrainingProgress> first = new ArrayList<>();
        builder().batchSize(2).steps(3).checkpointEvery(10, file).build().fit(dataset(true), first::add);
        assertThat(first).extracting(TrainingProgress::optimizerStep).containsExactly(1L, 2L, 3L);

        Parameters saved = Checkpoint.load(file).optimizerState();
        List<TrainingProgress> resumed = new ArrayList<>();
        TrainingProgress last = builder().batchSize(2).steps(4).checkpointEvery(2, file).resumeState(saved).build()
                .fit(dataset(true), resumed::add);
        assertThat(resumed).extracting(TrainingProgress::step).containsExactly(1L, 2L, 3L, 4L);
        assertThat(resumed).extracting(TrainingProgress::totalSteps).containsOnly(4L);
        assertThat(resumed).extracting(TrainingProgress::optimizerStep).containsExactly(4L, 5L, 6L, 7L);
        assertThat(last.optimizerStep()).isEqualTo(7);
        assertThat(Checkpoint.load(file).optimizerState().get("adam.step").toLongArray()).containsExactly(7);
    }

    @Test
    @DisplayName("progress built without an optimizer step, as by a run that did not resume, reports its own step there")
    void progressWithoutResumeUsesItsStep() {
        LossBreakdown loss = new LossBreakdown(1, 0, 0, 0, 0, 0, 0);
        assertThat(new TrainingProgress(3, 5, loss, 2.0).optimizerStep()).isEqualTo(3);
        assertThat(new TrainingProgress(3, 5, loss, 2.0, 12).optimizerStep()).isEqualTo(12);
    }

    /** Images whose pixel (y, x) of example i is 100·i + 8·y + x: distinct, so a mirror shows and pixel 0 names i. */
    private static Dataset gradients() {
        return dataset(index -> {
            double[] px = new double[64];
            for (int p = 0; p < 64; p++) {
                px[p] = 100 * index + p;
            }
            return new Example(Tensor.of(px, 1, 8, 8), index % 4, "w5 w6 w7", "w9 w10", "w11");
        });
    }

    @Test
    @DisplayName("given images of captions and VQA are mirrored about half the time, generated images never")
    void givenImagesAloneAreAugmented() {
        builder().taskMix(Map.of(Task.CAPTION, 1.0, Task.VQA, 1.0, Task.JOINT, 1.0)).batchSize(30).steps(10).seed(2)
                .givenImageAugmentation(new GivenImageAugmentation(true, 0)).build().fit(gradients(), null);
        int given = 0;
        int mirrored = 0;
        int generated = 0;
        for (TrainingBatch b : runtime.batches) {
            for (int i = 0; i < 30; i++) {
                double[] px = row(b.images(), i, 64);
                double[] original = gradients().get((int) (px[0] / 100)).image().toDoubleArray();
                if (row(b.noised(), i, N_IMG + LT)[0] == 1) {
                    generated++;
                    assertThat(px).as("a noised image is the dataset's").containsExactly(original);
                } else {
                    given++;
                    boolean flipped = px[0] == original[7] && px[7] == original[0];
                    assertThat(flipped || Arrays.equals(px, original)).isTrue();
                    mirrored += flipped ? 1 : 0;
                }
            }
        }
        assertThat(generated).isGreaterThan(50);
        assertThat(mirrored / (double) given).isBetween(0.35, 0.65);
    }

    @Test
    @DisplayName("augmentation of given images changes nothing in a run that gives none")
    void augmentationLeavesGeneratingRunsAlone() {
        Map<Task, Double> generating = Map.of(Task.JOINT, 1.0, Task.CLASS_TO_IMAGE, 1.0, Task.TEXT_TO_IMAGE, 1.0);
        builder().taskMix(generating).batchSize(6).steps(3).seed(9).givenImageAugmentation(new GivenImageAugmentation(true, 2))
                .build().fit(gradients(), null);
        Recording plain = new Recording();
        Trainer.builder(plain, WORDS, "fake", Set.of(Capability.TRAINING)).taskMix(generating).batchSize(6).steps(3).seed(9)
                .build().fit(gradients(), null);
        for (int s = 0; s < 3; s++) {
            assertThat(runtime.batches.get(s).images().contentEquals(plain.batches.get(s).images())).isTrue();
            assertThat(runtime.batches.get(s).diffusionNoise().contentEquals(plain.batches.get(s).diffusionNoise())).isTrue();
        }
    }

    @Test
    @DisplayName("a resumed run draws other batches than the run it continues, and the same ones when resumed again")
    void resumedRunDrawsNewBatches(@TempDir Path dir) {
        Path file = dir.resolve("ckpt.safetensors");
        builder().batchSize(4).steps(2).seed(8).checkpointEvery(10, file).build().fit(dataset(true), null);
        Parameters saved = Checkpoint.load(file).optimizerState();
        Recording resumed = new Recording();
        Recording again = new Recording();
        for (Recording r : List.of(resumed, again)) {
            Trainer.builder(r, WORDS, "fake", Set.of(Capability.TRAINING)).batchSize(4).steps(2).seed(8).resumeState(saved)
                    .build().fit(dataset(true), null);
        }
        for (int s = 0; s < 2; s++) {
            assertThat(resumed.batches.get(s).diffusionNoise().contentEquals(runtime.batches.get(s).diffusionNoise()))
                    .as("step %d of the resumed run replays the first run's noise", s + 1).isFalse();
            assertThat(resumed.batches.get(s).diffusionNoise().contentEquals(again.batches.get(s).diffusionNoise()))
                    .as("step %d, resumed twice from the same checkpoint", s + 1).isTrue();
        }
    }

    @Test
    @DisplayName("the same seed builds the same batches")
    void reproducible() {
        builder().batchSize(4).steps(3).seed(8).build().fit(dataset(true), null);
        Recording other = new Recording();
        Trainer.builder(other, WORDS, "fake", Set.of(Capability.TRAINING)).batchSize(4).steps(3).seed(8).build().fit(dataset(true), null);
        for (int s = 0; s < 3; s++) {
            TrainingBatch a = runtime.batches.get(s);
            TrainingBatch b = other.batches.get(s);
            assertThat(a.tokens().contentEquals(b.tokens())).isTrue();
            assertThat(a.noised().contentEquals(b.noised())).isTrue();
            assertThat(a.diffusionNoise().contentEquals(b.diffusionNoise())).isTrue();
            assertThat(a.images().contentEquals(b.images())).isTrue();
        }
    }

    @Test
    @DisplayName("batches built a step ahead on their own thread are those one loop builds in order, across epochs")
    void batchesBuiltAheadAreThoseOfASequentialLoop() {
        Dataset data = dataset(true);
        Trainer trainer = builder().batchSize(3).steps(7).seed(5).build();
        trainer.fit(data, null);
        // the loop as it was before batches were built ahead: shuffle at each epoch's end, then batch, in step order
        var random = java.util.random.RandomGeneratorFactory.of("L64X128MixRandom").create(5L);
        TextLayout layout = TextLayout.of(CONFIG, WORDS);
        int[] order = new int[data.size()];
        int cursor = order.length;
        for (int s = 0; s < 7; s++) {
            List<Integer> indices = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                if (cursor == order.length) {
                    Trainer.shuffle(order, random);
                    cursor = 0;
                }
                indices.add(order[cursor++]);
            }
            TrainingBatch expected = trainer.batch(data, indices, layout, random);
            TrainingBatch got = runtime.batches.get(s);
            assertThat(got.images().contentEquals(expected.images())).as("images of step %d", s + 1).isTrue();
            assertThat(got.tokens().contentEquals(expected.tokens())).as("tokens of step %d", s + 1).isTrue();
            assertThat(got.timesteps().contentEquals(expected.timesteps())).as("timesteps of step %d", s + 1).isTrue();
            assertThat(got.diffusionNoise().contentEquals(expected.diffusionNoise())).as("noise of step %d", s + 1).isTrue();
        }
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("mdm-trainer-batches"));
    }

    @Test
    @DisplayName("captionTimesFrom draws captioning and VQA times from its step up, and every other task's from 1")
    void captionTimesFromMovesOnlyTheReadingTasks() {
        int from = 700;
        builder().batchSize(40).steps(10).seed(6).captionTimesFrom(from).build().fit(dataset(true), null);
        long reading = 0;
        long readingMin = Long.MAX_VALUE;
        long othersBelow = 0;
        for (TrainingBatch b : runtime.batches) {
            long[] t = b.timesteps().toLongArray();
            for (int i = 0; i < 40; i++) {
                boolean imageGiven = row(b.noised(), i, N_IMG + LT)[0] == 0;
                if (imageGiven) {
                    reading++;
                    readingMin = Math.min(readingMin, t[i]);
                    assertThat(t[i]).as("a captioning or VQA example's t").isBetween((long) from, (long) CONFIG.timesteps());
                } else if (t[i] < from) {
                    othersBelow++;
                }
            }
        }
        assertThat(reading).as("captioning and VQA examples drawn").isGreaterThan(80);
        assertThat(readingMin).as("the range's start is reachable").isLessThan(from + 30L);
        assertThat(othersBelow).as("generating examples still draw small t").isGreaterThan(100);
    }

    @Test
    @DisplayName("answerTimesFrom gives VQA examples their own range, and captioning keeps captionTimesFrom's")
    void answerTimesFromMovesOnlyVqa() {
        builder().batchSize(40).steps(10).seed(6).captionTimesFrom(800).answerTimesFrom(1).build().fit(dataset(true), null);
        long vqa = 0;
        long vqaBelow = 0;
        long captions = 0;
        for (TrainingBatch b : runtime.batches) {
            long[] t = b.timesteps().toLongArray();
            for (int i = 0; i < 40; i++) {
                double[] mask = row(b.noised(), i, N_IMG + LT);
                if (mask[0] != 0) {
                    continue;   // the image is generated: neither captioning nor VQA
                }
                boolean questionGiven = java.util.Arrays.stream(mask, N_IMG, N_IMG + LT).anyMatch(m -> m == 0);
                if (questionGiven) {
                    vqa++;
                    vqaBelow += t[i] < 800 ? 1 : 0;
                } else {
                    captions++;
                    assertThat(t[i]).as("a captioning example's t").isBetween(800L, (long) CONFIG.timesteps());
                }
            }
        }
        assertThat(captions).as("captioning examples drawn").isGreaterThan(20);
        assertThat(vqa).as("VQA examples drawn").isGreaterThan(20);
        assertThat(vqaBelow).as("VQA examples draw below the captions' range").isGreaterThan(vqa / 2);
        assertThatThrownBy(() -> builder().answerTimesFrom(1001)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("answerTimesFrom").hasMessageContaining("[1, 1000]").hasMessageContaining("got 1001");
    }

    @Test
    @DisplayName("captionTimesFrom(1) draws exactly the batches of the default")
    void captionTimesFromOneIsTheDefault() {
        builder().batchSize(8).steps(3).seed(3).captionTimesFrom(1).build().fit(dataset(true), null);
        Recording plain = new Recording();
        Trainer.builder(plain, WORDS, "fake", Set.of(Capability.TRAINING)).batchSize(8).steps(3).seed(3).build()
                .fit(dataset(true), null);
        assertThat(runtime.batches).hasSize(3);
        assertThat(plain.batches).hasSize(3);
        for (int s = 0; s < 3; s++) {
            TrainingBatch a = runtime.batches.get(s);
            TrainingBatch p = plain.batches.get(s);
            assertThat(a.images().contentEquals(p.images())).as("images").isTrue();
            assertThat(a.tokens().contentEquals(p.tokens())).as("tokens").isTrue();
            assertThat(a.classIds().contentEquals(p.classIds())).as("classIds").isTrue();
            assertThat(a.noised().contentEquals(p.noised())).as("noised").isTrue();
            assertThat(a.timesteps().contentEquals(p.timesteps())).as("timesteps").isTrue();
            assertThat(a.vaeNoise().contentEquals(p.vaeNoise())).as("vaeNoise").isTrue();
            assertThat(a.diffusionNoise().contentEquals(p.diffusionNoise())).as("diffusionNoise").isTrue();
        }
    }

    @Test
    @DisplayName("captionTimesFrom outside [1, T] is refused, naming the schedule's range")
    void captionTimesFromOutsideTheSchedule() {
        assertThatThrownBy(() -> builder().captionTimesFrom(0)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("captionTimesFrom").hasMessageContaining("[1, 1000]").hasMessageContaining("got 0");
        assertThatThrownBy(() -> builder().captionTimesFrom(1001)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("captionTimesFrom").hasMessageContaining("[1, 1000]").hasMessageContaining("got 1001");
        assertThat(builder().captionTimesFrom(1000).build()).isNotNull();
    }

    @Test
    @DisplayName("a backend without TRAINING, a missing tokenizer and bad settings fail clearly")
    void failures() {
        assertThatThrownBy(() -> Trainer.builder(runtime, WORDS, "onnx", Set.of())).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("'onnx'").hasMessageContaining("TRAINING");
        assertThatThrownBy(() -> Trainer.builder(runtime, null, "djl", Set.of(Capability.TRAINING)).build())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("tokenizer(");
        assertThatThrownBy(() -> builder().batchSize(0)).isInstanceOf(InvalidInputException.class).hasMessageContaining("batchSize");
        assertThatThrownBy(() -> builder().steps(0)).isInstanceOf(InvalidInputException.class).hasMessageContaining("steps");
        assertThatThrownBy(() -> builder().classDropProbability(1.5)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> builder().taskMix(Map.of(Task.VQA, -1.0))).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> builder().taskMix(Map.of(Task.VQA, 0.0))).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> builder().taskMix(Map.of(Task.VQA, 1.0)).build().fit(dataset(false), null))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("taskMix");
        assertThatThrownBy(() -> builder().build().fit(null, null)).isInstanceOf(InvalidInputException.class).hasMessageContaining("dataset");
        assertThatThrownBy(() -> builder().givenImageAugmentation(null)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("givenImageAugmentation");
    }

    /** Records the steps heard and the steps whose checkpoint was written. */
    private static final class Heard implements TrainingListener {
        final List<Long> steps = new ArrayList<>();
        final List<Long> saved = new ArrayList<>();

        @Override
        public void onStep(TrainingProgress progress) {
            steps.add(progress.step());
        }

        @Override
        public void onCheckpoint(long step, Path file) {
            saved.add(step);
        }
    }

    @Test
    @DisplayName("a time limit that the first step already crosses stops after exactly that step and checkpoints it")
    void timeLimitCrossedByTheFirstStep(@TempDir Path dir) {
        Path file = dir.resolve("ckpt.safetensors");
        Heard heard = new Heard();
        TrainingProgress last = builder().batchSize(2).steps(50).timeLimit(Duration.ofNanos(1)).checkpointEvery(100, file)
                .build().fit(dataset(true), heard);
        assertThat(last.step()).isEqualTo(1);
        assertThat(runtime.batches).hasSize(1);
        assertThat(heard.steps).containsExactly(1L);
        assertThat(heard.saved).containsExactly(1L);
        assertThat(Checkpoint.load(file).optimizerState().get("adam.step").toLongArray()).containsExactly(1);
        assertThat(runtime.sessionClosed).isTrue();
    }

    @Test
    @DisplayName("a time limit stops after the first step that ends past it, not before it, and checkpoints that step")
    void timeLimitStopsAfterTheStepThatCrossesIt(@TempDir Path dir) {
        Path file = dir.resolve("ckpt.safetensors");
        runtime.stepMillis = 10;
        Heard heard = new Heard();
        long start = System.nanoTime();
        TrainingProgress last = builder().batchSize(2).steps(1000).timeLimit(Duration.ofMillis(200)).checkpointEvery(5000, file)
                .build().fit(dataset(true), heard);
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        // 1000 steps of at least 10 ms take 10 s, so the 200 ms budget ends the run long before the step count does
        assertThat(elapsedMillis).isGreaterThanOrEqualTo(200).isLessThan(5_000);
        assertThat(last.step()).isBetween(2L, 999L);
        assertThat(last.totalSteps()).isEqualTo(1000);
        assertThat(heard.steps).isEqualTo(LongStream.rangeClosed(1, last.step()).boxed().toList());
        assertThat(heard.saved).containsExactly(last.step());
        assertThat(Checkpoint.load(file).optimizerState().get("adam.step").toLongArray()).containsExactly(last.step());
    }

    @Test
    @DisplayName("a time limit longer than the run changes nothing: every step runs and the checkpoints fall as without it")
    void generousTimeLimitRunsEveryStep(@TempDir Path dir) {
        Path file = dir.resolve("ckpt.safetensors");
        Heard heard = new Heard();
        TrainingProgress last = builder().batchSize(2).steps(7).timeLimit(Duration.ofDays(1)).checkpointEvery(3, file)
                .build().fit(dataset(true), heard);
        assertThat(last.step()).isEqualTo(7);
        assertThat(heard.steps).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
        assertThat(heard.saved).containsExactly(3L, 6L, 7L);
        assertThat(Checkpoint.load(file).optimizerState().get("adam.step").toLongArray()).containsExactly(7);
    }

    @Test
    @DisplayName("timeLimit rejects a zero or negative duration, naming timeLimit, and accepts null for none")
    void timeLimitMustBePositive() {
        assertThatThrownBy(() -> builder().timeLimit(Duration.ZERO)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("timeLimit").hasMessageContaining("PT0S");
        assertThatThrownBy(() -> builder().timeLimit(Duration.ofSeconds(-5))).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("timeLimit").hasMessageContaining("PT-5S");
        assertThat(builder().timeLimit(null).steps(2).build().fit(dataset(true), null).step()).isEqualTo(2);
    }
}

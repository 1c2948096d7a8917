package dev.mdm.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.mdm.ConfigurationException;
import dev.mdm.InvalidInputException;
import dev.mdm.MDM;
import dev.mdm.MdmConfig;
import dev.mdm.sampling.DpmSolverSampler;
import dev.mdm.sampling.SamplerSettings;
import dev.mdm.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("TaskRunner on a fake model")
class TaskRunnerTest {
    private final MdmConfig config = MdmConfig.tiny();
    private final FakeRuntime runtime = new FakeRuntime(config);
    private final List<SamplerSettings> asked = new ArrayList<>();
    private final TaskRunner tasks = runner(new FakeRuntime.WordTokenizer());

    private TaskRunner runner(FakeRuntime.WordTokenizer tokenizer) {
        return new TaskRunner(runtime, SamplerSettings.defaults().withSteps(6), s -> {
            asked.add(s);
            return new DpmSolverSampler(s, MDM.betas(config));
        }, tokenizer);
    }

    private Tensor image(double value) {
        double[] v = new double[64];
        for (int i = 0; i < v.length; i++) {
            v[i] = value * (i % 8) / 7.0;
        }
        return Tensor.of(v, 1, 8, 8);
    }

    private static long[] ids(long... v) {
        return v;
    }

    @Test
    @DisplayName("captioning holds the image at its encoder mean, samples the text and reads it up to eos")
    void captionHoldsImageAndReadsText() {
        runtime.textTarget = ids(5, 6, 7, 2, 0, 0, 0, 0);
        Tensor img = image(0.8);
        String caption = tasks.caption(img);
        assertThat(caption).isEqualTo("w5 w6 w7");
        double[] mu = runtime.encoder().encodeImage(img.reshape(1, 1, 8, 8)).mean().toDoubleArray();
        assertThat(runtime.calls).hasSize(6);
        for (FakeRuntime.Call c : runtime.calls) {
            double[] lat = c.latents().toDoubleArray();
            assertThat(c.latents().dim(0)).as("unguided by default").isEqualTo(1);
            assertThat(java.util.Arrays.copyOfRange(lat, 0, 16 * 4)).containsExactly(mu);
            assertThat(c.classes()).containsExactly(config.classes());
            assertThat(c.time()[0]).isBetween(0.0, 999.0 + 1e-9);
        }
        assertThat(runtime.calls.get(0).time()[0]).isCloseTo(999, within(1e-9));
    }

    @Test
    @DisplayName("VQA holds the question span and returns only the answer")
    void answerHoldsQuestion() {
        runtime.textTarget = ids(40, 41, 9, 33, 2, 0, 0, 0);
        String answer = tasks.answer(image(0.5), "w9 w10");
        assertThat(answer).isEqualTo("w9 w33");
        for (FakeRuntime.Call c : runtime.calls) {
            double[] lat = c.latents().toDoubleArray();
            assertThat(java.util.Arrays.copyOfRange(lat, 16 * 4, 16 * 4 + 4)).containsExactly(FakeRuntime.textLatent(9));
            assertThat(java.util.Arrays.copyOfRange(lat, 17 * 4, 17 * 4 + 4)).containsExactly(FakeRuntime.textLatent(10));
        }
    }

    @Test
    @DisplayName("text-to-text returns the continuation after the prompt")
    void completeReturnsContinuation() {
        runtime.textTarget = ids(1, 1, 1, 12, 13, 2, 0, 0);
        assertThat(tasks.complete("w3 w4 w5")).isEqualTo("w12 w13");
    }

    @Test
    @DisplayName("text-to-image holds the packed text and returns a decoded, clamped image")
    void textToImage() {
        runtime.imageTarget = 1.7;
        Generation g = tasks.generate(Prompt.textToImage("w7 w8").withSeed(3));
        assertThat(g.image().shape()).containsExactly(1, 8, 8);
        // x̂0 paints 1.7, which the projection through the VAE (D16) and the final decoding both clamp to 1; six steps
        // leave a little of x_T's noise
        double[] pixels = g.image().toDoubleArray();
        assertThat(Arrays.stream(pixels).min().orElseThrow()).isGreaterThan(0.98);
        assertThat(Arrays.stream(pixels).max().orElseThrow()).isEqualTo(1.0);
        assertThat(g.tokens()).containsExactly(7, 8, 2, 0, 0, 0, 0, 0);
        assertThat(g.caption()).isEmpty();
        assertThat(g.seed()).isEqualTo(3);
        for (FakeRuntime.Call c : runtime.calls) {
            double[] lat = c.latents().toDoubleArray();
            assertThat(java.util.Arrays.copyOfRange(lat, 18 * 4, 18 * 4 + 4)).containsExactly(FakeRuntime.textLatent(2));
        }
    }

    @Test
    @DisplayName("classifier-free guidance is one denoiser call of 2b per step, conditional half first")
    void guidanceBatchesBothPasses() {
        runtime.imageTarget = 0.3;
        List<Generation> gs = tasks.generate(Prompt.classConditional(2, 3.0).withSeed(1), 2);
        assertThat(runtime.calls).hasSize(6);
        for (FakeRuntime.Call c : runtime.calls) {
            assertThat(c.latents().dim(0)).isEqualTo(4);
            assertThat(c.classes()).containsExactly(2, 2, 4, 4);
            double[] lat = c.latents().toDoubleArray();
            int half = lat.length / 2;
            assertThat(java.util.Arrays.copyOfRange(lat, 0, half)).containsExactly(java.util.Arrays.copyOfRange(lat, half, lat.length));
        }
        // x̂0 = u + w(c − u) = 0.3 + 3·(0.5 − 0.3) = 0.9 at every image token; the sample lands within σ_end·|x_T|
        for (Generation g : gs) {
            for (double v : g.image().toDoubleArray()) {
                assertThat(v).isCloseTo(0.9, within(0.06));
            }
        }
    }

    @Test
    @DisplayName("guidance arithmetic: x̂0(∅) + w·(x̂0(c) − x̂0(∅)) over a 2b batch")
    void guideArithmetic() {
        Tensor both = Tensor.of(new double[] {1, 2, 3, 4, 0.5, 0.5, 1, 1}, 4, 2);
        Tensor g = TaskRunner.guide(both, 2.5);
        assertThat(g.shape()).containsExactly(2, 2);
        assertThat(g.toDoubleArray()).containsExactly(new double[] {0.5 + 2.5 * 0.5, 0.5 + 2.5 * 1.5, 1 + 2.5 * 2, 1 + 2.5 * 3}, within(1e-15));
    }

    @Test
    @DisplayName("without guidance the class goes in once; the null class is used for an unconditional prompt")
    void noGuidanceSinglePass() {
        tasks.generate(Prompt.joint(1).withSeed(0));
        assertThat(runtime.calls).allSatisfy(c -> assertThat(c.classes()).containsExactly(1));
        runtime.calls.clear();
        tasks.generate(Prompt.joint().withSeed(0));
        assertThat(runtime.calls).allSatisfy(c -> assertThat(c.classes()).containsExactly(config.classes()));
    }

    @Test
    @DisplayName("joint generation returns image and caption; a seed reproduces it and steps reach the sampler")
    void jointGenerationIsReproducible() {
        runtime.textTarget = ids(20, 21, 2, 0, 0, 0, 0, 0);
        Generation a = tasks.generate(Prompt.joint(1).withSeed(9).withSteps(3));
        assertThat(runtime.calls).hasSize(3);
        assertThat(asked.get(asked.size() - 1).steps()).isEqualTo(3);
        Generation b = tasks.generate(Prompt.joint(1).withSeed(9).withSteps(3));
        Generation c = tasks.generate(Prompt.joint(1).withSeed(10).withSteps(3));
        assertThat(a.caption()).contains("w20 w21");
        assertThat(a).isEqualTo(b);
        assertThat(a.image().contentEquals(c.image())).isFalse();
        for (double v : a.image().toDoubleArray()) {
            assertThat(v).isCloseTo(0.4, within(0.06));
        }
    }

    @Test
    @DisplayName("the i-th sample of a batch drawn from seed s is the sample that seed s + i draws alone, and says so")
    void batchedSamplesAreTheSamplesDrawnAlone() {
        runtime.textTarget = ids(20, 21, 2, 0, 0, 0, 0, 0);
        List<Generation> batch = tasks.generate(Prompt.joint(1).withSeed(9).withSteps(3), 3);
        for (int i = 0; i < 3; i++) {
            Generation alone = tasks.generate(Prompt.joint(1).withSeed(batch.get(i).seed()).withSteps(3));
            assertThat(batch.get(i).seed()).isEqualTo(9 + i);
            assertThat(batch.get(i)).as("sample %d", i).isEqualTo(alone);
        }
        assertThat(batch.get(0).image().contentEquals(batch.get(1).image())).isFalse();
    }

    @Test
    @DisplayName("a caption at temperature 1 and image guidance does not depend on the other images of its batch")
    void captionsDoNotDependOnTheirBatch() {
        runtime.textTarget = ids(20, 21, 2, 0, 0, 0, 0, 0);
        runtime.textFollowsImage = 0.5;
        TextSampling sampled = TextSampling.DEFAULT.withTemperature(1).withImageGuidance(1.5);
        Tensor images = Tensor.of(java.util.stream.DoubleStream.concat(java.util.Arrays.stream(image(0.2).toDoubleArray()),
                java.util.Arrays.stream(image(-0.3).toDoubleArray())).toArray(), 2, 1, 8, 8);
        runtime.calls.clear();
        tasks.captions(images, sampled);
        double[] batched = runtime.calls.get(runtime.calls.size() - 1).latents().toDoubleArray();
        runtime.calls.clear();
        tasks.caption(image(-0.3), sampled);
        double[] alone = runtime.calls.get(runtime.calls.size() - 1).latents().toDoubleArray();
        // the last denoiser call: each row the image alone gave (as given, and noised for image guidance) is a row of
        // the batch's call, so the second image's draws did not depend on the first image beside it
        int row = config.latentTokens() * config.latentDim();
        assertThat(alone.length).isEqualTo(2 * row);
        List<List<Double>> batchRows = new ArrayList<>();
        for (int r = 0; r < batched.length / row; r++) {
            batchRows.add(java.util.Arrays.stream(java.util.Arrays.copyOfRange(batched, r * row, (r + 1) * row)).boxed().toList());
        }
        for (int r = 0; r < 2; r++) {
            assertThat(batchRows).as("row %d of the image captioned alone", r)
                    .contains(java.util.Arrays.stream(java.util.Arrays.copyOfRange(alone, r * row, (r + 1) * row)).boxed().toList());
        }
    }

    @Test
    @DisplayName("text tasks without a tokenizer fail saying how to add one; joint generation still works")
    void withoutTokenizer() {
        TaskRunner bare = runner(null);
        assertThatThrownBy(() -> bare.caption(image(0.1))).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("captioning needs a tokenizer").hasMessageContaining("MDM.builder().tokenizer(");
        assertThatThrownBy(() -> bare.complete("w1")).isInstanceOf(ConfigurationException.class);
        assertThatThrownBy(() -> bare.generate(Prompt.textToImage("w1"))).isInstanceOf(ConfigurationException.class);
        assertThatThrownBy(() -> bare.generate(Prompt.classConditional(0, 2))).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("pad");
        Generation g = bare.generate(Prompt.joint(0));
        assertThat(g.caption()).isEmpty();
        assertThat(g.tokens()).hasSize(8);
    }

    @Test
    @DisplayName("bad inputs are rejected naming the argument")
    void rejectsBadInputs() {
        assertThatThrownBy(() -> tasks.caption(Tensor.zeros(1, 8, 7))).isInstanceOf(InvalidInputException.class).hasMessageContaining("'image'");
        double[] nan = new double[64];
        nan[5] = Double.NaN;
        assertThatThrownBy(() -> tasks.caption(Tensor.of(nan, 1, 8, 8))).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("NaN at flat index 5");
        assertThatThrownBy(() -> tasks.caption(image(1.5))).isInstanceOf(InvalidInputException.class).hasMessageContaining("[-1, 1]");
        assertThatThrownBy(() -> tasks.answer(image(0.1), "w1 w2 w3 w4 w5 w6 w7 w8")).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("'question'").hasMessageContaining("at most 7 tokens");
        assertThatThrownBy(() -> tasks.answer(image(0.1), " ")).isInstanceOf(InvalidInputException.class).hasMessageContaining("'question'");
        assertThatThrownBy(() -> tasks.complete("")).isInstanceOf(InvalidInputException.class).hasMessageContaining("'prompt'");
        assertThatThrownBy(() -> tasks.generate(Prompt.textToImage("w1 w2 w3 w4 w5 w6 w7 w8 w9"))).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("'text'").hasMessageContaining("at most 8 tokens");
        assertThatThrownBy(() -> tasks.generate(Prompt.joint(4))).isInstanceOf(InvalidInputException.class).hasMessageContaining("classId");
        assertThatThrownBy(() -> tasks.generate(Prompt.joint(0), 0)).isInstanceOf(InvalidInputException.class).hasMessageContaining("count");
        // tiny: 8 text tokens × 64 ids of logits a sample, twice with guidance: 2 097 151 samples fit one call's arrays
        assertThatThrownBy(() -> tasks.generate(Prompt.joint(0), 2_097_152)).isInstanceOf(InvalidInputException.class)
                .hasMessage("invalid argument 'count': expected at most 2097151 samples a call for this model (split larger "
                        + "batches into several calls), got 2097152");
        assertThatThrownBy(() -> tasks.generate(Prompt.joint(0).withSteps(Integer.MAX_VALUE))).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("'steps'");
        assertThatThrownBy(() -> tasks.answers(Tensor.zeros(2, 1, 8, 8), List.of("w1"))).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("questions");
        assertThat(runtime.calls).isEmpty();
    }

    @Test
    @DisplayName("batched captioning gives one caption per image")
    void batchedCaptions() {
        runtime.textTarget = ids(11, 2, 0, 0, 0, 0, 0, 0);
        assertThat(tasks.captions(Tensor.zeros(3, 1, 8, 8))).containsExactly("w11", "w11", "w11");
        assertThat(runtime.calls).allSatisfy(c -> assertThat(c.latents().dim(0)).isEqualTo(3));
    }

    @Test
    @DisplayName("image guidance runs the given and the noised image as one call of 2b and amplifies their difference at the text positions")
    void imageGuidanceContrastsGivenAndNoisedImage() {
        runtime.textFollowsImage = 0.5;
        int n = config.imageTokens() + config.textLength();
        int nImg = config.imageTokens();
        double[] x = new double[2 * n * 4];
        double[] given = new double[2 * n * 4];
        double[] noise = new double[2 * nImg * 4];
        for (int i = 0; i < x.length; i++) {
            x[i] = 0.01 * (i % 13);
            given[i] = 0.7 - 0.02 * (i % 11);
        }
        for (int s = 0; s < 2; s++) {
            System.arraycopy(given, s * n * 4, x, s * n * 4, nImg * 4);   // the sampler holds the image at μ
        }
        for (int i = 0; i < noise.length; i++) {
            noise[i] = -1 + 0.003 * i;
        }
        double t = 0.6;
        double w = 2.5;
        long none = config.classes();
        double[] out = tasks.denoisingFunction(new long[] {none, none}, false, 1.0, new dev.mdm.sampling.SamplingRun.ImageGuidance(w, given, noise),
                false, false).predict(Tensor.of(x, 2, n, 4), t).toDoubleArray();

        assertThat(runtime.calls).hasSize(1);
        FakeRuntime.Call call = runtime.calls.get(0);
        assertThat(call.latents().shape()).containsExactly(4, n, 4);
        assertThat(call.classes()).containsExactly(none, none, none, none);
        double[] in = call.latents().toDoubleArray();
        dev.mdm.sampling.DiscreteVpSchedule schedule = new dev.mdm.sampling.DiscreteVpSchedule(MDM.betas(config));
        double alpha = schedule.alpha(t);
        double sigma = schedule.sigma(t);
        assertThat(alpha).isBetween(0.05, 0.95);
        for (int s = 0; s < 2; s++) {
            int o = s * n * 4;
            int u = (2 + s) * n * 4;
            assertThat(Arrays.copyOfRange(in, o, o + n * 4)).as("given pass, sample %d", s)
                    .containsExactly(Arrays.copyOfRange(x, o, o + n * 4));
            for (int j = 0; j < nImg * 4; j++) {
                assertThat(in[u + j]).as("noised image, sample %d value %d", s, j)
                        .isCloseTo(alpha * given[o + j] + sigma * noise[s * nImg * 4 + j], within(1e-12));
            }
            assertThat(Arrays.copyOfRange(in, u + nImg * 4, u + n * 4)).as("noised pass keeps the text, sample %d", s)
                    .containsExactly(Arrays.copyOfRange(x, o + nImg * 4, o + n * 4));
            // the fake text x̂0 is id 0's latent with 0.5·(first image coordinate) added to its first coordinate
            double conditional = 0.5 * given[o];
            double unconditional = 0.5 * (alpha * given[o] + sigma * noise[s * nImg * 4]);
            for (int k = nImg; k < n; k++) {
                assertThat(out[o + k * 4]).as("text token %d, sample %d", k, s)
                        .isCloseTo(unconditional + w * (conditional - unconditional), within(1e-12));
                assertThat(Arrays.copyOfRange(out, o + k * 4 + 1, o + k * 4 + 4)).containsExactly(1, 0, 0);
            }
        }
    }

    @Test
    @DisplayName("captions and answers default to no image guidance (one call of b per step) and run calls of 2b when guidance is asked")
    void imageGuidanceOnlyWhenAsked() {
        runtime.textFollowsImage = 4;
        runtime.textTarget = ids(11, 2, 0, 0, 0, 0, 0, 0);
        Tensor images = Tensor.zeros(2, 1, 8, 8);
        List<String> byDefault = tasks.captions(images);
        assertThat(runtime.calls).hasSize(6).allSatisfy(c -> assertThat(c.latents().dim(0)).isEqualTo(2));
        assertThat(tasks.captions(images, TextSampling.DEFAULT)).isEqualTo(byDefault);
        runtime.calls.clear();
        tasks.captions(images, TextSampling.DEFAULT.withImageGuidance(1.5));
        assertThat(runtime.calls).hasSize(6).allSatisfy(c -> assertThat(c.latents().dim(0)).isEqualTo(4));
        runtime.calls.clear();
        tasks.answers(images, List.of("w9", "w10"));
        assertThat(runtime.calls).allSatisfy(c -> assertThat(c.latents().dim(0)).isEqualTo(2));
        runtime.calls.clear();
        tasks.answers(images, List.of("w9", "w10"), TextSampling.DEFAULT.withImageGuidance(2));
        assertThat(runtime.calls).allSatisfy(c -> assertThat(c.latents().dim(0)).isEqualTo(4));
    }

    @Test
    @DisplayName("the temperature scales the text's starting noise x_T and leaves the held image alone; 0 starts the text at 0")
    void temperatureScalesTheTextsStartingNoise() {
        runtime.textTarget = ids(11, 2, 0, 0, 0, 0, 0, 0);
        Tensor images = Tensor.zeros(2, 1, 8, 8);
        int n = config.imageTokens() + config.textLength();
        int textFrom = config.imageTokens() * 4;
        double[][] first = new double[3][];
        double[] temperatures = {1, 0.5, 0};
        for (int r = 0; r < 3; r++) {
            runtime.calls.clear();
            tasks.captions(images, TextSampling.DEFAULT.withTemperature(temperatures[r]));
            first[r] = runtime.calls.get(0).latents().toDoubleArray();
        }
        for (int s = 0; s < 2; s++) {
            int o = s * n * 4;
            assertThat(Arrays.copyOfRange(first[1], o, o + textFrom)).as("image, sample %d", s)
                    .containsExactly(Arrays.copyOfRange(first[0], o, o + textFrom));
            for (int k = o + textFrom; k < o + n * 4; k++) {
                assertThat(first[0][k]).as("x_T is drawn at temperature 1").isNotZero();
                assertThat(first[1][k]).isCloseTo(0.5 * first[0][k], within(1e-12));
                assertThat(first[2][k]).isZero();
            }
        }
    }

    @Test
    @DisplayName("a text's seed sets its starting noise: the same seed draws the same x_T for every image of a batch, "
            + "another seed another, and seed 0 is what the two-argument settings and DEFAULT use")
    void theSeedSetsTheTextsDraws() {
        runtime.textTarget = ids(11, 2, 0, 0, 0, 0, 0, 0);
        Tensor images = Tensor.zeros(2, 1, 8, 8);
        int n = config.imageTokens() + config.textLength();
        int textFrom = config.imageTokens() * 4;
        java.util.function.Function<TextSampling, double[]> firstCall = sampling -> {
            runtime.calls.clear();
            tasks.captions(images, sampling);
            return runtime.calls.get(0).latents().toDoubleArray();
        };
        double[] seed0 = firstCall.apply(TextSampling.SAMPLE);
        double[] seed7 = firstCall.apply(TextSampling.SAMPLE.withSeed(7));
        assertThat(firstCall.apply(TextSampling.SAMPLE.withSeed(7))).as("the same seed again").containsExactly(seed7);
        assertThat(firstCall.apply(new TextSampling(1, 1, 0))).containsExactly(seed0);
        assertThat(Arrays.copyOfRange(seed7, textFrom, n * 4)).as("the second image's text draws the first's")
                .containsExactly(Arrays.copyOfRange(seed7, n * 4 + textFrom, 2 * n * 4));
        assertThat(Arrays.copyOfRange(seed7, textFrom, n * 4)).as("another seed, another x_T")
                .isNotEqualTo(Arrays.copyOfRange(seed0, textFrom, n * 4));
        assertThat(new TextSampling(1.5, 0.5)).isEqualTo(new TextSampling(1.5, 0.5, 0));
        assertThat(TextSampling.DEFAULT.seed()).isZero();
        assertThat(TextSampling.DEFAULT.withSeed(3).withTemperature(1).withImageGuidance(2))
                .isEqualTo(new TextSampling(2, 1, 3));
    }

    @Test
    @DisplayName("an image guidance below 1, a temperature outside [0, 1] and null settings are rejected, naming the argument")
    void rejectsBadTextSampling() {
        for (double w : new double[] {0.5, 0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> TextSampling.DEFAULT.withImageGuidance(w))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("imageGuidance")
                    .hasMessageContaining("≥ 1");
        }
        for (double tau : new double[] {-0.1, 1.01, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> new TextSampling(1, tau))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("temperature")
                    .hasMessageContaining("[0, 1]");
        }
        Tensor image = image(0.5).reshape(1, 1, 8, 8);
        assertThatThrownBy(() -> tasks.captions(image, null))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("sampling");
        assertThatThrownBy(() -> tasks.answers(image, List.of("w9"), null))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("sampling");
        assertThat(runtime.calls).isEmpty();
    }

    @Test
    @DisplayName("a vocabulary padded beyond the tokenizer's never yields an id the tokenizer cannot decode")
    void paddedVocabulary() {
        FakeRuntime.WordTokenizer words = new FakeRuntime.WordTokenizer();
        dev.mdm.text.Tokenizer ten = new dev.mdm.text.Tokenizer() {
            @Override public int vocabSize() { return 10; }
            @Override public int padId() { return words.padId(); }
            @Override public int eosId() { return words.eosId(); }
            @Override public int[] encode(String text) { return words.encode(text); }
            @Override public String decode(int[] ids) {
                for (int id : ids) {
                    if (id >= 10) {
                        throw new dev.mdm.InvalidInputException("ids", "ids in [0, 10)", String.valueOf(id));
                    }
                }
                return words.decode(ids);
            }
        };
        TaskRunner padded = new TaskRunner(runtime, SamplerSettings.defaults().withSteps(6),
                s -> new DpmSolverSampler(s, MDM.betas(config)), ten);
        // the decoder's logits peak at id 40, past the tokenizer's 10 ids: the best id it has, 9, is chosen
        runtime.textTarget = ids(5, 40, 7, 2, 0, 0, 0, 0);
        assertThat(padded.caption(image(0.8))).isEqualTo("w5 w9 w7");
        // and the clamping of x̂0 during sampling chooses among the same ids
        int n = config.imageTokens() + config.textLength();
        double[] x0 = new double[n * 4];
        Arrays.fill(x0, 5.0);   // the decoder's logits peak at id 40
        double[] clamped = padded.clampTextToTokens(Tensor.of(x0, 1, n, 4), padded.textChoices()).toDoubleArray();
        int firstText = config.imageTokens() * 4;
        assertThat(Arrays.copyOfRange(clamped, firstText, firstText + 4)).containsExactly(FakeRuntime.textLatent(9));
    }

    @Test
    @DisplayName("text positions of x̂0 are clamped to the encoder mean of their most likely token; image positions are left alone")
    void textIsClampedToTokenLatents() {
        int n = config.imageTokens() + config.textLength();
        double[] x0 = new double[2 * n * 4];
        for (int i = 0; i < x0.length; i++) {
            x0[i] = 0.37 + 0.01 * (i % 7);   // between the fake decoder's tokens: round(8 · 0.37..0.43) = 3
        }
        double[] clamped = tasks.clampTextToTokens(Tensor.of(x0, 2, n, 4), tasks.textChoices()).toDoubleArray();
        for (int s = 0; s < 2; s++) {
            for (int k = 0; k < n; k++) {
                int o = (s * n + k) * 4;
                double[] expected = k < config.imageTokens() ? Arrays.copyOfRange(x0, o, o + 4)
                        : FakeRuntime.textLatent(Math.round(8 * x0[o]));
                assertThat(Arrays.copyOfRange(clamped, o, o + 4)).as("sample %d token %d", s, k).containsExactly(expected);
            }
        }
    }

    @Test
    @DisplayName("image positions of x̂0 are replaced by the encoder mean of the image they decode to, clamped to [-1, 1]; text positions are left alone")
    void imageIsProjectedThroughTheVae() {
        int n = config.imageTokens() + config.textLength();
        double[] x0 = new double[2 * n * 4];
        for (int i = 0; i < x0.length; i++) {
            x0[i] = -1.6 + 0.1 * (i % 31);   // first coordinates from −1.6 to 1.4: some outside the pixel range
        }
        double[] projected = tasks.projectImageThroughVae(Tensor.of(x0, 2, n, 4)).toDoubleArray();
        for (int s = 0; s < 2; s++) {
            for (int k = 0; k < n; k++) {
                int o = (s * n + k) * 4;
                // the fake decoder paints a token with latent[0]; its encoder maps a patch to [mean, 0.25, −0.25, k/100]
                double[] expected = k < config.imageTokens()
                        ? new double[] {Math.max(-1, Math.min(1, x0[o])), 0.25, -0.25, k / 100.0}
                        : Arrays.copyOfRange(x0, o, o + 4);
                assertThat(Arrays.copyOfRange(projected, o, o + 4)).as("sample %d token %d", s, k)
                        .containsExactly(expected);
            }
        }
    }

    @Test
    @DisplayName("the sampler of an image task sees projected image latents; the sampler of captioning does not")
    void onlyImageTasksProjectTheImage() {
        int n = config.imageTokens() + config.textLength();
        Tensor x = Tensor.zeros(1, n, 4);
        double[] drawing = tasks.denoisingFunction(new long[] {2}, false, 0, false, true).predict(x, 0.5).toDoubleArray();
        double[] captioning = tasks.denoisingFunction(new long[] {2}, false, 0, true, false).predict(x, 0.5).toDoubleArray();
        // the fake network predicts [0.3 + class/10, 0, 0, 0] at every image token
        assertThat(Arrays.copyOfRange(drawing, 0, 4)).containsExactly(0.5, 0.25, -0.25, 0.0);
        assertThat(Arrays.copyOfRange(captioning, 0, 4)).containsExactly(0.5, 0.0, 0.0, 0.0);
    }

    /** Runs whole loops itself (as a GPU backend would), recording each run, or leaves them to the host. */
    private static final class WholeLoopRuntime implements dev.mdm.spi.ModelRuntime {
        private final FakeRuntime fake;
        final List<dev.mdm.sampling.SamplingRun> runs = new ArrayList<>();
        java.util.function.Function<dev.mdm.sampling.SamplingRun, Tensor> result;

        WholeLoopRuntime(FakeRuntime fake) {
            this.fake = fake;
            result = run -> TaskRunner.sampleOnHost(fake, new DpmSolverSampler(run.settings(), run.betas()), run, 0);
        }

        @Override
        public java.util.Optional<Tensor> sampleWhole(dev.mdm.sampling.SamplingRun run) {
            runs.add(run);
            return java.util.Optional.ofNullable(result.apply(run));
        }

        @Override
        public MdmConfig config() {
            return fake.config();
        }

        @Override
        public dev.mdm.model.Encoder encoder() {
            return fake.encoder();
        }

        @Override
        public dev.mdm.model.Decoder decoder() {
            return fake.decoder();
        }

        @Override
        public dev.mdm.model.ScanSwitch scanSwitch() {
            return fake.scanSwitch();
        }

        @Override
        public dev.mdm.model.MambaBlock block(int index) {
            return fake.block(index);
        }

        @Override
        public dev.mdm.model.Denoiser denoiser() {
            return fake.denoiser();
        }

        @Override
        public dev.mdm.model.LossFunction loss() {
            return fake.loss();
        }

        @Override
        public dev.mdm.model.Parameters parameters() {
            return fake.parameters();
        }

        @Override
        public dev.mdm.model.TrainingSession train(dev.mdm.model.OptimizerSettings settings, dev.mdm.model.Parameters resume) {
            return fake.train(settings, resume);
        }

        @Override
        public void close() {
            fake.close();
        }
    }

    private TaskRunner runnerOf(dev.mdm.spi.ModelRuntime rt) {
        return new TaskRunner(rt, SamplerSettings.defaults().withSteps(6), s -> new DpmSolverSampler(s, MDM.betas(config)),
                new FakeRuntime.WordTokenizer());
    }

    @Test
    @DisplayName("a runtime that runs whole sampling loops is handed the run the host would sample, and gives the host's results")
    void wholeLoopRunsDescribeTheHostRun() {
        runtime.textTarget = ids(5, 6, 7, 2, 0, 0, 0, 0);
        WholeLoopRuntime whole = new WholeLoopRuntime(runtime);
        TaskRunner host = runnerOf(runtime);
        TaskRunner device = runnerOf(whole);

        Tensor img = image(0.8);
        assertThat(device.caption(img, TextSampling.DEFAULT.withImageGuidance(1.5)))
                .isEqualTo(host.caption(img, TextSampling.DEFAULT.withImageGuidance(1.5)));
        dev.mdm.sampling.SamplingRun caption = whole.runs.get(0);
        assertThat(caption.imageGuidance().weight()).isEqualTo(1.5);
        assertThat(caption.classGuidance()).isNaN();
        assertThat(caption.clampText()).isTrue();
        assertThat(caption.projectImage()).isFalse();
        assertThat(caption.infill()).isNotNull();
        assertThat(caption.textChoices()).isEqualTo(Math.min(config.vocabSize(), new FakeRuntime.WordTokenizer().vocabSize()));
        assertThat(caption.settings().steps()).isEqualTo(6);

        Generation byDevice = device.generate(Prompt.classConditional(2, 3.0).withSeed(1));
        Generation byHost = host.generate(Prompt.classConditional(2, 3.0).withSeed(1));
        assertThat(byDevice.image().toDoubleArray()).containsExactly(byHost.image().toDoubleArray());
        dev.mdm.sampling.SamplingRun drawing = whole.runs.get(1);
        assertThat(drawing.classGuidance()).isEqualTo(3.0);
        assertThat(drawing.imageGuidance()).isNull();
        assertThat(drawing.projectImage()).isTrue();
        assertThat(drawing.clampText()).isFalse();
        assertThat(drawing.classIds()).containsExactly(2);

        assertThat(device.generate(Prompt.joint().withSeed(4))).isEqualTo(host.generate(Prompt.joint().withSeed(4)));
        assertThat(whole.runs.get(2).clampText()).isTrue();
        assertThat(whole.runs.get(2).projectImage()).isTrue();
    }

    @Test
    @DisplayName("the state a runtime's whole loop returns is what the task decodes, and an empty answer leaves the run to the host")
    void wholeLoopResultIsDecoded() {
        runtime.textTarget = ids(5, 6, 7, 2, 0, 0, 0, 0);
        WholeLoopRuntime whole = new WholeLoopRuntime(runtime);
        int n = config.imageTokens() + config.textLength();
        double[] state = new double[n * 4];
        for (int k = config.imageTokens(); k < n; k++) {
            System.arraycopy(FakeRuntime.textLatent(9), 0, state, k * 4, 4);
        }
        whole.result = run -> Tensor.of(state, 1, n, 4);
        runtime.calls.clear();
        assertThat(runnerOf(whole).generate(Prompt.joint().withSeed(2)).caption()).contains("w9 w9 w9 w9 w9 w9 w9 w9");
        assertThat(runtime.calls).as("no denoiser call on the host").isEmpty();

        whole.result = run -> null;
        assertThat(runnerOf(whole).caption(image(0.8))).isEqualTo("w5 w6 w7");
        assertThat(runtime.calls).hasSize(6);
    }

    @Test
    @DisplayName("a sampling run on the host refuses more text choices than the vocabulary has, and image-guidance noise of the wrong size")
    void hostRunChecksWhatTheRecordCannot() {
        int n = config.imageTokens() + config.textLength();
        Tensor xT = Tensor.zeros(1, n, 4);
        DpmSolverSampler sampler = new DpmSolverSampler(SamplerSettings.defaults().withSteps(2), MDM.betas(config));
        assertThatThrownBy(() -> TaskRunner.sampleOnHost(runtime, sampler, new dev.mdm.sampling.SamplingRun(
                sampler.settings(), MDM.betas(config), xT, null, new long[] {1}, Double.NaN, null, true,
                config.vocabSize() + 1, false), 0))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("'textChoices'");
        assertThatThrownBy(() -> TaskRunner.sampleOnHost(runtime, sampler, new dev.mdm.sampling.SamplingRun(
                sampler.settings(), MDM.betas(config), xT, null, new long[] {1}, Double.NaN,
                new dev.mdm.sampling.SamplingRun.ImageGuidance(1.5, new double[n * 4], new double[4]), true, 5, false), 0))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("'imageGuidance.noise'");
    }

    @Test
    @DisplayName("a whole-loop result of another shape is refused, naming the runtime's run")
    void wholeLoopResultOfAnotherShapeIsRefused() {
        WholeLoopRuntime whole = new WholeLoopRuntime(runtime);
        whole.result = run -> Tensor.zeros(1, 3, 4);
        assertThatThrownBy(() -> runnerOf(whole).generate(Prompt.joint().withSeed(2)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("whole sampling run");
    }

    @Test
    @DisplayName("a non-finite x̂0 from the model is the model's failure (MdmException), not an invalid input")
    void nonFinitePredictionIsTheModelsFailure() {
        runtime.imageTarget = Double.NaN;
        assertThatThrownBy(() -> tasks.generate(Prompt.joint().withSeed(1)))
                .isExactlyInstanceOf(dev.mdm.MdmException.class)
                .hasMessageContaining("the denoiser's x̂0 at t_input = ").hasMessageContaining("not finite")
                .hasMessageContaining("the backend or the model's weights are broken");
    }

    @Test
    @DisplayName("a whole-loop result that is not finite is the runtime's failure")
    void nonFiniteWholeLoopResultIsTheRuntimesFailure() {
        WholeLoopRuntime whole = new WholeLoopRuntime(runtime);
        int n = config.imageTokens() + config.textLength();
        double[] state = new double[n * 4];
        state[5] = Double.NaN;
        whole.result = run -> Tensor.of(state, 1, n, 4);
        assertThatThrownBy(() -> runnerOf(whole).generate(Prompt.joint().withSeed(2)))
                .isExactlyInstanceOf(dev.mdm.MdmException.class).hasMessageContaining("whole sampling run");
    }
}

package dev.mdm.task;

import dev.mdm.ConfigurationException;
import dev.mdm.InvalidInputException;
import dev.mdm.MDM;
import dev.mdm.MdmConfig;
import dev.mdm.MdmException;
import dev.mdm.sampling.DenoisingFunction;
import dev.mdm.sampling.DiscreteVpSchedule;
import dev.mdm.sampling.Infill;
import dev.mdm.sampling.Prediction;
import dev.mdm.sampling.Sampler;
import dev.mdm.sampling.SamplerSettings;
import dev.mdm.sampling.SamplingRun;
import dev.mdm.spi.ModelRuntime;
import dev.mdm.tensor.DType;
import dev.mdm.tensor.Tensor;
import dev.mdm.text.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * Runs the tasks of SPEC §9 on a loaded model; {@code MDM}'s task methods delegate here, and it works the same on any
 * {@link ModelRuntime}.
 *
 * <p>One call samples a whole batch at once. Given tokens (the image to caption, the text of text-to-image, a
 * question or prompt span) enter as their clean latent z₀ = μ of the encoder, without the reparameterization noise,
 * and are held there by an {@link Infill} at every step; noised tokens start from x_T ~ N(0, I), each sample's
 * drawn in row-major order from an {@code L64X128MixRandom} of its own: sample i of a generation from the prompt's
 * seed + i, every sample of a caption or an answer from its {@link TextSampling#seed()} (0 by default), every text
 * completion from seed 0. So a sample does not depend on the batch it was drawn in: the
 * i-th of {@code generate(prompt.withSeed(s), n)} is {@code generate(prompt.withSeed(s + i))}, and
 * {@code captions(images)} are the captions of each image alone, up to the float rounding of another batch size
 * (DDPM, which draws noise at every step for the whole batch, is the exception). The network is called with
 * t_input = (t − 1/T)·T. Classifier-free
 * guidance, when asked for, runs the conditional and the null-class pass as one denoiser call of batch 2b. For tasks
 * that write text, the text positions of every x̂₀ the sampler sees are clamped to the encoder mean of their most likely
 * token (decision D15; without it the captions mix several sentences' tokens). For tasks that draw the image, the
 * image positions of every x̂₀ are projected through the VAE, x̂₀ ← μ_enc(clamp(Dec_img(x̂₀), −1, 1)) (decision D16;
 * without it the trajectory leaves the latents the network was trained on and the images fill with speckles). Tasks
 * that write text about a given image (captioning, VQA) take a {@link TextSampling}: they may guide on the image
 * (decision D17: x̂₀ = x̂₀(image noised to t) + w·(x̂₀(image) − x̂₀(image noised to t)) at the text positions, the
 * contrast of what the clean image adds to the text beyond what its noised version at the text's own noise level
 * tells), and their text starts from τ·x_T (decision D18); by default τ = 0 and w = 1, the mode-seeking text. The final
 * state of the sampler is ẑ₀: images are decoded and clamped to [-1, 1]; text positions are read as the argmax of the
 * text decoder over the tokenizer's ids (a padded vocabulary's extra ids are never chosen), then up to the first pad
 * or eos (see {@link TextLayout}).
 *
 * <p>Thread-safe when the runtime and the samplers are.
 */
public final class TaskRunner {
    /** Text completion is deterministic: the same prompt gives the same text, whatever else is in its batch. */
    private static final long TEXT_TASK_SEED = 0;

    private final ModelRuntime runtime;
    private final MdmConfig config;
    private final SamplerSettings defaults;
    private final Function<SamplerSettings, Sampler> samplers;
    private final Tokenizer tokenizer;

    /**
     * @param runtime the loaded model
     * @param defaults sampler settings used when a prompt does not set its steps
     * @param samplers gives the sampler for some settings (for an MDM: its own for the defaults, else a new one from
     *     the backend)
     * @param tokenizer the tokenizer of the text modality, or null when the model has none (text tasks then fail
     *     with a message saying how to add one)
     */
    public TaskRunner(ModelRuntime runtime, SamplerSettings defaults, Function<SamplerSettings, Sampler> samplers,
                      Tokenizer tokenizer) {
        this.runtime = Objects.requireNonNull(runtime, "runtime");
        this.config = runtime.config();
        this.defaults = Objects.requireNonNull(defaults, "defaults");
        this.samplers = Objects.requireNonNull(samplers, "samplers");
        this.tokenizer = tokenizer;
    }

    /**
     * @param prompt what to generate
     * @return one sample
     */
    public Generation generate(Prompt prompt) {
        return generate(prompt, 1).get(0);
    }

    /**
     * Generates {@code count} samples in one sampler run, the i-th from the prompt's seed + i (see
     * {@link Generation#seed()}).
     *
     * @param prompt what to generate
     * @param count how many, ≥ 1
     * @return the samples, in batch order
     */
    public List<Generation> generate(Prompt prompt, int count) {
        if (prompt == null) {
            throw new InvalidInputException("prompt", "a Prompt", "null");
        }
        if (count < 1) {
            throw new InvalidInputException("count", "at least 1", String.valueOf(count));
        }
        requireBatchFits("count", count);
        Task task = prompt.task();
        long classId = config.classes();
        if (prompt.classId().isPresent()) {
            int c = prompt.classId().getAsInt();
            if (c >= config.classes()) {
                throw new InvalidInputException("classId", "a class in [0, " + config.classes() + ")", String.valueOf(c));
            }
            classId = c;
        }
        PackedText[] texts = new PackedText[count];
        if (task == Task.TEXT_TO_IMAGE) {
            TextLayout layout = layout("text-to-image");
            int[] ids = encode("text", prompt.text());
            if (ids.length > layout.length()) {
                throw new InvalidInputException("text", "at most " + layout.length() + " tokens (the model's textLength)",
                        ids.length + " tokens");
            }
            Arrays.fill(texts, layout.caption(ids));
        } else if (task == Task.CLASS_TO_IMAGE) {
            Arrays.fill(texts, layout("class-conditional generation (its text is given empty, as pad ids)").empty());
        }
        long seed = prompt.seed().isPresent() ? prompt.seed().getAsLong() : ThreadLocalRandom.current().nextLong();
        long[] classes = new long[count];
        Arrays.fill(classes, classId);
        boolean guided = prompt.classId().isPresent() && prompt.guidance() != 1.0;
        long[] seeds = new long[count];
        for (int i = 0; i < count; i++) {
            seeds[i] = seed + i;
        }
        Result r = run(task, classes, texts, null, guided ? prompt.guidance() : 1.0, guided, TextSampling.SAMPLE,
                prompt.steps().isPresent() ? defaults.withSteps(prompt.steps().getAsInt()) : defaults, seeds);
        List<Generation> out = new ArrayList<>(count);
        int imageSize = config.imageChannels() * config.imageHeight() * config.imageWidth();
        double[] pixels = r.images.toDoubleArray();
        for (int i = 0; i < count; i++) {
            Tensor image = Tensor.of(Arrays.copyOfRange(pixels, i * imageSize, (i + 1) * imageSize),
                    config.imageChannels(), config.imageHeight(), config.imageWidth());
            java.util.Optional<String> caption = task.producesText() && tokenizer != null
                    ? java.util.Optional.of(tokenizer.decode(TextLayout.of(config, tokenizer).generatedSpan(r.tokens[i], 0)))
                    : java.util.Optional.empty();
            out.add(new Generation(image, caption, r.tokens[i], seeds[i]));
        }
        return out;
    }

    /**
     * @param image [C, H, W] in [-1, 1]
     * @return its caption, the mode-seeking one of {@link TextSampling#DEFAULT}
     */
    public String caption(Tensor image) {
        return caption(image, TextSampling.DEFAULT);
    }

    /**
     * @param image [C, H, W] in [-1, 1]
     * @param sampling image guidance, temperature and seed of the caption
     * @return its caption
     */
    public String caption(Tensor image, TextSampling sampling) {
        return captions(single("image", image), sampling).get(0);
    }

    /**
     * @param images [b, C, H, W] in [-1, 1]
     * @return one caption per image, the mode-seeking one of {@link TextSampling#DEFAULT}
     */
    public List<String> captions(Tensor images) {
        return captions(images, TextSampling.DEFAULT);
    }

    /**
     * @param images [b, C, H, W] in [-1, 1]
     * @param sampling image guidance, temperature and seed of the captions
     * @return one caption per image
     */
    public List<String> captions(Tensor images, TextSampling sampling) {
        requireSampling(sampling);
        TextLayout layout = layout("captioning");
        int b = requireImages("images", images);
        PackedText[] texts = new PackedText[b];
        Arrays.fill(texts, layout.empty());
        return readText(layout, run(Task.CAPTION, nullClasses(b), texts, images, 1.0, false, sampling, defaults,
                textSeeds(b, sampling.seed())), texts);
    }

    /**
     * @param image [C, H, W] in [-1, 1]
     * @param question a non-blank question that leaves at least one text position for the answer
     * @return the answer, the mode-seeking one of {@link TextSampling#DEFAULT}
     */
    public String answer(Tensor image, String question) {
        return answer(image, question, TextSampling.DEFAULT);
    }

    /**
     * @param image [C, H, W] in [-1, 1]
     * @param question a non-blank question that leaves at least one text position for the answer
     * @param sampling image guidance, temperature and seed of the answer
     * @return the answer
     */
    public String answer(Tensor image, String question, TextSampling sampling) {
        if (question == null) {
            throw new InvalidInputException("question", "a non-blank question", "null");
        }
        return answers(single("image", image), List.of(question), sampling).get(0);
    }

    /**
     * @param images [b, C, H, W] in [-1, 1]
     * @param questions b questions
     * @return one answer per image, the mode-seeking one of {@link TextSampling#DEFAULT}
     */
    public List<String> answers(Tensor images, List<String> questions) {
        return answers(images, questions, TextSampling.DEFAULT);
    }

    /**
     * @param images [b, C, H, W] in [-1, 1]
     * @param questions one non-blank question per image
     * @param sampling image guidance, temperature and seed of the answers
     * @return one answer per image
     */
    public List<String> answers(Tensor images, List<String> questions, TextSampling sampling) {
        requireSampling(sampling);
        TextLayout layout = layout("visual question answering");
        int b = requireImages("images", images);
        if (questions == null || questions.size() != b) {
            throw new InvalidInputException("questions", b + " questions, one per image",
                    questions == null ? "null" : questions.size() + " questions");
        }
        PackedText[] texts = new PackedText[b];
        for (int i = 0; i < b; i++) {
            String name = b == 1 ? "question" : "questions[" + i + "]";
            texts[i] = layout.givenPrefix(name, encode(name, questions.get(i)));
        }
        return readText(layout, run(Task.VQA, nullClasses(b), texts, images, 1.0, false, sampling, defaults,
                textSeeds(b, sampling.seed())), texts);
    }

    private static void requireSampling(TextSampling sampling) {
        if (sampling == null) {
            throw new InvalidInputException("sampling", "a TextSampling, e.g. TextSampling.DEFAULT", "null");
        }
    }

    /**
     * Text-to-text: continues a prompt (an image is sampled alongside and discarded).
     *
     * @param prompt a non-blank prompt that leaves at least one text position
     * @return the continuation, without the prompt
     */
    public String complete(String prompt) {
        TextLayout layout = layout("text-to-text completion");
        PackedText[] texts = {layout.givenPrefix("prompt", encode("prompt", prompt))};
        return readText(layout, run(Task.TEXT_TO_TEXT, nullClasses(1), texts, null, 1.0, false, TextSampling.SAMPLE,
                defaults, textSeeds(1, TEXT_TASK_SEED)), texts)
                .get(0);
    }

    private long[] nullClasses(int b) {
        long[] c = new long[b];
        Arrays.fill(c, config.classes());
        return c;
    }

    private List<String> readText(TextLayout layout, Result r, PackedText[] texts) {
        List<String> out = new ArrayList<>(texts.length);
        for (int i = 0; i < texts.length; i++) {
            out.add(tokenizer.decode(layout.generatedSpan(r.tokens[i], texts[i].givenLength())));
        }
        return out;
    }

    private TextLayout layout(String what) {
        if (tokenizer == null) {
            throw new ConfigurationException("MDM", List.of(what + " needs a tokenizer, and this model has none: build it "
                    + "with MDM.builder().tokenizer(tokenizer) (the tokenizer its text was trained with), or load a "
                    + "checkpoint that carries one with ai.djl.sentencepiece:sentencepiece on the class path"));
        }
        return TextLayout.of(config, tokenizer);
    }

    private int[] encode(String argument, String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidInputException(argument, "a non-blank text", text == null ? "null" : "'" + text + "'");
        }
        int[] ids = tokenizer.encode(text);
        if (ids.length == 0) {
            throw new InvalidInputException(argument, "a text with at least one token", "'" + text + "' (no tokens)");
        }
        return ids;
    }

    private Tensor single(String argument, Tensor image) {
        if (image == null) {
            throw new InvalidInputException(argument, "an image tensor", "null");
        }
        image.requireShape(argument, config.imageChannels(), config.imageHeight(), config.imageWidth());
        Tensor batch = image.reshape(1, config.imageChannels(), config.imageHeight(), config.imageWidth());
        requireImages(argument, batch);
        return batch;
    }

    private int requireImages(String argument, Tensor images) {
        if (images == null) {
            throw new InvalidInputException(argument, "an image tensor", "null");
        }
        images.requireShape(argument, -1, config.imageChannels(), config.imageHeight(), config.imageWidth());
        if (!images.dtype().isFloating()) {
            throw new InvalidInputException(argument, "a floating-point tensor", images.dtype().toString());
        }
        if (images.dim(0) < 1) {
            throw new InvalidInputException(argument, "at least one image", "an empty batch");
        }
        requireBatchFits(argument, images.dim(0));
        images.requireFinite(argument);
        double[] v = images.toDoubleArray();
        for (int i = 0; i < v.length; i++) {
            if (v[i] < -1 || v[i] > 1) {
                throw new InvalidInputException(argument, "values in [-1, 1]", v[i] + " at flat index " + i);
            }
        }
        return images.dim(0);
    }

    /** @return one seed for every sample of a text task: the same input gives the same text, in any batch */
    private static long[] textSeeds(int b, long seed) {
        long[] seeds = new long[b];
        Arrays.fill(seeds, seed);
        return seeds;
    }

    /**
     * A batch is sampled in Java arrays: the latents, twice over with guidance, and the text decoder's logits. A batch
     * whose arrays would pass the largest Java array is refused here, by name, instead of overflowing an index.
     */
    private void requireBatchFits(String argument, long b) {
        long perSample = Math.max(Math.max((long) config.latentTokens() * config.latentDim(),
                        (long) config.imageChannels() * config.imageHeight() * config.imageWidth()),
                (long) config.textLength() * config.vocabSize());
        long most = (Integer.MAX_VALUE - 8) / (2 * perSample);
        if (b > most) {
            throw new InvalidInputException(argument, "at most " + most + " samples a call for this model (split larger "
                    + "batches into several calls)", String.valueOf(b));
        }
    }

    /** The images (decoded, clamped; or the given ones) and the Lt text ids of each sample. */
    private record Result(Tensor images, long[][] tokens) {
    }

    /**
     * Samples one batch.
     *
     * @param texts per sample, the packed text whose given positions are held (entries may be null when no text
     *     position is given)
     * @param givenImages the images to hold [b, C, H, W], or null when the image is sampled
     * @param text image guidance (decision D17, for a given image) and temperature (decision D18) of the noised text
     */
    private Result run(Task task, long[] classIds, PackedText[] texts, Tensor givenImages, double guidance, boolean guided,
                       TextSampling text, SamplerSettings settings, long[] seeds) {
        int b = classIds.length;
        int nImg = config.imageTokens();
        int lt = config.textLength();
        int n = nImg + lt;
        int dz = config.latentDim();
        double[] held = new double[b * n * dz];
        double[] values = new double[b * n * dz];
        boolean anyHeld = false;
        boolean textGiven = false;
        for (int i = 0; i < b; i++) {
            double[] noised = task.noisedMask(config, texts[i] == null ? 0 : texts[i].givenLength());
            for (int k = 0; k < n; k++) {
                if (noised[k] == 0) {
                    anyHeld = true;
                    textGiven |= k >= nImg;
                    Arrays.fill(held, (i * n + k) * dz, (i * n + k + 1) * dz, 1);
                }
            }
        }
        if (givenImages != null) {
            double[] mu = runtime.encoder().encodeImage(givenImages).mean().toDoubleArray();
            for (int i = 0; i < b; i++) {
                System.arraycopy(mu, i * nImg * dz, values, i * n * dz, nImg * dz);
            }
        }
        long[] ids = new long[b * lt];
        for (int i = 0; i < b; i++) {
            if (texts[i] != null) {
                System.arraycopy(texts[i].ids(), 0, ids, i * lt, lt);
            }
        }
        if (textGiven) {
            double[] mu = runtime.encoder().encodeText(Tensor.ofLongs(ids, b, lt)).mean().toDoubleArray();
            for (int i = 0; i < b; i++) {
                System.arraycopy(mu, i * lt * dz, values, (i * n + nImg) * dz, lt * dz);
            }
        }
        // each sample's draws from a generator of its own: its x_T, then (with image guidance) its image noise
        RandomGenerator[] random = new RandomGenerator[b];
        double[] x = new double[b * n * dz];
        for (int i = 0; i < b; i++) {
            random[i] = RandomGeneratorFactory.of("L64X128MixRandom").create(seeds[i]);
            for (int k = i * n * dz; k < (i + 1) * n * dz; k++) {
                x[k] = random[i].nextGaussian();
            }
        }
        if (text.temperature() != 1.0) {
            // drawn before scaling, so that every temperature sees the same directions and τ = 1 is SPEC §9's sampler
            for (int i = 0; i < b; i++) {
                for (int k = nImg * dz; k < n * dz; k++) {
                    x[i * n * dz + k] *= text.temperature();
                }
            }
        }
        SamplingRun.ImageGuidance imageGuided = null;
        if (givenImages != null && text.imageGuidance() != 1.0) {
            // the noise that takes the given image to the text's noise level: drawn once, after x_T, from the seed
            double[] noise = new double[b * nImg * dz];
            for (int i = 0; i < b; i++) {
                for (int k = i * nImg * dz; k < (i + 1) * nImg * dz; k++) {
                    noise[k] = random[i].nextGaussian();
                }
            }
            imageGuided = new SamplingRun.ImageGuidance(text.imageGuidance(), values, noise);
        }
        int[] shape = {b, n, dz};
        Infill infill = anyHeld ? new Infill(Tensor.of(held, shape), Tensor.of(values, shape)) : null;
        Sampler sampler = samplers.apply(settings);
        // DDPM draws its own noise, for the whole batch, from the seed it is given: derive one from the first sample's
        // so it does not replay x_T
        long samplerSeed = Long.rotateLeft(seeds[0], 32) ^ 0x9E3779B97F4A7C15L;
        Tensor xT = Tensor.of(x, shape);
        SamplingRun whole = new SamplingRun(settings, MDM.betas(config), xT, infill, classIds,
                guided ? guidance : Double.NaN, imageGuided, task.producesText(), textChoices(), task.noisesImage());
        Tensor z0 = runtime.sampleWhole(whole).map(t -> requireComputedFinite(
                t.requireShape("the runtime's whole sampling run", shape), "the runtime's whole sampling run"))
                .orElseGet(() -> sampleOnHost(sampler, whole, samplerSeed));
        double[] z = z0.toDoubleArray();

        Tensor images = givenImages;
        if (task.noisesImage()) {
            double[] lat = new double[b * nImg * dz];
            for (int i = 0; i < b; i++) {
                System.arraycopy(z, i * n * dz, lat, i * nImg * dz, nImg * dz);
            }
            double[] pix = runtime.decoder().decodeImage(Tensor.of(lat, b, nImg, dz)).toDoubleArray();
            for (int i = 0; i < pix.length; i++) {
                pix[i] = Math.max(-1, Math.min(1, pix[i]));
            }
            images = Tensor.of(pix, b, config.imageChannels(), config.imageHeight(), config.imageWidth());
        }
        long[][] tokens = new long[b][];
        if (task.producesText()) {
            double[] lat = new double[b * lt * dz];
            for (int i = 0; i < b; i++) {
                System.arraycopy(z, (i * n + nImg) * dz, lat, i * lt * dz, lt * dz);
            }
            Tensor logits = runtime.decoder().decodeText(Tensor.of(lat, b, lt, dz));
            logits.requireShape("decoder logits", b, lt, -1);
            int v = logits.dim(2);
            int choices = Math.min(v, textChoices());
            double[] l = logits.toDoubleArray();
            for (int i = 0; i < b; i++) {
                tokens[i] = Arrays.copyOfRange(ids, i * lt, (i + 1) * lt);
                for (int k = 0; k < lt; k++) {
                    if (held[((i * n) + nImg + k) * dz] == 0) {
                        tokens[i][k] = argmax(l, (i * lt + k) * v, choices);
                    }
                }
            }
        } else {
            for (int i = 0; i < b; i++) {
                tokens[i] = Arrays.copyOfRange(ids, i * lt, (i + 1) * lt);
            }
        }
        return new Result(images, tokens);
    }

    /**
     * A value the model computed from finite inputs must be finite: one that is not is the backend's or the weights'
     * failure, not the caller's input, so it is an {@link MdmException} (the CLI's exit status 1), not an
     * {@link InvalidInputException}.
     */
    private static Tensor requireComputedFinite(Tensor computed, String what) {
        double[] v = computed.toDoubleArray();
        int i = firstNonFinite(v);
        if (i >= 0) {
            throw new MdmException(what + " is not finite (" + v[i] + " at flat index " + i + ") although its "
                    + "inputs were: the backend or the model's weights are broken");
        }
        return computed;
    }

    /** @return the index of the first value that is not finite, or −1 */
    private static int firstNonFinite(double[] v) {
        for (int i = 0; i < v.length; i++) {
            if (!Double.isFinite(v[i])) {
                return i;
            }
        }
        return -1;
    }

    /**
     * @return how many token ids text decoding chooses among: a config may pad its vocabulary beyond the tokenizer's
     *     (the builder allows it), and ids past the tokenizer's cannot be decoded, so they are never chosen
     */
    int textChoices() {
        int v = config.vocabSize();
        return tokenizer != null ? Math.min(v, tokenizer.vocabSize()) : v;
    }

    private static int argmax(double[] values, int offset, int length) {
        int best = 0;
        for (int j = 1; j < length; j++) {
            if (values[offset + j] > values[offset + best]) {
                best = j;
            }
        }
        return best;
    }

    /**
     * Runs {@code run} with a host sampler over the runtime's denoiser and VAE calls, one call per model evaluation:
     * what {@link ModelRuntime#sampleWhole} must compute (the kit checks it: MDM-SMP-004), and what tasks run when
     * the runtime does not run the whole loop itself.
     *
     * @param runtime the model
     * @param sampler the backend's sampler for {@code run.settings()}
     * @param run the run
     * @param seed the noise seed of a DDPM sampler (DPM-Solver draws none)
     * @return the final state [b, n_img + Lt, dz]
     */
    public static Tensor sampleOnHost(ModelRuntime runtime, Sampler sampler, SamplingRun run, long seed) {
        return new TaskRunner(runtime, run.settings(), s -> sampler, null).sampleOnHost(sampler, run, seed);
    }

    private Tensor sampleOnHost(Sampler sampler, SamplingRun run, long seed) {
        return sampler.sample(run.xT(), denoisingFunction(run), run.infill(), seed).last();
    }

    /**
     * The x̂0 model the sampler calls: the denoiser at t_input = (t − 1/T)·T, guided when asked, its text positions
     * clamped to token latents when {@code clampText} (decision D15 in docs/DECISIONS.md: Diffusion-LM's clamping
     * trick, x̂0 ← μ_enc(argmax Dec_txt(x̂0)) at every step, so the trajectory of each text position heads for one
     * token's latent instead of the blend of several the network predicts while it is unsure), its image positions
     * projected through the VAE when {@code projectImage} (decision D16: the loss trains x̂0 only through what it
     * decodes to, so its image latents may lie off the encoder's manifold, where the next network call has never
     * been trained).
     */
    DenoisingFunction denoisingFunction(long[] classIds, boolean guided, double guidance, boolean clampText,
                                        boolean projectImage) {
        return denoisingFunction(classIds, guided, guidance, null, clampText, projectImage);
    }

    /**
     * The same, and when {@code imageGuidance} is set, its text positions guided on the given image (decision D17):
     * the batch is run once as given and once with the image latents at α_t·μ + σ_t·ε (the sampler's schedule), in
     * one call of twice the batch, and x̂0 = x̂0(noised) + w·(x̂0(given) − x̂0(noised)) at the text positions; the
     * image positions are the given pass's (the sampler holds them anyway).
     */
    DenoisingFunction denoisingFunction(long[] classIds, boolean guided, double guidance,
                                        SamplingRun.ImageGuidance imageGuidance,
                                        boolean clampText, boolean projectImage) {
        return denoisingFunction(classIds, guided, guidance, imageGuidance, clampText, textChoices(), projectImage,
                MDM.betas(config));
    }

    /** The x̂0 model {@code run} describes. */
    DenoisingFunction denoisingFunction(SamplingRun run) {
        if (run.clampText() && run.textChoices() > config.vocabSize()) {
            throw new InvalidInputException("textChoices", "at most the vocabulary's " + config.vocabSize() + " ids",
                    String.valueOf(run.textChoices()));
        }
        int imageValues = run.batch() * config.imageTokens() * config.latentDim();
        if (run.imageGuidance() != null && run.imageGuidance().noise().length != imageValues) {
            throw new InvalidInputException("imageGuidance.noise", imageValues + " values ([b, n_img, dz])",
                    run.imageGuidance().noise().length + " values");
        }
        return denoisingFunction(run.classIds(), !Double.isNaN(run.classGuidance()), run.classGuidance(),
                run.imageGuidance(), run.clampText(), run.textChoices(), run.projectImage(), run.betas());
    }

    private DenoisingFunction denoisingFunction(long[] classIds, boolean guided, double guidance,
                                                SamplingRun.ImageGuidance imageGuidance, boolean clampText,
                                                int textChoices, boolean projectImage, double[] betas) {
        if (guided && imageGuidance != null) {
            throw new IllegalArgumentException("class guidance and image guidance do not combine: a task with a given "
                    + "image has no class");
        }
        int b = classIds.length;
        int steps = config.timesteps();
        int nImg = config.imageTokens();
        int perSample = (nImg + config.textLength()) * config.latentDim();
        int imageValues = nImg * config.latentDim();
        DiscreteVpSchedule schedule = imageGuidance == null ? null : new DiscreteVpSchedule(betas);
        // the classes of the doubled batch, built once: class guidance pairs each sample with the null class, image
        // guidance with itself
        long[] doubledClasses = Arrays.copyOf(classIds, 2 * b);
        if (imageGuidance == null) {
            Arrays.fill(doubledClasses, b, 2 * b, config.classes());
        } else {
            System.arraycopy(classIds, 0, doubledClasses, b, b);
        }
        return new DenoisingFunction() {
            @Override
            public Prediction predicts() {
                return Prediction.DATA;
            }

            @Override
            public Tensor predict(Tensor x, double t) {
                Tensor x0 = predictData(x, t);
                if (projectImage) {
                    x0 = projectImageThroughVae(x0);
                }
                if (clampText) {
                    x0 = clampTextToTokens(x0, textChoices);
                }
                return projectImage || clampText ? requireComputedFinite(x0, "the VAE's projection of x̂0 at t = " + t)
                        : x0;
            }

            private Tensor predictData(Tensor x, double t) {
                double timeInput = (t - 1.0 / steps) * steps;
                if (imageGuidance != null) {
                    double alpha = schedule.alpha(t);
                    double sigma = schedule.sigma(t);
                    double[] mu = imageGuidance.latents();
                    double[] noise = imageGuidance.noise();
                    // the second half: the given image noised to the text's level α_t·μ + σ_t·ε
                    double[] v = predictTwice(x, timeInput, (doubled, half) -> {
                        for (int i = 0; i < b; i++) {
                            for (int j = 0; j < imageValues; j++) {
                                doubled[half + i * perSample + j] = alpha * mu[i * perSample + j]
                                        + sigma * noise[i * imageValues + j];
                            }
                        }
                    }).toDoubleArray();
                    int half = v.length / 2;
                    double w = imageGuidance.weight();
                    double[] out = Arrays.copyOf(v, half);
                    for (int i = 0; i < b; i++) {
                        for (int j = i * perSample + imageValues; j < (i + 1) * perSample; j++) {
                            out[j] = v[half + j] + w * (v[j] - v[half + j]);
                        }
                    }
                    return requireGuidedFinite(Tensor.of(out, x.shape()), "imageGuidance", w);
                }
                if (!guided) {
                    double[] time = new double[b];
                    Arrays.fill(time, timeInput);
                    return requireComputedFinite(runtime.denoiser().predict(x, Tensor.of(time, b),
                            Tensor.ofLongs(classIds, b)), "the denoiser's x̂0 at t_input = " + timeInput);
                }
                return requireGuidedFinite(guide(predictTwice(x, timeInput, (doubled, half) -> { }), guidance),
                        "guidance", guidance);
            }

            /** A guided x̂0 from finite passes that is not finite: the weight took it past the doubles. */
            private Tensor requireGuidedFinite(Tensor guidedX0, String argument, double weight) {
                if (firstNonFinite(guidedX0.toDoubleArray()) >= 0) {
                    throw new InvalidInputException(argument, "a weight whose guided x̂0 stays finite",
                            String.valueOf(weight));
                }
                return guidedX0;
            }

            /**
             * One denoiser call of batch 2b: x, then a copy of x that {@code second} may edit in place (it is given
             * the array and the offset of the copy), with the classes {@code doubledClasses}.
             *
             * @return the output [2b, n, dz], checked, the pass of x first
             */
            private Tensor predictTwice(Tensor x, double timeInput, java.util.function.ObjIntConsumer<double[]> second) {
                int[] shape = x.shape();
                double[] xs = x.toDoubleArray();
                double[] doubled = Arrays.copyOf(xs, 2 * xs.length);
                System.arraycopy(xs, 0, doubled, xs.length, xs.length);
                second.accept(doubled, xs.length);
                shape[0] = 2 * b;
                double[] time = new double[2 * b];
                Arrays.fill(time, timeInput);
                Tensor out = runtime.denoiser().predict(Tensor.of(doubled, shape), Tensor.of(time, 2 * b),
                        Tensor.ofLongs(doubledClasses, 2 * b));
                out.requireShape("denoiser output", shape);
                return requireComputedFinite(out, "the denoiser's x̂0 at t_input = " + timeInput);
            }
        };
    }

    /**
     * @param x0 [b, n_img + Lt, dz] latents
     * @param choices how many ids (the first ones) the most likely token is chosen among
     * @return x0 with the latent of every text position replaced by the encoder mean of its most likely token among
     *     those ids
     */
    Tensor clampTextToTokens(Tensor x0, int choices) {
        int[] shape = x0.shape();
        int b = shape[0];
        int nImg = config.imageTokens();
        int lt = config.textLength();
        int n = nImg + lt;
        int dz = config.latentDim();
        int v = config.vocabSize();
        double[] z = x0.toDoubleArray();
        double[] text = new double[b * lt * dz];
        for (int i = 0; i < b; i++) {
            System.arraycopy(z, (i * n + nImg) * dz, text, i * lt * dz, lt * dz);
        }
        double[] logits = runtime.decoder().decodeText(Tensor.of(text, b, lt, dz)).toDoubleArray();
        long[] ids = new long[b * lt];
        for (int k = 0; k < ids.length; k++) {
            ids[k] = argmax(logits, k * v, choices);
        }
        double[] mu = runtime.encoder().encodeText(Tensor.ofLongs(ids, b, lt)).mean().toDoubleArray();
        for (int i = 0; i < b; i++) {
            System.arraycopy(mu, i * lt * dz, z, (i * n + nImg) * dz, lt * dz);
        }
        return Tensor.of(z, shape);
    }

    /**
     * @param x0 [b, n_img + Lt, dz] latents
     * @return x0 with its image latents replaced by μ_enc(clamp(Dec_img(x̂0), −1, 1)), the encoder mean of the image
     *     the prediction decodes to; text latents unchanged
     */
    Tensor projectImageThroughVae(Tensor x0) {
        int[] shape = x0.shape();
        int b = shape[0];
        int nImg = config.imageTokens();
        int n = nImg + config.textLength();
        int dz = config.latentDim();
        double[] z = x0.toDoubleArray();
        double[] image = new double[b * nImg * dz];
        for (int i = 0; i < b; i++) {
            System.arraycopy(z, i * n * dz, image, i * nImg * dz, nImg * dz);
        }
        Tensor decoded = requireComputedFinite(runtime.decoder().decodeImage(Tensor.of(image, b, nImg, dz)),
                "the image the VAE decodes from x̂0");
        double[] pixels = decoded.toDoubleArray();
        for (int k = 0; k < pixels.length; k++) {
            pixels[k] = Math.max(-1, Math.min(1, pixels[k]));
        }
        double[] mu = runtime.encoder().encodeImage(Tensor.of(pixels, decoded.shape())).mean().toDoubleArray();
        for (int i = 0; i < b; i++) {
            System.arraycopy(mu, i * nImg * dz, z, i * n * dz, nImg * dz);
        }
        return Tensor.of(z, shape);
    }

    /**
     * Classifier-free guidance over a batch of 2b predictions, the conditional half first:
     * x̂0 = x̂0(∅) + w·(x̂0(c) − x̂0(∅)).
     */
    static Tensor guide(Tensor both, double w) {
        int[] shape = both.shape();
        double[] v = both.toDoubleArray();
        int half = v.length / 2;
        double[] out = new double[half];
        for (int i = 0; i < half; i++) {
            double unconditional = v[half + i];
            out[i] = unconditional + w * (v[i] - unconditional);
        }
        shape[0] /= 2;
        return Tensor.of(out, shape);
    }
}

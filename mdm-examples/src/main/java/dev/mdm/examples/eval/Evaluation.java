package dev.mdm.examples.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mdm.InvalidInputException;
import dev.mdm.MDM;
import dev.mdm.MdmConfig;
import dev.mdm.data.Example;
import dev.mdm.data.FashionCaptions;
import dev.mdm.data.FashionMnist;
import dev.mdm.data.scenes.Scene;
import dev.mdm.data.scenes.SceneParser;
import dev.mdm.data.scenes.ScenePalette;
import dev.mdm.data.scenes.SyntheticScenes;
import dev.mdm.spi.Backend;
import dev.mdm.task.Generation;
import dev.mdm.task.Prompt;
import dev.mdm.task.TextSampling;
import dev.mdm.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The quality evaluation of issue 7 for one {@link MDM}: generated-image class accuracy and Fréchet distance under the
 * reference {@link FashionClassifier} (with the real-data floor), caption and VQA accuracy on held-out Fashion-MNIST
 * test images, colour/shape/position/count accuracy of images generated from scene captions, and VQA accuracy on the
 * rendered held-out scenes.
 *
 * <p>A part the model cannot do is reported as not computed, with the reason, never as a number: image metrics need
 * 1×28×28 images and at least 10 classes; text and scene metrics need a tokenizer; scene metrics need 28×28 images
 * with 1 (greyscale palette) or 3 (RGB palette) channels.
 *
 * <pre>{@code
 * try (FashionClassifier classifier = FashionClassifier.load()) {
 *     Evaluation evaluation = new Evaluation(classifier, FashionMnist.load(TRAIN), FashionMnist.load(TEST));
 *     evaluation.run(mdm, EvaluationBudget.standard()).write(Path.of("mdm-eval"), "eval");
 * }
 * }</pre>
 * Not thread-safe (the classifier is not).
 */
public final class Evaluation {
    /** Seed of the held-out scenes: a stream no training set of the project draws from. */
    public static final long SCENE_SEED = 0x5CE4E5EEDL;
    /** Sample images shown per part in the HTML page. */
    private static final int SHOWN = 20;

    private final FashionClassifier classifier;
    private final FashionMnist train;
    private final FashionMnist test;
    private final ImageMetrics imageMetrics;
    private Double fullFloor;

    /**
     * @param classifier the reference classifier (not closed by this object)
     * @param train the real training split (for the Fréchet floor)
     * @param test the real test split (held-out images and the Fréchet reference)
     */
    public Evaluation(FashionClassifier classifier, FashionMnist train, FashionMnist test) {
        if (train == null || train.split() != FashionMnist.Split.TRAIN) {
            throw new InvalidInputException("train", "the TRAIN split", train == null ? "null" : train.split().toString());
        }
        this.imageMetrics = new ImageMetrics(classifier, test);
        this.classifier = classifier;
        this.train = train;
        this.test = test;
    }

    /** @return the image metrics over this evaluation's classifier and test split */
    public ImageMetrics imageMetrics() {
        return imageMetrics;
    }

    /**
     * Runs every part the model supports within the budget.
     *
     * @param mdm the model (with its tokenizer, if it has one)
     * @param budget how much to sample
     * @return the summary and the sample grids; write them with {@link EvaluationReport#write}
     */
    public EvaluationReport run(MDM mdm, EvaluationBudget budget) {
        if (mdm == null) {
            throw new InvalidInputException("mdm", "a model", "null");
        }
        if (budget == null) {
            throw new InvalidInputException("budget", "an EvaluationBudget", "null");
        }
        long start = System.nanoTime();
        MdmConfig config = mdm.config();
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("model", mdm.toString());
        summary.put("backend", describe(mdm.backend()));
        summary.put("config", json(config.toJson()));
        summary.put("tokenizer", mdm.tokenizer().map(Object::toString).orElse("none"));
        summary.put("budget", budgetMap(budget));
        summary.put("classifier", classifierReport());
        List<EvaluationReport.Section> sections = new ArrayList<>();
        summary.put("image", images(mdm, budget, sections));
        summary.put("text", texts(mdm, budget, sections));
        summary.put("scenes", scenes(mdm, budget, sections));
        summary.put("seconds", (System.nanoTime() - start) / 1e9);
        return new EvaluationReport("MDM evaluation: " + config.imageChannels() + "×" + config.imageHeight() + "×"
                + config.imageWidth() + ", d=" + config.dModel() + ", " + config.blocks() + " blocks", summary, sections);
    }

    // ---- generated images under the classifier ----

    private Map<String, Object> images(MDM mdm, EvaluationBudget budget, List<EvaluationReport.Section> sections) {
        MdmConfig c = mdm.config();
        Map<String, Object> out = new LinkedHashMap<>();
        if (c.imageChannels() != 1 || c.imageHeight() != FashionClassifier.SIDE || c.imageWidth() != FashionClassifier.SIDE
                || c.classes() < FashionClassifier.CLASSES) {
            return notComputed("the reference classifier reads 1×28×28 Fashion-MNIST images of 10 classes; this model "
                    + "makes " + c.imageChannels() + "×" + c.imageHeight() + "×" + c.imageWidth() + " images of "
                    + c.classes() + " classes");
        }
        int per = budget.imagesPerClass();
        if (per * FashionClassifier.CLASSES < 2) {
            return notComputed("the budget asks for " + per + " images per class; the Fréchet distance needs 2 or more");
        }
        List<Tensor> images = new ArrayList<>();
        List<Integer> requested = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int cls = 0; cls < FashionClassifier.CLASSES; cls++) {
            for (int from = 0; from < per; from += budget.batch()) {
                int m = Math.min(budget.batch(), per - from);
                Prompt p = Prompt.classConditional(cls, budget.guidance()).withSteps(budget.steps())
                        .withSeed(budget.seed() * 1_000_003L + cls * 10_007L + from);
                for (Generation g : mdm.generate(p, m)) {
                    images.add(g.image());
                    requested.add(cls);
                }
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        int[] want = requested.stream().mapToInt(Integer::intValue).toArray();
        int[] got = classifier.predict(images);
        double[] perClass = new double[FashionClassifier.CLASSES];
        for (int i = 0; i < want.length; i++) {
            perClass[want[i]] += got[i] == want[i] ? 1.0 / per : 0;
        }
        out.put("generated", images.size());
        out.put("classAccuracy", ImageMetrics.classAccuracy(got, want));
        out.put("perClassAccuracy", java.util.Arrays.stream(perClass).boxed().toList());
        out.put("frechetDistance", imageMetrics.frechetDistance(images));
        out.put("frechetFloorSameCount", imageMetrics.realFloor(train, images.size()));
        if (budget.fullFloor()) {
            out.put("frechetFloorFullTrainVsTest", fullFloor());
        }
        out.put("generationSeconds", seconds);
        out.put("imagesPerSecond", images.size() / seconds);
        List<EvaluationReport.Card> cards = new ArrayList<>();
        for (int i = 0; i < images.size() && cards.size() < SHOWN; i += Math.max(1, per / 2)) {
            cards.add(new EvaluationReport.Card(images.get(i), "asked: " + FashionCaptions.CLASS_NAMES.get(want[i]),
                    (got[i] == want[i] ? "✓ " : "✗ ") + "classified as " + FashionCaptions.CLASS_NAMES.get(got[i])));
        }
        sections.add(new EvaluationReport.Section("Class-conditional images",
                String.format(java.util.Locale.ROOT, "%d images, guidance %.2f, %d steps; %.1f %% classified as asked.",
                        images.size(), budget.guidance(), budget.steps(), 100 * ImageMetrics.classAccuracy(got, want)), cards));
        return out;
    }

    /** @return the Fréchet distance of the whole training split to the test split (computed once) */
    public double fullFloor() {
        if (fullFloor == null) {
            fullFloor = imageMetrics.realFloor(train, train.size());
        }
        return fullFloor;
    }

    // ---- captions and answers on held-out images ----

    private Map<String, Object> texts(MDM mdm, EvaluationBudget budget, List<EvaluationReport.Section> sections) {
        MdmConfig c = mdm.config();
        if (mdm.tokenizer().isEmpty()) {
            return notComputed("the model has no tokenizer");
        }
        if (c.imageChannels() != 1 || c.imageHeight() != FashionMnist.SIDE || c.imageWidth() != FashionMnist.SIDE) {
            return notComputed("captions and questions are about 1×28×28 Fashion-MNIST images; this model reads "
                    + c.imageChannels() + "×" + c.imageHeight() + "×" + c.imageWidth());
        }
        FashionMnist source = budget.textSplit() == FashionMnist.Split.TRAIN ? train : test;
        if (budget.textHeldOut() > source.size()) {
            throw new InvalidInputException("textHeldOut", "at most the " + source.size() + " images of the "
                    + source.split() + " split", String.valueOf(budget.textHeldOut()));
        }
        // the part read: the whole split, or its last textHeldOut images (those training held out)
        int first = budget.textHeldOut() == 0 ? 0 : source.size() - budget.textHeldOut();
        int span = source.size() - first;
        int n = Math.min(budget.textExamples(), span);
        if (n == 0) {
            return notComputed("the budget asks for no text examples");
        }
        List<String> captions = new ArrayList<>(n);
        List<String> answers = new ArrayList<>(n);
        List<Example> examples = new ArrayList<>(n);
        long t0 = System.nanoTime();
        for (int from = 0; from < n; from += budget.batch()) {
            int m = Math.min(budget.batch(), n - from);
            List<Example> part = new ArrayList<>(m);
            for (int i = from; i < from + m; i++) {
                part.add(source.get(first + splitIndexOf(i, n, span)));
            }
            Tensor batch = stack(part);
            captions.addAll(mdm.captions(batch, budget.captionSampling()));
            answers.addAll(mdm.answers(batch, part.stream().map(Example::question).toList(), budget.answerSampling()));
            examples.addAll(part);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        int[] classes = examples.stream().mapToInt(Example::classId).toArray();
        List<String> expected = examples.stream().map(Example::answer).toList();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("examples", n);
        out.put("split", source.split().toString());
        if (first > 0) {
            out.put("heldOutFrom", first);   // the images read are the split's [heldOutFrom, size)
        }
        // what the captions and answers were sampled with: the model's sampler, which the budget's steps do not set
        out.put("samplerSteps", mdm.sampler().settings().steps());
        out.put("captionAccuracy", TextMetrics.captionAccuracy(captions, classes));
        out.put("perClassCaptionAccuracy", TextMetrics.captionAccuracyPerClass(captions, classes, FashionCaptions.CLASS_NAMES.size()));
        out.put("vqaAccuracy", TextMetrics.vqaAccuracy(answers, expected));
        // per image, not only totals, so that two checkpoints can be compared pair by pair on the same images
        out.put("captionMissIndices", splitIndices(TextMetrics.captionMisses(captions, classes), first, n, span));
        out.put("vqaMissIndices", splitIndices(TextMetrics.vqaMisses(answers, expected), first, n, span));
        out.put("seconds", seconds);
        List<EvaluationReport.Card> cards = new ArrayList<>();
        for (int i = 0; i < n && cards.size() < SHOWN; i += Math.max(1, n / SHOWN)) {
            Example e = examples.get(i);
            boolean named = TextMetrics.namesExactly(captions.get(i), e.classId());
            boolean answered = TextMetrics.isCorrectAnswer(answers.get(i), e.answer());
            cards.add(new EvaluationReport.Card(e.image(), "caption: " + captions.get(i),
                    (named ? "✓" : "✗") + " truth " + FashionCaptions.CLASS_NAMES.get(e.classId()) + "; " + e.question()
                            + " → " + answers.get(i) + (answered ? " ✓" : " ✗ (" + e.answer() + ")")));
        }
        sections.add(new EvaluationReport.Section(source.split() == FashionMnist.Split.TEST
                ? "Captions and answers on held-out test images"
                : first > 0 ? "Captions and answers on the last " + span + " training images, held out of training"
                : "Captions and answers on training images (not held out: compare with the test images to see overfitting)",
                String.format(java.util.Locale.ROOT, "%d images: %.1f %% of captions name the true class, %.1f %% of answers are exact.",
                        n, 100 * (double) out.get("captionAccuracy"), 100 * (double) out.get("vqaAccuracy")), cards));
        return out;
    }

    /** The i-th of n examples is evenly spaced through the split, so that every class is represented. */
    static int splitIndexOf(int i, int n, int splitSize) {
        return (int) ((long) i * splitSize / n);
    }

    /** @return the split index of each of n positions read evenly spaced through the span [first, first + span) */
    static int[] splitIndices(int[] positions, int first, int n, int span) {
        return java.util.Arrays.stream(positions).map(i -> first + splitIndexOf(i, n, span)).toArray();
    }

    // ---- scenes: text to image, read back ----

    private Map<String, Object> scenes(MDM mdm, EvaluationBudget budget, List<EvaluationReport.Section> sections) {
        MdmConfig c = mdm.config();
        if (mdm.tokenizer().isEmpty()) {
            return notComputed("the model has no tokenizer");
        }
        if (c.imageHeight() != Scene.SIDE || c.imageWidth() != Scene.SIDE || (c.imageChannels() != 1 && c.imageChannels() != 3)) {
            return notComputed("scenes are 28×28 with 1 or 3 channels; this model makes " + c.imageChannels() + "×"
                    + c.imageHeight() + "×" + c.imageWidth());
        }
        int n = budget.sceneExamples();
        if (n == 0) {
            return notComputed("the budget asks for no scenes");
        }
        ScenePalette palette = c.imageChannels() == 1 ? ScenePalette.GREYSCALE : ScenePalette.RGB;
        SyntheticScenes scenes = new SyntheticScenes(palette, n, SCENE_SEED);
        List<Tensor> images = new ArrayList<>(n);
        List<Scene> described = new ArrayList<>(n);
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            Prompt p = Prompt.textToImage(scenes.caption(i)).withSteps(budget.steps()).withSeed(budget.seed() * 1_000_003L + i);
            images.add(mdm.generate(p).image());
            described.add(scenes.scene(i));
        }
        // questions about the rendered held-out scenes, the VQA of a model trained on scenes
        List<String> answers = new ArrayList<>(n);
        List<String> expected = new ArrayList<>(n);
        for (int from = 0; from < n; from += budget.batch()) {
            List<Example> part = new ArrayList<>();
            for (int i = from; i < Math.min(n, from + budget.batch()); i++) {
                part.add(scenes.get(i));
            }
            answers.addAll(mdm.answers(stack(part), part.stream().map(Example::question).toList(), budget.answerSampling()));
            part.forEach(e -> expected.add(e.answer()));
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        SceneParser parser = new SceneParser(palette);
        SceneMetrics.Scores s = new SceneMetrics(parser).score(images, described);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("palette", palette.name());
        out.put("scenes", s.scenes());
        out.put("objects", s.objects());
        out.put("colourAccuracy", s.colour());
        out.put("shapeAccuracy", s.shape());
        out.put("positionAccuracy", s.position());
        out.put("countAccuracy", s.count());
        out.put("exactSceneAccuracy", s.exact());
        out.put("vqaAccuracy", TextMetrics.vqaAccuracy(answers, expected));
        out.put("seconds", seconds);
        List<EvaluationReport.Card> cards = new ArrayList<>();
        for (int i = 0; i < n && cards.size() < SHOWN; i++) {
            Scene read = parser.parse(images.get(i));
            cards.add(new EvaluationReport.Card(images.get(i), scenes.caption(i),
                    (read.equals(described.get(i)) ? "✓ exact" : "✗ read as " + describe(read))));
        }
        sections.add(new EvaluationReport.Section("Images from scene captions",
                String.format(java.util.Locale.ROOT, "%d scenes (%s palette): %.1f %% read back exactly; %.1f %% of the answers "
                        + "about the real scenes are exact.", n, palette, 100 * s.exact(), 100 * (double) out.get("vqaAccuracy")),
                cards));
        return out;
    }

    // ---- helpers ----

    private static String describe(Scene scene) {
        if (scene.objects().isEmpty()) {
            return "empty";
        }
        return String.join(", ", scene.objects().stream().map(o -> o.colourAndShape() + " " + o.position().words()).toList());
    }

    static String describe(Backend b) {
        return b.name() + " " + b.version() + " (" + b.device() + ", " + b.precision() + ")";
    }

    static Map<String, Object> notComputed(String reason) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("notComputed", reason);
        return m;
    }

    private static Map<String, Object> budgetMap(EvaluationBudget b) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("imagesPerClass", b.imagesPerClass());
        m.put("textExamples", b.textExamples());
        m.put("textSplit", b.textSplit().toString());
        m.put("sceneExamples", b.sceneExamples());
        m.put("steps", b.steps());
        m.put("guidance", b.guidance());
        m.put("captionSampling", samplingMap(b.captionSampling()));
        m.put("answerSampling", samplingMap(b.answerSampling()));
        m.put("batch", b.batch());
        m.put("seed", b.seed());
        return m;
    }

    private static Map<String, Object> samplingMap(TextSampling s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("imageGuidance", s.imageGuidance());
        m.put("temperature", s.temperature());
        m.put("seed", s.seed());
        return m;
    }

    private static Map<String, Object> classifierReport() {
        try (InputStream in = FashionClassifier.class.getResourceAsStream(FashionClassifier.REPORT_RESOURCE)) {
            if (in == null) {
                return notComputed("no training report " + FashionClassifier.REPORT_RESOURCE + " on the class path");
            }
            return new ObjectMapper().readValue(in, new TypeReference<LinkedHashMap<String, Object>>() { });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + FashionClassifier.REPORT_RESOURCE, e);
        }
    }

    private static Map<String, Object> json(String text) {
        try {
            return new ObjectMapper().readValue(text, new TypeReference<LinkedHashMap<String, Object>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("MdmConfig.toJson wrote invalid JSON", e);
        }
    }

    private static Tensor stack(List<Example> part) {
        int[] s = part.get(0).image().shape();
        int size = part.get(0).image().size();
        float[] all = new float[part.size() * size];
        for (int i = 0; i < part.size(); i++) {
            System.arraycopy(part.get(i).image().toFloatArray(), 0, all, i * size, size);
        }
        return Tensor.ofFloats(all, part.size(), s[0], s[1], s[2]);
    }
}

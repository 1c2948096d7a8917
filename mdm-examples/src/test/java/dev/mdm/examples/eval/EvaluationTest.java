package dev.mdm.examples.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mdm.InvalidInputException;
import dev.mdm.MDM;
import dev.mdm.MdmConfig;
import dev.mdm.data.FashionMnist;
import dev.mdm.task.TextSampling;
import dev.mdm.text.SentencePieceTokenizer;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The evaluation end to end on freshly initialized models of {@code tiny} width (the project has no trained MDM yet):
 * the pipeline runs and every figure is in range; nothing here says the quality is high.
 */
@DisplayName("Evaluation, end to end on untrained tiny models")
class EvaluationTest {
    private static final EvaluationBudget SMALL = new EvaluationBudget(1, 6, FashionMnist.Split.TEST, 3, 2, 2.0,
            TextSampling.DEFAULT.withImageGuidance(1.5), TextSampling.DEFAULT, 10, 3, false);
    private static FashionClassifier classifier;
    private static SentencePieceTokenizer tokenizer;
    private static Evaluation evaluation;

    @BeforeAll
    static void load() throws Exception {
        FashionData.assumeInstalled();
        classifier = FashionClassifier.load();
        evaluation = new Evaluation(classifier, FashionData.train(), FashionData.test());
        try (InputStream in = EvaluationTest.class.getResourceAsStream("/dev/mdm/examples/tokenizer/fashion.model")) {
            tokenizer = SentencePieceTokenizer.load(in, "fashion.model");
        }
    }

    @AfterAll
    static void close() {
        if (classifier != null) {
            classifier.close();
        }
        if (tokenizer != null) {
            tokenizer.close();
        }
    }

    /** {@code tiny}'s width and depth at the Fashion-MNIST shape, so that every part of the evaluation applies. */
    private static MdmConfig tinyAtFashionShape(int imageScans, int textScans) {
        return MdmConfig.tiny().toBuilder().image(1, 28, 28).patch(4).vocabSize(256).textLength(12).classes(10)
                .imageScans(imageScans).textScans(textScans).build();
    }

    private static MDM model(String backend, MdmConfig config) {
        return MDM.builder().backend(backend).config(config).tokenizer(tokenizer).seed(11).build();
    }

    private static void assertFraction(JsonNode part, String... names) {
        for (String name : names) {
            assertThat(part.has(name)).as(name + " in " + part).isTrue();
            assertThat(part.get(name).asDouble()).as(name).isBetween(0.0, 1.0);
        }
    }

    /** The misses are as many as the accuracy leaves, distinct, and each one of the evenly spaced test images read. */
    private static void assertMissesMatch(JsonNode text, String misses, String accuracy) {
        int n = text.get("examples").asInt();
        java.util.Set<Integer> read = new java.util.HashSet<>();
        for (int i = 0; i < n; i++) {
            read.add(Evaluation.splitIndexOf(i, n, FashionData.test().size()));
        }
        List<Integer> indices = new java.util.ArrayList<>();
        text.get(misses).forEach(node -> indices.add(node.asInt()));
        assertThat(indices).as(misses).isSorted().doesNotHaveDuplicates().allMatch(read::contains);
        assertThat(indices).as(misses).hasSize((int) Math.round((1 - text.get(accuracy).asDouble()) * n));
    }

    @Test
    @DisplayName("computes every metric in range and writes eval.json, eval.html and PNG grids")
    void everyPartOnTheReferenceBackend(@TempDir Path dir) throws Exception {
        try (MDM mdm = model("reference", tinyAtFashionShape(4, 2))) {
            EvaluationReport report = evaluation.run(mdm, SMALL);
            Path page = report.write(dir, "eval");
            JsonNode json = new ObjectMapper().readTree(dir.resolve("eval.json").toFile());
            JsonNode image = json.get("image");
            assertThat(image.get("generated").asInt()).isEqualTo(10);
            assertFraction(image, "classAccuracy");
            assertThat(image.get("perClassAccuracy")).hasSize(10);
            assertThat(image.get("frechetDistance").asDouble()).isFinite().isPositive();
            // an untrained model's images are far from Fashion-MNIST: above the floor at the same count
            assertThat(image.get("frechetDistance").asDouble()).isGreaterThan(image.get("frechetFloorSameCount").asDouble());
            JsonNode text = json.get("text");
            assertThat(text.get("examples").asInt()).isEqualTo(6);
            assertFraction(text, "captionAccuracy", "vqaAccuracy");
            assertThat(text.get("split").asText()).isEqualTo("TEST");
            assertThat(text.get("perClassCaptionAccuracy")).hasSize(10);
            assertMissesMatch(text, "captionMissIndices", "captionAccuracy");
            assertMissesMatch(text, "vqaMissIndices", "vqaAccuracy");
            JsonNode scenes = json.get("scenes");
            assertThat(scenes.get("palette").asText()).isEqualTo("GREYSCALE");
            assertFraction(scenes, "colourAccuracy", "shapeAccuracy", "positionAccuracy", "countAccuracy", "exactSceneAccuracy",
                    "vqaAccuracy");
            assertThat(json.get("classifier").get("testAccuracy").asDouble()).isGreaterThanOrEqualTo(0.9);
            assertThat(json.get("backend").asText()).startsWith("reference");
            String html = Files.readString(page);
            assertThat(html).contains("Class-conditional images", "Captions and answers", "Images from scene captions");
            try (var pngs = Files.list(dir.resolve("eval-images"))) {
                List<Path> files = pngs.toList();
                assertThat(files).hasSizeGreaterThanOrEqualTo(10);
                var picture = javax.imageio.ImageIO.read(files.get(0).toFile());
                assertThat(picture.getWidth()).isEqualTo(EvaluationReport.PICTURE_SIDE);
            }
        }
    }

    @Test
    @DisplayName("the literal tiny preset (8×8 images, no tokenizer) gets every part marked not computed, with the reason")
    void tinyPresetIsNotApplicable(@TempDir Path dir) throws Exception {
        try (MDM mdm = MDM.builder().backend("reference").config(MdmConfig.tiny()).seed(1).build()) {
            EvaluationReport report = evaluation.run(mdm, SMALL);
            report.write(dir, "eval");
            JsonNode json = new ObjectMapper().readTree(dir.resolve("eval.json").toFile());
            assertThat(json.get("image").get("notComputed").asText()).contains("1×28×28", "1×8×8");
            assertThat(json.get("text").get("notComputed").asText()).contains("no tokenizer");
            assertThat(json.get("scenes").get("notComputed").asText()).contains("no tokenizer");
            assertThat(report.sections()).isEmpty();
        }
    }

    @Test
    @DisplayName("the scan-switch ablation puts 4/2 and 2/1 side by side and refuses arms that differ otherwise")
    void ablationOfTwoGivenModels(@TempDir Path dir) throws Exception {
        EvaluationBudget budget = new EvaluationBudget(1, 0, FashionMnist.Split.TEST, 0, 1, 1.0, TextSampling.DEFAULT, TextSampling.DEFAULT, 10, 5, false);
        try (MDM fourTwo = model("reference", tinyAtFashionShape(4, 2));
             MDM twoOne = model("reference", tinyAtFashionShape(2, 1));
             MDM otherWidth = model("reference", tinyAtFashionShape(2, 1).toBuilder().dModel(16).build())) {
            EvaluationReport report = ScanSwitchAblation.compare(evaluation, fourTwo, null, twoOne, null, budget);
            report.write(dir, "ablation");
            @SuppressWarnings("unchecked")
            Map<String, Map<String, Object>> rows = (Map<String, Map<String, Object>>) report.summary().get("sideBySide");
            assertThat(rows.get("image.classAccuracy")).containsOnlyKeys("4/2", "2/1");
            assertThat(rows.get("image.imagesPerSecond")).containsOnlyKeys("4/2", "2/1");
            assertThat(rows.get("imageScans")).containsEntry("4/2", 4).containsEntry("2/1", 2);
            assertThat(Files.readString(dir.resolve("ablation.html"))).contains("4/2: Class-conditional images",
                    "2/1: Class-conditional images");
            assertThatThrownBy(() -> ScanSwitchAblation.compare(evaluation, fourTwo, null, otherWidth, null, budget))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("twoOne");
            assertThatThrownBy(() -> ScanSwitchAblation.compare(evaluation, twoOne, null, fourTwo, null, budget))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("4/2");
        }
    }

    @Test
    @DisplayName("the ablation trains both arms with the same budget on djl, and refuses a backend that cannot train")
    void ablationTrainsOnDjl() {
        var data = new dev.mdm.data.scenes.SyntheticScenes(dev.mdm.data.scenes.ScenePalette.GREYSCALE, 16, 1);
        var training = new ScanSwitchAblation.TrainingBudget(2, 2, 9);
        // training is what this test is about; one caption and answer show the evaluation runs on the trained djl models
        EvaluationBudget budget = new EvaluationBudget(0, 1, FashionMnist.Split.TEST, 0, 1, 1.0, TextSampling.DEFAULT, TextSampling.DEFAULT, 10, 5, false);
        EvaluationReport report = ScanSwitchAblation.trainAndCompare(evaluation, tinyAtFashionShape(4, 2),
                c -> model("djl", c), data, training, budget);
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> rows = (Map<String, Map<String, Object>>) report.summary().get("sideBySide");
        assertThat(rows.get("training.steps")).containsEntry("4/2", 2L).containsEntry("2/1", 2L);
        assertThat(((Number) rows.get("training.samplesPerSecond").get("2/1")).doubleValue()).isPositive();
        assertThat(((Number) rows.get("training.finalLoss").get("4/2")).doubleValue()).isFinite();
        assertThat(((Number) rows.get("text.vqaAccuracy").get("4/2")).doubleValue()).isBetween(0.0, 1.0);
        assertThatThrownBy(() -> ScanSwitchAblation.trainAndCompare(evaluation, tinyAtFashionShape(4, 2),
                c -> model("reference", c), data, training, budget))
                .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("reference");
    }

    @Test
    @DisplayName("text on the training split captions evenly spaced training images and says so")
    void textOnTrainingImages() {
        EvaluationBudget budget = new EvaluationBudget(0, 4, FashionMnist.Split.TRAIN, 0, 1, 1.0, TextSampling.DEFAULT,
                TextSampling.DEFAULT, 10, 5, false);
        try (MDM mdm = model("reference", tinyAtFashionShape(4, 2))) {
            EvaluationReport report = evaluation.run(mdm, budget);
            @SuppressWarnings("unchecked")
            Map<String, Object> text = (Map<String, Object>) report.summary().get("text");
            assertThat(text).containsEntry("split", "TRAIN").containsEntry("examples", 4);
            EvaluationReport.Section section = report.sections().stream()
                    .filter(s -> s.title().startsWith("Captions and answers")).findFirst().orElseThrow();
            assertThat(section.title()).contains("training images");
            FashionMnist train = FashionData.train();
            for (int i = 0; i < 4; i++) {
                assertThat(section.cards().get(i).image().contentEquals(train.get(i * train.size() / 4).image()))
                        .as("card %d shows training image %d", i, i * train.size() / 4).isTrue();
            }
        }
    }

    @Test
    @DisplayName("the i-th of n text images is evenly spaced through the part read, and misses map to those split indices")
    void textImagesAreEvenlySpaced() {
        assertThat(java.util.stream.IntStream.range(0, 6).map(i -> Evaluation.splitIndexOf(i, 6, 10_000)))
                .containsExactly(0, 1666, 3333, 5000, 6666, 8333);
        assertThat(java.util.stream.IntStream.range(0, 1000).map(i -> Evaluation.splitIndexOf(i, 1000, 10_000) - 10 * i))
                .as("the standard 1 000 are every 10th test image").containsOnly(0);
        // right at positions 1 and 4 of six
        assertThat(Evaluation.splitIndices(new int[] {0, 2, 3, 5}, 0, 6, 10_000)).containsExactly(0, 3333, 5000, 8333);
        assertThat(Evaluation.splitIndices(new int[] {1, 3}, 59_900, 4, 100)).containsExactly(59_925, 59_975);
    }

    @Test
    @DisplayName("text on a held-out part reads evenly spaced images of the training split's last images only")
    void textOnHeldOutTrainingImages() {
        EvaluationBudget budget = new EvaluationBudget(0, 4, FashionMnist.Split.TRAIN, 0, 1, 1.0, TextSampling.DEFAULT,
                TextSampling.DEFAULT, 10, 5, false, 100);
        try (MDM mdm = model("reference", tinyAtFashionShape(4, 2))) {
            EvaluationReport report = evaluation.run(mdm, budget);
            @SuppressWarnings("unchecked")
            Map<String, Object> text = (Map<String, Object>) report.summary().get("text");
            FashionMnist train = FashionData.train();
            int first = train.size() - 100;
            assertThat(text).containsEntry("split", "TRAIN").containsEntry("examples", 4).containsEntry("heldOutFrom", first);
            assertThat(java.util.Arrays.stream((int[]) text.get("captionMissIndices")).boxed().toList())
                    .isSubsetOf(first, first + 25, first + 50, first + 75);
            EvaluationReport.Section section = report.sections().stream()
                    .filter(s -> s.title().startsWith("Captions and answers")).findFirst().orElseThrow();
            assertThat(section.title()).contains("last 100 training images, held out");
            for (int i = 0; i < 4; i++) {
                assertThat(section.cards().get(i).image().contentEquals(train.get(first + i * 25).image()))
                        .as("card %d shows training image %d", i, first + i * 25).isTrue();
            }
        }
    }
}

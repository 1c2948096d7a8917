package dev.mdm.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mdm.MDM;
import dev.mdm.MdmConfig;
import dev.mdm.data.FashionMnist;
import dev.mdm.examples.model.LoadedModel;
import dev.mdm.examples.model.ShippedModel;
import dev.mdm.text.SentencePieceTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mdm eval} end to end on untrained models of {@code tiny} width: the pipeline runs, every figure comes with its
 * count and lies in range; nothing here says the quality is high.
 */
@DisplayName("mdm eval, on untrained tiny-width models with the reference backend")
class EvalCommandTest {
    @TempDir
    static Path dir;
    /** {@code tiny}'s width and depth at the Fashion-MNIST shape, so that every part of the evaluation applies. */
    static Path fashionShaped;
    /** The literal {@code tiny} preset: 8×8 images, which the classifier and the test images do not fit. */
    static Path tiny;

    @BeforeAll
    static void checkpoints() {
        fashionShaped = dir.resolve("tiny-28.safetensors");
        tiny = dir.resolve("tiny.safetensors");
        try (var tokenizer = SentencePieceTokenizer.fromBytes(ShippedModel.tokenizerModel(), "fashion.model")) {
            MdmConfig small = LoadedModel.configFor("tiny", tokenizer.vocabSize());
            try (MDM a = MDM.builder().backend("reference").config(small.toBuilder().image(1, 28, 28).patch(4).classes(10).build())
                    .tokenizer(tokenizer).seed(5).build();
                 MDM b = MDM.builder().backend("reference").config(small).tokenizer(tokenizer).seed(6).build()) {
                a.save(fashionShaped);
                b.save(tiny);
            }
        }
    }

    private static void assumeFashionMnist() {
        assumeTrue(Files.isRegularFile(Path.of(FashionMnist.DEBIAN_DIRECTORY, "t10k-images-idx3-ubyte.gz"))
                        || Files.isRegularFile(Path.of(FashionMnist.DEBIAN_DIRECTORY, "t10k-images-idx3-ubyte")),
                "the Debian package dataset-fashion-mnist is not installed; bin/setup-packages installs it");
    }

    private static void assertFraction(JsonNode part, String name) {
        assertThat(part.has(name)).as(name + " in " + part).isTrue();
        assertThat(part.get(name).asDouble()).as(name).isBetween(0.0, 1.0);
    }

    /** Runs {@code mdm eval} on the reference backend and the Fashion-shaped checkpoint, expecting success. */
    private Cli evalFashionShaped(Path out, String... options) {
        assumeFashionMnist();
        List<String> args = new ArrayList<>(List.of("eval", "--backend", "reference", "--checkpoint", fashionShaped.toString(),
                "--out", out.toString()));
        args.addAll(List.of(options));
        Cli r = Cli.run(args.toArray(String[]::new));
        assertThat(r.exitCode()).as(r.err()).isZero();
        return r;
    }

    @Test
    @DisplayName("computes every metric with its count, writes eval.json, eval.html and PNGs, and prints the table")
    void everyPart() throws Exception {
        Path out = dir.resolve("eval");
        Cli r = evalFashionShaped(out, "--per-class", "1", "--text", "4", "--scenes", "2", "--steps", "2", "--guidance", "1.5",
                "--answer-guidance", "2", "--caption-temperature", "0.5", "--batch", "10", "--seed", "3");
        JsonNode json = new ObjectMapper().readTree(out.resolve("eval.json").toFile());
        assertThat(json.get("trained").asBoolean()).isTrue();
        assertThat(json.get("backend").asText()).startsWith("reference");
        JsonNode budget = json.get("budget");
        assertThat(budget.get("imagesPerClass").asInt()).isEqualTo(1);
        assertThat(budget.get("steps").asInt()).isEqualTo(2);
        assertThat(budget.get("guidance").asDouble()).isEqualTo(1.5);
        assertThat(budget.get("captionSampling").get("imageGuidance").asDouble()).as("the default").isEqualTo(1.0);
        assertThat(budget.get("captionSampling").get("temperature").asDouble()).isEqualTo(0.5);
        assertThat(budget.get("answerSampling").get("imageGuidance").asDouble()).isEqualTo(2.0);
        assertThat(budget.get("answerSampling").get("temperature").asDouble()).as("the default, D18").isEqualTo(0.0);
        assertThat(budget.get("seed").asLong()).isEqualTo(3);
        assertThat(budget.get("captionSampling").get("seed").asLong()).as("--seed seeds the text too").isEqualTo(3);
        assertThat(budget.get("answerSampling").get("seed").asLong()).isEqualTo(3);

        JsonNode image = json.get("image");
        assertThat(image.get("generated").asInt()).isEqualTo(10);
        assertFraction(image, "classAccuracy");
        double frechet = image.get("frechetDistance").asDouble();
        double floor = image.get("frechetFloorSameCount").asDouble();
        assertThat(frechet).isFinite().isPositive();
        assertThat(floor).isFinite().isPositive();
        assertThat(image.has("frechetFloorFullTrainVsTest")).isFalse();
        JsonNode text = json.get("text");
        assertThat(text.get("examples").asInt()).isEqualTo(4);
        assertFraction(text, "captionAccuracy");
        assertFraction(text, "vqaAccuracy");
        JsonNode scenes = json.get("scenes");
        assertThat(scenes.get("scenes").asInt()).isEqualTo(2);
        assertFraction(scenes, "exactSceneAccuracy");
        assertFraction(scenes, "vqaAccuracy");

        assertThat(r.out()).contains("generated-image class accuracy").contains("10 generated images")
                .contains(String.format(java.util.Locale.ROOT, "%.2f (real floor %.2f)", frechet, floor))
                .contains("caption accuracy").contains("VQA accuracy").contains("4 test images, temperature 0.5")
                .contains("scene VQA accuracy").contains("2 scenes")
                .contains(out.resolve("eval.html").toString());
        assertThat(r.out().lines()).as("the answers' settings, printed as given").anyMatch(l -> l.startsWith("VQA accuracy")
                && l.endsWith("4 test images, temperature 0, image guidance 2"));
        assertThat(Files.readString(out.resolve("eval.html"))).contains("Class-conditional images", "Captions and answers",
                "Images from scene captions", "eval-images/");
        try (var pngs = Files.list(out.resolve("eval-images"))) {
            assertThat(pngs.filter(p -> p.toString().endsWith(".png")).count()).isGreaterThanOrEqualTo(10);
        }
    }

    @Test
    @DisplayName("a model whose images the classifier cannot read gets each metric marked not computed, with the reason")
    void notComputed() throws Exception {
        assumeFashionMnist();
        Path out = dir.resolve("eval-tiny");
        Cli r = Cli.run("eval", "--backend", "reference", "--checkpoint", tiny.toString(), "--steps", "1", "--out",
                out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(out.resolve("eval.json").toFile());
        assertThat(json.get("image").get("notComputed").asText()).contains("1×28×28", "1×8×8");
        assertThat(json.get("text").get("notComputed").asText()).contains("1×8×8");
        assertThat(r.out().lines().filter(l -> l.contains("not computed"))).hasSize(4);
    }

    @Test
    @DisplayName("the sampler chosen with --sampler, --grid, --solver and --steps is recorded in eval.json")
    void samplerOptions() throws Exception {
        assumeFashionMnist();
        Path out = dir.resolve("eval-sampler");
        Cli r = Cli.run("eval", "--backend", "reference", "--checkpoint", tiny.toString(), "--steps", "3", "--sampler",
                "DPM_SOLVER_2S", "--grid", "LOG_SNR", "--solver", "DPM_SOLVER", "--per-class", "0", "--text", "0",
                "--out", out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode sampler = new ObjectMapper().readTree(out.resolve("eval.json").toFile()).get("sampler");
        assertThat(sampler.get("method").asText()).isEqualTo("DPM_SOLVER_2S");
        assertThat(sampler.get("grid").asText()).isEqualTo("LOG_SNR");
        assertThat(sampler.get("algorithm").asText()).isEqualTo("DPM_SOLVER");
        assertThat(sampler.get("steps").asInt()).isEqualTo(3);
        Cli bad = Cli.run("eval", "--sampler", "EULER");
        assertThat(bad.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(bad.err()).contains("--sampler").contains("DPM_SOLVER_2M");
    }

    @Test
    @DisplayName("--text-split train captions training images, and eval.json and the table say so")
    void textOnTrainingImages() throws Exception {
        Path out = dir.resolve("eval-train");
        Cli r = evalFashionShaped(out, "--per-class", "0", "--text", "2", "--text-split", "train", "--steps", "1");
        JsonNode json = new ObjectMapper().readTree(out.resolve("eval.json").toFile());
        assertThat(json.get("budget").get("textSplit").asText()).isEqualTo("TRAIN");
        assertThat(json.get("text").get("split").asText()).isEqualTo("TRAIN");
        assertThat(r.out()).contains("2 training images, temperature 0").doesNotContain("test images");
    }

    @Test
    @DisplayName("--hold-out N reads the text images from the last N training images, and eval.json and the table say so")
    void textOnHeldOutTrainingImages() throws Exception {
        Path out = dir.resolve("eval-held-out");
        Cli r = evalFashionShaped(out, "--per-class", "0", "--text", "2", "--text-split", "train", "--hold-out", "100",
                "--steps", "1");
        JsonNode text = new ObjectMapper().readTree(out.resolve("eval.json").toFile()).get("text");
        int first = text.get("heldOutFrom").asInt();
        assertThat(first).as("the last 100 of the training split").isEqualTo(FashionMnist.load(FashionMnist.Split.TRAIN).size() - 100);
        text.get("captionMissIndices").forEach(i -> assertThat(i.asInt()).isIn(first, first + 50));
        assertThat(r.out()).contains("2 held-out training images");
    }

    @Test
    @DisplayName("a bad budget exits with 2 and names the option, before any model opens")
    void badBudget() {
        Cli r = Cli.run("eval", "--backend", "reference", "--checkpoint", "no-such.safetensors", "--steps", "0");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("--steps");
        Cli negative = Cli.run("eval", "--per-class", "-1");
        assertThat(negative.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(negative.err()).contains("--per-class");
        Cli weak = Cli.run("eval", "--backend", "reference", "--checkpoint", "no-such.safetensors", "--caption-guidance", "0.5");
        assertThat(weak.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(weak.err()).contains("--caption-guidance").contains("≥ 1").doesNotContain("no-such");
        Cli hot = Cli.run("eval", "--backend", "reference", "--checkpoint", "no-such.safetensors", "--answer-temperature", "1.5");
        assertThat(hot.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(hot.err()).contains("--answer-temperature").contains("[0, 1]").doesNotContain("no-such");
        Cli split = Cli.run("eval", "--backend", "reference", "--checkpoint", "no-such.safetensors", "--text-split", "validation");
        assertThat(split.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(split.err()).contains("--text-split").contains("test or train").contains("'validation'").doesNotContain("no-such");
        Cli heldOutTest = Cli.run("eval", "--backend", "reference", "--checkpoint", "no-such.safetensors", "--hold-out", "10");
        assertThat(heldOutTest.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(heldOutTest.err()).contains("--hold-out").contains("--text-split train").doesNotContain("no-such");
        Cli heldOutNegative = Cli.run("eval", "--hold-out", "-1", "--text-split", "train");
        assertThat(heldOutNegative.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(heldOutNegative.err()).contains("--hold-out");
    }

    @Test
    @DisplayName("--help states every option with its default")
    void help() {
        Cli r = Cli.run("eval", "--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("Usage: mdm eval").contains("--per-class=N").contains("(default 2)")
                .contains("--text=N").contains("(default 20)").contains("--text-split=SPLIT").contains("--scenes=N").contains("(default 0)")
                .contains("--steps=N").contains("--guidance=W").contains("--caption-guidance=W")
                .contains("--caption-temperature=T").contains("--answer-guidance=W").contains("--answer-temperature=T").contains("--batch=N").contains("--checkpoint=FILE")
                .contains("--backend=NAME").contains("--seed=N").contains("--out=DIR").contains("--full-floor").contains("--hold-out=N");
    }
}

package dev.mdm.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mdm.checkpoint.Checkpoint;
import dev.mdm.model.Parameters;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("mdm train's fresh weights, scan counts, time limit and EMA file, on the tiny preset with djl")
class TrainCommandTest {
    @TempDir
    Path dir;

    /** A usage error is exit code 2 with one "mdm:" line naming the option (plus the hint), no stack trace. */
    private static void assertUsageError(Cli r, String option) {
        assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err().lines().toList()).hasSize(2).satisfiesExactly(
                first -> assertThat(first).startsWith("mdm: ").contains(option),
                hint -> assertThat(hint).startsWith("hint: "));
        assertThat(r.out()).isEmpty();
    }

    @Test
    @DisplayName("--image-scans or --text-scans without --fresh is a usage error naming them")
    void scansNeedFresh() {
        assertUsageError(Cli.run("train", "--backend", "djl", "--image-scans", "2", "--steps", "1",
                "--out", dir.toString()), "--image-scans");
        assertUsageError(Cli.run("train", "--backend", "djl", "--text-scans", "1", "--steps", "1",
                "--out", dir.toString()), "--text-scans");
    }

    @Test
    @DisplayName("--fresh with --checkpoint is a usage error naming --fresh, before the checkpoint is read")
    void freshExcludesCheckpoint() {
        Cli r = Cli.run("train", "--backend", "djl", "--fresh", "--checkpoint", dir.resolve("absent.safetensors").toString(),
                "--steps", "1", "--out", dir.toString());
        assertUsageError(r, "--fresh");
        assertThat(r.err()).contains("--checkpoint");
    }

    @ParameterizedTest(name = "--time-limit {0}")
    @ValueSource(strings = {"0", "-1.5", "NaN", "Infinity"})
    @DisplayName("a --time-limit that is not a positive finite number of minutes is a usage error naming it")
    void timeLimitMustBePositive(String minutes) {
        Cli r = Cli.run("train", "--backend", "djl", "--time-limit", minutes, "--steps", "1", "--out", dir.toString());
        assertUsageError(r, "--time-limit");
        assertThat(r.err()).contains(minutes);
    }

    @Test
    @DisplayName("--fresh with 2/1 scans writes an EMA-only ema.safetensors of that config, and --ema-decay and "
            + "--caption-times-from reach loss.json")
    void freshScansEmaFile() throws Exception {
        Path out = dir.resolve("ablation");
        Cli r = Cli.run("train", "--backend", "djl", "--fresh", "--preset", "tiny", "--dataset", "synthetic",
                "--examples", "8", "--image-scans", "2", "--text-scans", "1", "--steps", "3", "--batch", "2",
                "--ema-decay", "0.5", "--time-limit", "10", "--task-mix", "caption=3, vqa=0", "--caption-times-from", "600",
                "--answer-times-from", "200", "--hold-out", "3", "--out", out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("trained 3 steps").contains(out.resolve("ema.safetensors").toString());

        Checkpoint trained = Checkpoint.load(out.resolve("model.safetensors"));
        Checkpoint ema = Checkpoint.load(out.resolve("ema.safetensors"));
        assertThat(ema.config().imageScans()).isEqualTo(2);
        assertThat(ema.config().textScans()).isEqualTo(1);
        assertThat(ema.config()).isEqualTo(trained.config());
        assertThat(ema.optimizerState().size()).as("weights only, no optimizer state").isZero();
        assertThat(ema.tokenizerModel()).isPresent();
        assertThat(ema.backend()).get().asString().contains("EMA weights after 3 AdamW steps of batch 2");
        Parameters emaWeights = ema.parameters();
        Parameters weights = trained.parameters();
        assertThat(emaWeights.names()).containsExactlyInAnyOrderElementsOf(weights.names());
        // they are the trained checkpoint's EMA (its ema.* state), which lags the weights themselves
        Parameters savedEma = trained.optimizerState().withPrefixRemoved("ema.");
        assertThat(emaWeights.names()).allSatisfy(n ->
                assertThat(emaWeights.get(n).contentEquals(savedEma.get(n))).as(n).isTrue());
        assertThat(emaWeights.names()).anySatisfy(n ->
                assertThat(emaWeights.get(n).contentEquals(weights.get(n))).as(n).isFalse());

        JsonNode loss = new ObjectMapper().readTree(out.resolve("loss.json").toFile());
        assertThat(loss.get("emaDecay").asDouble()).isEqualTo(0.5);
        assertThat(loss.get("config").get("imageScans").asInt()).isEqualTo(2);
        assertThat(loss.get("config").get("textScans").asInt()).isEqualTo(1);
        assertThat(loss.get("steps")).hasSize(3);
        assertThat(loss.get("taskMix").get("caption").asDouble()).isEqualTo(3.0);
        assertThat(loss.get("taskMix").get("vqa").asDouble()).isZero();
        assertThat(loss.get("taskMix").get("joint").asDouble()).as("tasks not named keep weight 1").isEqualTo(1.0);
        assertThat(loss.get("givenImageAugmentation").get("mirror").asBoolean()).as("none by default").isFalse();
        assertThat(loss.get("givenImageAugmentation").get("maxShift").asInt()).isZero();
        assertThat(loss.get("captionTimesFrom").asInt()).isEqualTo(600);
        assertThat(loss.get("answerTimesFrom").asInt()).isEqualTo(200);
        assertThat(loss.get("heldOut").asInt()).isEqualTo(3);
        assertThat(loss.get("examples").asInt()).as("8 examples less the 3 held out").isEqualTo(5);
    }

    @Test
    @DisplayName("--resume numbers the steps on from the checkpoint's optimizer step in loss.json, the progress lines and "
            + "the EMA file, and loss.json records the step it resumed from")
    void resumeContinuesTheStepNumbers() throws Exception {
        Path first = dir.resolve("first");
        Cli run = trainTiny(first, 3);
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).contains(" 3/3 ");
        JsonNode firstLoss = new ObjectMapper().readTree(first.resolve("loss.json").toFile());
        assertThat(steps(firstLoss)).containsExactly(1L, 2L, 3L);
        assertThat(firstLoss.get("resumedFromStep").isNull()).isTrue();

        Path second = dir.resolve("second");
        Path checkpoint = first.resolve("model.safetensors");
        Cli resumed = resumeTiny(checkpoint, 2, second);
        assertThat(resumed.exitCode()).as(resumed.err()).isZero();

        JsonNode loss = new ObjectMapper().readTree(second.resolve("loss.json").toFile());
        assertThat(loss.get("resumedFrom").asText()).isEqualTo(checkpoint.toString());
        assertThat(loss.get("resumedFromStep").asLong()).isEqualTo(3);
        assertThat(steps(loss)).as("the resumed curve continues the first").containsExactly(4L, 5L);
        assertThat(resumed.err()).contains(" 4/5 ").contains(" 5/5 ").doesNotContain(" 1/2 ").doesNotContain(" 2/2 ");
        assertThat(resumed.out()).contains("trained 2 steps").contains("(optimizer steps 4 to 5)");
        assertThat(Checkpoint.load(second.resolve("model.safetensors")).optimizerState().get("adam.step").toLongArray())
                .as("the checkpoint's own count agrees with the curve").containsExactly(5);
        assertThat(Checkpoint.load(second.resolve("ema.safetensors")).backend()).get().asString()
                .contains("EMA weights after 5 AdamW steps");
        assertThat(second.resolve("loss.png")).isNotEmptyFile();
    }

    @Test
    @DisplayName("--resume into the run's own directory continues its loss.json: the earlier steps up to the checkpoint stay")
    void resumeIntoTheSameDirectoryKeepsTheCurve() throws Exception {
        Path run = dir.resolve("same");
        trainedTiny(run, 3);
        Path checkpoint = dir.resolve("same-step3.safetensors");
        java.nio.file.Files.copy(run.resolve("model.safetensors"), checkpoint);
        Cli resumed = resumeTiny(checkpoint, 2, run);
        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        assertThat(resumed.err()).contains("continuing").contains("3 earlier steps")
                .as("the same settings as the run it continues").doesNotContain("warning");
        JsonNode loss = new ObjectMapper().readTree(run.resolve("loss.json").toFile());
        assertThat(steps(loss)).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(loss.get("earlierStepsKept").asInt()).isEqualTo(3);

        // resumed again from step 3: the rows of steps 4 and 5, which that checkpoint does not contain, are dropped
        Cli again = resumeTiny(checkpoint, 1, run);
        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(steps(new ObjectMapper().readTree(run.resolve("loss.json").toFile()))).containsExactly(1L, 2L, 3L, 4L);
    }

    @Test
    @DisplayName("--resume takes the run's settings from its checkpoint, into another directory too, and records them "
            + "again in its own checkpoints")
    void resumeTakesTheRunsSettings() throws Exception {
        Path run = dir.resolve("recorded");
        Cli first = Cli.run("train", "--backend", "djl", "--preset", "tiny", "--dataset", "synthetic", "--examples", "8",
                "--steps", "2", "--batch", "2", "--lr", "0.0003", "--ema-decay", "0.5", "--seed", "5", "--task-mix",
                "caption=3", "--caption-times-from", "600", "--answer-times-from", "200", "--hold-out", "2",
                "--out", run.toString());
        assertThat(first.exitCode()).as(first.err()).isZero();
        Map<String, String> recorded = Checkpoint.load(run.resolve("model.safetensors")).trainingSettings();
        assertThat(recorded).containsEntry("--batch", "2").containsEntry("--lr", "3.0E-4").containsEntry("--seed", "5")
                .containsEntry("--task-mix", "joint=1.0,class-to-image=1.0,text-to-image=1.0,caption=3.0,vqa=1.0,text-to-text=1.0")
                .containsEntry("--answer-times-from", "200")
                .containsEntry("--hold-out", "2").containsKeys(TrainCommand.RESUMED_OPTIONS.toArray(String[]::new));

        Path elsewhere = dir.resolve("elsewhere");
        Cli resumed = Cli.run("train", "--backend", "djl", "--resume", run.resolve("model.safetensors").toString(),
                "--steps", "1", "--out", elsewhere.toString());
        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        assertThat(resumed.err()).contains("resuming with the settings").contains("caption=3.0,vqa=1.0")
                .contains("--caption-times-from 600").doesNotContain("warning");
        JsonNode loss = new ObjectMapper().readTree(elsewhere.resolve("loss.json").toFile());
        assertThat(loss.get("batch").asInt()).isEqualTo(2);
        assertThat(loss.get("learningRate").asDouble()).isEqualTo(3e-4);
        assertThat(loss.get("emaDecay").asDouble()).isEqualTo(0.5);
        assertThat(loss.get("seed").asLong()).isEqualTo(5);
        assertThat(loss.get("taskMix").get("caption").asDouble()).isEqualTo(3.0);
        assertThat(loss.get("captionTimesFrom").asInt()).isEqualTo(600);
        assertThat(loss.get("answerTimesFrom").asInt()).isEqualTo(200);
        assertThat(loss.get("heldOut").asInt()).isEqualTo(2);
        assertThat(loss.get("examples").asInt()).as("8 examples less the 2 held out").isEqualTo(6);
        assertThat(Checkpoint.load(elsewhere.resolve("model.safetensors")).trainingSettings())
                .as("a resume of the resumed run continues it too").isEqualTo(recorded);

        Cli sameMeaning = Cli.run("train", "--backend", "djl", "--resume", elsewhere.resolve("model.safetensors").toString(),
                "--steps", "1", "--task-mix", " vqa=1, caption=3", "--given-image-augmentation", "none", "--lr", "3e-4",
                "--out", elsewhere.toString());
        assertThat(sameMeaning.exitCode()).as(sameMeaning.err()).isZero();
        assertThat(sameMeaning.err()).as("options written otherwise but meaning the same").doesNotContain("warning");
    }

    @Test
    @DisplayName("--resume with another learning rate, caption times or task mix than the checkpoint's run warns, naming "
            + "each option with the run's value, and trains as told")
    void resumeWithOtherSettingsWarns() throws Exception {
        Path run = dir.resolve("changed");
        trainedTiny(run, 2);
        Cli resumed = Cli.run("train", "--backend", "djl", "--resume", run.resolve("model.safetensors").toString(),
                "--steps", "1", "--batch", "2", "--lr", "0.0005", "--caption-times-from", "700", "--task-mix", "caption=12",
                "--out", run.toString());
        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        String warning = resumed.err().lines().filter(l -> l.startsWith("mdm: warning:")).findFirst().orElseThrow();
        assertThat(warning).contains("--lr 5.0E-4 (the run's: 1.0E-4)").contains("--caption-times-from 700 (the run's: 1)")
                .as("a mix the run left at all 1").contains("--task-mix caption=12 (the run's: joint=1.0,")
                .doesNotContain("--batch");
        assertThat(resumed.err()).as("VQA's times continue the run's, which followed its captions")
                .contains("--answer-times-from 1");
        JsonNode loss = new ObjectMapper().readTree(run.resolve("loss.json").toFile());
        assertThat(loss.get("learningRate").asDouble()).isEqualTo(5e-4);
        assertThat(loss.get("captionTimesFrom").asInt()).isEqualTo(700);
        assertThat(steps(loss)).containsExactly(1L, 2L, 3L);
    }

    @Test
    @DisplayName("--resume from a checkpoint that records no settings says so and trains with the command's options")
    void resumeWithoutRecordedSettingsSaysSo() throws Exception {
        Path run = dir.resolve("older");
        trainedTiny(run, 1);
        Path older = dir.resolve("older.safetensors");
        Checkpoint.load(run.resolve("model.safetensors")).withTrainingSettings(Map.of()).save(older);
        Cli resumed = resumeTiny(older, 1, dir.resolve("older-resumed"));
        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        assertThat(resumed.err()).contains("records no training settings").doesNotContain("resuming with the settings");
    }

    @Test
    @DisplayName("--answer-times-from reaches the trainer: with only questions to learn it changes the first step's loss, "
            + "and set back to 1 under --caption-times-from 1000 it gives the default's loss exactly")
    void answerTimesFromReachesTheTrainer() throws Exception {
        double byDefault = firstVqaLoss("default");
        double late = firstVqaLoss("late", "--answer-times-from", "1000");
        double overridden = firstVqaLoss("overridden", "--caption-times-from", "1000", "--answer-times-from", "1");
        double followingCaptions = firstVqaLoss("following", "--caption-times-from", "1000");
        assertThat(late).isNotEqualTo(byDefault);
        assertThat(overridden).as("answers drawn from [1, T] as by default").isEqualTo(byDefault);
        assertThat(followingCaptions).as("answers follow the captions' times when not given").isEqualTo(late);
    }

    /** The first step's total loss of one step on the tiny preset with only the VQA task in the mix. */
    private double firstVqaLoss(String name, String... options) throws Exception {
        Path out = dir.resolve(name);
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("train", "--backend", "djl", "--fresh",
                "--preset", "tiny", "--dataset", "synthetic", "--examples", "8", "--steps", "1", "--batch", "4",
                "--task-mix", "joint=0,class-to-image=0,text-to-image=0,caption=0,text-to-text=0", "--out", out.toString()));
        args.addAll(java.util.List.of(options));
        Cli r = Cli.run(args.toArray(String[]::new));
        assertThat(r.exitCode()).as(r.err()).isZero();
        return new ObjectMapper().readTree(out.resolve("loss.json").toFile()).get("steps").get(0).get("total").asDouble();
    }

    @Test
    @DisplayName("--resume into a directory whose loss.json is not a curve stops before training, naming --out and the file")
    void resumeIntoAnUnreadableCurveStops() throws Exception {
        Path run = dir.resolve("broken");
        trainedTiny(run, 1);
        java.nio.file.Files.writeString(run.resolve("loss.json"), "{not json");
        Cli resumed = resumeTiny(run.resolve("model.safetensors"), 1, run);
        assertThat(resumed.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(resumed.err()).contains("--out").contains("loss.json");
        assertThat(resumed.out()).doesNotContain("trained");
        assertThat(java.nio.file.Files.readString(run.resolve("loss.json"))).as("left as it was").isEqualTo("{not json");
    }

    /** Trains the tiny preset on 8 synthetic examples, batch 2, with djl. */
    private static Cli trainTiny(Path out, int steps) {
        return Cli.run("train", "--backend", "djl", "--preset", "tiny", "--dataset", "synthetic", "--examples", "8",
                "--steps", Integer.toString(steps), "--batch", "2", "--out", out.toString());
    }

    /** {@link #trainTiny}, which must succeed: the run a test resumes. */
    private static void trainedTiny(Path out, int steps) {
        Cli first = trainTiny(out, steps);
        assertThat(first.exitCode()).as(first.err()).isZero();
    }

    /** Resumes such a run from a checkpoint. */
    private static Cli resumeTiny(Path checkpoint, int steps, Path out) {
        return Cli.run("train", "--backend", "djl", "--dataset", "synthetic", "--examples", "8", "--resume",
                checkpoint.toString(), "--steps", Integer.toString(steps), "--batch", "2", "--out", out.toString());
    }

    private static java.util.List<Long> steps(JsonNode loss) {
        java.util.List<Long> steps = new java.util.ArrayList<>();
        loss.get("steps").forEach(row -> steps.add(row.get("step").asLong()));
        return steps;
    }

    @ParameterizedTest(name = "--task-mix {0}")
    @ValueSource(strings = {"captions=2", "caption", "caption=-1", "caption=x", "caption=Infinity", "caption=2,,vqa=1",
            "joint=0,class-to-image=0,text-to-image=0,caption=0,vqa=0,text-to-text=0"})
    @DisplayName("a --task-mix with an unknown task, a bad weight or all weights zero is a usage error naming it, before any training")
    void taskMixMustBeValid(String mix) {
        Cli r = Cli.run("train", "--backend", "djl", "--task-mix", mix, "--steps", "1", "--out", dir.resolve("x").toString());
        assertUsageError(r, "--task-mix");
        assertThat(r.err()).contains(mix.contains(",,") ? "''" : mix.split(",")[0]);
        assertThat(dir.resolve("x")).doesNotExist();
    }

    @ParameterizedTest(name = "--given-image-augmentation {0}")
    @ValueSource(strings = {"flip", "shift=-2", "mirror,mirror", ""})
    @DisplayName("a --given-image-augmentation that is not none, mirror, shift=N or both is a usage error naming it, before any training")
    void givenImageAugmentationMustParse(String augmentation) {
        Cli r = Cli.run("train", "--backend", "djl", "--given-image-augmentation", augmentation, "--steps", "1",
                "--out", dir.resolve("x").toString());
        assertUsageError(r, "--given-image-augmentation");
        assertThat(r.err()).contains("mirror,shift=N");
        assertThat(dir.resolve("x")).doesNotExist();
    }

    @Test
    @DisplayName("mirroring or shifting the scenes is a usage error, since their captions name positions")
    void givenImageAugmentationIsForFashionOnly() {
        Cli r = Cli.run("train", "--backend", "djl", "--fresh", "--preset", "tiny", "--dataset", "synthetic",
                "--given-image-augmentation", "mirror", "--steps", "1", "--out", dir.resolve("x").toString());
        assertUsageError(r, "--given-image-augmentation");
        assertThat(r.err()).contains("positions");
        assertThat(dir.resolve("x")).doesNotExist();
    }

    @ParameterizedTest(name = "--hold-out {0}")
    @ValueSource(strings = {"-1", "8"})
    @DisplayName("a --hold-out that is negative or leaves no example to train on is a usage error naming it, before any training")
    void holdOutMustLeaveExamples(String n) {
        Cli r = Cli.run("train", "--backend", "djl", "--fresh", "--preset", "tiny", "--dataset", "synthetic", "--examples", "8",
                "--hold-out", n, "--steps", "1", "--out", dir.resolve("x").toString());
        assertUsageError(r, "--hold-out");
        assertThat(dir.resolve("x")).doesNotExist();
    }

    @ParameterizedTest(name = "--caption-times-from {0}")
    @ValueSource(strings = {"0", "1001"})
    @DisplayName("a --caption-times-from outside the model's schedule is a usage error naming its range, before any training")
    void captionTimesFromMustBeAStep(String from) {
        Cli r = Cli.run("train", "--backend", "djl", "--fresh", "--preset", "tiny", "--caption-times-from", from, "--steps", "1",
                "--out", dir.resolve("x").toString());
        assertUsageError(r, "--caption-times-from");
        assertThat(r.err()).contains("[1, 1000]").contains("got " + from);
        assertThat(dir.resolve("x")).doesNotExist();
    }

    @Test
    @DisplayName("an --answer-times-from outside the model's schedule is a usage error naming it, before any training")
    void answerTimesFromMustBeAStep() {
        Cli r = Cli.run("train", "--backend", "djl", "--fresh", "--preset", "tiny", "--answer-times-from", "0", "--steps", "1",
                "--out", dir.resolve("x").toString());
        assertUsageError(r, "--answer-times-from");
        assertThat(r.err()).contains("[1, 1000]").contains("got 0");
        assertThat(dir.resolve("x")).doesNotExist();
    }
}

package dev.mdm.examples.cli;

import dev.mdm.InvalidInputException;
import dev.mdm.data.FashionCaptions;
import dev.mdm.data.FashionMnist;
import dev.mdm.examples.eval.Evaluation;
import dev.mdm.examples.eval.EvaluationBudget;
import dev.mdm.examples.eval.EvaluationReport;
import dev.mdm.examples.eval.FashionClassifier;
import dev.mdm.examples.model.LoadedModel;
import dev.mdm.examples.model.ModelChoice;
import dev.mdm.task.TextSampling;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mdm eval}: the quality evaluation of {@link Evaluation} on one model, with a summary table. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Evaluate a model and write eval.json, eval.html and the sample pictures (eval-images/) under --out.",
                "Class-conditional images are scored by the project's reference Fashion-MNIST classifier (class "
                        + "accuracy, and the Fréchet distance in its feature space beside the real-vs-real floor at the "
                        + "same count); held-out Fashion-MNIST test images are captioned (accuracy: the caption names the "
                        + "true class) and asked their question (VQA accuracy after normalization: case, punctuation, "
                        + "articles); with --scenes, images made from held-out scene captions are read back by the scene "
                        + "parser and the rendered scenes asked their question.",
                "A part the model cannot do (e.g. no tokenizer, or images not 1×28×28) is reported as not computed, "
                        + "with the reason. Needs the Fashion-MNIST IDX files (bin/setup-packages installs them).",
                "The defaults are a smoke test sized for a 2-core CPU: the cost is one forward pass (see 'mdm bench') "
                        + "per step per batch (about 0.1 s at batch 1 for the fashion preset on djl on an idle 2-core "
                        + "machine); the defaults took under 3 minutes there. '--per-class 100 --text 1000 --scenes 300 --steps 25 --batch 50 --full-floor' is the budget "
                        + "of a reported evaluation."},
        footer = {"", "Examples:", "  mdm eval                                   # the shipped fashion model, small budget",
                "  mdm eval --checkpoint mdm-train/model.safetensors --per-class 100 --text 1000 --steps 25",
                "  mdm eval --checkpoint scenes.safetensors --per-class 0 --text 0 --scenes 100"})
public final class EvalCommand extends ModelCommand {
    @Option(names = "--preset", defaultValue = "fashion", paramLabel = "NAME",
            description = "Model size without --checkpoint (default ${DEFAULT-VALUE}).")
    String preset;

    @Option(names = "--per-class", defaultValue = "2", paramLabel = "N",
            description = "Class-conditional images generated per class, 0 to skip (default ${DEFAULT-VALUE}).")
    int perClass;

    @Option(names = "--text", defaultValue = "20", paramLabel = "N",
            description = "Held-out test images captioned and asked their question, 0 to skip (default ${DEFAULT-VALUE}).")
    int text;

    @Option(names = "--text-split", defaultValue = "test", paramLabel = "SPLIT",
            description = "Where the --text images come from: test (held out, the reported figures) or train (to compare "
                    + "with them and see how much the model overfits) (default ${DEFAULT-VALUE}).")
    String textSplit;

    @Option(names = "--hold-out", defaultValue = "0", paramLabel = "N",
            description = "With --text-split train: read the --text images only from the last N training images, those "
                    + "`mdm train --hold-out N` did not train on, to choose settings without the test split "
                    + "(default ${DEFAULT-VALUE}).")
    int holdOut;

    @Option(names = "--scenes", defaultValue = "0", paramLabel = "N",
            description = "Held-out scenes drawn from their captions and asked their question (default ${DEFAULT-VALUE}).")
    int scenes;

    @Option(names = "--steps", defaultValue = "10", paramLabel = "N", description = "Sampler steps (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--guidance", defaultValue = "2.0", paramLabel = "W",
            description = "Classifier-free guidance of the class-conditional images (default ${DEFAULT-VALUE}).")
    double guidance;

    @Option(names = "--caption-guidance", defaultValue = "1", paramLabel = "W",
            description = "Guidance of the captions on their image, ≥ 1, 1 for none (default ${DEFAULT-VALUE}; decision D17).")
    double captionGuidance;

    @Option(names = "--caption-temperature", defaultValue = "0", paramLabel = "T",
            description = "Temperature of the captions in [0, 1]: 0 mode-seeking, 1 a sample (default ${DEFAULT-VALUE}; decision D18).")
    double captionTemperature;

    @Option(names = "--answer-guidance", defaultValue = "1", paramLabel = "W",
            description = "Guidance of the answers on their image, ≥ 1, 1 for none (default ${DEFAULT-VALUE}; decision D17).")
    double answerGuidance;

    @Option(names = "--answer-temperature", defaultValue = "0", paramLabel = "T",
            description = "Temperature of the answers in [0, 1] (default ${DEFAULT-VALUE}; decision D18).")
    double answerTemperature;

    @Option(names = "--batch", defaultValue = "10", paramLabel = "N", description = "Samples computed together (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--full-floor",
            description = "Also compute the Fréchet distance of the whole training split to the test split (60 000 images).")
    boolean fullFloor;

    @Option(names = "--fashion-dir", paramLabel = "DIR",
            description = "Directory of the Fashion-MNIST IDX files (default " + FashionMnist.DEBIAN_DIRECTORY + ").")
    Path fashionDirectory;

    @Option(names = "--out", defaultValue = "mdm-eval", paramLabel = "DIR", description = "Where to write the report (default ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() {
        // checked here, before any model or file opens, so that the message names the options
        OptionChecks.atLeast("--per-class", perClass, 0);
        OptionChecks.atLeast("--text", text, 0);
        OptionChecks.atLeast("--scenes", scenes, 0);
        OptionChecks.atLeast("--steps", steps, 1);
        OptionChecks.atLeast("--batch", batch, 1);
        if (!(guidance >= 0) || !Double.isFinite(guidance)) {
            throw new InvalidInputException("--guidance", "a finite scale ≥ 0", Double.toString(guidance));
        }
        // --seed is the seed of all sampling: the images' and, at temperature > 0 or with guidance, the texts'
        TextSampling captions = TextSamplingOptions.checked("--caption-guidance", captionGuidance,
                "--caption-temperature", captionTemperature).withSeed(model.seed);
        TextSampling answers = TextSamplingOptions.checked("--answer-guidance", answerGuidance,
                "--answer-temperature", answerTemperature).withSeed(model.seed);
        FashionMnist.Split textSource = switch (textSplit) {
            case "test" -> FashionMnist.Split.TEST;
            case "train" -> FashionMnist.Split.TRAIN;
            default -> throw new InvalidInputException("--text-split", "test or train", "'" + textSplit + "'");
        };
        OptionChecks.atLeast("--hold-out", holdOut, 0);
        if (holdOut > 0 && textSource != FashionMnist.Split.TRAIN) {
            throw new InvalidInputException("--hold-out", "--text-split train with it (the held-out images are training "
                    + "images)", "--text-split " + textSplit);
        }
        EvaluationBudget budget = new EvaluationBudget(perClass, text, textSource, scenes, steps, guidance, captions, answers, batch,
                model.seed, fullFloor, holdOut);
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        FashionMnist train = split(FashionMnist.Split.TRAIN);
        if (holdOut > train.size()) {
            throw new InvalidInputException("--hold-out", "at most the " + train.size() + " images of the training split",
                    String.valueOf(holdOut));
        }
        FashionMnist test = split(FashionMnist.Split.TEST);
        ModelChoice choice = samplerOptions.applyTo(model.choice(preset)).withSamplerSteps(steps);
        try (LoadedModel loaded = LoadedModel.open(choice);
             FashionClassifier classifier = FashionClassifier.load()) {
            err.println("evaluating " + loaded.origin() + " on " + loaded.backendDescription());
            EvaluationReport report = new Evaluation(classifier, train, test).run(loaded.mdm(), budget);
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("origin", loaded.origin());
            summary.put("trained", loaded.trained());
            summary.put("sampler", choice.samplerOrDefault());   // a record: Jackson writes its components
            summary.putAll(report.summary());
            report = new EvaluationReport(report.title(), summary, report.sections());
            Path page = report.write(out, "eval");
            printTable(stdout, report.summary());
            stdout.println(out.resolve("eval.json"));
            stdout.println(page);
        }
        return ExitCodes.OK;
    }

    private FashionMnist split(FashionMnist.Split split) {
        Path directory = fashionDirectory == null ? Path.of(FashionMnist.DEBIAN_DIRECTORY) : fashionDirectory;
        return FashionMnist.load(directory, split, new FashionCaptions(0));
    }

    /** @return ", temperature T" and, for a guided text task (decision D17), ", image guidance W" */
    private static String samplingNote(Object sampling) {
        if (!(sampling instanceof Map<?, ?> m)) {
            return "";
        }
        String note = ", temperature " + plain(m.get("temperature"));
        return m.get("imageGuidance") instanceof Double w && w != 1.0 ? note + ", image guidance " + plain(w) : note;
    }

    private static String plain(Object number) {
        return number instanceof Double d ? java.math.BigDecimal.valueOf(d).stripTrailingZeros().toPlainString()
                : String.valueOf(number);
    }

    /** One line per headline metric, each with what it was computed on, or why it was not. */
    static void printTable(PrintWriter out, Map<String, Object> summary) {
        Map<?, ?> image = (Map<?, ?>) summary.get("image");
        Map<?, ?> text = (Map<?, ?>) summary.get("text");
        Map<?, ?> scenes = (Map<?, ?>) summary.get("scenes");
        String format = "%-32s %-28s %s%n";
        out.printf(format, "metric", "value", "samples");
        if (image.containsKey("notComputed")) {
            row(out, format, "generated-image class accuracy", image);
            row(out, format, "Fréchet distance", image);
        } else {
            String images = image.get("generated") + " generated images";
            out.printf(format, "generated-image class accuracy", percent(image.get("classAccuracy")), images);
            out.printf(format, "Fréchet distance", String.format(Locale.ROOT, "%.2f (real floor %.2f)",
                    (Double) image.get("frechetDistance"), (Double) image.get("frechetFloorSameCount")), images
                    + "; floor: as many real train vs test images");
            if (image.containsKey("frechetFloorFullTrainVsTest")) {
                out.printf(format, "Fréchet floor, full train split", String.format(Locale.ROOT, "%.2f",
                        (Double) image.get("frechetFloorFullTrainVsTest")), "the whole train split vs the test split");
            }
        }
        if (text.containsKey("notComputed")) {
            row(out, format, "caption accuracy", text);
            row(out, format, "VQA accuracy", text);
        } else {
            String images = text.get("examples") + (text.containsKey("heldOutFrom") ? " held-out training images"
                    : "TRAIN".equals(text.get("split")) ? " training images" : " test images");
            Map<?, ?> budget = (Map<?, ?>) summary.get("budget");
            out.printf(format, "caption accuracy", percent(text.get("captionAccuracy")),
                    images + samplingNote(budget.get("captionSampling")));
            out.printf(format, "VQA accuracy", percent(text.get("vqaAccuracy")),
                    images + samplingNote(budget.get("answerSampling")));
        }
        if (!scenes.containsKey("notComputed")) {
            String count = scenes.get("scenes") + " scenes";
            out.printf(format, "scene read back exactly", percent(scenes.get("exactSceneAccuracy")), count);
            out.printf(format, "scene VQA accuracy", percent(scenes.get("vqaAccuracy")), count);
        }
    }

    private static void row(PrintWriter out, String format, String metric, Map<?, ?> part) {
        out.printf(format, metric, "not computed", part.get("notComputed"));
    }

    private static String percent(Object fraction) {
        return String.format(Locale.ROOT, "%.1f %%", 100 * (Double) fraction);
    }
}

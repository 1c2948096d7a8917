package dev.mdm.examples.cli;

import dev.mdm.InvalidInputException;
import dev.mdm.MDM;
import dev.mdm.checkpoint.Checkpoint;
import dev.mdm.data.Dataset;
import dev.mdm.examples.data.TrainingData;
import dev.mdm.examples.model.LoadedModel;
import dev.mdm.examples.model.ModelChoice;
import dev.mdm.examples.report.LossCurve;
import dev.mdm.model.OptimizerSettings;
import dev.mdm.spi.Capability;
import dev.mdm.task.Task;
import dev.mdm.training.GivenImageAugmentation;
import dev.mdm.training.Trainer;
import dev.mdm.training.TrainingListener;
import dev.mdm.training.TrainingProgress;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** {@code mdm train}: trains a model with the task mix of SPEC §9 and writes checkpoints and the loss curve. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train a model on a data set with the task mix of the paper (joint, class-to-image, "
                + "text-to-image, captioning, VQA, text completion) and write the checkpoint, the loss curve as JSON "
                + "and as a PNG plot under --out.", "Needs a backend with the TRAINING capability (djl on CPU, "
                + "jcuda on GPU; 'mdm diagnose' lists them)."},
        footer = {"", "Examples:", "  mdm train                                   (tiny preset, synthetic scenes, 200 steps)",
                "  mdm train --preset fashion --dataset fashion --steps 20000 --batch 32 --out fashion-run",
                "  mdm train --resume fashion-run/model.safetensors --steps 5000 --out fashion-run"})
public final class TrainCommand implements Callable<Integer> {
    /**
     * The options that say what a run trains on and how: every checkpoint of mdm train records them
     * ({@link Checkpoint#trainingSettings()}), and {@code --resume} takes each from the checkpoint unless given again.
     * Not among them: what one command does (--steps, --time-limit, --checkpoint-every, --out) and where the data lie
     * (--fashion-dir).
     */
    static final List<String> RESUMED_OPTIONS = List.of("--dataset", "--examples", "--hold-out", "--batch", "--lr",
            "--ema-decay", "--seed", "--task-mix", "--given-image-augmentation", "--caption-times-from",
            "--answer-times-from");

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model;

    @Option(names = "--preset", defaultValue = "tiny", paramLabel = "NAME",
            description = "Model size without --checkpoint/--resume: tiny, fashion or paper (default ${DEFAULT-VALUE}).")
    String preset;

    @Option(names = "--dataset", defaultValue = "synthetic", paramLabel = "NAME",
            description = "fashion (Fashion-MNIST, fashion preset), scenes (synthetic shapes at 28×28) or synthetic "
                    + "(the scenes resized to any preset) (default ${DEFAULT-VALUE}).")
    String dataset;

    @Option(names = "--examples", defaultValue = "10000", paramLabel = "N",
            description = "Number of scenes for scenes/synthetic (default ${DEFAULT-VALUE}).")
    int examples;

    @Option(names = "--fashion-dir", paramLabel = "DIR", description = "Directory of the Fashion-MNIST IDX files.")
    Path fashionDirectory;

    @Option(names = "--fresh", description = "Start from fresh weights of --preset even where a trained model is shipped "
            + "(without it, the fashion preset continues training the shipped model).")
    boolean fresh;

    @Option(names = "--image-scans", paramLabel = "N", description = "Image scan orders of fresh weights: 1, 2 or 4 "
            + "(default: the preset's; the scan-switch ablation compares 4/2 with 2/1).")
    Integer imageScans;

    @Option(names = "--text-scans", paramLabel = "N", description = "Text scan orders of fresh weights: 1 or 2 (default: the preset's).")
    Integer textScans;

    @Option(names = "--ema-decay", paramLabel = "D", description = "EMA decay (default: the paper's, 0.9999; short runs "
            + "want ~1 − 1/(steps/5), e.g. 0.999 for a few thousand steps).")
    Double emaDecay;

    @Option(names = "--time-limit", paramLabel = "MINUTES", description = "Stop after the step that ends past this much "
            + "training time, writing the final checkpoint there (default: none; --steps still caps the run).")
    Double timeLimitMinutes;

    @Option(names = "--task-mix", paramLabel = "TASK=W[,TASK=W...]", description = "Relative weights of the tasks a "
            + "batch draws from: joint, class-to-image, text-to-image, caption, vqa, text-to-text; tasks not named keep "
            + "weight 1 (default: all 1), e.g. caption=2,vqa=2.")
    String taskMix;

    @Option(names = "--given-image-augmentation", defaultValue = "none", paramLabel = "AUG",
            description = "Mirror and shift the images that captioning and VQA examples are given, never generated ones: "
                    + "none, mirror, shift=N or mirror,shift=N (default ${DEFAULT-VALUE}; not for scenes, whose captions "
                    + "name positions).")
    String givenImageAugmentation;

    @Option(names = "--caption-times-from", defaultValue = "1", paramLabel = "T0",
            description = "Draw the diffusion step t of captioning and VQA examples uniformly from [T0, T] (T: the "
                    + "model's schedule, 1000 in every preset) instead of [1, T], where the words they write are no "
                    + "longer legible in their own noise and must be read from the image; other tasks keep [1, T] "
                    + "(default ${DEFAULT-VALUE}: SPEC's draw; e.g. 700 for fashion).")
    int captionTimesFrom;

    @Option(names = "--answer-times-from", paramLabel = "T0",
            description = "Draw the diffusion step t of VQA examples alone from [T0, T] (default: as "
                    + "--caption-times-from; 1 for SPEC's draw while captions keep theirs).")
    Integer answerTimesFrom;

    @Option(names = "--hold-out", defaultValue = "0", paramLabel = "N",
            description = "Train on all but the last N examples of the data set, so that `mdm eval --text-split train "
                    + "--hold-out N` can choose settings on images the model never saw instead of on the test split "
                    + "(default ${DEFAULT-VALUE}).")
    int holdOut;

    @Option(names = "--steps", defaultValue = "200", paramLabel = "N",
            description = "Optimizer steps of this run; with --resume, taken after the checkpoint's (default ${DEFAULT-VALUE}).")
    long steps;

    @Option(names = "--batch", defaultValue = "16", paramLabel = "N", description = "Examples per step (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", paramLabel = "RATE", description = "AdamW learning rate (default: the paper's, 1e-4).")
    Double learningRate;

    @Option(names = "--checkpoint-every", defaultValue = "100", paramLabel = "N",
            description = "Write the checkpoint every N steps of this run, counted from its start also with "
                    + "--resume, and after the last (default ${DEFAULT-VALUE}).")
    long checkpointEvery;

    @Option(names = "--resume", paramLabel = "FILE",
            description = "Continue from a checkpoint written by 'mdm train': its weights, its optimizer state and the "
                    + "run's settings (--dataset, --examples, --hold-out, --batch, --lr, --ema-decay, --seed, --task-mix, "
                    + "--given-image-augmentation, --caption-times-from, --answer-times-from), each unless given again; a "
                    + "loss.json already in --out is continued, up to the checkpoint's step.")
    Path resume;

    @Option(names = "--out", defaultValue = "mdm-train", paramLabel = "DIR",
            description = "Where to write model.safetensors, loss.json and loss.png (default ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws java.io.IOException {
        OptionChecks.atLeast("--steps", steps, 1);
        if (timeLimitMinutes != null && !(timeLimitMinutes > 0 && Double.isFinite(timeLimitMinutes))) {
            throw new InvalidInputException("--time-limit", "a positive number of minutes", timeLimitMinutes.toString());
        }
        OptionChecks.atLeast("--checkpoint-every", checkpointEvery, 1);
        if (resume != null && model.checkpoint != null) {
            throw new InvalidInputException("--resume", "either --resume or --checkpoint", "both");
        }
        PrintWriter err = spec.commandLine().getErr();
        Checkpoint resumed = null;
        long resumedFromStep = 0;
        if (resume != null) {
            resumed = Checkpoint.load(resume);
            if (resumed.optimizerState().size() == 0) {
                throw new InvalidInputException("--resume", "a checkpoint with optimizer state (written by mdm train)",
                        resume + " has weights only; start from its weights with --checkpoint instead");
            }
            // the backend checks the whole state (OptimizerState.requireResumable) before training starts
            resumedFromStep = resumed.optimizerState().contains("adam.step")
                    ? resumed.optimizerState().get("adam.step").getLong(0) : 0;
            resumeSettings(resumed.trainingSettings(), err);
        }
        OptionChecks.atLeast("--batch", batch, 1);
        OptionChecks.atLeast("--hold-out", holdOut, 0);
        if (!TrainingData.NAMES.contains(dataset)) {
            throw new InvalidInputException("--dataset", "one of " + String.join(", ", TrainingData.NAMES), "'" + dataset + "'");
        }
        if ((imageScans != null || textScans != null) && !fresh) {
            throw new InvalidInputException("--image-scans/--text-scans", "--fresh as well (a checkpoint carries its own scans)",
                    "no --fresh");
        }
        if (fresh && (resume != null || model.checkpoint != null)) {
            throw new InvalidInputException("--fresh", "no --checkpoint or --resume", "both given");
        }
        Map<Task, Double> mix = taskMix(taskMix);
        GivenImageAugmentation augmentation = GivenImageAugmentation.parse("--given-image-augmentation", givenImageAugmentation);
        if (augmentation.isActive() && !dataset.equals("fashion")) {
            throw new InvalidInputException("--given-image-augmentation", "none for " + dataset
                    + " (its captions and answers name positions, which mirroring and shifting change)", "'" + givenImageAugmentation + "'");
        }
        if (learningRate != null && !(learningRate > 0 && Double.isFinite(learningRate))) {
            throw new InvalidInputException("--lr", "a finite learning rate > 0", learningRate.toString());
        }
        if (emaDecay != null && !(emaDecay >= 0 && emaDecay < 1)) {
            throw new InvalidInputException("--ema-decay", "a decay in [0, 1)", emaDecay.toString());
        }
        PrintWriter stdout = spec.commandLine().getOut();
        ModelChoice choice = model.choice(preset);
        if (resume != null) {
            choice = choice.withCheckpoint(resume);
        }
        try (LoadedModel loaded = fresh ? LoadedModel.openFresh(choice, c -> c.toBuilder()
                .imageScans(imageScans == null ? c.imageScans() : imageScans)
                .textScans(textScans == null ? c.textScans() : textScans).build()) : LoadedModel.open(choice)) {
            MDM mdm = loaded.mdm();
            if (!mdm.backend().capabilities().contains(Capability.TRAINING)) {
                throw new UnsupportedOperationException("backend '" + mdm.backend().name() + "' cannot train (it lacks the "
                        + "TRAINING capability)");
            }
            checkStep("--caption-times-from", captionTimesFrom, mdm.config().timesteps());
            if (answerTimesFrom != null) {
                checkStep("--answer-times-from", answerTimesFrom, mdm.config().timesteps());
            }
            Dataset data = TrainingData.withoutLast(TrainingData.open(dataset, mdm.config(), false, fashionDirectory, examples),
                    holdOut, "--hold-out");
            Files.createDirectories(out);
            Path file = out.resolve("model.safetensors");
            OptimizerSettings optimizer = learningRate == null ? OptimizerSettings.paper()
                    : OptimizerSettings.paper().withLearningRate(learningRate);
            if (emaDecay != null) {
                optimizer = optimizer.withEmaDecay(emaDecay);
            }
            Trainer.Builder tb = mdm.trainer().optimizer(optimizer).batchSize(batch).steps(steps).seed(model.seed)
                    .checkpointEvery(checkpointEvery, file).tokenizerModel(loaded.tokenizerModel());
            tb.taskMix(mix).givenImageAugmentation(augmentation);
            tb.captionTimesFrom(captionTimesFrom);
            if (answerTimesFrom != null) {
                tb.answerTimesFrom(answerTimesFrom);
            }
            if (timeLimitMinutes != null) {
                tb.timeLimit(java.time.Duration.ofMillis(Math.round(timeLimitMinutes * 60_000)));
            }
            if (resumed != null) {
                tb.resumeState(resumed.optimizerState());
            }
            tb.checkpointSettings(settingsToRecord(optimizer));
            Trainer trainer = tb.build();
            err.println("training " + loaded.origin() + " on " + dataset + " (" + data.size() + " examples), backend "
                    + loaded.backendDescription());
            Map<String, Object> about = new LinkedHashMap<>();
            about.put("created", Instant.now().toString());
            about.put("backend", loaded.backendDescription());
            about.put("dataset", dataset);
            about.put("examples", data.size());
            about.put("heldOut", holdOut);
            about.put("batch", batch);
            about.put("learningRate", optimizer.learningRate());
            about.put("emaDecay", optimizer.emaDecay());
            about.put("seed", model.seed);
            Map<String, Double> mixJson = new LinkedHashMap<>();
            mix.forEach((t, w) -> mixJson.put(taskName(t), w));
            about.put("taskMix", mixJson);
            about.put("givenImageAugmentation", Map.of("mirror", augmentation.mirror(), "maxShift", augmentation.maxShift()));
            about.put("captionTimesFrom", captionTimesFrom);
            about.put("answerTimesFrom", answerTimesFrom == null ? captionTimesFrom : answerTimesFrom);
            about.put("resumedFrom", resume == null ? null : resume.toString());
            // the steps below are optimizer steps: a resumed run's first is resumedFromStep + 1, so its curve
            // continues the curve of the run it resumed
            about.put("resumedFromStep", resume == null ? null : resumedFromStep);
            about.put("config", new com.fasterxml.jackson.databind.ObjectMapper().readTree(mdm.config().toJson()));
            LossCurve curve = new LossCurve(about);
            Path lossFile = out.resolve("loss.json");
            if (resume != null && Files.exists(lossFile)) {
                // read before training, so that an unreadable file stops the run before any compute
                LossCurve earlier;
                try {
                    earlier = LossCurve.read(lossFile);
                } catch (RuntimeException e) {
                    throw new InvalidInputException("--out", "a directory whose loss.json is a curve mdm train wrote "
                            + "(a resumed run continues it) or none", lossFile + ": " + e.getMessage());
                }
                int kept = curve.continuing(earlier, resumedFromStep);
                err.println("continuing " + lossFile + " (" + kept + " earlier steps up to step " + resumedFromStep + ")");
            }
            ProgressBar bar = new ProgressBar(err, "train", resumedFromStep, resumedFromStep + steps, "samples");
            long start = System.nanoTime();
            TrainingProgress last = trainer.fit(data, new TrainingListener() {
                @Override
                public void onStep(TrainingProgress p) {
                    curve.add(p.optimizerStep(), p.loss());
                    bar.update(p.optimizerStep(), batch, String.format("loss %.4f", p.loss().total()));
                }
            });
            double seconds = (System.nanoTime() - start) / 1e9;
            // the EMA weights alone (no optimizer state): the file to evaluate, ship or load in any backend
            Path ema = out.resolve("ema.safetensors");
            Checkpoint.of(mdm.config(), Checkpoint.load(file).optimizerState().withPrefixRemoved("ema.")).withTokenizerModel(loaded.tokenizerModel())
                    .withBackend(loaded.backendDescription() + "; EMA weights after " + last.optimizerStep() + " AdamW steps of batch " + batch)
                    .save(ema);
            curve.writeJson(lossFile);
            boolean png = true;
            try {
                curve.writePng(out.resolve("loss.png"), "MDM training loss (" + dataset + ", " + loaded.backendDescription()
                        + (resume == null ? "" : ", resumed at step " + resumedFromStep) + ")");
            } catch (RuntimeException | InternalError | UnsatisfiedLinkError e) {
                // headless servers without fonts (no fontconfig) cannot draw text; the JSON holds the same curve. A
                // loss.png of an earlier run in this directory would no longer match loss.json
                png = false;
                String stale;
                try {
                    stale = Files.deleteIfExists(out.resolve("loss.png")) ? ", the earlier one removed" : "";
                } catch (java.io.IOException gone) {
                    stale = ", and the earlier one could not be removed (" + gone.getMessage() + ")";
                }
                err.println("mdm: loss.png not written (" + e.getMessage() + ")" + stale + "; loss.json has the curve");
            }
            stdout.printf("trained %d steps in %.1f s, final loss %.4f%s%n", last.step(), seconds, last.loss().total(),
                    resume == null ? "" : " (optimizer steps " + (resumedFromStep + 1) + " to " + last.optimizerStep() + ")");
            stdout.println(file);
            stdout.println(ema);
            stdout.println(out.resolve("loss.json"));
            if (png) {
                stdout.println(out.resolve("loss.png"));
            }
        }
        return ExitCodes.OK;
    }

    /**
     * Takes each of {@link #RESUMED_OPTIONS} that the command line does not give from the settings the resumed
     * checkpoint recorded, and says which it took and which the command line changed.
     */
    private void resumeSettings(Map<String, String> recorded, PrintWriter err) {
        if (recorded.isEmpty()) {
            err.println("mdm: note: " + resume + " records no training settings (written before mdm train stored them), "
                    + "so this run trains with this command's options alone; pass the earlier run's again to continue it");
            return;
        }
        CommandLine.ParseResult given = spec.commandLine().getParseResult();
        List<String> taken = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        for (String name : RESUMED_OPTIONS) {
            String value = recorded.get(name);
            if (value == null) {
                continue;  // not recorded by the version that wrote the checkpoint
            }
            OptionSpec option = spec.findOption(name);
            Object then;
            try {
                then = parse(option.type(), value);
            } catch (NumberFormatException e) {
                throw new InvalidInputException("--resume", "a checkpoint whose " + Checkpoint.TRAINING_KEY
                        + " holds the options of mdm train", resume + " records " + name + " '" + value + "'");
            }
            if (!given.hasMatchedOption(option)) {
                option.setValue(then);
                taken.add(name + " " + value);
            } else if (!sameSetting(name, option.getValue(), then)) {
                changed.add(name + " " + option.getValue() + " (the run's: " + value + ")");
            }
        }
        if (!taken.isEmpty()) {
            err.println("resuming with the settings " + resume + " records: " + String.join(", ", taken));
        }
        if (!changed.isEmpty()) {
            err.println("mdm: warning: this command changes the resumed run's settings: " + String.join(", ", changed));
        }
    }

    /** Compares what two values mean, not how they are written: {@code caption=12, vqa=2} is {@code vqa=2,caption=12}. */
    private static boolean sameSetting(String name, Object given, Object recorded) {
        return switch (name) {
            case "--task-mix" -> taskMix((String) given).equals(taskMix((String) recorded));
            case "--given-image-augmentation" -> GivenImageAugmentation.parse(name, (String) given)
                    .equals(GivenImageAugmentation.parse(name, (String) recorded));
            default -> recorded.equals(given);
        };
    }

    private static Object parse(Class<?> type, String value) {
        if (type == int.class || type == Integer.class) {
            return Integer.valueOf(value);
        }
        if (type == long.class || type == Long.class) {
            return Long.valueOf(value);
        }
        if (type == double.class || type == Double.class) {
            return Double.valueOf(value);
        }
        return value;
    }

    /**
     * @param optimizer the optimizer settings in force (the learning rate and EMA decay even where no option gave them)
     * @return the values of {@link #RESUMED_OPTIONS} this run trains with, for its checkpoints: each as in force where
     *     no option gave it (--task-mix every task's weight, --answer-times-from --caption-times-from's value), so that
     *     a resume that gives one again is compared with what the run did
     */
    private Map<String, String> settingsToRecord(OptimizerSettings optimizer) {
        Map<String, String> settings = new LinkedHashMap<>();
        for (String name : RESUMED_OPTIONS) {
            Object value = switch (name) {
                case "--lr" -> optimizer.learningRate();
                case "--ema-decay" -> optimizer.emaDecay();
                case "--task-mix" -> taskMix(taskMix).entrySet().stream()
                        .map(e -> taskName(e.getKey()) + "=" + e.getValue()).collect(Collectors.joining(","));
                case "--answer-times-from" -> answerTimesFrom == null ? captionTimesFrom : answerTimesFrom;
                default -> spec.findOption(name).getValue();
            };
            settings.put(name, value.toString());
        }
        return settings;
    }

    /** @return the CLI name of a task, e.g. {@code class-to-image} */
    static String taskName(Task task) {
        return task.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * @param spec {@code TASK=W[,TASK=W...]} or null
     * @return every task with weight 1 unless spec names it
     */
    static Map<Task, Double> taskMix(String spec) {
        Map<Task, Double> mix = new EnumMap<>(Task.class);
        for (Task t : Task.values()) {
            mix.put(t, 1.0);
        }
        if (spec == null) {
            return mix;
        }
        String expected = "TASK=WEIGHT pairs separated by commas, TASK one of "
                + Arrays.stream(Task.values()).map(TrainCommand::taskName).collect(Collectors.joining(", "))
                + ", WEIGHT a finite number ≥ 0";
        for (String pair : spec.split(",", -1)) {
            String[] kv = pair.strip().split("=", -1);
            Task task = kv.length != 2 ? null : Arrays.stream(Task.values())
                    .filter(t -> taskName(t).equals(kv[0].strip())).findFirst().orElse(null);
            double weight;
            try {
                weight = task == null ? Double.NaN : Double.parseDouble(kv[1].strip());
            } catch (NumberFormatException e) {
                weight = Double.NaN;
            }
            if (task == null || !(weight >= 0) || Double.isInfinite(weight)) {
                throw new InvalidInputException("--task-mix", expected, "'" + pair + "' in '" + spec + "'");
            }
            mix.put(task, weight);
        }
        if (mix.values().stream().allMatch(w -> w == 0)) {
            throw new InvalidInputException("--task-mix", "at least one task with weight > 0", "'" + spec + "'");
        }
        return mix;
    }

    private static void checkStep(String option, int t, int timesteps) {
        if (t < 1 || t > timesteps) {
            throw new InvalidInputException(option, "a diffusion step in [1, " + timesteps + "] of the model's schedule",
                    String.valueOf(t));
        }
    }
}

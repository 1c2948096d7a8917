package dev.mdm.examples.cli;

import dev.mdm.InvalidInputException;
import dev.mdm.MDM;
import dev.mdm.MdmConfig;
import dev.mdm.examples.image.Images;
import dev.mdm.examples.model.LoadedModel;
import dev.mdm.task.Generation;
import dev.mdm.task.Prompt;
import dev.mdm.tensor.Tensor;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mdm generate}: images with captions, images of a class, or images for a text. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Generate samples and write them as PNG files (one per sample and a grid).",
                "Without --class or --text: image and caption together (joint). With --class: an image of that class, "
                        + "with classifier-free guidance --guidance. With --text: an image for the text."},
        footer = {"", "Examples:", "  mdm generate --count 8",
                "  mdm generate --class 7 --guidance 3 --count 4 --out sneakers",
                "  mdm generate --text \"a photo of a coat\""})
public final class GenerateCommand extends ModelCommand {
    @Option(names = "--preset", defaultValue = "fashion", paramLabel = "NAME",
            description = "Model size without --checkpoint: tiny, fashion or paper (default ${DEFAULT-VALUE}).")
    String preset;

    @Option(names = "--class", paramLabel = "N", description = "Generate an image of class N (0-based).")
    Integer classId;

    @Option(names = "--guidance", paramLabel = "W", defaultValue = "1.0",
            description = "Classifier-free guidance scale with --class: 0 unconditional, 1 plain conditioning, > 1 "
                    + "stronger (default ${DEFAULT-VALUE}).")
    double guidance;

    @Option(names = "--text", paramLabel = "TEXT", description = "Generate an image for this description.")
    String text;

    @Option(names = "--count", defaultValue = "4", paramLabel = "N", description = "Samples (default ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--batch", defaultValue = "8", paramLabel = "N",
            description = "Samples computed together (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--steps", paramLabel = "N", description = "Sampler steps (default: the model's sampler, 20).")
    Integer steps;

    @Option(names = "--out", defaultValue = "mdm-generate", paramLabel = "DIR",
            description = "Where to write the PNG files (default ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() {
        OptionChecks.atLeast("--count", count, 1);
        OptionChecks.atLeast("--batch", batch, 1);
        if (steps != null) {
            OptionChecks.atLeast("--steps", steps, 1);
        }
        if (classId != null && text != null) {
            throw new InvalidInputException("--class/--text", "at most one of them", "both");
        }
        OptionChecks.finiteAtLeast("--guidance", guidance, 0);
        boolean guidanceGiven = spec.commandLine().getParseResult().hasMatchedOption("--guidance");
        if (guidanceGiven && classId == null) {
            throw new InvalidInputException("--guidance", "used together with --class", "--guidance without --class");
        }
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (LoadedModel loaded = LoadedModel.open(samplerOptions.applyTo(model.choice(preset)))) {
            MDM mdm = loaded.mdm();
            MdmConfig config = mdm.config();
            err.println("model: " + loaded.origin() + "; backend " + loaded.backendDescription());
            if (classId != null && (classId < 0 || classId >= config.classes())) {
                throw new InvalidInputException("--class", "a class in [0, " + (config.classes() - 1) + "] (this model's "
                        + config.classes() + ")", classId.toString());
            }
            Prompt prompt = classId != null ? Prompt.classConditional(classId, guidance)
                    : text != null ? Prompt.textToImage(text) : Prompt.joint();
            if (steps != null) {
                prompt = prompt.withSteps(steps);
            }
            List<Generation> all = new ArrayList<>();
            ProgressBar progress = new ProgressBar(err, "generate", count, "samples");
            progress.update(0, 1, "");
            for (int done = 0; done < count; ) {
                int n = Math.min(batch, count - done);
                all.addAll(mdm.generate(prompt.withSeed(model.seed + done), n));
                done += n;
                progress.update(done, 1, "");
            }
            List<Tensor> images = new ArrayList<>();
            for (int i = 0; i < all.size(); i++) {
                Generation g = all.get(i);
                images.add(g.image());
                Path file = Images.writePng(Images.picture(g.image(), scale(config)), out.resolve(String.format("sample-%02d.png", i)));
                stdout.println(file + (g.caption().isPresent() ? "  \"" + g.caption().get() + "\"" : "")
                        + "  (seed " + g.seed() + ")");
            }
            Path grid = Images.writePng(Images.grid(images, Math.min(8, images.size()), scale(config)), out.resolve("grid.png"));
            stdout.println(grid);
            if (!loaded.trained()) {
                err.println("note: the model is untrained, so these are noise; train one with: mdm train --help");
            }
        }
        return ExitCodes.OK;
    }

    static int scale(MdmConfig config) {
        return Math.max(1, 112 / Math.max(config.imageHeight(), config.imageWidth()));
    }
}

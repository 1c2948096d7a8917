package dev.mdm.examples.cli;

import dev.mdm.MDM;
import dev.mdm.data.Example;
import dev.mdm.examples.model.LoadedModel;
import dev.mdm.examples.model.ModelChoice;
import dev.mdm.task.TextSampling;
import dev.mdm.tensor.Tensor;
import java.io.PrintWriter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What {@code mdm caption} and {@code mdm answer} share: a model, one image, text sampling settings, and one line of
 * text on standard output (the model and, for a Fashion-MNIST image, what it shows go to standard error).
 */
abstract class ImageTextCommand extends ModelCommand {
    @Mixin
    ImageInput input;

    @Option(names = "--steps", paramLabel = "N", description = "Sampler steps (default: the model's sampler, 20).")
    Integer steps;

    @Mixin
    TextSamplingOptions textSampling;

    @Option(names = "--preset", defaultValue = "fashion", paramLabel = "NAME",
            description = "Model size without --checkpoint: tiny, fashion or paper (default ${DEFAULT-VALUE}).")
    String preset;

    /**
     * @param mdm the loaded model
     * @param image the image, fitted to the model
     * @param sampling the text sampling settings of the command line
     * @return the line to print
     */
    abstract String text(MDM mdm, Tensor image, TextSampling sampling);

    /**
     * @param example the dataset example the image came from
     * @return what to add to the image's description on standard error
     */
    String exampleNote(Example example) {
        return "";
    }

    @Override
    public final Integer call() {
        if (steps != null) {
            OptionChecks.atLeast("--steps", steps, 1);
        }
        TextSampling sampling = textSampling.sampling().withSeed(model.seed);
        input.validate(spec.commandLine());
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ModelChoice choice = samplerOptions.applyTo(model.choice(preset));
        try (LoadedModel loaded = LoadedModel.open(steps == null ? choice : choice.withSamplerSteps(steps))) {
            err.println("model: " + loaded.origin() + "; backend " + loaded.backendDescription());
            ImageInput.Loaded image = input.load(loaded.mdm().config());
            String text = text(loaded.mdm(), image.image(), sampling);
            out.println(text);
            if (text.isBlank()) {
                err.println("note: the model wrote no text (it ended at once, or wrote only ids past the tokenizer's)");
            }
            if (image.example() != null) {
                err.println("(" + image.description() + exampleNote(image.example()) + ")");
            }
        }
        return ExitCodes.OK;
    }
}

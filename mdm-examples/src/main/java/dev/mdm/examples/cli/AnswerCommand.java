package dev.mdm.examples.cli;

import dev.mdm.examples.model.LoadedModel;
import dev.mdm.examples.model.ModelChoice;
import dev.mdm.task.TextSampling;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code mdm answer}: visual question answering. */
@Command(name = "answer", mixinStandardHelpOptions = true,
        description = "Answer a question about an image (deterministic).",
        footer = {"", "Examples:", "  mdm answer --fashion-index 0 --question \"what is shown?\"",
                "  mdm answer boot.png --question \"is it footwear?\""})
public final class AnswerCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model;

    @Mixin
    SamplerOptions samplerOptions;

    @Mixin
    ImageInput input;

    @Option(names = "--question", required = true, paramLabel = "TEXT",
            description = "The question; it must leave room in the model's text for the answer.")
    String question;

    @Option(names = "--steps", paramLabel = "N", description = "Sampler steps (default: the model's sampler, 20).")
    Integer steps;

    @Mixin
    TextSamplingOptions textSampling;

    @Option(names = "--preset", defaultValue = "fashion", paramLabel = "NAME",
            description = "Model size without --checkpoint: tiny, fashion or paper (default ${DEFAULT-VALUE}).")
    String preset;

    @Override
    public Integer call() {
        TextSampling sampling = textSampling.sampling();
        input.validate(spec.commandLine());
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ModelChoice choice = samplerOptions.applyTo(model.choice(preset));
        try (LoadedModel loaded = LoadedModel.open(steps == null ? choice : choice.withSamplerSteps(steps))) {
            err.println("model: " + loaded.origin() + "; backend " + loaded.backendDescription());
            ImageInput.Loaded image = input.load(loaded.mdm().config());
            out.println(loaded.mdm().answer(image.image(), question, sampling));
            if (image.example() != null) {
                err.println("(" + image.description() + ")");
            }
        }
        return ExitCodes.OK;
    }
}

package dev.mdm.examples.cli;

import dev.mdm.examples.model.LoadedModel;
import dev.mdm.examples.model.ModelChoice;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code mdm export-onnx}: the model as standalone ONNX files. */
@Command(name = "export-onnx", mixinStandardHelpOptions = true,
        description = {"Write the model as standalone ONNX files (encoders, decoders, denoiser; see the onnx module's "
                + "README for their inputs and outputs), runnable wherever ONNX Runtime runs.",
                "Exporting needs the ONNX_EXPORT capability: the model is opened on the onnx backend unless --backend "
                        + "names another."},
        footer = {"", "Examples:", "  mdm export-onnx --checkpoint fashion-run/model.safetensors --out fashion-onnx",
                "  mdm export-onnx --preset tiny --out tiny-onnx"})
public final class ExportOnnxCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model;

    @Option(names = "--preset", defaultValue = "fashion", paramLabel = "NAME",
            description = "Model size without --checkpoint: tiny, fashion or paper (default ${DEFAULT-VALUE}).")
    String preset;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where to write the ONNX files (created if needed).")
    Path out;

    @Override
    public Integer call() {
        ModelChoice choice = model.choice(preset);
        if (choice.backend() == null) {
            choice = choice.withBackend("onnx");
        }
        PrintWriter stdout = spec.commandLine().getOut();
        try (LoadedModel loaded = LoadedModel.open(choice)) {
            spec.commandLine().getErr().println("exporting " + loaded.origin() + " with backend " + loaded.backendDescription());
            List<Path> files = loaded.mdm().exportOnnx(out);
            files.forEach(stdout::println);
        }
        return ExitCodes.OK;
    }
}

package dev.mdm.examples.cli;

import java.util.List;

import dev.mdm.Device;
import dev.mdm.Precision;
import dev.mdm.examples.model.ModelChoice;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options shared by every command that runs a model (a picocli mixin). */
public final class ModelOptions {
    @Option(names = "--backend", paramLabel = "NAME",
            description = "Backend: djl, onnx, jcuda or reference. Default: the mdm.backend property, the MDM_BACKEND "
                    + "variable, else the highest-priority backend that can run here ('mdm diagnose' lists them).")
    String backend;

    @Option(names = "--device", paramLabel = "DEVICE", converter = DeviceConverter.class,
            description = "cpu, gpu or gpu:N. Default: the backend's own. A GPU that cannot be had is an error.")
    Device device;

    @Option(names = "--precision", paramLabel = "P",
            description = "FP64, FP32 or BF16 (default FP32). Valid values: ${COMPLETION-CANDIDATES}.")
    Precision precision;

    @Option(names = "--checkpoint", paramLabel = "FILE",
            description = "A checkpoint written by 'mdm train' or MDM.save. Default: the shipped fashion model when "
                    + "the preset is fashion, else fresh (untrained) weights.")
    Path checkpoint;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0",
            description = "Seed of fresh weights and of sampling (default ${DEFAULT-VALUE}).")
    long seed;

    /**
     * @param preset the preset to use without a checkpoint
     * @return the model these options choose
     */
    ModelChoice choice(String preset) {
        if (preset != null && !List.of("tiny", "fashion", "paper").contains(preset)) {
            throw new dev.mdm.InvalidInputException("--preset", "one of tiny, fashion, paper", "'" + preset + "'");
        }
        return new ModelChoice(backend, device, precision, checkpoint, seed, preset, null);
    }

    /** Parses {@link Device#parse}'s forms. */
    static final class DeviceConverter implements picocli.CommandLine.ITypeConverter<Device> {
        @Override
        public Device convert(String value) {
            return Device.parse(value);
        }
    }
}

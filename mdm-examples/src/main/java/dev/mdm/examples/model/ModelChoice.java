package dev.mdm.examples.model;

import dev.mdm.Device;
import dev.mdm.MdmConfig;
import dev.mdm.Precision;
import dev.mdm.sampling.SamplerSettings;
import java.nio.file.Path;

/**
 * Which model to open and where: the settings shared by every {@code mdm} command that runs a model.
 *
 * @param backend a backend name, or null for the selection rules of {@link dev.mdm.spi.BackendRegistry}
 * @param device a device, or null for the backend's default
 * @param precision a precision, or null for FP32
 * @param checkpoint a checkpoint file, or null for the shipped {@code fashion} model (when the preset is
 *     {@code fashion}) or fresh weights
 * @param seed seed of fresh weights
 * @param preset {@code tiny}, {@code fashion} or {@code paper}; used when no checkpoint is given
 * @param sampler the model's sampler (used by every task without its own), or null for
 *     {@link SamplerSettings#defaults()}
 */
public record ModelChoice(String backend, Device device, Precision precision, Path checkpoint, long seed, String preset,
                          SamplerSettings sampler) {
    /** Checks the preset name early, so that a typo is a usage error before any backend opens. */
    public ModelChoice {
        if (preset != null) {
            MdmConfig.preset(preset);
        }
    }

    /**
     * @param preset a preset name
     * @return the choice of a fresh model of that preset on the default backend, seed 0
     */
    public static ModelChoice fresh(String preset) {
        return new ModelChoice(null, null, null, null, 0, preset, null);
    }

    /**
     * @param name a backend name
     * @return a copy that uses that backend
     */
    public ModelChoice withBackend(String name) {
        return new ModelChoice(name, device, precision, checkpoint, seed, preset, sampler);
    }

    /**
     * @param file a checkpoint
     * @return a copy that loads it
     */
    public ModelChoice withCheckpoint(Path file) {
        return new ModelChoice(backend, device, precision, file, seed, preset, sampler);
    }

    /**
     * @param steps sampler steps, ≥ 1
     * @return a copy whose model samples with that many steps
     */
    public ModelChoice withSamplerSteps(int steps) {
        if (steps < 1) {
            throw new dev.mdm.InvalidInputException("steps", "at least 1", Integer.toString(steps));
        }
        return withSampler(samplerOrDefault().withSteps(steps));
    }

    /**
     * @param settings the sampler every task of the model uses
     * @return a copy whose model samples with it
     */
    public ModelChoice withSampler(SamplerSettings settings) {
        return new ModelChoice(backend, device, precision, checkpoint, seed, preset,
                java.util.Objects.requireNonNull(settings, "settings"));
    }

    /** @return the sampler chosen, else {@link SamplerSettings#defaults()} */
    public SamplerSettings samplerOrDefault() {
        return sampler == null ? SamplerSettings.defaults() : sampler;
    }
}

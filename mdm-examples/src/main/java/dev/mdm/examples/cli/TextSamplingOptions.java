package dev.mdm.examples.cli;

import dev.mdm.task.TextSampling;
import picocli.CommandLine.Option;

/** How {@code mdm caption} and {@code mdm answer} sample their text (a picocli mixin; see {@link TextSampling}). */
public final class TextSamplingOptions {
    @Option(names = "--image-guidance", defaultValue = "1", paramLabel = "W",
            description = "Guidance of the text on the image, ≥ 1, 1 for none (default ${DEFAULT-VALUE}; decision D17).")
    double imageGuidance;

    @Option(names = "--temperature", defaultValue = "0", paramLabel = "T",
            description = "Scale of the text's starting noise, in [0, 1]: 0 seeks the mode, 1 draws a sample "
                    + "(default ${DEFAULT-VALUE}; decision D18).")
    double temperature;

    /**
     * Checks both options; called before any model opens, so that a message names the option.
     *
     * @return the settings they give
     */
    TextSampling sampling() {
        return checked("--image-guidance", imageGuidance, "--temperature", temperature);
    }

    /** @return the settings of two options, each checked under its option's name */
    static TextSampling checked(String guidanceOption, double imageGuidance, String temperatureOption, double temperature) {
        return new TextSampling(TextSampling.requireImageGuidance(guidanceOption, imageGuidance),
                TextSampling.requireTemperature(temperatureOption, temperature));
    }
}

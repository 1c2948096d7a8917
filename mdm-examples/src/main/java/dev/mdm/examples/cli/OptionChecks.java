package dev.mdm.examples.cli;

import dev.mdm.InvalidInputException;

/** Checks of numeric options, made before any model or file opens, so that the message names the one option. */
final class OptionChecks {
    private OptionChecks() {
    }

    /**
     * @param option the option as the user types it, e.g. {@code --steps}
     * @param value its value
     * @param min the least value allowed
     * @throws InvalidInputException naming the option when value &lt; min
     */
    static void atLeast(String option, long value, long min) {
        if (value < min) {
            throw new InvalidInputException(option, "at least " + min, Long.toString(value));
        }
    }

    /**
     * @param option the option as the user types it
     * @param value its value
     * @param min the least value allowed
     * @throws InvalidInputException naming the option when value is not finite or &lt; min
     */
    static void finiteAtLeast(String option, double value, double min) {
        if (!(value >= min) || Double.isInfinite(value)) {
            throw new InvalidInputException(option, "a finite number ≥ " + min, Double.toString(value));
        }
    }
}

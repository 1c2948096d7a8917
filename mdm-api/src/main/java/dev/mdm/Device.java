package dev.mdm;

import java.util.Objects;

/**
 * Where a backend computes. Asking for a GPU and not getting one is an error, never a silent CPU fallback.
 *
 * @param kind CPU or GPU
 * @param index device ordinal, 0 for the CPU
 */
public record Device(Kind kind, int index) {
    /** The kind of compute device. */
    public enum Kind {
        /** the host processor */
        CPU,
        /** a CUDA device */
        GPU
    }

    /** Validates the ordinal. */
    public Device {
        Objects.requireNonNull(kind, "kind");
        if (index < 0) {
            throw new InvalidInputException("index", "a device ordinal >= 0", String.valueOf(index));
        }
    }

    /** @return the host CPU */
    public static Device cpu() {
        return new Device(Kind.CPU, 0);
    }

    /**
     * @param index CUDA device ordinal
     * @return that GPU
     */
    public static Device gpu(int index) {
        return new Device(Kind.GPU, index);
    }

    /** @return true for a GPU */
    public boolean isGpu() {
        return kind == Kind.GPU;
    }

    @Override
    public String toString() {
        return kind == Kind.CPU ? "cpu" : "gpu:" + index;
    }

    /**
     * Parses {@code cpu}, {@code gpu} or {@code gpu:N}.
     *
     * @param text the device as written on a command line
     * @return the device
     */
    public static Device parse(String text) {
        String s = Objects.requireNonNull(text, "device").trim().toLowerCase(java.util.Locale.ROOT);
        if (s.equals("cpu")) {
            return cpu();
        }
        if (s.equals("gpu") || s.equals("cuda")) {
            return gpu(0);
        }
        if (s.startsWith("gpu:") || s.startsWith("cuda:")) {
            try {
                return gpu(Integer.parseInt(s.substring(s.indexOf(':') + 1)));
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
        }
        throw new InvalidInputException("device", "cpu, gpu or gpu:N", "'" + text + "'");
    }
}

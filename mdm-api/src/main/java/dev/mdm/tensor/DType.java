package dev.mdm.tensor;

import java.util.Locale;

/** Element types of a {@link Tensor}, with their safetensors names. */
public enum DType {
    /** IEEE 754 double. */
    F64(8, true),
    /** IEEE 754 single. */
    F32(4, true),
    /** IEEE 754 half. */
    F16(2, true),
    /** bfloat16: the upper half of a float32. */
    BF16(2, true),
    /** signed 64-bit integer. */
    I64(8, false),
    /** signed 32-bit integer. */
    I32(4, false),
    /** signed 8-bit integer. */
    I8(1, false),
    /** unsigned 8-bit integer. */
    U8(1, false),
    /** boolean stored as one byte, 0 or 1. */
    BOOL(1, false);

    private final int byteSize;
    private final boolean floating;

    DType(int byteSize, boolean floating) {
        this.byteSize = byteSize;
        this.floating = floating;
    }

    /** @return bytes per element */
    public int byteSize() {
        return byteSize;
    }

    /** @return true for the floating-point types */
    public boolean isFloating() {
        return floating;
    }

    /** @return the name used in safetensors headers */
    public String safetensorsName() {
        return name();
    }

    /**
     * @param name a safetensors dtype name such as {@code "F32"}
     * @return the dtype, or null if the name is not one MDM reads
     */
    public static DType fromSafetensorsName(String name) {
        if (name == null) {
            return null;
        }
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}

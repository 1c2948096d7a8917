package dev.mdm;

/** Numeric precision a backend computes in. Tolerances of the TCK follow it (SPEC §10). */
public enum Precision {
    /** float64 everywhere (the reference oracle). */
    FP64,
    /** float32 everywhere. The default. */
    FP32,
    /** bf16 storage and matrix inputs, fp32 accumulation and state. */
    BF16
}

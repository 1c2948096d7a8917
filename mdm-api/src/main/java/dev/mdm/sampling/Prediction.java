package dev.mdm.sampling;

/** What a {@link DenoisingFunction} returns. */
public enum Prediction {
    /** the clean sample x̂0 (MDM's network) */
    DATA,
    /** the noise ε̂ */
    NOISE
}

package dev.mdm;

/** How the continuous SSM parameters are discretized (SPEC §6 step 5). */
public enum Discretization {
    /** Zero-order hold, B̄ = ((exp(ΔA) − 1)/A)·B: the paper's Eq. 12-13. The default. */
    ZOH,
    /** Euler, B̄ = Δ·B: what mamba_ssm computes. */
    EULER
}

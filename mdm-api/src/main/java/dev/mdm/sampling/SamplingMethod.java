package dev.mdm.sampling;

/** How the sampler walks from noise to data (SPEC §8). */
public enum SamplingMethod {
    /** Multistep second-order DPM-Solver; the default. */
    DPM_SOLVER_2M,
    /** Singlestep second-order DPM-Solver. */
    DPM_SOLVER_2S,
    /** Ancestral DDPM over all T steps: the ablation's "Markov chain" baseline. */
    DDPM
}

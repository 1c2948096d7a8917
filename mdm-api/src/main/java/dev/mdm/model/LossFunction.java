package dev.mdm.model;

import dev.mdm.tensor.Tensor;

/** The training objective of SPEC §7, forward only. */
public interface LossFunction {
    /**
     * @param batch a batch with its noise drawn
     * @return every term of the loss
     */
    LossBreakdown compute(TrainingBatch batch);

    /**
     * Score entropy per token (SPEC §7).
     *
     * @param zt [m, dz]
     * @param zhat0 [m, dz]
     * @param candidates [m, K, dz], index 0 the true z₀
     * @param alphaBar [m], ᾱ_t of each token's time step, each in (0, 1)
     * @return se [m]
     */
    Tensor scoreEntropy(Tensor zt, Tensor zhat0, Tensor candidates, Tensor alphaBar);
}

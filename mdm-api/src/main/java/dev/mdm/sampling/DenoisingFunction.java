package dev.mdm.sampling;

import dev.mdm.tensor.Tensor;

/**
 * The model a sampler calls: x_t at continuous time t ∈ (0, 1] in, a prediction out. MDM's network is called with
 * t_input = (t − 1/T)·T (SPEC §8).
 */
public interface DenoisingFunction {
    /** @return whether {@link #predict} returns x̂0 or ε̂ */
    Prediction predicts();

    /**
     * @param x the current state, any shape
     * @param t continuous time in (0, 1]
     * @return the prediction, same shape as {@code x}
     */
    Tensor predict(Tensor x, double t);
}

package dev.mdm.model;

import dev.mdm.tensor.Tensor;

/**
 * The whole denoising network (SPEC §2): embeds {@code [TIME, CLASS, BOI, image…, BOT, text…]}, runs every Mamba
 * block, and predicts the clean latents x̂0 of the image and text tokens.
 */
public interface Denoiser {
    /**
     * @param latents z_t [b, n_img + Lt, dz], image tokens first; given (conditioning) tokens carry their clean z₀
     * @param timeInput network time t_input = t − 1 ∈ [0, T−1] per sample [b], any real value
     * @param classIds class per sample [b] (integer dtype), {@code classes} for the null class
     * @return x̂0 [b, n_img + Lt, dz]
     */
    Tensor predict(Tensor latents, Tensor timeInput, Tensor classIds);
}

package dev.mdm.model;

import dev.mdm.tensor.Tensor;

/**
 * The noisy-latent encoder (SPEC §3): one small MLP VAE per modality, applied to every token.
 */
public interface Encoder {
    /**
     * @param images [b, C, H, W], finite; the model was trained on values in [-1, 1], which the tasks of
     *     {@code MDM} require, while this component encodes any finite values, as SPEC §3's function does
     * @return μ and log σ² per patch token, [b, n_img, dz], tokens in row-major patch order
     */
    LatentDistribution encodeImage(Tensor images);

    /**
     * @param tokens token ids [b, Lt] (integer dtype), each in [0, V)
     * @return μ and log σ² per text token, [b, Lt, dz]
     */
    LatentDistribution encodeText(Tensor tokens);
}

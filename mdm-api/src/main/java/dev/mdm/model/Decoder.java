package dev.mdm.model;

import dev.mdm.tensor.Tensor;

/** The VAE decoders (SPEC §3): latents back to pixels and to token logits. */
public interface Decoder {
    /**
     * @param latents [b, n_img, dz]
     * @return images [b, C, H, W]
     */
    Tensor decodeImage(Tensor latents);

    /**
     * @param latents [b, Lt, dz]
     * @return logits [b, Lt, V]
     */
    Tensor decodeText(Tensor latents);
}

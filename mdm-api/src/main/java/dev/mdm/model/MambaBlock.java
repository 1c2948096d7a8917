package dev.mdm.model;

import dev.mdm.tensor.Tensor;

/**
 * Block i of the denoiser (SPEC §5): {@code x ← x + P_i⁻¹ · Mamba2(P_i · RMSNorm(x))}, where P_i is the scan-switch
 * permutation of block i.
 */
public interface MambaBlock {
    /** @return the block index */
    int index();

    /**
     * @param x the full sequence [b, L, d] (SPEC §2 layout)
     * @return the block output [b, L, d], residual included
     */
    Tensor forward(Tensor x);

    /**
     * @param u mixer input [b, l, d], any length
     * @return the Mamba-2 mixer alone on {@code u}
     */
    Tensor mixer(Tensor u);
}

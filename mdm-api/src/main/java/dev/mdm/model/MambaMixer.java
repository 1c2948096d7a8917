package dev.mdm.model;

import dev.mdm.tensor.Tensor;

/**
 * A Mamba-2 mixer bound to its weights (SPEC §6): in_proj, causal conv1d + SiLU, SSD scan, gated RMSNorm, out_proj.
 * No pre-norm and no residual: see {@link MambaBlock} for those.
 */
public interface MambaMixer extends AutoCloseable {
    /** @return its sizes */
    MambaShape shape();

    /**
     * @param u input [b, l, d]
     * @return output [b, l, d]
     */
    Tensor forward(Tensor u);

    /** Frees its weights. Idempotent. */
    @Override
    void close();
}

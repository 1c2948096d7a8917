package dev.mdm.backend.jcuda.training;

import dev.mdm.MdmConfig;
import dev.mdm.backend.jcuda.cuda.CudaContext;
import dev.mdm.model.LossBreakdown;
import dev.mdm.model.TrainingBatch;

/**
 * The VAE of SPEC §3, the forward diffusion of §4 and every loss term of §7, forward and backward, fp32 on the device.
 * OWNER: helper B1 (see TRAINING.md). Not thread-safe; one per training session.
 */
public final class VaeLossTrainer implements AutoCloseable {
    /**
     * @param cuda the device
     * @param config model sizes
     * @param arena weights and gradients (names {@code vae.*})
     * @param maxBatch the most samples one call will see
     */
    public VaeLossTrainer(CudaContext cuda, MdmConfig config, ParameterArena arena, int maxBatch) {
        throw new UnsupportedOperationException("VaeLossTrainer: to be written (TRAINING.md, helper B1)");
    }

    /**
     * Uploads the batch, encodes, reparameterizes and noises: writes z_t to {@code zt}.
     *
     * @param batch a validated batch
     * @param zt fp32 [b, n_img + Lt, dz]: √ᾱ_t z_0 + √(1−ᾱ_t) ε where noised, z_0 where given clean
     */
    public void encode(TrainingBatch batch, long zt) {
        throw new UnsupportedOperationException();
    }

    /**
     * Every loss term given the denoiser's ẑ_0; writes ∂L/∂ẑ_0 and adds the decoders' gradients.
     *
     * @param zhat0 fp32 [b, n_img + Lt, dz]
     * @param dZhat0 fp32 [b, n_img + Lt, dz], written
     */
    public void lossAndGradient(long zhat0, long dZhat0) {
        throw new UnsupportedOperationException();
    }

    /**
     * Finishes the backward pass into the encoder: {@code dZt} is ∂L/∂z_t through the denoiser only; the paths through
     * z_0 (reconstruction, KL, score-entropy candidates and targets, z_t's own dependence) are added here.
     *
     * @param dZt fp32 [b, n_img + Lt, dz]
     */
    public void backwardEncoder(long dZt) {
        throw new UnsupportedOperationException();
    }

    /** @return the terms of the last {@link #lossAndGradient}, means over the batch (downloads, synchronizes) */
    public LossBreakdown losses() {
        throw new UnsupportedOperationException();
    }

    @Override
    public void close() {
    }
}

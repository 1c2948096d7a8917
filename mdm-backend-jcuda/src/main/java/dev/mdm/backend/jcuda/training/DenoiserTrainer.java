package dev.mdm.backend.jcuda.training;

import dev.mdm.MdmConfig;
import dev.mdm.backend.jcuda.cuda.CudaContext;

/**
 * The denoiser of SPEC §2 (time MLP, sequence embedding, the M blocks through {@link BlockTrainer}, norm_f,
 * latent_out), forward and backward, fp32. Keeps the residual stream at every block boundary for the backward pass.
 * OWNER: helper B2 (see TRAINING.md). Not thread-safe.
 */
public final class DenoiserTrainer implements AutoCloseable {
    /**
     * @param cuda the device
     * @param config model sizes
     * @param arena weights and gradients
     * @param blocks the block layer
     * @param maxBatch the most samples one call will see
     */
    public DenoiserTrainer(CudaContext cuda, MdmConfig config, ParameterArena arena, BlockTrainer blocks, int maxBatch) {
        throw new UnsupportedOperationException("DenoiserTrainer: to be written (TRAINING.md, helper B2)");
    }

    /**
     * @param zt fp32 [b, n_img + Lt, dz] latents
     * @param timeInput fp32 [b] t − 1
     * @param classIds int32 [b]
     * @param batch samples
     * @param zhat0 fp32 [b, n_img + Lt, dz], written
     */
    public void forward(long zt, long timeInput, long classIds, int batch, long zhat0) {
        throw new UnsupportedOperationException();
    }

    /**
     * @param dZhat0 ∂L/∂ẑ_0
     * @param dZt ∂L/∂z_t through the denoiser, written
     * @param batch samples
     */
    public void backward(long dZhat0, long dZt, int batch) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void close() {
    }
}

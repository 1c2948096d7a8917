package dev.mdm.backend.jcuda.training;

import dev.mdm.MdmConfig;
import dev.mdm.backend.jcuda.cuda.CudaContext;

/**
 * Forward and backward of one residual Mamba block of SPEC §5-§6 in fp32:
 * {@code out = x + P⁻¹ · Mamba2(P · RMSNorm(x))}. Backward recomputes the block's activations from its input
 * (activation recomputation: only the residual stream is kept between forward and backward).
 * OWNER: helper A (see TRAINING.md). Not thread-safe; one per training session.
 */
public final class BlockTrainer implements AutoCloseable {
    /**
     * @param cuda the device
     * @param config model sizes
     * @param arena weights and gradients (names {@code blocks.i.norm.weight}, {@code blocks.i.mixer.*})
     * @param maxBatch the most samples one call will see (scratch is sized for it once)
     */
    public BlockTrainer(CudaContext cuda, MdmConfig config, ParameterArena arena, int maxBatch) {
        throw new UnsupportedOperationException("BlockTrainer: to be written (TRAINING.md, helper A)");
    }

    /**
     * @param block block index i
     * @param x fp32 [batch, L, d] block input
     * @param out fp32 [batch, L, d] block output (not x)
     * @param batch samples
     */
    public void forward(int block, long x, long out, int batch) {
        throw new UnsupportedOperationException();
    }

    /**
     * @param block block index i
     * @param x the block input given to {@link #forward}
     * @param dOut fp32 [batch, L, d] ∂L/∂out
     * @param dX fp32 [batch, L, d] ∂L/∂x, written (not accumulated); may not alias dOut
     * @param batch samples
     */
    public void backward(int block, long x, long dOut, long dX, int batch) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void close() {
    }
}

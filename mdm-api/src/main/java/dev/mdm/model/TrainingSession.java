package dev.mdm.model;

/**
 * Training of one loaded model: backward pass, clipping, AdamW and EMA (see {@link OptimizerSettings}).
 * Not thread-safe. Closing it frees optimizer state; the model keeps the trained weights.
 */
public interface TrainingSession extends AutoCloseable {
    /**
     * @param batch a batch with its noise drawn
     * @return L_total and its gradient, without changing anything
     */
    GradientResult gradients(TrainingBatch batch);

    /**
     * One optimizer step: forward, backward, clip, AdamW, EMA.
     *
     * @param batch a batch with its noise drawn
     * @return the loss before the update
     */
    LossBreakdown step(TrainingBatch batch);

    /** @return number of steps taken, resumed ones included */
    long steps();

    /** @return the EMA weights */
    Parameters emaParameters();

    /**
     * @return everything needed to resume exactly: {@code adam.m.NAME}, {@code adam.v.NAME}, {@code ema.NAME} per
     *     parameter and {@code adam.step} (a 0-d I64)
     */
    Parameters optimizerState();

    /** Frees optimizer state. Idempotent. */
    @Override
    void close();
}

package dev.mdm.training;

import dev.mdm.model.LossBreakdown;

/**
 * Where training stands after one optimizer step.
 *
 * @param step steps taken in this run, 1-based
 * @param totalSteps steps this run will take
 * @param loss every term of the loss of this step's batch, before the update
 * @param samplesPerSecond examples per second over this step (batch building included)
 * @param optimizerStep the optimizer's step count after this step, the steps of the run it resumed included
 *     ({@link dev.mdm.model.TrainingSession#steps()}, saved as {@code adam.step}); equals {@code step} in a run that
 *     did not resume, so the loss curves of a run and of its resumption line up on it
 */
public record TrainingProgress(long step, long totalSteps, LossBreakdown loss, double samplesPerSecond, long optimizerStep) {
    /**
     * Progress of a run that did not resume: {@code optimizerStep} is {@code step}.
     *
     * @param step steps taken in this run, 1-based
     * @param totalSteps steps this run will take
     * @param loss every term of the loss of this step's batch, before the update
     * @param samplesPerSecond examples per second over this step (batch building included)
     */
    public TrainingProgress(long step, long totalSteps, LossBreakdown loss, double samplesPerSecond) {
        this(step, totalSteps, loss, samplesPerSecond, step);
    }
}

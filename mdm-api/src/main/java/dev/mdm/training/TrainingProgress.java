package dev.mdm.training;

import dev.mdm.model.LossBreakdown;

/**
 * Where training stands after one optimizer step.
 *
 * @param step steps taken in this run, 1-based
 * @param totalSteps steps this run will take
 * @param loss every term of the loss of this step's batch, before the update
 * @param samplesPerSecond examples per second over this step (batch building included)
 */
public record TrainingProgress(long step, long totalSteps, LossBreakdown loss, double samplesPerSecond) {
}

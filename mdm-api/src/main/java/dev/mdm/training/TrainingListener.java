package dev.mdm.training;

import java.nio.file.Path;

/** Hears about training as it goes. Called on the training thread; keep it quick. */
@FunctionalInterface
public interface TrainingListener {
    /**
     * @param progress the step just taken
     */
    void onStep(TrainingProgress progress);

    /**
     * @param step the step after which it was written
     * @param file the checkpoint written
     */
    default void onCheckpoint(long step, Path file) {
    }
}

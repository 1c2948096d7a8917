package dev.mdm.sampling;

import dev.mdm.tensor.Tensor;
import java.util.List;

/**
 * The states a sampler visited (SPEC §8): for DPM-Solver 2M, x_T then the state after each step; for 2S, the state
 * after each outer step; for DDPM, x_T then each of the T states.
 *
 * @param states the states, first to last
 * @param times continuous time of each state
 */
public record Trajectory(List<Tensor> states, List<Double> times) {
    /** Copies the lists. */
    public Trajectory {
        states = List.copyOf(states);
        times = List.copyOf(times);
    }

    /** @return the final sample x_0 */
    public Tensor last() {
        return states.get(states.size() - 1);
    }
}

package dev.mdm.sampling;

import dev.mdm.ConfigurationException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a {@link Sampler} does.
 *
 * @param method DPM-Solver 2M, 2S or DDPM
 * @param algorithm data- or noise-prediction form (ignored by DDPM)
 * @param grid time-step grid (ignored by DDPM)
 * @param steps function evaluations (DPM-Solver; ≥ 1); DDPM always takes T
 */
public record SamplerSettings(SamplingMethod method, SolverAlgorithm algorithm, StepGrid grid, int steps) {
    /** Validates, reporting every violation. */
    public SamplerSettings {
        List<String> v = new ArrayList<>();
        if (method == null) v.add("method must not be null");
        if (algorithm == null) v.add("algorithm must not be null");
        if (grid == null) v.add("grid must not be null");
        if (steps < 1) v.add("steps must be >= 1, got " + steps);
        if (!v.isEmpty()) {
            throw new ConfigurationException("SamplerSettings", v);
        }
    }

    /** @return DPM-Solver++ 2M, 20 steps, uniform in time */
    public static SamplerSettings defaults() {
        return new SamplerSettings(SamplingMethod.DPM_SOLVER_2M, SolverAlgorithm.DPM_SOLVER_PLUS_PLUS, StepGrid.TIME_UNIFORM, 20);
    }

    /**
     * @param n function evaluations
     * @return a copy with that many steps
     */
    public SamplerSettings withSteps(int n) {
        return new SamplerSettings(method, algorithm, grid, n);
    }

    /**
     * @param m method
     * @return a copy with that method
     */
    public SamplerSettings withMethod(SamplingMethod m) {
        return new SamplerSettings(m, algorithm, grid, steps);
    }

    /**
     * @param a the data- or noise-prediction form of DPM-Solver
     * @return a copy with that form
     */
    public SamplerSettings withAlgorithm(SolverAlgorithm a) {
        return new SamplerSettings(method, a, grid, steps);
    }

    /**
     * @param g the time-step grid
     * @return a copy with that grid
     */
    public SamplerSettings withGrid(StepGrid g) {
        return new SamplerSettings(method, algorithm, g, steps);
    }
}

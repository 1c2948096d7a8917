package dev.mdm.examples.cli;

import dev.mdm.examples.model.ModelChoice;
import dev.mdm.sampling.SamplerSettings;
import dev.mdm.sampling.SamplingMethod;
import dev.mdm.sampling.SolverAlgorithm;
import dev.mdm.sampling.StepGrid;
import picocli.CommandLine.Option;

/** The sampler options of the commands that sample (a picocli mixin); each command keeps its own {@code --steps}. */
public final class SamplerOptions {
    @Option(names = "--sampler", paramLabel = "METHOD",
            description = "Sampling method (default DPM_SOLVER_2M). Valid values: ${COMPLETION-CANDIDATES}.")
    SamplingMethod method;

    @Option(names = "--grid", paramLabel = "GRID",
            description = "Where the solver's time points lie (default TIME_UNIFORM). Valid values: ${COMPLETION-CANDIDATES}.")
    StepGrid grid;

    @Option(names = "--solver", paramLabel = "FORM",
            description = "DPM-Solver's model form (default DPM_SOLVER_PLUS_PLUS). Valid values: ${COMPLETION-CANDIDATES}.")
    SolverAlgorithm solver;

    /**
     * @param choice a model choice
     * @return the choice with the sampler these options name, the choice's own for what they leave out
     */
    ModelChoice applyTo(ModelChoice choice) {
        if (method == null && grid == null && solver == null) {
            return choice;
        }
        SamplerSettings base = choice.samplerOrDefault();
        return choice.withSampler(new SamplerSettings(method == null ? base.method() : method,
                solver == null ? base.algorithm() : solver, grid == null ? base.grid() : grid, base.steps()));
    }
}

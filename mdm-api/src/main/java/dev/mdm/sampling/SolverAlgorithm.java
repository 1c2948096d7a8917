package dev.mdm.sampling;

/** Which quantity DPM-Solver extrapolates (SPEC §8). */
public enum SolverAlgorithm {
    /** {@code dpmsolver++}: the data prediction x̂0. The default. */
    DPM_SOLVER_PLUS_PLUS("dpmsolver++"),
    /** {@code dpmsolver}: the noise prediction ε̂. */
    DPM_SOLVER("dpmsolver");

    private final String officialName;

    SolverAlgorithm(String officialName) {
        this.officialName = officialName;
    }

    /** @return the name in the official {@code dpm_solver_pytorch.py} */
    public String officialName() {
        return officialName;
    }

    /**
     * @param name {@code dpmsolver++} or {@code dpmsolver}
     * @return the algorithm
     */
    public static SolverAlgorithm fromOfficialName(String name) {
        for (SolverAlgorithm a : values()) {
            if (a.officialName.equals(name)) {
                return a;
            }
        }
        throw new dev.mdm.InvalidInputException("algorithm", "dpmsolver++ or dpmsolver", "'" + name + "'");
    }
}

package dev.mdm.sampling;

/** Where the solver's time points lie between t = 1 and t = 1/T (SPEC §8). */
public enum StepGrid {
    /** Uniform in t ({@code time_uniform}). */
    TIME_UNIFORM("time_uniform"),
    /** Uniform in log-SNR λ ({@code logSNR}). */
    LOG_SNR("logSNR");

    private final String officialName;

    StepGrid(String officialName) {
        this.officialName = officialName;
    }

    /** @return the {@code skip_type} name in the official code */
    public String officialName() {
        return officialName;
    }

    /**
     * @param name {@code time_uniform} or {@code logSNR}
     * @return the grid
     */
    public static StepGrid fromOfficialName(String name) {
        for (StepGrid g : values()) {
            if (g.officialName.equals(name)) {
                return g;
            }
        }
        throw new dev.mdm.InvalidInputException("skip", "time_uniform or logSNR", "'" + name + "'");
    }
}

package dev.mdm;

import java.util.List;

/**
 * A configuration (an {@link MdmConfig}, an {@link MDM.Builder}, sampler settings …) is invalid. Every violation
 * found is listed, so that one run shows all of them.
 */
public class ConfigurationException extends MdmException {
    /** Serialization version of this exception. */
    private static final long serialVersionUID = 1L;
    /** Every violated rule, one line each. */
    private final List<String> violations;

    /**
     * @param what the object being configured, e.g. {@code "MdmConfig"}
     * @param violations one readable line per violated rule, naming the field and echoing the bad value
     */
    public ConfigurationException(String what, List<String> violations) {
        super(what + " is invalid (" + violations.size() + (violations.size() == 1 ? " problem" : " problems") + "):\n  - "
                + String.join("\n  - ", violations));
        this.violations = List.copyOf(violations);
    }

    /** @return every violated rule, one line each */
    public List<String> violations() {
        return violations;
    }
}

package dev.mdm;

import java.util.List;

/**
 * A backend was found but cannot run here (no GPU, wrong driver, native library missing …), or none of the found
 * backends can. Carries every probe reason.
 */
public class BackendUnavailableException extends MdmException {
    /** Serialization version of this exception. */
    private static final long serialVersionUID = 1L;
    /** Every probe reason, one line each. */
    private final List<String> reasons;

    /**
     * @param message summary of what was asked for
     * @param reasons one line per reason, prefixed with the backend name
     */
    public BackendUnavailableException(String message, List<String> reasons) {
        super(reasons.isEmpty() ? message : message + "\n  - " + String.join("\n  - ", reasons));
        this.reasons = List.copyOf(reasons);
    }

    /**
     * @param message summary of what was asked for
     * @param reasons one line per reason
     * @param cause the underlying failure
     */
    public BackendUnavailableException(String message, List<String> reasons, Throwable cause) {
        super(reasons.isEmpty() ? message : message + "\n  - " + String.join("\n  - ", reasons), cause);
        this.reasons = List.copyOf(reasons);
    }

    /** @return every reason reported by the probes */
    public List<String> reasons() {
        return reasons;
    }
}

package dev.mdm;

/**
 * Root of every exception MDM throws on purpose. Unchecked, so that callers handle only what they can act on.
 */
public class MdmException extends RuntimeException {
    /** Serialization version of this exception. */
    private static final long serialVersionUID = 1L;

    /** @param message what went wrong and, where possible, what to do about it */
    public MdmException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong and, where possible, what to do about it
     * @param cause the underlying failure
     */
    public MdmException(String message, Throwable cause) {
        super(message, cause);
    }
}

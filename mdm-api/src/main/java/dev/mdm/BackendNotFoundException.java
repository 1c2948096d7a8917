package dev.mdm;

/**
 * No backend of the requested name is on the class path. The message lists the names that were found, and for a
 * known backend name the Maven artifact to add.
 */
public class BackendNotFoundException extends MdmException {
    /** Serialization version of this exception. */
    private static final long serialVersionUID = 1L;

    /** @param message which name was asked for, what was found and what to add */
    public BackendNotFoundException(String message) {
        super(message);
    }
}

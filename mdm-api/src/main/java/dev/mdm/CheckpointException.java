package dev.mdm;

/**
 * A checkpoint (safetensors file) cannot be read or written: malformed header, out-of-range offsets, checksum
 * mismatch, missing or misshaped parameters, or an I/O failure. A failed write never replaces an existing file.
 */
public class CheckpointException extends MdmException {
    /** Serialization version of this exception. */
    private static final long serialVersionUID = 1L;

    /** @param message what is wrong with which file */
    public CheckpointException(String message) {
        super(message);
    }

    /**
     * @param message what is wrong with which file
     * @param cause the underlying failure
     */
    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}

package dev.mdm.text;

import dev.mdm.MdmException;

/**
 * A tokenizer cannot be made or trained: its library or tool is missing, its native code cannot load, a model file
 * is not a SentencePiece model, or {@code spm_train} failed. The message says what to install or fix.
 */
public class TokenizerException extends MdmException {
    /** Serialization version of this exception. */
    private static final long serialVersionUID = 1L;

    /** @param message what went wrong and what to do about it */
    public TokenizerException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong and what to do about it
     * @param cause the underlying failure
     */
    public TokenizerException(String message, Throwable cause) {
        super(message, cause);
    }
}

package dev.mdm;

/**
 * An argument of a public method is not acceptable: wrong shape or dtype, a non-finite value or out of range. The
 * message names the argument, what was expected and what was given. Thrown before any native code sees the input. (A
 * closed object is an {@link IllegalStateException}; a null builder argument a {@link NullPointerException} naming
 * it, but for a backend name.)
 */
public class InvalidInputException extends MdmException {
    /** Serialization version of this exception. */
    private static final long serialVersionUID = 1L;
    /** The name of the offending argument. */
    private final String argument;

    /**
     * @param argument the parameter name as the caller knows it, e.g. {@code "image"}
     * @param expected what would have been accepted
     * @param actual what was given
     */
    public InvalidInputException(String argument, String expected, String actual) {
        super("invalid argument '" + argument + "': expected " + expected + ", got " + actual);
        this.argument = argument;
    }

    /** @return the name of the offending argument */
    public String argument() {
        return argument;
    }
}

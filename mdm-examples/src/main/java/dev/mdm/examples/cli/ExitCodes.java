package dev.mdm.examples.cli;

/** What the {@code mdm} command's exit status means. */
public final class ExitCodes {
    /** Success. */
    public static final int OK = 0;
    /** The work itself failed (a bug, an I/O error, a failed check). */
    public static final int FAILED = 1;
    /** The command line or an input was wrong; the message says which. */
    public static final int USAGE = 2;
    /** No backend could be found or run here; {@code mdm diagnose} says why. */
    public static final int NO_BACKEND = 3;
    /** A checkpoint or tokenizer file could not be read or written. */
    public static final int BAD_FILE = 4;

    private ExitCodes() {
    }
}

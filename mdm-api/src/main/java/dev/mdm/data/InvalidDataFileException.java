package dev.mdm.data;

import dev.mdm.MdmException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A data file is missing, unreadable or not what it claims to be (bad magic number, truncated, sizes that do not add
 * up, labels out of range). The message names the file and the problem.
 */
public class InvalidDataFileException extends MdmException {
    /** Serialization version of this exception. */
    private static final long serialVersionUID = 1L;
    /** The offending file; not serialized, as {@link Path} is not serializable. */
    private final transient Path file;
    /** What is wrong with the file, in words. */
    private final String problem;

    /**
     * @param file the offending file
     * @param problem what is wrong with it, in words
     */
    public InvalidDataFileException(Path file, String problem) {
        this(file, problem, null);
    }

    /**
     * @param file the offending file
     * @param problem what is wrong with it, in words
     * @param cause the underlying failure, or null
     */
    public InvalidDataFileException(Path file, String problem, Throwable cause) {
        super(Objects.requireNonNull(file, "file") + ": " + problem, cause);
        this.file = file;
        this.problem = problem;
    }

    /** @return the offending file */
    public Path file() {
        return file;
    }

    /** @return what is wrong with it */
    public String problem() {
        return problem;
    }
}

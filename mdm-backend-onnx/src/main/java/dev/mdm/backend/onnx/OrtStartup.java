package dev.mdm.backend.onnx;

import ai.onnxruntime.OrtEnvironment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * Creates ONNX Runtime's process-wide {@link OrtEnvironment} on a thread of its own with a stack sized for it, so
 * that no JVM flag ({@code -Xss}) is needed.
 *
 * <p>Why: ONNX Runtime 1.29's POSIX telemetry matches regular expressions against the process command line while it
 * creates the environment, and libstdc++'s {@code std::regex} recurses once per character: about 260 bytes of native
 * stack per command-line byte on the calling thread. A JVM with the default 1 MiB thread stack dies with SIGSEGV
 * (and no {@code hs_err} file) as soon as its command line passes about 4 000 bytes, which a class path of a few dozen
 * jars does (JMH forks, {@code bin/conformance}). Only the creation recurses: sessions and runs need no more than
 * ordinary stacks, so they stay on the caller's thread and cost nothing extra.
 */
final class OrtStartup {
    /** Stack for everything but the command line: the environment itself needs well under 1 MiB. */
    private static final long BASE_STACK_BYTES = 16L << 20;
    /** Four times the measured 260 bytes per command-line byte. */
    private static final long STACK_BYTES_PER_COMMAND_LINE_BYTE = 1024;

    private static OrtEnvironment environment;

    private OrtStartup() {
    }

    /**
     * @return the process-wide environment, created on the first call
     * @throws IllegalStateException as {@link OrtEnvironment#getEnvironment()} throws it when ONNX Runtime fails
     */
    static synchronized OrtEnvironment environment() {
        if (environment == null) {
            environment = createOnLargeStack();
        }
        return environment;
    }

    /** @return the stack size the creating thread gets, from this process's command line */
    static long stackBytes() {
        return BASE_STACK_BYTES + STACK_BYTES_PER_COMMAND_LINE_BYTE * commandLineBytes();
    }

    private static long commandLineBytes() {
        try {
            return Files.readAllBytes(Path.of("/proc/self/cmdline")).length;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            // not Linux: what ONNX Runtime reads there is unknown; the base size is the guess
            return 0;
        }
    }

    private static OrtEnvironment createOnLargeStack() {
        FutureTask<OrtEnvironment> creation = new FutureTask<>(OrtEnvironment::getEnvironment);
        Thread thread = new Thread(null, creation, "mdm-onnx-environment", stackBytes());
        thread.setDaemon(true);
        thread.start();
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return creation.get();
                } catch (InterruptedException e) {
                    // the native creation cannot be cancelled; wait for it and keep the caller's interrupt
                    interrupted = true;
                }
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("creating the ONNX Runtime environment failed", cause);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

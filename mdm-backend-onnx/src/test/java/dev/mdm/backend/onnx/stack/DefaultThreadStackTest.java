package dev.mdm.backend.onnx.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ONNX Runtime 1.29 recurses on the calling thread's native stack in proportion to the process's command line while
 * it creates its environment (see the module README). These tests fork JVMs the way users start them, with the
 * default 1 MiB thread stack and a long command line, and require the backend to work in them.
 */
@DisplayName("The onnx backend needs no -Xss flag")
class DefaultThreadStackTest {
    /** A long command line, as a class path of a few hundred jars gives one: old code needed about 5 MiB of stack. */
    private static final String PADDING = "x".repeat(20_000);

    @TempDir
    Path directory;

    @Test
    @DisplayName("a JVM with 1 MiB thread stacks and a 20 kB command line runs the tiny and fashion denoisers")
    void runsWithTheDefaultStackAndALongCommandLine() throws Exception {
        Fork fork = fork(List.of("-Xss1m", "-Dmdm.test.padding=" + PADDING), "tiny", "fashion");
        assertThat(fork.exitCode).as("exit status (139 = SIGSEGV); output:%n%s", fork.output).isZero();
        assertThat(fork.output).contains("tiny: denoiser output [4, ", "fashion: denoiser output [4, ",
                DefaultStackWorkload.DONE);
    }

    @Test
    @DisplayName("a JVM started with no stack flag and a 20 kB command line runs the tiny denoiser")
    void runsWithNoStackFlag() throws Exception {
        Fork fork = fork(List.of("-Dmdm.test.padding=" + PADDING), "tiny");
        assertThat(fork.exitCode).as("exit status (139 = SIGSEGV); output:%n%s", fork.output).isZero();
        assertThat(fork.output).contains(DefaultStackWorkload.DONE);
    }

    private record Fork(int exitCode, String output) {
    }

    private Fork fork(List<String> jvmOptions, String... presets) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--enable-native-access=ALL-UNNAMED");
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(DefaultStackWorkload.class.getName());
        command.addAll(List.of(presets));
        Path log = directory.resolve("fork.log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(3, TimeUnit.MINUTES)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("the forked JVM did not finish in 3 minutes; output:\n" + Files.readString(log));
        }
        return new Fork(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }
}

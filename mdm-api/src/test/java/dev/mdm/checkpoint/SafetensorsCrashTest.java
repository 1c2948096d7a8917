package dev.mdm.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mdm.tensor.Tensor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(120)
@DisplayName("Safetensors writes survive a process killed mid-write")
class SafetensorsCrashTest {
    private static final int MIB = 32;

    @TempDir
    Path dir;

    @Test
    @DisplayName("a JVM killed halfway through overwriting a checkpoint leaves the old one intact and loadable")
    void killedHalfway() throws Exception {
        Path target = dir.resolve("model.safetensors");
        writeOld(target);
        byte[] before = Files.readAllBytes(target);

        Process child = start(target, "pause");
        try {
            String line = awaitLine(child, "HALFWAY");
            assertThat(line).as("child output").startsWith("HALFWAY");
        } finally {
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }

        assertThat(Files.readAllBytes(target)).isEqualTo(before);
        SafetensorsFile read = Safetensors.read(target);
        assertThat(read.metadata()).containsEntry("generation", "old");
        assertThat(read.tensors().get("old").toFloatArray()).containsExactly(1, 2, 3);
        // the half-written temporary file is there (the kill did land mid-write), under a name no reader takes for it
        List<Path> others = others(target);
        assertThat(others).hasSize(1);
        Path tmp = others.get(0);
        assertThat(tmp.getFileName().toString()).startsWith(".model.safetensors.").endsWith(".tmp");
        assertThat(Files.size(tmp)).isGreaterThanOrEqualTo((long) MIB << 19);
        // and a later save over it works
        Safetensors.write(target, Map.of("next", Tensor.scalar(1)), Map.of());
        assertThat(Safetensors.read(target).tensors()).containsOnlyKeys("next");
    }

    @Test
    @DisplayName("a JVM killed at an arbitrary moment of repeated saves leaves a complete, checksummed checkpoint")
    void killedAnywhere() throws Exception {
        Path target = dir.resolve("model.safetensors");
        writeOld(target);

        Process child = start(target, "loop");
        try {
            assertThat(awaitLine(child, "WRITING")).isEqualTo("WRITING");
            Thread.sleep(1500);
        } finally {
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }

        SafetensorsFile read = Safetensors.read(target);
        String generation = read.metadata().get("generation");
        if (generation.equals("old")) {
            assertThat(read.tensors()).containsOnlyKeys("old");
        } else {
            assertThat(generation).startsWith("new-");
            assertThat(read.tensors()).hasSize(MIB);
            assertThat(read.tensors().get("layer." + (MIB - 1)).getDouble(12345)).isEqualTo(MIB);
        }
    }

    private static void writeOld(Path target) {
        Safetensors.write(target, Map.of("old", Tensor.ofFloats(new float[] {1, 2, 3}, 3)), Map.of("generation", "old"));
    }

    private List<Path> others(Path target) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !p.equals(target)).toList();
        }
    }

    private static Process start(Path target, String mode) throws IOException {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                CrashingWriter.class.getName(), target.toString(), Integer.toString(MIB), mode));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    /** Reads the child's output until a line starting with {@code prefix}; fails with everything it printed if it exits first. */
    private static String awaitLine(Process child, String prefix) throws IOException {
        StringBuilder seen = new StringBuilder();
        BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = r.readLine()) != null;) {
            if (line.startsWith(prefix)) {
                return line;
            }
            seen.append(line).append('\n');
        }
        throw new AssertionError("the child exited (" + child.onExit().join().exitValue() + ") before printing "
                + prefix + ":\n" + seen);
    }
}

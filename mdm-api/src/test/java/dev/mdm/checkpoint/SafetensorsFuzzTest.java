package dev.mdm.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.mdm.CheckpointException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Coverage-guided fuzzing of {@link Safetensors#read} with Jazzer. A read must either return tensors or throw
 * {@link CheckpointException}; anything else (another exception, an out-of-memory from a size the header claims, a
 * hang) is a bug, and so is a file that reads but does not survive a write-read round trip.
 *
 * <p>By default this runs in regression mode: the seeds and every crashing input kept in
 * {@code src/test/resources/dev/mdm/checkpoint/SafetensorsFuzzTestInputs/readAcceptsOrRejectsCleanly/}. To fuzz for
 * 25 s (coverage needs Jazzer's instrumentation, which regression runs skip):
 * {@code JAZZER_FUZZ=1 mvn -B -pl mdm-api verify -Djazzer.hooks=true -Dtest=SafetensorsFuzzTest}. New crashing inputs
 * are written into that directory and must be committed there.
 */
class SafetensorsFuzzTest {
    private static final Path FILE;

    static {
        try {
            FILE = Files.createTempFile("mdm-fuzz", ".safetensors");
            FILE.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "25s")
    @DictionaryEntries({"\"dtype\"", "\"shape\"", "\"data_offsets\"", "\"__metadata__\"", "\"mdm.sha256\"", "\"F64\"",
            "\"F32\"", "\"F16\"", "\"BF16\"", "\"I64\"", "\"I32\"", "\"I8\"", "\"U8\"", "\"BOOL\"", "[0,4]", "[]", "{}"})
    void readAcceptsOrRejectsCleanly(byte[] content) throws IOException {
        Files.write(FILE, content);
        SafetensorsFile file;
        try {
            file = Safetensors.read(FILE);
        } catch (CheckpointException expected) {
            assertThat(expected.getMessage()).startsWith(FILE.toString()).hasSizeLessThan(2000);
            return;
        }
        Path copy = FILE.resolveSibling(FILE.getFileName() + ".copy");
        try {
            Safetensors.write(copy, file.tensors(), file.metadata());
            SafetensorsFile back = Safetensors.read(copy);
            assertThat(back.tensors().keySet()).containsExactlyElementsOf(file.tensors().keySet());
            file.tensors().forEach((n, t) -> assertThat(back.tensors().get(n).contentEquals(t)).as(n).isTrue());
        } finally {
            Files.deleteIfExists(copy);
        }
    }
}

package dev.mdm.data;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Coverage-guided fuzzing of {@link IdxReader} with Jazzer. A read must either return an array that is exactly what
 * the file holds or throw {@link InvalidDataFileException} naming the file; anything else (another exception, an
 * out-of-memory from dimensions the header claims, a hang) is a bug.
 *
 * <p>The rank asked for is the one the file's fourth byte claims (1 when that is 0 or the file is shorter), so the
 * fuzzer explores every rank; rank-1 files are also read as labels of 10 classes. The reader's limit is 1 MiB, so a
 * header that claims more is rejected by the limit and a gzip bomb cannot exhaust the heap.
 *
 * <p>By default this runs in regression mode: the seeds and every crashing input kept in
 * {@code src/test/resources/dev/mdm/data/IdxReaderFuzzTestInputs/readAcceptsOrRejectsCleanly/}. To fuzz for 25 s
 * (coverage needs Jazzer's instrumentation, which regression runs skip):
 * {@code JAZZER_FUZZ=1 mvn -B -pl mdm-api verify -Djazzer.hooks=true -Dtest=IdxReaderFuzzTest}. New crashing inputs
 * are written into that directory and must be committed there.
 */
class IdxReaderFuzzTest {
    private static final int LIMIT = 1 << 20;
    private static final Path FILE;
    private static final IdxReader READER = new IdxReader(LIMIT);

    static {
        try {
            FILE = Files.createTempFile("mdm-fuzz", ".idx");
            FILE.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "25s")
    void readAcceptsOrRejectsCleanly(byte[] content) throws IOException {
        Files.write(FILE, content);
        int rank = content.length > 3 && content[3] != 0 ? content[3] & 0xff : 1;
        IdxArray array;
        try {
            array = READER.read(FILE, rank);
        } catch (InvalidDataFileException expected) {
            assertThat(expected.getMessage()).startsWith(FILE + ": ").hasSizeLessThan(2000);
            assertThat(expected.file()).isEqualTo(FILE);
            return;
        }
        assertThat(array.rank()).isEqualTo(rank);
        long count = 1;
        for (int d : array.dimensions()) {
            assertThat(d).isPositive();
            count *= d;
        }
        assertThat(count).isEqualTo(array.length()).isLessThanOrEqualTo(LIMIT);
        // what was accepted is exactly the file's content: re-encoding gives back its (decompressed) bytes
        assertThat(encode(array)).isEqualTo(plain(content));
        if (rank == 1) {
            try {
                IdxArray labels = READER.readLabels(FILE, 10);
                for (int i = 0; i < labels.length(); i++) {
                    assertThat(labels.get(i)).isBetween(0, 9);
                }
            } catch (InvalidDataFileException expected) {
                assertThat(expected.getMessage()).startsWith(FILE + ": ").contains("expected a class in [0, 10)");
            }
        }
    }

    private static byte[] encode(IdxArray a) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * a.rank() + a.length());
        b.put((byte) 0).put((byte) 0).put((byte) 0x08).put((byte) a.rank());
        for (int d : a.dimensions()) {
            b.putInt(d);
        }
        for (int i = 0; i < a.length(); i++) {
            b.put((byte) a.get(i));
        }
        return b.array();
    }

    private static byte[] plain(byte[] content) throws IOException {
        boolean gzip = content.length >= 2 && (content[0] & 0xff) == 0x1f && (content[1] & 0xff) == 0x8b;
        if (!gzip) {
            return content;
        }
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(content))) {
            return in.readAllBytes();
        }
    }
}

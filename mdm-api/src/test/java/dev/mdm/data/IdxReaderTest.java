package dev.mdm.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mdm.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("IdxReader")
class IdxReaderTest {
    private static final Path DEBIAN = Path.of(FashionMnist.DEBIAN_DIRECTORY);
    private final IdxReader reader = new IdxReader();

    private static AbstractThrowableAssert<?, ? extends Throwable> rejects(Runnable read, Path file, String problem) {
        return assertThatThrownBy(read::run).isInstanceOf(InvalidDataFileException.class)
                .hasMessageStartingWith(file.toString() + ": ").hasMessageContaining(problem);
    }

    @Test
    @DisplayName("reads the Debian package's Fashion-MNIST files: 60 000 and 10 000 images of 28×28, labels in [0, 10)")
    void readsTheRealFiles() {
        assumeTrue(Files.isRegularFile(DEBIAN.resolve("t10k-labels-idx1-ubyte.gz")),
                "the Debian package dataset-fashion-mnist is not installed (apt-get install dataset-fashion-mnist)");
        IdxArray test = reader.readImages(DEBIAN.resolve("t10k-images-idx3-ubyte.gz"));
        assertThat(test.dimensions()).containsExactly(10_000, 28, 28);
        IdxArray testLabels = reader.readLabels(DEBIAN.resolve("t10k-labels-idx1-ubyte.gz"), 10);
        assertThat(testLabels.dimensions()).containsExactly(10_000);
        int[] perClass = new int[10];
        for (int i = 0; i < testLabels.length(); i++) {
            perClass[testLabels.get(i)]++;
        }
        assertThat(perClass).containsOnly(1000);
        // Fashion-MNIST's first test image is an ankle boot (label 9) with a black border
        assertThat(testLabels.get(0)).isEqualTo(9);
        assertThat(test.get(0)).isZero();
        assertThat(Arrays.stream(test.slice(0, 784)).max().orElseThrow()).isGreaterThan(200);
        IdxArray train = reader.readImages(DEBIAN.resolve("train-images-idx3-ubyte.gz"));
        assertThat(train.dimensions()).containsExactly(60_000, 28, 28);
        assertThat(reader.readLabels(DEBIAN.resolve("train-labels-idx1-ubyte.gz"), 10).length()).isEqualTo(60_000);
    }

    @ParameterizedTest(name = "gzip = {0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("reads plain and gzip files alike, whatever their name")
    void readsPlainAndGzip(boolean gzip, @TempDir Path dir) {
        byte[] bytes = IdxBytes.images(3, 2, 4);
        Path file = IdxBytes.write(dir.resolve("images"), gzip ? IdxBytes.gzip(bytes) : bytes);
        IdxArray a = reader.readImages(file);
        assertThat(a.dimensions()).containsExactly(3, 2, 4);
        assertThat(a.rank()).isEqualTo(3);
        assertThat(a.length()).isEqualTo(24);
        assertThat(a.get(5)).isEqualTo((5 * 37) & 0xff);
        assertThat(a.slice(20, 4)).containsExactly((20 * 37) & 0xff, (21 * 37) & 0xff, (22 * 37) & 0xff,
                (23 * 37) & 0xff);
        assertThat(reader.readLabels(IdxBytes.write(dir.resolve("l"), IdxBytes.labels(0, 9, 3)), 10).get(1)).isEqualTo(9);
    }

    @Test
    @DisplayName("rejects a bad magic number, an unsupported element type and a wrong rank")
    void rejectsBadMagic(@TempDir Path dir) {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 0};
        Path notIdx = IdxBytes.write(dir.resolve("picture.png"), png);
        rejects(() -> reader.readImages(notIdx), notIdx, "bad magic number 0x89504E47");
        Path floats = IdxBytes.write(dir.resolve("floats"), IdxBytes.of(0x0D, new long[] {1}, new byte[4]));
        rejects(() -> reader.readLabels(floats, 10), floats, "element type 0x0D").hasMessageContaining("0x08");
        Path labels = IdxBytes.write(dir.resolve("labels"), IdxBytes.labels(1, 2));
        rejects(() -> reader.readImages(labels), labels, "has 1 dimensions (magic number 0x00000801), expected 3");
    }

    @Test
    @DisplayName("rejects truncated files: header, plain data and gzip data")
    void rejectsTruncation(@TempDir Path dir) {
        Path empty = IdxBytes.write(dir.resolve("empty"), new byte[0]);
        rejects(() -> reader.readLabels(empty, 10), empty, "truncated header: it ends after 0 bytes, the header needs 4");
        byte[] images = IdxBytes.images(10, 28, 28);
        Path shortHeader = IdxBytes.write(dir.resolve("short-header"), Arrays.copyOf(images, 9));
        rejects(() -> reader.readImages(shortHeader), shortHeader, "truncated header: it ends after 9 bytes, the header"
                + " needs 16");
        Path plain = IdxBytes.write(dir.resolve("plain"), Arrays.copyOf(images, images.length - 1));
        rejects(() -> reader.readImages(plain), plain, "need 7856 bytes, the file has 7855 (truncated)");
        Path gz = IdxBytes.write(dir.resolve("gz"), IdxBytes.gzip(Arrays.copyOf(images, images.length - 100)));
        rejects(() -> reader.readImages(gz), gz, "truncated: dimensions [10, 28, 28] need 7840 data bytes, the file"
                + " has 7740");
        byte[] wholeGzip = IdxBytes.gzip(images);
        Path cutGzip = IdxBytes.write(dir.resolve("cut.gz"), Arrays.copyOf(wholeGzip, wholeGzip.length / 2));
        rejects(() -> reader.readImages(cutGzip), cutGzip, "corrupt gzip stream");
    }

    @ParameterizedTest(name = "gzip = {0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("rejects trailing bytes after the data")
    void rejectsTrailingBytes(boolean gzip, @TempDir Path dir) {
        byte[] labels = Arrays.copyOf(IdxBytes.labels(1, 2, 3), 13);
        Path file = IdxBytes.write(dir.resolve("labels"), gzip ? IdxBytes.gzip(labels) : labels);
        rejects(() -> reader.readLabels(file, 10), file, "trailing bytes");
    }

    @ParameterizedTest(name = "gzip = {0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("rejects sizes that overflow or exceed the limit without allocating what the header claims")
    void rejectsHostileSizes(boolean gzip, @TempDir Path dir) {
        // 2^32−1 cubed overflows a long; each header is followed by 16 bytes only
        byte[] overflow = IdxBytes.of(0x08, new long[] {0xFFFF_FFFFL, 0xFFFF_FFFFL, 0xFFFF_FFFFL}, new byte[16]);
        Path big = IdxBytes.write(dir.resolve("overflow"), gzip ? IdxBytes.gzip(overflow) : overflow);
        rejects(() -> reader.readImages(big), big, "dimensions [4294967295, 4294967295, 4294967295] claim more than"
                + " 268435456 elements, the reader's limit");
        // under the limit, but the file holds 16 bytes: rejected by its length (plain) or as it is read (gzip)
        byte[] lying = IdxBytes.of(0x08, new long[] {200_000, 28, 28}, new byte[16]);
        Path liar = IdxBytes.write(dir.resolve("liar"), gzip ? IdxBytes.gzip(lying) : lying);
        rejects(() -> reader.readImages(liar), liar, gzip ? "the file has 16" : "the file has 32 (truncated)");
        byte[] zero = IdxBytes.of(0x08, new long[] {5, 0, 28}, new byte[0]);
        Path empty = IdxBytes.write(dir.resolve("zero"), gzip ? IdxBytes.gzip(zero) : zero);
        rejects(() -> reader.readImages(empty), empty, "dimension 1 of [5, 0, 28] is 0, expected ≥ 1");
    }

    @Test
    @DisplayName("rejects labels outside the classes, naming the first one")
    void rejectsLabelsOutOfRange(@TempDir Path dir) {
        Path file = IdxBytes.write(dir.resolve("labels"), IdxBytes.labels(3, 9, 10, 255));
        rejects(() -> reader.readLabels(file, 10), file, "label 2 is 10, expected a class in [0, 10)");
        assertThat(reader.readLabels(file, 256).get(3)).isEqualTo(255);
    }

    @Test
    @DisplayName("names a missing file and checks its own arguments")
    void missingFileAndBadArguments(@TempDir Path dir) {
        Path absent = dir.resolve("absent-idx1-ubyte");
        rejects(() -> reader.readLabels(absent, 10), absent, "no such file");
        assertThatThrownBy(() -> new IdxReader(0)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("limitBytes");
        assertThatThrownBy(() -> reader.read(absent, 0)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("expectedRank");
        assertThatThrownBy(() -> reader.readLabels(absent, 0)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("classes");
    }
}

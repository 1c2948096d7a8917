package dev.mdm.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mdm.CheckpointException;
import dev.mdm.InvalidInputException;
import dev.mdm.tensor.DType;
import dev.mdm.tensor.Tensor;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@DisplayName("Safetensors")
class SafetensorsTest {
    @TempDir
    Path dir;

    /** One tensor of every dtype, plus 0-d and empty ones, in an order that is not sorted. */
    static Map<String, Tensor> everyDtype() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("z.f64", Tensor.of(new double[] {1.5, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.MIN_VALUE, 1e300}, 2, 3));
        m.put("a.f32", Tensor.ofFloats(new float[] {1f, -2.5f, Float.NEGATIVE_INFINITY, 3.4e38f}, 4));
        m.put("m.f16", Tensor.of(new double[] {0.5, -65504, 1e-7, 3.14159}, 2, 2).to(DType.F16));
        m.put("b.bf16", Tensor.of(new double[] {1.0, -3.0e38, 1e-30, 2.71828}, 1, 4).to(DType.BF16));
        m.put("i64", Tensor.ofLongs(new long[] {Long.MIN_VALUE, -1, 0, Long.MAX_VALUE}, 2, 2));
        m.put("i32", Tensor.ofInts(new int[] {Integer.MIN_VALUE, 7, Integer.MAX_VALUE}, 3));
        m.put("i8", Tensor.fromBytes(DType.I8, new int[] {3}, new byte[] {-128, 0, 127}));
        m.put("u8", Tensor.fromBytes(DType.U8, new int[] {2, 2}, new byte[] {0, 1, (byte) 200, (byte) 255}));
        m.put("bool", Tensor.fromBytes(DType.BOOL, new int[] {3}, new byte[] {1, 0, 1}));
        m.put("scalar", Tensor.scalar(42.25).to(DType.F32));
        m.put("scalar.i64", Tensor.ofLongs(new long[] {-9}));
        m.put("empty", Tensor.ofFloats(new float[0], 0));
        m.put("empty.3d", Tensor.fromBytes(DType.BF16, new int[] {2, 0, 3}, new byte[0]));
        m.put("empty.u8", Tensor.fromBytes(DType.U8, new int[] {0}, new byte[0]));
        return m;
    }

    @Nested
    @DisplayName("round trip")
    class RoundTrip {
        @Test
        @DisplayName("every dtype, 0-d and empty tensors come back bit for bit, in the order written")
        void everyDtypeRoundTrips() {
            Path f = dir.resolve("all.safetensors");
            Map<String, Tensor> written = everyDtype();
            Safetensors.write(f, written, Map.of("note", "héllo ✓", "empty", ""));

            SafetensorsFile read = Safetensors.read(f);

            assertThat(read.tensors().keySet()).containsExactlyElementsOf(written.keySet());
            written.forEach((name, t) -> {
                Tensor r = read.tensors().get(name);
                assertThat(r.dtype()).as(name).isEqualTo(t.dtype());
                assertThat(r.shape()).as(name).isEqualTo(t.shape());
                assertThat(r.toBytes()).as(name).isEqualTo(t.toBytes());
            });
            assertThat(read.tensors().get("scalar").rank()).isZero();
            assertThat(read.tensors().get("scalar").getDouble(0)).isEqualTo(42.25);
            assertThat(read.metadata()).containsEntry("note", "héllo ✓").containsEntry("empty", "");
        }

        @Test
        @DisplayName("the file follows the published layout: length, space-padded JSON header, contiguous data and the SHA-256 of the data")
        void writtenBytesFollowTheFormat() throws Exception {
            Path f = dir.resolve("layout.safetensors");
            Map<String, Tensor> t = new LinkedHashMap<>();
            t.put("w", Tensor.ofFloats(new float[] {1, 2, 3}, 3));
            t.put("b", Tensor.ofLongs(new long[] {5}, 1));
            Safetensors.write(f, t, Map.of("k", "v"));

            byte[] all = Files.readAllBytes(f);
            long n = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            assertThat(n % 8).as("header padded to 8 bytes").isZero();
            String header = new String(all, 8, (int) n, StandardCharsets.UTF_8);
            assertThat(header).startsWith("{");
            JsonNode h = new ObjectMapper().readTree(header);
            assertThat(h.get("w").get("dtype").asText()).isEqualTo("F32");
            assertThat(h.get("w").get("shape").toString()).isEqualTo("[3]");
            assertThat(h.get("w").get("data_offsets").toString()).isEqualTo("[0,12]");
            assertThat(h.get("b").get("data_offsets").toString()).isEqualTo("[12,20]");
            byte[] data = Arrays.copyOfRange(all, 8 + (int) n, all.length);
            assertThat(data).hasSize(20);
            assertThat(ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).getFloat(4)).isEqualTo(2f);
            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
            assertThat(h.get("__metadata__").get(Safetensors.SHA256_KEY).asText()).isEqualTo(sha);
            assertThat(h.get("__metadata__").get("k").asText()).isEqualTo("v");
        }

        @Test
        @DisplayName("a file written by hand from the format description, without metadata, reads correctly")
        void handWrittenFileReads() throws IOException {
            ByteBuffer data = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-2f).putInt(9);
            Path f = file("{\"y\":{\"dtype\":\"I32\",\"shape\":[],\"data_offsets\":[8,12]},"
                    + "\"x\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[0,8]}}      ", data.array());

            SafetensorsFile r = Safetensors.read(f);

            assertThat(r.metadata()).isEmpty();
            assertThat(r.tensors().keySet()).containsExactly("y", "x");
            assertThat(r.tensors().get("x").toDoubleArray()).containsExactly(1.5, -2.0);
            assertThat(r.tensors().get("x").shape()).containsExactly(1, 2);
            assertThat(r.tensors().get("y").rank()).isZero();
            assertThat(r.tensors().get("y").toLongArray()).containsExactly(9L);
        }

        @Test
        @DisplayName("an empty file (no tensors) round trips")
        void noTensors() {
            Path f = dir.resolve("none.safetensors");
            Safetensors.write(f, Map.of(), Map.of());
            assertThat(Safetensors.read(f).tensors()).isEmpty();
        }

        @Test
        @DisplayName("writing replaces an existing file, and a caller's mdm.sha256 is replaced by the real one")
        void overwrite() {
            Path f = dir.resolve("x.safetensors");
            Safetensors.write(f, Map.of("a", Tensor.scalar(1)), Map.of());
            Safetensors.write(f, Map.of("b", Tensor.scalar(2)), Map.of(Safetensors.SHA256_KEY, "0".repeat(64)));
            SafetensorsFile r = Safetensors.read(f);
            assertThat(r.tensors()).containsOnlyKeys("b");
            assertThat(r.metadata().get(Safetensors.SHA256_KEY)).isNotEqualTo("0".repeat(64));
        }

        @Test
        @DisplayName("names that the format reserves or cannot hold are rejected before anything is written")
        void badNames() {
            Path f = dir.resolve("bad.safetensors");
            assertThatThrownBy(() -> Safetensors.write(f, Map.of("__metadata__", Tensor.scalar(1)), Map.of()))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("__metadata__");
            assertThatThrownBy(() -> Safetensors.write(f, Map.of("", Tensor.scalar(1)), Map.of()))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("non-empty names");
            assertThat(f).doesNotExist();
        }
    }

    @Nested
    @DisplayName("hostile files")
    class Hostile {
        static Stream<Arguments> cases() {
            byte[] four = new byte[4];
            byte[] eight = new byte[8];
            List<Arguments> c = new ArrayList<>();
            c.add(Arguments.of("an empty file", new byte[0], "shorter than the 8-byte header length"));
            c.add(Arguments.of("a 5-byte file", new byte[5], "shorter than the 8-byte header length"));
            c.add(Arguments.of("header length beyond the file", raw(1000, new byte[10]), "exceeds the file"));
            c.add(Arguments.of("header length 2^64-1", raw(-1L, new byte[10]), "header length 18446744073709551615 exceeds the file"));
            c.add(Arguments.of("header length 2^40 on a tiny file", raw(1L << 40, new byte[10]), "exceeds the file"));
            c.add(Arguments.of("header length 0", raw(0, new byte[0]), "too short"));
            c.add(Arguments.of("a header that is not UTF-8", raw(3, new byte[] {'{', (byte) 0xFF, '}'}), "not valid UTF-8"));
            c.add(Arguments.of("a header that is not JSON", bytes("{not json}", new byte[0]), "not valid JSON"));
            c.add(Arguments.of("a header that is a JSON array", bytes("[1,2]", new byte[0]), "not a JSON object"));
            c.add(Arguments.of("a header that is a JSON string", bytes("\"x\"", new byte[0]), "not a JSON object"));
            c.add(Arguments.of("a header cut off mid-object", bytes("{\"a\":{\"dtype\":\"F32\"", new byte[0]), "not valid JSON"));
            c.add(Arguments.of("content after the header object", bytes("{} {}", new byte[0]), "content after its JSON object"));
            c.add(Arguments.of("nesting far deeper than a header needs",
                    bytes("{\"__metadata__\":" + "[".repeat(50) + "]".repeat(50) + "}", new byte[0]), "not valid JSON"));
            c.add(Arguments.of("an unknown dtype", entry("F8_E4M3", "[4]", 0, 4, four), "unsupported dtype 'F8_E4M3'"));
            c.add(Arguments.of("a lower-case dtype", entry("f32", "[1]", 0, 4, four), "unsupported dtype 'f32'"));
            c.add(Arguments.of("a dtype that is not a string", entryRaw("{\"dtype\":4,\"shape\":[1],\"data_offsets\":[0,4]}", four), "dtype must be a string"));
            c.add(Arguments.of("a negative dimension", entry("F32", "[-1]", 0, 4, four), "shape[0] is negative"));
            c.add(Arguments.of("a dimension that is not an integer", entry("F32", "[2.5]", 0, 4, four), "shape[0] must be an integer"));
            c.add(Arguments.of("a dimension beyond 2^31", entry("U8", "[4294967296]", 0, 4, four), "beyond 2^31-1"));
            c.add(Arguments.of("a shape whose element count overflows", entry("F32", "[2147483647,2147483647,2147483647,4]", 0, 4, four), "overflows"));
            c.add(Arguments.of("a shape of more bytes than a Java array holds", entry("F64", "[1073741824]", 0, 4, four), "more than 2^31-1 bytes"));
            c.add(Arguments.of("a shape that is not an array", entry("F32", "4", 0, 4, four), "shape must be an array"));
            c.add(Arguments.of("offsets beyond the data", entry("F32", "[2]", 0, 8, four), "reach beyond the data section"));
            c.add(Arguments.of("offsets that end before they begin", entry("F32", "[1]", 4, 0, four), "end before they begin"));
            c.add(Arguments.of("negative offsets", entryRaw("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}", four), "data_offsets[0] must be an integer >= 0"));
            c.add(Arguments.of("three offsets", entryRaw("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,4]}", four), "data_offsets must be an array [begin, end]"));
            c.add(Arguments.of("offsets that do not match dtype × shape", entry("F32", "[2]", 0, 4, four), "needs 8 bytes but data_offsets [0, 4] span 4"));
            c.add(Arguments.of("a missing data_offsets", entryRaw("{\"dtype\":\"F32\",\"shape\":[1]}", four), "data_offsets must be"));
            c.add(Arguments.of("an unknown field in an entry", entryRaw("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":1}", four), "unknown field 'x'"));
            c.add(Arguments.of("an entry that is not an object", entryRaw("3", four), "expected an object"));
            c.add(Arguments.of("overlapping tensors", bytes("{\"a\":" + e("F32", "[1]", 0, 4) + ",\"b\":" + e("U8", "[2]", 2, 4) + "}", four), "overlap"));
            c.add(Arguments.of("two tensors on the same bytes", bytes("{\"a\":" + e("F32", "[1]", 0, 4) + ",\"b\":" + e("I32", "[1]", 0, 4) + "}", four), "overlap"));
            c.add(Arguments.of("a hole between tensors", bytes("{\"a\":" + e("F32", "[1]", 0, 4) + ",\"b\":" + e("F32", "[1]", 8, 12) + "}", new byte[12]), "belong to no tensor"));
            c.add(Arguments.of("a hole at the start", entry("F32", "[1]", 4, 8, eight), "bytes [0, 4) of the data section belong to no tensor"));
            c.add(Arguments.of("bytes after the last tensor", entry("F32", "[1]", 0, 4, eight), "4 trailing bytes"));
            c.add(Arguments.of("a duplicate tensor name", bytes("{\"a\":" + e("F32", "[1]", 0, 4) + ",\"a\":" + e("F32", "[1]", 0, 4) + "}", four), "duplicate"));
            c.add(Arguments.of("a duplicate key inside an entry", entryRaw("{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}", four), "duplicate"));
            c.add(Arguments.of("two metadata objects", bytes("{\"__metadata__\":{},\"__metadata__\":{}}", new byte[0]), "duplicate"));
            c.add(Arguments.of("metadata that is not an object", bytes("{\"__metadata__\":[\"a\"]}", new byte[0]), "must be an object of strings"));
            c.add(Arguments.of("metadata with a number value", bytes("{\"__metadata__\":{\"a\":1}}", new byte[0]), "value of 'a' must be a string"));
            c.add(Arguments.of("a malformed checksum", bytes("{\"__metadata__\":{\"mdm.sha256\":\"xyz\"}}", new byte[0]), "not 64 lower-case hex digits"));
            c.add(Arguments.of("a checksum that does not match", bytes("{\"__metadata__\":{\"mdm.sha256\":\"" + "ab".repeat(32) + "\"},\"a\":"
                    + e("F32", "[1]", 0, 4) + "}", four), "checksum mismatch"));
            c.add(Arguments.of("a BOOL byte that is neither 0 nor 1", entry("BOOL", "[4]", 0, 4, new byte[] {0, 1, 2, 1}), "BOOL element 2 is 2"));
            c.add(Arguments.of("a 10 MB tensor name", bytes("{\"" + "n".repeat(10_000_000) + "\":" + e("F32", "[2]", 0, 4) + "}", four), "…"));
            return c.stream();
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("cases")
        @DisplayName("are rejected with a CheckpointException that names the file and the rule broken")
        void rejected(String what, byte[] content, String expected) throws IOException {
            Path f = dir.resolve("hostile.safetensors");
            Files.write(f, content);
            assertThatThrownBy(() -> Safetensors.read(f))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageStartingWith(f + ": not a valid safetensors file: ")
                    .hasMessageContaining(expected)
                    .satisfies(e -> assertThat(e.getMessage().length()).as("message stays short").isLessThan(600));
        }

        @Test
        @DisplayName("a header claiming more than 100 MB is rejected without reading it (sparse 101 MB file)")
        void absurdHeader() throws IOException {
            Path f = dir.resolve("sparse.safetensors");
            try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
                raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(100_000_001L).array());
                raf.setLength(101_000_000L);
            }
            assertThatThrownBy(() -> Safetensors.read(f)).isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("over the limit of 100000000 bytes");
        }

        @Test
        @DisplayName("a valid file cut short anywhere is rejected, never read partially")
        void truncatedAnywhere() throws IOException {
            Path f = dir.resolve("whole.safetensors");
            Safetensors.write(f, everyDtype(), Map.of("k", "v"));
            byte[] whole = Files.readAllBytes(f);
            Path cut = dir.resolve("cut.safetensors");
            for (int len = 0; len < whole.length; len += 7) {
                Files.write(cut, Arrays.copyOf(whole, len));
                assertThatThrownBy(() -> Safetensors.read(cut)).as("cut at %d of %d bytes", len, whole.length)
                        .isInstanceOf(CheckpointException.class);
            }
        }

        @Test
        @DisplayName("a single flipped bit in the data is caught by the checksum")
        void flippedBit() throws IOException {
            Path f = dir.resolve("flip.safetensors");
            Safetensors.write(f, Map.of("w", Tensor.ofFloats(new float[] {1, 2, 3, 4}, 4)), Map.of());
            byte[] b = Files.readAllBytes(f);
            b[b.length - 3] ^= 0x10;
            Files.write(f, b);
            assertThatThrownBy(() -> Safetensors.read(f)).isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("checksum mismatch");
        }

        @Test
        @DisplayName("a missing file is a CheckpointException naming it")
        void missingFile() {
            Path f = dir.resolve("nope.safetensors");
            assertThatThrownBy(() -> Safetensors.read(f)).isInstanceOf(CheckpointException.class)
                    .hasMessageContaining(f.toString()).hasMessageContaining("no such file");
        }
    }

    @Nested
    @DisplayName("atomic writes")
    class Atomic {
        @Test
        @DisplayName("a write that fails midway leaves the previous file intact and no temporary file behind")
        void failedWriteKeepsOldFile() throws IOException {
            Path f = dir.resolve("model.safetensors");
            Map<String, Tensor> old = Map.of("old", Tensor.ofFloats(new float[] {1, 2, 3}, 3));
            Safetensors.write(f, old, Map.of("v", "1"));
            byte[] before = Files.readAllBytes(f);
            Map<String, Tensor> big = new LinkedHashMap<>();
            for (int i = 0; i < 8; i++) {
                big.put("t" + i, Tensor.ofFloats(new float[1 << 16], 1 << 16));
            }

            assertThatThrownBy(() -> Safetensors.write(f, big, Map.of("v", "2"), ch -> failingAfter(ch, 1 << 20)))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("disk full (injected)")
                    .hasMessageContaining("previous file is unchanged");

            assertThat(Files.readAllBytes(f)).isEqualTo(before);
            assertThat(Safetensors.read(f).tensors().get("old").toFloatArray()).containsExactly(1, 2, 3);
            try (Stream<Path> s = Files.list(dir)) {
                assertThat(s.map(p -> p.getFileName().toString())).containsExactly("model.safetensors");
            }
        }

        @Test
        @DisplayName("a directory that does not exist is a CheckpointException naming the file")
        void missingDirectory() {
            Path f = dir.resolve("no/such/dir/model.safetensors");
            assertThatThrownBy(() -> Safetensors.write(f, Map.of(), Map.of())).isInstanceOf(CheckpointException.class)
                    .hasMessageContaining(f.toString());
        }

        static WritableByteChannel failingAfter(WritableByteChannel inner, long limit) {
            return new WritableByteChannel() {
                long written;

                @Override
                public int write(ByteBuffer src) throws IOException {
                    if (written + src.remaining() > limit) {
                        throw new IOException("disk full (injected)");
                    }
                    int n = inner.write(src);
                    written += n;
                    return n;
                }

                @Override public boolean isOpen() { return inner.isOpen(); }
                @Override public void close() throws IOException { inner.close(); }
            };
        }
    }

    // ---- hand-made files ----

    static String e(String dtype, String shape, long begin, long end) {
        return "{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + "," + end + "]}";
    }

    static byte[] entry(String dtype, String shape, long begin, long end, byte[] data) {
        return bytes("{\"t\":" + e(dtype, shape, begin, end) + "}", data);
    }

    static byte[] entryRaw(String entryJson, byte[] data) {
        return bytes("{\"t\":" + entryJson + "}", data);
    }

    static byte[] bytes(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        byte[] rest = new byte[h.length + data.length];
        System.arraycopy(h, 0, rest, 0, h.length);
        System.arraycopy(data, 0, rest, h.length, data.length);
        return raw(h.length, rest);
    }

    static byte[] raw(long headerLength, byte[] rest) {
        return ByteBuffer.allocate(8 + rest.length).order(ByteOrder.LITTLE_ENDIAN).putLong(headerLength).put(rest).array();
    }

    Path file(String header, byte[] data) throws IOException {
        Path f = dir.resolve("hand.safetensors");
        Files.write(f, bytes(header, data));
        return f;
    }
}

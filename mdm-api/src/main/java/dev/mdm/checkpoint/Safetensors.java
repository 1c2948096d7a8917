package dev.mdm.checkpoint;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mdm.CheckpointException;
import dev.mdm.InvalidInputException;
import dev.mdm.tensor.DType;
import dev.mdm.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Reads and writes <a href="https://github.com/huggingface/safetensors">safetensors</a> files, the format PyTorch
 * users already have: an 8-byte little-endian header length N, N bytes of UTF-8 JSON
 * {@code {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}} (offsets relative to
 * the start of the data, the header possibly padded with spaces), then the tensor data, little-endian, row-major.
 *
 * <p>Reading treats the file as hostile: every structural rule is checked against the real file size before any
 * tensor memory is allocated, and a violation is a {@link CheckpointException} that names the file and says what is
 * wrong. When the metadata holds {@value #SHA256_KEY}, the SHA-256 of the data section must match it.
 *
 * <p>Writing is atomic: the file is written under a temporary name in the same directory, forced to disk and then
 * moved over the target, so a failed or killed write leaves any previous file intact. The SHA-256 of the data
 * section is stored under {@value #SHA256_KEY}.
 */
public final class Safetensors {
    /** Metadata key holding the lower-case hex SHA-256 of the data section. */
    public static final String SHA256_KEY = "mdm.sha256";
    /** The header key of the string-to-string metadata object. */
    public static final String METADATA_KEY = "__metadata__";
    /** Largest header accepted, as in the reference implementation (100 MB). */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
    private static final Set<String> ENTRY_FIELDS = Set.of("dtype", "shape", "data_offsets");
    private static final int IO_CHUNK = 1 << 20;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // a header is three levels deep; anything deeper is hostile
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(8).build())
            .build());

    private Safetensors() {
    }

    /**
     * Reads a whole file into host tensors.
     *
     * @param path a safetensors file
     * @return its tensors, in header order, and its metadata
     * @throws CheckpointException if the file cannot be read or breaks any rule of the format, naming the rule
     */
    public static SafetensorsFile read(Path path) {
        Objects.requireNonNull(path, "path");
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return read(path, ch);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(path + ": no such file", e);
        } catch (IOException e) {
            throw new CheckpointException(path + ": cannot read: " + e, e);
        }
    }

    /**
     * Writes tensors and metadata atomically, adding {@value #SHA256_KEY} to the metadata (any given value for that
     * key is replaced).
     *
     * @param path the file to create or replace
     * @param tensors name to tensor, written in iteration order
     * @param metadata string metadata (may be empty)
     * @throws InvalidInputException for a null, empty or reserved name, or a null value
     * @throws CheckpointException if the file cannot be written; an existing file is then left as it was
     */
    public static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) {
        write(path, tensors, metadata, UnaryOperator.identity());
    }

    /**
     * {@link #write(Path, Map, Map)} with every byte of the file going through {@code channel}, so that tests can
     * inject I/O failures and pauses at a chosen point of the write.
     */
    static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata,
            UnaryOperator<WritableByteChannel> channel) {
        Objects.requireNonNull(path, "path");
        List<Map.Entry<String, Tensor>> entries = checkedEntries(tensors);
        Map<String, String> meta = checkedMetadata(metadata);
        meta.put(SHA256_KEY, sha256(entries));
        byte[] header = header(entries, meta);

        Path target = path.toAbsolutePath();
        Path dir = target.getParent();
        Path tmp = null;
        try {
            tmp = createTemporary(dir, target);
            try (FileChannel fc = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                WritableByteChannel out = channel.apply(fc);
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).flip();
                writeFully(out, len);
                writeFully(out, ByteBuffer.wrap(header));
                for (var e : entries) {
                    writeFully(out, ByteBuffer.wrap(e.getValue().toBytes()));
                }
                fc.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            tmp = null;
            forceDirectory(dir);
        } catch (AtomicMoveNotSupportedException e) {
            throw new CheckpointException(target + ": the file system cannot replace files atomically; "
                    + "refusing a write that could leave a half-written checkpoint", e);
        } catch (IOException e) {
            throw new CheckpointException(target + ": cannot write: " + e + "; any previous file is unchanged", e);
        } finally {
            if (tmp != null) {
                deleteQuietly(tmp);
            }
        }
    }

    // ---------------------------------------------------------------- reading

    /** One header entry, validated against the file but not yet read. */
    private record Entry(String name, DType dtype, int[] shape, long begin, long end) {
    }

    private static SafetensorsFile read(Path path, FileChannel ch) throws IOException {
        long fileSize = ch.size();
        if (fileSize < 8) {
            throw bad(path, "truncated: the file is " + fileSize + " bytes, shorter than the 8-byte header length");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(path, ch, lenBuf, 0);
        long headerLength = lenBuf.flip().getLong();
        if (headerLength < 0 || headerLength > fileSize - 8) {
            throw bad(path, "header length " + Long.toUnsignedString(headerLength) + " exceeds the file ("
                    + fileSize + " bytes, so at most " + (fileSize - 8) + " bytes of header); truncated or not safetensors");
        }
        if (headerLength > MAX_HEADER_BYTES) {
            throw bad(path, "header length " + headerLength + " is over the limit of " + MAX_HEADER_BYTES + " bytes");
        }
        if (headerLength < 2) {
            throw bad(path, "header length " + headerLength + " is too short for a JSON object");
        }
        ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLength);
        readFully(path, ch, headerBuf, 8);
        String headerText = decodeUtf8(path, headerBuf.flip());
        long dataStart = 8 + headerLength;
        long dataSize = fileSize - dataStart;

        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = parseHeader(path, headerText, dataSize, metadata);
        checkLayout(path, entries, dataSize);

        String expectedSha = metadata.get(SHA256_KEY);
        if (expectedSha != null && !SHA256_HEX.matcher(expectedSha).matches()) {
            throw bad(path, "metadata " + SHA256_KEY + " is not 64 lower-case hex digits: '" + abbreviate(expectedSha) + "'");
        }
        MessageDigest digest = expectedSha != null ? newSha256() : null;

        // tensors are contiguous in offset order (checkLayout), so hashing them in that order hashes the data section
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(Entry::begin));
        Map<String, Tensor> byName = new HashMap<>();
        for (Entry e : byOffset) {
            ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(e.end() - e.begin()));
            readFully(path, ch, b, dataStart + e.begin());
            if (digest != null) {
                digest.update(b.array());
            }
            if (e.dtype() == DType.BOOL) {
                checkBooleans(path, e.name(), b.array());
            }
            byName.put(e.name(), Tensor.fromBytes(e.dtype(), e.shape(), b.array()));
        }
        if (ch.size() != fileSize) {
            throw bad(path, "the file changed size while it was read (" + fileSize + " then " + ch.size() + " bytes)");
        }
        if (digest != null) {
            String actual = HexFormat.of().formatHex(digest.digest());
            if (!actual.equals(expectedSha)) {
                throw bad(path, "checksum mismatch: metadata " + SHA256_KEY + " is " + expectedSha
                        + " but the data section hashes to " + actual + "; the file is corrupt");
            }
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Entry e : entries) {
            tensors.put(e.name(), byName.get(e.name()));
        }
        return new SafetensorsFile(tensors, metadata);
    }

    private static String decodeUtf8(Path path, ByteBuffer header) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(header)
                    .toString();
        } catch (CharacterCodingException e) {
            throw bad(path, "the header is not valid UTF-8 (near byte " + (8 + header.position()) + ")");
        }
    }

    private static List<Entry> parseHeader(Path path, String text, long dataSize, Map<String, String> metadata) {
        List<Entry> entries = new ArrayList<>();
        Set<String> names = new HashSet<>();
        try (JsonParser p = JSON.createParser(text)) {
            JsonToken first = p.nextToken();
            if (first != JsonToken.START_OBJECT) {
                throw bad(path, "the header is not a JSON object (it starts with " + (first == null ? "nothing" : first.asString() != null ? "'" + first.asString() + "'" : first) + ")");
            }
            boolean sawMetadata = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                JsonNode value = JSON.readTree(p);
                if (METADATA_KEY.equals(name)) {
                    if (sawMetadata) {
                        throw bad(path, "duplicate " + METADATA_KEY + " in the header");
                    }
                    sawMetadata = true;
                    parseMetadata(path, value, metadata);
                    continue;
                }
                if (!names.add(name)) {
                    throw bad(path, "duplicate tensor name '" + abbreviate(name) + "' in the header");
                }
                entries.add(parseEntry(path, name, value, dataSize));
            }
            if (p.currentToken() != JsonToken.END_OBJECT) {
                throw bad(path, "the header is not a well-formed JSON object");
            }
            if (p.nextToken() != null) {
                throw bad(path, "the header has content after its JSON object (only space padding is allowed)");
            }
        } catch (JsonProcessingException e) {
            String msg = e.getOriginalMessage();
            if (msg != null && msg.startsWith("Duplicate field")) {
                throw bad(path, "duplicate key in the header: " + abbreviate(msg));
            }
            throw bad(path, "the header is not valid JSON: " + abbreviate(String.valueOf(msg)));
        } catch (IOException e) {
            throw bad(path, "the header cannot be parsed: " + e.getMessage());
        }
        return entries;
    }

    private static void parseMetadata(Path path, JsonNode value, Map<String, String> metadata) {
        if (value == null || !value.isObject()) {
            throw bad(path, METADATA_KEY + " must be an object of strings, got " + (value == null ? "null" : value.getNodeType()));
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext();) {
            var f = it.next();
            if (!f.getValue().isTextual()) {
                throw bad(path, METADATA_KEY + " value of '" + abbreviate(f.getKey()) + "' must be a string, got "
                        + f.getValue().getNodeType());
            }
            metadata.put(f.getKey(), f.getValue().textValue());
        }
    }

    private static Entry parseEntry(Path path, String name, JsonNode v, long dataSize) {
        String where = "tensor '" + abbreviate(name) + "'";
        if (v == null || !v.isObject()) {
            throw bad(path, where + ": expected an object {dtype, shape, data_offsets}, got " + v.getNodeType());
        }
        for (Iterator<String> it = v.fieldNames(); it.hasNext();) {
            String f = it.next();
            if (!ENTRY_FIELDS.contains(f)) {
                throw bad(path, where + ": unknown field '" + abbreviate(f) + "' (expected dtype, shape, data_offsets)");
            }
        }
        JsonNode dt = v.get("dtype");
        if (dt == null || !dt.isTextual()) {
            throw bad(path, where + ": dtype must be a string, got " + (dt == null ? "none" : dt.getNodeType()));
        }
        DType dtype = dt.textValue().equals(dt.textValue().toUpperCase(Locale.ROOT))
                ? DType.fromSafetensorsName(dt.textValue()) : null;
        if (dtype == null) {
            throw bad(path, where + ": unsupported dtype '" + abbreviate(dt.textValue()) + "'; MDM reads "
                    + Arrays.toString(DType.values()));
        }
        JsonNode sh = v.get("shape");
        if (sh == null || !sh.isArray()) {
            throw bad(path, where + ": shape must be an array of integers, got " + (sh == null ? "none" : sh.getNodeType()));
        }
        int[] shape = new int[sh.size()];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = sh.get(i);
            if (!d.isIntegralNumber()) {
                throw bad(path, where + ": shape[" + i + "] must be an integer, got " + abbreviate(d.toString()));
            }
            if (d.bigIntegerValue().signum() < 0) {
                throw bad(path, where + ": shape[" + i + "] is negative (" + abbreviate(d.toString()) + ")");
            }
            if (!d.canConvertToInt()) {
                throw bad(path, where + ": shape[" + i + "] = " + abbreviate(d.toString()) + " is beyond 2^31-1");
            }
            shape[i] = d.intValue();
            // both factors are below 2^31, so the long product is exact; a Java tensor holds at most 2^31-1 elements
            elements *= shape[i];
            if (elements > Integer.MAX_VALUE) {
                throw bad(path, where + ": the element count of shape " + abbreviate(sh.toString())
                        + " overflows (more than 2^31-1 elements)");
            }
        }
        if (elements * dtype.byteSize() > Integer.MAX_VALUE) {
            throw bad(path, where + ": " + dtype + Arrays.toString(shape) + " needs more than 2^31-1 bytes");
        }
        JsonNode off = v.get("data_offsets");
        if (off == null || !off.isArray() || off.size() != 2) {
            throw bad(path, where + ": data_offsets must be an array [begin, end], got "
                    + (off == null ? "none" : abbreviate(off.toString())));
        }
        long[] be = new long[2];
        for (int i = 0; i < 2; i++) {
            JsonNode o = off.get(i);
            if (!o.isIntegralNumber() || o.bigIntegerValue().signum() < 0 || !o.canConvertToLong()) {
                throw bad(path, where + ": data_offsets[" + i + "] must be an integer >= 0, got " + abbreviate(o.toString()));
            }
            be[i] = o.longValue();
        }
        if (be[0] > be[1]) {
            throw bad(path, where + ": data_offsets [" + be[0] + ", " + be[1] + "] end before they begin");
        }
        if (be[1] > dataSize) {
            throw bad(path, where + ": data_offsets [" + be[0] + ", " + be[1] + "] reach beyond the data section ("
                    + dataSize + " bytes); the file is truncated or the offsets are wrong");
        }
        long expected = elements * dtype.byteSize();
        if (be[1] - be[0] != expected) {
            throw bad(path, where + ": " + dtype + Arrays.toString(shape) + " needs " + expected + " bytes but data_offsets ["
                    + be[0] + ", " + be[1] + "] span " + (be[1] - be[0]));
        }
        return new Entry(name, dtype, shape, be[0], be[1]);
    }

    /** The data section must be covered exactly: no overlap, no hole, nothing after the last tensor. */
    private static void checkLayout(Path path, List<Entry> entries, long dataSize) {
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long next = 0;
        Entry previous = null;
        for (Entry e : byOffset) {
            if (e.begin() < next) {
                throw bad(path, "tensors '" + abbreviate(previous.name()) + "' [" + previous.begin() + ", " + previous.end()
                        + ") and '" + abbreviate(e.name()) + "' [" + e.begin() + ", " + e.end() + ") overlap");
            }
            if (e.begin() > next) {
                throw bad(path, "bytes [" + next + ", " + e.begin() + ") of the data section belong to no tensor (a hole before '"
                        + abbreviate(e.name()) + "')");
            }
            next = e.end();
            previous = e;
        }
        if (next != dataSize) {
            throw bad(path, "the data section is " + dataSize + " bytes but the tensors cover " + next
                    + "; " + (dataSize - next) + " trailing bytes belong to no tensor");
        }
    }

    private static void checkBooleans(Path path, String name, byte[] b) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] != 0 && b[i] != 1) {
                throw bad(path, "tensor '" + abbreviate(name) + "': BOOL element " + i + " is " + (b[i] & 0xFF) + ", not 0 or 1");
            }
        }
    }

    private static void readFully(Path path, FileChannel ch, ByteBuffer b, long position) throws IOException {
        long pos = position;
        while (b.hasRemaining()) {
            int n = ch.read(b, pos);
            if (n < 0) {
                throw bad(path, "truncated: the file ended at byte " + pos + " while reading " + b.capacity()
                        + " bytes from " + position);
            }
            pos += n;
        }
    }

    // ---------------------------------------------------------------- writing

    private static List<Map.Entry<String, Tensor>> checkedEntries(Map<String, Tensor> tensors) {
        Objects.requireNonNull(tensors, "tensors");
        List<Map.Entry<String, Tensor>> out = new ArrayList<>(tensors.size());
        for (var e : tensors.entrySet()) {
            String name = e.getKey();
            if (name == null || name.isEmpty() || name.equals(METADATA_KEY)) {
                throw new InvalidInputException("tensors", "non-empty names other than " + METADATA_KEY,
                        "name " + (name == null ? "null" : "'" + name + "'"));
            }
            if (e.getValue() == null) {
                throw new InvalidInputException("tensors", "a tensor for every name", "null for '" + name + "'");
            }
            out.add(Map.entry(name, e.getValue()));
        }
        return out;
    }

    private static Map<String, String> checkedMetadata(Map<String, String> metadata) {
        Objects.requireNonNull(metadata, "metadata");
        Map<String, String> out = new LinkedHashMap<>();
        for (var e : metadata.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) {
                throw new InvalidInputException("metadata", "non-null keys and values",
                        e.getKey() == null ? "a null key" : "null for '" + e.getKey() + "'");
            }
            out.put(e.getKey(), e.getValue());
        }
        out.remove(SHA256_KEY);
        return out;
    }

    private static String sha256(List<Map.Entry<String, Tensor>> entries) {
        MessageDigest d = newSha256();
        for (var e : entries) {
            d.update(e.getValue().toBytes());
        }
        return HexFormat.of().formatHex(d.digest());
    }

    private static byte[] header(List<Map.Entry<String, Tensor>> entries, Map<String, String> metadata) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode meta = root.putObject(METADATA_KEY);
        metadata.forEach(meta::put);
        long offset = 0;
        for (var e : entries) {
            Tensor t = e.getValue();
            ObjectNode o = root.putObject(e.getKey());
            o.put("dtype", t.dtype().safetensorsName());
            ArrayNode shape = o.putArray("shape");
            for (int d : t.shape()) {
                shape.add(d);
            }
            o.putArray("data_offsets").add(offset).add(offset + t.byteSize());
            offset += t.byteSize();
        }
        byte[] json = root.toString().getBytes(StandardCharsets.UTF_8);
        // pad with spaces to a multiple of 8 so that the data starts aligned, as the reference writer does
        int padded = (json.length + 7) & ~7;
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    private static void writeFully(WritableByteChannel out, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            int end = Math.min(b.limit(), b.position() + IO_CHUNK);
            ByteBuffer slice = b.slice(b.position(), end - b.position());
            while (slice.hasRemaining()) {
                out.write(slice);
            }
            b.position(end);
        }
    }

    /**
     * A new hidden file beside the target. Unlike {@link Files#createTempFile} (always 0600) it gets the permissions
     * the umask gives any new file, or those of the file it will replace, so that saving keeps a checkpoint readable
     * by whoever could read it before.
     */
    private static Path createTemporary(Path dir, Path target) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path tmp = dir.resolve("." + target.getFileName() + "." + Long.toHexString(RANDOM.nextLong()) + ".tmp");
            try {
                Files.createFile(tmp);
            } catch (FileAlreadyExistsException e) {
                if (attempt < 10) {
                    continue;
                }
                throw e;
            }
            try {
                if (Files.exists(target) && Files.getFileStore(tmp).supportsFileAttributeView(PosixFileAttributeView.class)) {
                    Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(target));
                }
            } catch (IOException | UnsupportedOperationException e) {
                // keep the default permissions of a new file
            }
            return tmp;
        }
    }

    /** Makes the rename itself durable; a platform that cannot open directories simply skips it. */
    private static void forceDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // the rename happened; only its durability across a power loss is not guaranteed here
        }
    }

    private static void deleteQuietly(Path tmp) {
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException e) {
            // the temporary file has a hidden name that no reader takes for the checkpoint
        }
    }

    // ---------------------------------------------------------------- helpers

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private static CheckpointException bad(Path path, String what) {
        return new CheckpointException(path + ": not a valid safetensors file: " + what);
    }

    /** Keeps messages short when a hostile file puts megabytes into a name. */
    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "…";
    }
}

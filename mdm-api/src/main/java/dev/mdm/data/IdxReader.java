package dev.mdm.data;

import dev.mdm.InvalidInputException;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files (the format of MNIST and Fashion-MNIST), plain or gzip-compressed (recognised by the gzip magic
 * number, not by the file name).
 *
 * <p>Every file is validated before it is trusted: the magic number (two zero bytes, the element type, the rank), the
 * rank the caller expects, every dimension ≥ 1, the element count against this reader's size limit and against the
 * length of the file, and no trailing bytes. A hostile header never makes the reader allocate what it claims: a plain
 * file is checked against its length first, and a compressed one is read into a buffer that grows only as real data
 * arrives. Every problem is an {@link InvalidDataFileException} naming the file.
 *
 * <p>Only unsigned-byte files (element type {@code 0x08}, the only type MNIST-style data sets use) are supported;
 * other element types are rejected with a message saying so.
 */
public final class IdxReader {
    /** The default limit on the element count of one file: 256 MiB, five times Fashion-MNIST's training images. */
    public static final long DEFAULT_LIMIT_BYTES = 256L << 20;

    private static final int TYPE_UNSIGNED_BYTE = 0x08;
    private static final int FIRST_CHUNK = 1 << 20;

    private final long limitBytes;

    /** A reader with the {@link #DEFAULT_LIMIT_BYTES default size limit}. */
    public IdxReader() {
        this(DEFAULT_LIMIT_BYTES);
    }

    /**
     * @param limitBytes largest element count accepted from one file, 1 ≤ limitBytes ≤ {@code Integer.MAX_VALUE - 8}
     */
    public IdxReader(long limitBytes) {
        if (limitBytes < 1 || limitBytes > Integer.MAX_VALUE - 8) {
            throw new InvalidInputException("limitBytes", "1 ≤ limitBytes ≤ " + (Integer.MAX_VALUE - 8),
                    Long.toString(limitBytes));
        }
        this.limitBytes = limitBytes;
    }

    /**
     * Reads an image file: rank 3, [count, rows, columns].
     *
     * @param file the file
     * @return its content
     * @throws InvalidDataFileException if the file is missing, unreadable or invalid
     */
    public IdxArray readImages(Path file) {
        return read(file, 3);
    }

    /**
     * Reads a label file: rank 1, every label in [0, classes).
     *
     * @param file the file
     * @param classes number of classes, ≥ 1
     * @return its content
     * @throws InvalidDataFileException if the file is missing, unreadable, invalid, or a label is out of range
     */
    public IdxArray readLabels(Path file, int classes) {
        if (classes < 1 || classes > 256) {
            throw new InvalidInputException("classes", "1 ≤ classes ≤ 256", Integer.toString(classes));
        }
        IdxArray labels = read(file, 1);
        for (int i = 0; i < labels.length(); i++) {
            if (labels.get(i) >= classes) {
                throw new InvalidDataFileException(file, "label " + i + " is " + labels.get(i) + ", expected a class in [0, "
                        + classes + ")");
            }
        }
        return labels;
    }

    /**
     * Reads an unsigned-byte IDX file of the given rank.
     *
     * @param file the file
     * @param expectedRank the number of dimensions the caller needs, 1 ≤ expectedRank ≤ 255
     * @return its content
     * @throws InvalidDataFileException if the file is missing, unreadable or invalid
     */
    public IdxArray read(Path file, int expectedRank) {
        if (file == null) {
            throw new InvalidInputException("file", "a path", "null");
        }
        if (expectedRank < 1 || expectedRank > 255) {
            throw new InvalidInputException("expectedRank", "1 ≤ expectedRank ≤ 255", Integer.toString(expectedRank));
        }
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            raw.mark(2);
            boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            try (InputStream in = gzip ? new GZIPInputStream(raw, 1 << 16) : raw) {
                return read(file, in, gzip ? -1 : Files.size(file), expectedRank);
            }
        } catch (NoSuchFileException e) {
            throw new InvalidDataFileException(file, "no such file", e);
        } catch (ZipException | EOFException e) {
            throw new InvalidDataFileException(file, "corrupt gzip stream (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new InvalidDataFileException(file, "cannot be read (" + e + ")", e);
        }
    }

    private IdxArray read(Path file, InputStream in, long plainLength, int expectedRank) throws IOException {
        byte[] magic = readHeaderBytes(file, in, 4, 0);
        int magicNumber = (magic[0] & 0xff) << 24 | (magic[1] & 0xff) << 16 | (magic[2] & 0xff) << 8 | (magic[3] & 0xff);
        if (magic[0] != 0 || magic[1] != 0) {
            throw new InvalidDataFileException(file, String.format(
                    "bad magic number 0x%08X: an IDX file starts with two zero bytes, the element type and the rank",
                    magicNumber));
        }
        int type = magic[2] & 0xff;
        if (type != TYPE_UNSIGNED_BYTE) {
            throw new InvalidDataFileException(file, String.format(
                    "element type 0x%02X (magic number 0x%08X) is not supported: expected unsigned byte, 0x08", type,
                    magicNumber));
        }
        int rank = magic[3] & 0xff;
        if (rank != expectedRank) {
            throw new InvalidDataFileException(file, String.format(
                    "has %d dimensions (magic number 0x%08X), expected %d", rank, magicNumber, expectedRank));
        }
        byte[] header = readHeaderBytes(file, in, 4 * rank, 4);
        long[] claimed = new long[rank];
        for (int i = 0; i < rank; i++) {
            claimed[i] = (header[4 * i] & 0xffL) << 24 | (header[4 * i + 1] & 0xffL) << 16
                    | (header[4 * i + 2] & 0xffL) << 8 | (header[4 * i + 3] & 0xffL);
        }
        int[] dims = new int[rank];
        long count = 1;
        for (int i = 0; i < rank; i++) {
            if (claimed[i] < 1) {
                throw new InvalidDataFileException(file, "dimension " + i + " of " + Arrays.toString(claimed)
                        + " is 0, expected ≥ 1");
            }
            // each factor < 2^32 and the running product ≤ limit < 2^31, so the product never overflows a long
            count *= claimed[i];
            if (count > limitBytes) {
                throw new InvalidDataFileException(file, "dimensions " + Arrays.toString(claimed) + " claim more than "
                        + limitBytes + " elements, the reader's limit");
            }
            dims[i] = (int) claimed[i];
        }
        long headerLength = 4L + 4L * rank;
        if (plainLength >= 0 && plainLength != headerLength + count) {
            throw new InvalidDataFileException(file, "dimensions " + Arrays.toString(dims) + " need " + (headerLength + count)
                    + " bytes, the file has " + plainLength + (plainLength < headerLength + count ? " (truncated)"
                    : " (trailing bytes)"));
        }
        byte[] data = readData(file, in, (int) count, Arrays.toString(dims));
        return new IdxArray(dims, data);
    }

    private static byte[] readHeaderBytes(Path file, InputStream in, int n, int offset) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length < n) {
            throw new InvalidDataFileException(file, "truncated header: it ends after " + (offset + b.length)
                    + " bytes, the header needs " + (offset + n));
        }
        return b;
    }

    /** Reads exactly {@code count} bytes, growing the buffer only as data arrives, then checks nothing follows. */
    private static byte[] readData(Path file, InputStream in, int count, String dims) throws IOException {
        byte[] buf = new byte[Math.min(count, FIRST_CHUNK)];
        int filled = 0;
        while (filled < count) {
            if (filled == buf.length) {
                buf = Arrays.copyOf(buf, (int) Math.min(count, 2L * buf.length));
            }
            int n = in.read(buf, filled, buf.length - filled);
            if (n < 0) {
                throw new InvalidDataFileException(file, "truncated: dimensions " + dims + " need " + count
                        + " data bytes, the file has " + filled);
            }
            filled += n;
        }
        if (in.read() >= 0) {
            throw new InvalidDataFileException(file, "trailing bytes after the " + count + " data bytes of dimensions " + dims);
        }
        return buf;
    }
}

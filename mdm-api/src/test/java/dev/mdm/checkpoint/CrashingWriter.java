package dev.mdm.checkpoint;

import dev.mdm.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The child process of {@link SafetensorsCrashTest}: writes a large checkpoint over an existing file and waits to be
 * killed. Mode {@code pause}: after half of the bytes, prints {@code HALFWAY} and sleeps, so that the kill lands
 * mid-write for certain. Mode {@code loop}: prints {@code WRITING} and rewrites the file forever, so that the kill lands
 * wherever it happens to.
 */
public final class CrashingWriter {
    private CrashingWriter() {
    }

    /**
     * @param args target file, size in MiB, mode ({@code pause} or {@code loop})
     * @throws Exception never, in practice: the process is killed
     */
    public static void main(String[] args) throws Exception {
        Path target = Path.of(args[0]);
        int mib = Integer.parseInt(args[1]);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (int i = 0; i < mib; i++) {
            float[] v = new float[1 << 18];
            java.util.Arrays.fill(v, i + 1);
            tensors.put("layer." + i, Tensor.ofFloats(v, 512, 512));
        }
        long half = (long) mib << 19;
        if (args[2].equals("pause")) {
            Safetensors.write(target, tensors, Map.of("generation", "new"), ch -> pausingAfter(ch, half));
        } else {
            System.out.println("WRITING");
            System.out.flush();
            for (int g = 0; ; g++) {
                Safetensors.write(target, tensors, Map.of("generation", "new-" + g));
            }
        }
    }

    private static WritableByteChannel pausingAfter(WritableByteChannel inner, long limit) {
        return new WritableByteChannel() {
            long written;

            @Override
            public int write(ByteBuffer src) throws IOException {
                if (written >= limit) {
                    System.out.println("HALFWAY " + written);
                    System.out.flush();
                    try {
                        Thread.sleep(Long.MAX_VALUE);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted", e);
                    }
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

package dev.mdm.tck;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * Measures growth of the memory a process holds outside the Java heap, for the native-memory rule, from the resident
 * set size in {@code /proc/self/statm} (Linux only). The Java heap's share of the RSS is unknowable from inside (G1
 * touches and uncommits regions concurrently), so the estimate is conservative: it subtracts the whole committed
 * heap at the end and any growth of the JVM's own non-heap pools (JIT code, metaspace). A leak shows; GC noise does not.
 */
public final class NativeMemoryProbe {
    /** Growth allowed over the measured passes, in MiB, on top of the committed heap: allocator and JIT noise. */
    public static final int SLACK_MIB = 48;

    private static final Path STATM = Path.of("/proc/self/statm");
    /** x86-64 and the usual aarch64 kernels use 4 KiB pages; statm counts pages. */
    private static final long PAGE_BYTES = 4096;

    /**
     * One reading, in bytes.
     *
     * @param resident resident set size of the process
     * @param heapCommitted committed Java heap
     * @param nonHeapCommitted committed non-heap pools of the JVM (JIT code, metaspace)
     */
    public record Snapshot(long resident, long heapCommitted, long nonHeapCommitted) {
    }

    private NativeMemoryProbe() {
    }

    /** @return true when {@code /proc/self/statm} can be read */
    public static boolean available() {
        return residentBytes().isPresent();
    }

    private static OptionalLong residentBytes() {
        try {
            String[] fields = Files.readString(STATM).trim().split("\\s+");
            return OptionalLong.of(Long.parseLong(fields[1]) * PAGE_BYTES);
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /** @return a reading taken after a GC, so that buffers freed by cleaners are released */
    public static Snapshot snapshot() {
        System.gc();
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        return new Snapshot(residentBytes().orElseThrow(), memory.getHeapMemoryUsage().getCommitted(),
                memory.getNonHeapMemoryUsage().getCommitted());
    }

    /**
     * @param before reading before the passes
     * @param after reading after them
     * @return a lower bound on the growth of native memory, in bytes
     */
    public static long nativeGrowth(Snapshot before, Snapshot after) {
        return after.resident() - before.resident() - after.heapCommitted()
                - Math.max(0, after.nonHeapCommitted() - before.nonHeapCommitted());
    }
}

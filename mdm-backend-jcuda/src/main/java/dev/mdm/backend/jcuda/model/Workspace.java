package dev.mdm.backend.jcuda.model;

import dev.mdm.backend.jcuda.cuda.CudaContext;

/**
 * One device allocation that intermediate buffers are carved from. It grows only when a call needs more than it
 * has (never while a CUDA graph is recorded), so steady-state inference allocates nothing.
 */
public final class Workspace implements AutoCloseable {
    private static final long ALIGN = 256;
    private final CudaContext cuda;
    private long base;
    private long capacity;

    /** @param cuda where to allocate */
    public Workspace(CudaContext cuda) {
        this.cuda = cuda;
    }

    /**
     * @param bytes the size the next call needs
     * @return the base address, valid until the next growth
     */
    public long ensure(long bytes) {
        if (bytes > capacity) {
            cuda.free(base, capacity);
            base = 0;
            capacity = 0;
            base = cuda.alloc(bytes);
            capacity = bytes;
        }
        return base;
    }

    /** @return bytes held */
    public long capacity() {
        return capacity;
    }

    /** Carves aligned slices off a base address, in order; the same calls give the same offsets. */
    public static final class Carver {
        private long next;

        /** @param base first address */
        public Carver(long base) {
            this.next = base;
        }

        /**
         * @param bytes size
         * @return the slice's address
         */
        public long take(long bytes) {
            long a = next;
            next += (bytes + ALIGN - 1) / ALIGN * ALIGN;
            return a;
        }

        /** @return bytes taken from a base of 0 */
        public long used() {
            return next;
        }
    }

    @Override
    public void close() {
        cuda.free(base, capacity);
        base = 0;
        capacity = 0;
    }
}

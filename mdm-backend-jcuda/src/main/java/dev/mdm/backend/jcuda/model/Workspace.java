package dev.mdm.backend.jcuda.model;

import dev.mdm.backend.jcuda.DeviceOutOfMemoryException;
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
     * @throws DeviceOutOfMemoryException when the device cannot hold {@code bytes}; the workspace then has its
     *     previous capacity again (possibly at another address) or, if even that no longer fits, none
     */
    public long ensure(long bytes) {
        return ensure(bytes, "a workspace");
    }

    /**
     * @param bytes the size the next call needs
     * @param purpose what the call is, named in the out-of-memory message
     * @return the base address, valid until the next growth
     * @throws DeviceOutOfMemoryException when the device cannot hold {@code bytes}; the workspace then has its
     *     previous capacity again (possibly at another address) or, if even that no longer fits, none
     */
    public long ensure(long bytes, String purpose) {
        if (bytes > capacity) {
            long previous = capacity;
            // free first: the old buffer's memory counts towards the new one
            cuda.free(base, capacity);
            base = 0;
            capacity = 0;
            try {
                base = cuda.alloc(bytes, purpose);
            } catch (DeviceOutOfMemoryException e) {
                restore(previous, e);
                throw e;
            }
            capacity = bytes;
        }
        return base;
    }

    /** Takes back the capacity a failed growth gave up, so the next call of the old size allocates nothing. */
    private void restore(long previous, DeviceOutOfMemoryException failure) {
        if (previous > 0) {
            try {
                base = cuda.alloc(previous, "the previous workspace");
                capacity = previous;
            } catch (DeviceOutOfMemoryException again) {
                failure.addSuppressed(again);
            }
        }
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

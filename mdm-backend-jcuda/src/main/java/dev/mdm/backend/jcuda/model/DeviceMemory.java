package dev.mdm.backend.jcuda.model;

import dev.mdm.backend.jcuda.cuda.CudaContext;
import dev.mdm.tensor.DType;
import dev.mdm.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/** Device allocations owned together (one model's weights): freed as a group on {@link #close()}. */
public final class DeviceMemory implements AutoCloseable {
    private record Allocation(long address, long bytes) {
    }

    private final CudaContext cuda;
    private final List<Allocation> allocations = new ArrayList<>();
    private long bytes;

    /** @param cuda where to allocate */
    public DeviceMemory(CudaContext cuda) {
        this.cuda = cuda;
    }

    /**
     * @param size bytes
     * @return a new device address
     */
    public long alloc(long size) {
        return alloc(size, "model weights");
    }

    /**
     * @param size bytes
     * @param purpose what it is for (named in an out-of-memory error)
     * @return a new device address, freed with the group
     */
    public long alloc(long size, String purpose) {
        long a = cuda.alloc(size, purpose);
        allocations.add(new Allocation(a, size));
        bytes += size;
        return a;
    }

    /**
     * Copies a host tensor to the device.
     *
     * @param t the tensor (any floating dtype)
     * @param bf16 store as bf16, else fp32
     * @return its device address
     */
    public long upload(Tensor t, boolean bf16) {
        byte[] data = t.to(bf16 ? DType.BF16 : DType.F32).toBytes();
        long a = alloc(data.length);
        cuda.upload(a, data);
        return a;
    }

    /**
     * @param values floats
     * @return their device address
     */
    public long upload(float[] values) {
        long a = alloc(values.length * 4L);
        cuda.upload(a, values);
        return a;
    }

    /**
     * @param values ints
     * @return their device address
     */
    public long upload(int[] values) {
        long a = alloc(values.length * 4L);
        cuda.upload(a, values);
        return a;
    }

    /** @return bytes held */
    public long bytes() {
        return bytes;
    }

    @Override
    public void close() {
        for (Allocation a : allocations) {
            cuda.free(a.address(), a.bytes());
        }
        allocations.clear();
        bytes = 0;
    }
}

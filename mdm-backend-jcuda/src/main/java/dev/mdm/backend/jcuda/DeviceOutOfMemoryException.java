package dev.mdm.backend.jcuda;

import dev.mdm.MdmException;
import java.util.Locale;

/**
 * The GPU had too little free memory for a call (cuMemAlloc or cuBLAS answered out-of-memory). Nothing of the call
 * was queued: what it had allocated is freed, the model's weights and earlier results are untouched, and the same
 * instance accepts the next call. Retry with a smaller batch or fewer tokens, or free the GPU of other work.
 */
public class DeviceOutOfMemoryException extends MdmException {
    /** Serialization version of this exception. */
    private static final long serialVersionUID = 1L;
    /** Bytes the failed allocation asked for. */
    private final long requestedBytes;
    /** Bytes the driver reported free just after the failure. */
    private final long freeBytes;
    /** Bytes of device memory in all. */
    private final long totalBytes;

    /**
     * @param device the GPU, e.g. {@code "GPU 0 (NVIDIA H100 80GB HBM3)"}
     * @param purpose what the memory was for, e.g. {@code "the denoiser's workspace for a batch of 64"}
     * @param requestedBytes bytes asked for, or 0 where the library did not say
     * @param freeBytes bytes free on the device
     * @param totalBytes bytes of device memory in all
     * @param cause the driver's or cuBLAS's error
     */
    public DeviceOutOfMemoryException(String device, String purpose, long requestedBytes, long freeBytes, long totalBytes,
                                      Throwable cause) {
        super("out of GPU memory on " + device + ": " + purpose + " needs "
                + (requestedBytes > 0 ? size(requestedBytes) : "more than is free") + "; "
                + size(freeBytes) + " of " + size(totalBytes) + " is free"
                + (requestedBytes > totalBytes ? " (more than the whole GPU)" : "")
                + ". Nothing was computed and the model is still usable: retry with a smaller batch (fewer samples per"
                + " call) or fewer tokens, or close other models and processes using this GPU.", cause);
        this.requestedBytes = requestedBytes;
        this.freeBytes = freeBytes;
        this.totalBytes = totalBytes;
    }

    /** @return bytes the failed allocation asked for, or 0 where the library did not say */
    public long requestedBytes() {
        return requestedBytes;
    }

    /** @return bytes free on the device just after the failure */
    public long freeBytes() {
        return freeBytes;
    }

    /** @return bytes of device memory in all */
    public long totalBytes() {
        return totalBytes;
    }

    /** @return e.g. "1.50 GiB (1610612736 bytes)" */
    static String size(long bytes) {
        String[] units = {"bytes", "KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? bytes + " bytes" : String.format(Locale.ROOT, "%.2f %s (%d bytes)", v, units[u], bytes);
    }
}

package dev.mdm.spi;

import dev.mdm.Device;
import dev.mdm.Precision;
import java.util.Objects;

/**
 * What the user asked of a backend when it is created.
 *
 * @param device where to compute; a backend that cannot honour it throws
 *     {@link dev.mdm.BackendUnavailableException}, never falls back silently
 * @param precision numeric precision to compute in
 */
public record BackendContext(Device device, Precision precision) {
    /** Checks for nulls. */
    public BackendContext {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(precision, "precision");
    }
}

package dev.mdm.tck.reference;

import dev.mdm.BackendUnavailableException;
import dev.mdm.spi.Availability;
import dev.mdm.spi.Backend;
import dev.mdm.spi.BackendContext;
import dev.mdm.spi.BackendProvider;
import java.util.List;

/**
 * Provider of the {@code reference} backend: the TCK's pure-Java float64 oracle. Always available, lowest priority
 * (0), CPU only.
 */
public final class ReferenceBackendProvider implements BackendProvider {
    /** The name users select it by. */
    public static final String NAME = "reference";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public Availability probe() {
        return Availability.ready();
    }

    @Override
    public Backend create(BackendContext context) {
        if (context == null) {
            throw new dev.mdm.InvalidInputException("context", "a BackendContext", "null");
        }
        if (context.device().isGpu()) {
            throw new BackendUnavailableException("backend '" + NAME + "' cannot compute on " + context.device(),
                    List.of(NAME + ": the reference oracle runs on the CPU only; ask for Device.cpu() or use a GPU backend such as jcuda"));
        }
        return new ReferenceBackend(context.precision());
    }

    @Override
    public String toString() {
        return "ReferenceBackendProvider[" + NAME + "]";
    }
}

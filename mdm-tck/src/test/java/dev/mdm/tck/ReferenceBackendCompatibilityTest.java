package dev.mdm.tck;

import dev.mdm.Precision;
import dev.mdm.spi.BackendProvider;
import dev.mdm.tck.reference.ReferenceBackendProvider;
import org.junit.jupiter.api.DisplayName;

/** The kit against the reference oracle itself, at the float64 tolerances: every rule must pass or be skipped. */
@DisplayName("The reference backend passes the compatibility kit")
class ReferenceBackendCompatibilityTest extends BackendCompatibilityKit {
    @Override
    protected BackendProvider provider() {
        return new ReferenceBackendProvider();
    }

    @Override
    protected Precision precision() {
        return Precision.FP64;
    }
}

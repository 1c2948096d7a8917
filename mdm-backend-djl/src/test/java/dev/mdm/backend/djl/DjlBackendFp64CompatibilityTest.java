package dev.mdm.backend.djl;

import dev.mdm.Precision;
import dev.mdm.spi.BackendProvider;
import dev.mdm.tck.BackendCompatibilityKit;

/** The whole TCK against the DJL backend in FP64, at the float64 tolerances of SPEC §10. */
class DjlBackendFp64CompatibilityTest extends BackendCompatibilityKit {
    @Override
    protected BackendProvider provider() {
        return new DjlBackendProvider();
    }

    @Override
    protected Precision precision() {
        return Precision.FP64;
    }
}

package dev.mdm.backend.djl;

import dev.mdm.spi.BackendProvider;
import dev.mdm.tck.BackendCompatibilityKit;

/** The whole TCK against the DJL backend in FP32. */
class DjlBackendCompatibilityTest extends BackendCompatibilityKit {
    @Override
    protected BackendProvider provider() {
        return new DjlBackendProvider();
    }
}

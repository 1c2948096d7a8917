package dev.mdm.backend.onnx;

import dev.mdm.spi.BackendProvider;
import dev.mdm.tck.BackendCompatibilityKit;
import org.junit.jupiter.api.DisplayName;

@DisplayName("The onnx backend passes the MDM TCK at float32 tolerance")
class OnnxBackendCompatibilityTest extends BackendCompatibilityKit {
    @Override
    protected BackendProvider provider() {
        return new OnnxBackendProvider();
    }
}

package dev.mdm.backend.jcuda;

import dev.mdm.Precision;
import dev.mdm.spi.BackendProvider;
import dev.mdm.tck.BackendCompatibilityKit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;

/** The TCK on the GPU; without an NVIDIA GPU every rule skips with the provider's probe reasons. */
@DisplayName("The jcuda backend passes the MDM TCK")
class JcudaBackendCompatibilityTest {
    @Nested
    @DisplayName("at float32 tolerance")
    class Fp32 extends BackendCompatibilityKit {
        @Override
        protected BackendProvider provider() {
            return new JcudaBackendProvider();
        }
    }

    @Nested
    @DisplayName("at bf16 tolerance")
    class Bf16 extends BackendCompatibilityKit {
        @Override
        protected BackendProvider provider() {
            return new JcudaBackendProvider();
        }

        @Override
        protected Precision precision() {
            return Precision.BF16;
        }
    }
}

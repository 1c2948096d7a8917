package dev.mdm.backend.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mdm.BackendUnavailableException;
import dev.mdm.Device;
import dev.mdm.Precision;
import dev.mdm.spi.Backend;
import dev.mdm.spi.BackendContext;
import dev.mdm.spi.BackendRegistry;
import dev.mdm.spi.Capability;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The djl provider")
class DjlBackendProviderTest {
    private final DjlBackendProvider provider = new DjlBackendProvider();

    @Test
    @DisplayName("is registered as a service under the name djl with priority 200")
    void isRegisteredAsAService() {
        BackendRegistry registry = BackendRegistry.discover();
        assertThat(registry.providers()).anySatisfy(p -> {
            assertThat(p).isInstanceOf(DjlBackendProvider.class);
            assertThat(p.name()).isEqualTo("djl");
            assertThat(p.priority()).isEqualTo(200);
        });
        assertThat(registry.select("djl")).isInstanceOf(DjlBackendProvider.class);
    }

    @Test
    @DisplayName("probes available on linux-x86_64 with the DJL jars on the class path")
    void probesAvailableHere() {
        assertThat(provider.probe().reasons()).isEmpty();
        assertThat(provider.probe().available()).isTrue();
    }

    @Test
    @DisplayName("creates an FP32 CPU backend that names DJL and PyTorch in its version and can train")
    void createsAnFp32Backend() {
        try (Backend b = provider.create(new BackendContext(Device.cpu(), Precision.FP32))) {
            assertThat(b.name()).isEqualTo("djl");
            assertThat(b.device()).isEqualTo(Device.cpu());
            assertThat(b.precision()).isEqualTo(Precision.FP32);
            assertThat(b.version()).contains("DJL 0.35.1").contains("PyTorch 2.7.1");
            assertThat(b.capabilities()).contains(Capability.TRAINING, Capability.FP64).doesNotContain(Capability.GPU);
        }
    }

    @Test
    @DisplayName("refuses a GPU and BF16 with every reason, never falling back silently")
    void refusesGpuAndBf16() {
        assertThatThrownBy(() -> provider.create(new BackendContext(Device.gpu(0), Precision.BF16)))
                .isInstanceOfSatisfying(BackendUnavailableException.class, e -> assertThat(e.reasons())
                        .anySatisfy(r -> assertThat(r).contains("gpu:0"))
                        .anySatisfy(r -> assertThat(r).contains("BF16")));
    }
}

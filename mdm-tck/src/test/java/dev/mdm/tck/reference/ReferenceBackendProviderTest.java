package dev.mdm.tck.reference;

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

@DisplayName("The reference backend provider")
class ReferenceBackendProviderTest {
    @Test
    @DisplayName("is found by ServiceLoader as 'reference', priority 0, always available")
    void discovered() {
        var provider = BackendRegistry.discover().find("reference");
        assertThat(provider).isPresent();
        assertThat(provider.get()).isInstanceOf(ReferenceBackendProvider.class);
        assertThat(provider.get().priority()).isZero();
        assertThat(provider.get().probe().available()).isTrue();
    }

    @Test
    @DisplayName("computes in FP64 on the CPU whatever precision is asked, says so in version(), and has no TRAINING")
    void cpuFp64() {
        try (Backend b = new ReferenceBackendProvider().create(new BackendContext(Device.cpu(), Precision.BF16))) {
            assertThat(b.name()).isEqualTo("reference");
            assertThat(b.device()).isEqualTo(Device.cpu());
            assertThat(b.precision()).isEqualTo(Precision.FP64);
            assertThat(b.capabilities()).containsExactly(Capability.FP64);
            assertThat(b.version()).contains("float64").contains("BF16");
        }
    }

    @Test
    @DisplayName("refuses a GPU device with BackendUnavailableException instead of falling back")
    void refusesGpu() {
        assertThatThrownBy(() -> new ReferenceBackendProvider().create(new BackendContext(Device.gpu(0), Precision.FP32)))
                .isInstanceOf(BackendUnavailableException.class).hasMessageContaining("gpu:0");
    }
}

package dev.mdm.backend.jcuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mdm.BackendUnavailableException;
import dev.mdm.Device;
import dev.mdm.Precision;
import dev.mdm.spi.Availability;
import dev.mdm.spi.BackendContext;
import dev.mdm.spi.BackendProvider;
import dev.mdm.spi.BackendRegistry;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The jcuda provider")
class JcudaBackendProviderTest {
    private final JcudaBackendProvider provider = new JcudaBackendProvider();

    @Test
    @DisplayName("is found by the ServiceLoader under the name jcuda with priority 300 and GPU 0 as default device")
    void isDiscoveredWithItsNameAndPriority() {
        BackendProvider found = BackendRegistry.discover().providers().stream()
                .filter(p -> p.name().equals("jcuda")).findFirst().orElseThrow();
        assertThat(found).isInstanceOf(JcudaBackendProvider.class);
        assertThat(found.priority()).isEqualTo(300);
        assertThat(found.defaultDevice()).isEqualTo(Device.gpu(0));
    }

    @Test
    @DisplayName("carries the kernels when built with nvcc, and otherwise says in its probe that they are missing")
    void reportsWhetherKernelsWereCompiled() {
        boolean packed = JcudaBackendProvider.class.getResource("/dev/mdm/backend/jcuda/kernels/mdm_kernels.ptx") != null;
        if (java.nio.file.Files.isExecutable(java.nio.file.Path.of("/usr/local/cuda/bin/nvcc"))) {
            assertThat(packed).as("kernels compiled by the cuda-kernels profile").isTrue();
        }
        if (packed) {
            assertThat(provider.probe().reasons()).noneMatch(r -> r.contains("no compiled CUDA kernels"));
        } else {
            assertThat(provider.probe().reasons()).anyMatch(r -> r.contains("no compiled CUDA kernels") && r.contains("nvcc"));
        }
    }

    @Test
    @DisplayName("probes without throwing and, when unavailable, says why in whole sentences")
    void probeGivesReasons() {
        Availability a = provider.probe();
        if (a.available()) {
            assertThat(a.reasons()).isEmpty();
        } else {
            assertThat(a.reasons()).isNotEmpty().allSatisfy(r -> assertThat(r).hasSizeGreaterThan(20));
        }
    }

    @Test
    @DisplayName("refuses a CPU device rather than falling back")
    void refusesCpu() {
        assertThatThrownBy(() -> provider.create(new BackendContext(Device.cpu(), Precision.FP32)))
                .isInstanceOf(BackendUnavailableException.class).hasMessageContaining("GPU");
    }

    @Test
    @DisplayName("refuses FP64, naming the precisions it has")
    void refusesFp64() {
        assertThatThrownBy(() -> provider.create(new BackendContext(Device.gpu(0), Precision.FP64)))
                .isInstanceOf(BackendUnavailableException.class).hasMessageContaining("FP32 or BF16");
    }
}

package dev.mdm.backend.onnx;

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

@DisplayName("The onnx provider is found by ServiceLoader, probes cheaply and states what it can do")
class OnnxBackendProviderTest {
    @Test
    @DisplayName("ServiceLoader finds it under the name onnx with priority 100, available here")
    void discovered() {
        var provider = BackendRegistry.discover().find("onnx");
        assertThat(provider).isPresent();
        assertThat(provider.get()).isInstanceOf(OnnxBackendProvider.class);
        assertThat(provider.get().priority()).isEqualTo(100);
        assertThat(provider.get().probe().available()).isTrue();
    }

    @Test
    @DisplayName("a backend reports FP32 on the CPU, ONNX_EXPORT and no TRAINING, and its ONNX Runtime version")
    void capabilities() {
        try (Backend b = new OnnxBackendProvider().create(new BackendContext(Device.cpu(), Precision.FP32))) {
            assertThat(b.capabilities()).contains(Capability.ONNX_EXPORT).doesNotContain(Capability.TRAINING, Capability.GPU);
            assertThat(b.version()).contains("ONNX Runtime 1.29");
            assertThat(b.precision()).isEqualTo(Precision.FP32);
        }
    }

    @Test
    @DisplayName("BF16, FP64 and a GPU without the CUDA provider are refused with reasons, never a silent fallback")
    void refusesWhatItCannotHonour() {
        var p = new OnnxBackendProvider();
        assertThatThrownBy(() -> p.create(new BackendContext(Device.cpu(), Precision.BF16)))
                .isInstanceOf(BackendUnavailableException.class).hasMessageContaining("FP32");
        assertThatThrownBy(() -> p.create(new BackendContext(Device.cpu(), Precision.FP64)))
                .isInstanceOf(BackendUnavailableException.class);
        assertThatThrownBy(() -> p.create(new BackendContext(Device.gpu(0), Precision.FP32)))
                .isInstanceOf(BackendUnavailableException.class).hasMessageContaining("onnxruntime_gpu");
    }

    @Test
    @DisplayName("null arguments get InvalidInputException naming them, before anything reaches ONNX Runtime")
    void nullArguments() {
        try (Backend b = new OnnxBackendProvider().create(new BackendContext(Device.cpu(), Precision.FP32))) {
            var t = dev.mdm.tensor.Tensor.zeros(1, 1);
            assertThatThrownBy(() -> b.ssd(null)).isInstanceOf(dev.mdm.InvalidInputException.class).hasMessageContaining("'request'");
            assertThatThrownBy(() -> b.load(dev.mdm.MdmConfig.tiny(), null)).isInstanceOf(dev.mdm.InvalidInputException.class)
                    .hasMessageContaining("'parameters'");
            assertThatThrownBy(() -> b.mambaMixer(dev.mdm.model.MambaShape.of(dev.mdm.MdmConfig.tiny()), null))
                    .isInstanceOf(dev.mdm.InvalidInputException.class).hasMessageContaining("'weights'");
            assertThatThrownBy(() -> b.scoreEntropy(null, t, t, t)).isInstanceOf(dev.mdm.InvalidInputException.class)
                    .hasMessageContaining("'z_t'");
        }
    }
}

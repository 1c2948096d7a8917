package dev.mdm.backend.onnx.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mdm.BackendUnavailableException;
import dev.mdm.Device;
import dev.mdm.MDM;
import dev.mdm.backend.onnx.OnnxBackendProvider;
import dev.mdm.spi.Availability;
import dev.mdm.spi.Backend;
import dev.mdm.spi.BackendContext;
import dev.mdm.spi.BackendProvider;
import dev.mdm.spi.BackendRegistry;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The diagnostic errors of ARCHITECTURE with the real CPU backends on the class path (onnx, and the reference from
 * mdm-tck): a GPU that cannot be had is an error naming what to do, never a silent CPU fallback; two jars providing one
 * backend name are an error naming both.
 */
@DisplayName("Backend diagnostics with the real onnx and reference backends")
class DiagnosticsTest {
    @Test
    @DisplayName("a GPU asked of the onnx backend without ONNX Runtime's CUDA provider is refused, saying which jar to use")
    void onnxGpuWithoutCuda() {
        assertThatThrownBy(() -> MDM.builder().backend("onnx").device(Device.gpu(0)).build())
                .isInstanceOfSatisfying(BackendUnavailableException.class, e -> {
                    assertThat(e).hasMessageStartingWith("backend 'onnx' cannot open gpu:0");
                    assertThat(e.reasons()).singleElement().asString().startsWith("onnx: this ONNX Runtime has no CUDA execution provider")
                            .contains("com.microsoft.onnxruntime:onnxruntime_gpu");
                });
    }

    @Test
    @DisplayName("a GPU asked of the CPU-only reference backend is refused with its reason")
    void referenceGpu() {
        assertThatThrownBy(() -> MDM.builder().backend("reference").device(Device.gpu(0)).build())
                .isInstanceOfSatisfying(BackendUnavailableException.class,
                        e -> assertThat(e.reasons()).singleElement().asString().contains("CPU only"));
    }

    @Test
    @DisplayName("a GPU with no backend named selects by priority and fails there: no fallback to another CPU backend")
    void gpuByPriorityDoesNotFallBack() {
        assertThatThrownBy(() -> MDM.builder().device(Device.gpu(1)).build())
                .isInstanceOf(BackendUnavailableException.class).hasMessageContaining("gpu:1");
        // the same machine computes on the CPU when that is what is asked for
        try (MDM cpu = MDM.builder().backend("onnx").device(Device.cpu()).build()) {
            assertThat(cpu.backend().device()).isEqualTo(Device.cpu());
        }
    }

    /** A second jar claiming the name {@code onnx}, as a stale or forked copy of the backend would. */
    public static final class ShadowOnnxProvider implements BackendProvider {
        private final OnnxBackendProvider real = new OnnxBackendProvider();

        /** The service-loader constructor. */
        public ShadowOnnxProvider() {
        }

        @Override
        public String name() {
            return real.name();
        }

        @Override
        public int priority() {
            return real.priority();
        }

        @Override
        public Availability probe() {
            return real.probe();
        }

        @Override
        public Backend create(BackendContext context) {
            return real.create(context);
        }
    }

    @Test
    @DisplayName("two jars on the class path that both provide 'onnx' are an error naming both classes and their locations")
    void conflictingJars(@TempDir Path dir) throws IOException {
        Path services = Files.createDirectories(dir.resolve("META-INF/services"));
        Files.writeString(services.resolve("dev.mdm.spi.BackendProvider"), ShadowOnnxProvider.class.getName() + "\n");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
            BackendRegistry registry = BackendRegistry.discover(loader);
            assertThat(registry.providers()).extracting(p -> p.name()).contains("onnx", "reference")
                    .filteredOn("onnx"::equals).hasSize(2);
            assertThatThrownBy(() -> MDM.builder().registry(registry).backend("onnx").build())
                    .isInstanceOfSatisfying(BackendUnavailableException.class, e -> {
                        assertThat(e).hasMessageContaining("backend 'onnx' (selected by the builder) is provided more than once");
                        assertThat(e.reasons()).hasSize(2).anySatisfy(r -> assertThat(r).startsWith(OnnxBackendProvider.class.getName() + " from "))
                                .anySatisfy(r -> assertThat(r).startsWith(ShadowOnnxProvider.class.getName() + " from "));
                    });
            assertThat(registry.diagnose()).contains("onnx").contains("selected by default: none (backend 'onnx' (selected by priority) "
                    + "is provided more than once");
        }
    }
}

package dev.mdm.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mdm.BackendNotFoundException;
import dev.mdm.BackendUnavailableException;
import dev.mdm.testing.FakeBackendProvider;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("BackendRegistry")
class BackendRegistryTest {
    static FakeBackendProvider provider(String name, int priority, Availability a) {
        return new FakeBackendProvider(name, priority, a, null);
    }

    /** Same name as another provider, different class, as when two jars ship one backend. */
    static final class SecondFake extends FakeBackendProvider {
        SecondFake(String name) {
            super(name, 1, Availability.ready(), null);
        }
    }

    @AfterEach
    void clearProperty() {
        System.clearProperty(BackendRegistry.PROPERTY);
    }

    @Nested
    @DisplayName("selection")
    class Selection {
        @Test
        @DisplayName("with no name, takes the available provider of highest priority")
        void byPriority() {
            var reg = BackendRegistry.of(List.of(provider("low", 1, Availability.ready()), provider("high", 9, Availability.ready()),
                    provider("best", 99, Availability.unavailable("no GPU"))));
            assertThat(reg.select(null).name()).isEqualTo("high");
            assertThat(reg.providers()).extracting(BackendProvider::name).containsExactly("best", "high", "low");
        }

        @Test
        @DisplayName("system property mdm.backend overrides priority")
        void byProperty() {
            var reg = BackendRegistry.of(List.of(provider("low", 1, Availability.ready()), provider("high", 9, Availability.ready())));
            System.setProperty(BackendRegistry.PROPERTY, "LOW ");
            assertThat(reg.select(null).name()).isEqualTo("low");
            assertThat(reg.select("high").name()).as("an explicit name still wins").isEqualTo("high");
            System.setProperty(BackendRegistry.PROPERTY, "nope");
            assertThatThrownBy(() -> reg.select(null)).isInstanceOf(BackendNotFoundException.class)
                    .hasMessageContaining("'nope' (from system property mdm.backend)");
        }

        @Test
        @DisplayName("an unknown name lists the names found")
        void unknownName() {
            var reg = BackendRegistry.of(List.of(provider("a", 1, Availability.ready()), provider("b", 2, Availability.ready())));
            assertThatThrownBy(() -> reg.select("cuda")).isInstanceOf(BackendNotFoundException.class)
                    .hasMessage("no backend named 'cuda' (from the builder); backends found: b, a");
        }

        @Test
        @DisplayName("a known name whose module is absent names the artifact to add")
        void knownNameMissing() {
            var reg = BackendRegistry.of(List.of(provider("a", 1, Availability.ready())));
            assertThatThrownBy(() -> reg.select("djl")).isInstanceOf(BackendNotFoundException.class)
                    .hasMessageContaining("add the artifact dev.mdm:mdm-backend-djl to the class path")
                    .hasMessageContaining("backends found: a");
            assertThatThrownBy(() -> BackendRegistry.of(List.of()).select("jcuda"))
                    .hasMessageContaining("dev.mdm:mdm-backend-jcuda").hasMessageContaining("backends found: none");
        }

        @Test
        @DisplayName("a named backend that cannot run gives its probe reasons")
        void namedUnavailable() {
            var reg = BackendRegistry.of(List.of(provider("gpu", 1, Availability.unavailable("no CUDA driver", "no libcublas"))));
            assertThatThrownBy(() -> reg.select("gpu")).isInstanceOfSatisfying(BackendUnavailableException.class,
                    e -> assertThat(e.reasons()).containsExactly("gpu: no CUDA driver", "gpu: no libcublas"));
        }

        @Test
        @DisplayName("none available lists every provider's probe reasons, a throwing probe included")
        void noneAvailable() {
            BackendProvider throwing = new FakeBackendProvider("boom", 3, Availability.ready(), null) {
                @Override
                public Availability probe() {
                    throw new UnsatisfiedLinkError("libfoo.so not found");
                }
            };
            var reg = BackendRegistry.of(List.of(provider("x", 1, Availability.unavailable("needs AVX-512")),
                    provider("y", 2, Availability.unavailable("no GPU", "wrong CUDA major 12 (needs 13)")), throwing));
            assertThatThrownBy(() -> reg.select(null)).isInstanceOfSatisfying(BackendUnavailableException.class, e -> {
                assertThat(e.reasons()).containsExactly("boom: probe failed: java.lang.UnsatisfiedLinkError: libfoo.so not found",
                        "y: no GPU", "y: wrong CUDA major 12 (needs 13)", "x: needs AVX-512");
                assertThat(e).hasMessageStartingWith("no MDM backend is available\n  - boom: probe failed");
            });
            assertThatThrownBy(() -> BackendRegistry.of(List.of()).select(null))
                    .hasMessageContaining("no BackendProvider on the class path; add a backend");
        }

        @Test
        @DisplayName("two providers of one name are an error naming both, whether named or chosen by priority")
        void duplicates() {
            var reg = BackendRegistry.of(List.of(provider("dup", 1, Availability.ready()), new SecondFake("dup")));
            assertThatThrownBy(() -> reg.select("dup")).isInstanceOfSatisfying(BackendUnavailableException.class, e -> {
                assertThat(e).hasMessageContaining("provided more than once");
                assertThat(e.reasons()).hasSize(2);
                assertThat(e.reasons().get(0)).startsWith(FakeBackendProvider.class.getName() + " from ");
                assertThat(e.reasons().get(1)).startsWith(SecondFake.class.getName() + " from ");
            });
            assertThatThrownBy(() -> reg.select(null)).isInstanceOf(BackendUnavailableException.class)
                    .hasMessageContaining("'dup' (selected by priority) is provided more than once");
        }
    }

    @Nested
    @DisplayName("lookup by name, for tools such as the TCK")
    class Named {
        @Test
        @DisplayName("returns the provider of a name even when it cannot run here")
        void unavailableFound() {
            var reg = BackendRegistry.of(List.of(provider("gpu", 1, Availability.unavailable("no GPU"))));
            assertThat(reg.named("GPU", "--backend").name()).isEqualTo("gpu");
        }

        @Test
        @DisplayName("refuses a name that two providers share, naming both classes and where they came from")
        void duplicates() {
            var reg = BackendRegistry.of(List.of(provider("dup", 1, Availability.ready()), new SecondFake("dup")));
            assertThatThrownBy(() -> reg.named("dup", "--backend")).isInstanceOfSatisfying(BackendUnavailableException.class, e -> {
                assertThat(e).hasMessageStartingWith("backend 'dup' (selected by --backend) is provided more than once");
                assertThat(e.reasons()).satisfiesExactly(
                        r -> assertThat(r).startsWith(FakeBackendProvider.class.getName() + " from "),
                        r -> assertThat(r).startsWith(SecondFake.class.getName() + " from "));
            });
        }

        @Test
        @DisplayName("says where an unknown name came from, as select does when given its source")
        void unknownNameSource() {
            var reg = BackendRegistry.of(List.of(provider("a", 1, Availability.ready())));
            assertThatThrownBy(() -> reg.named("mine", "--backend")).isInstanceOf(BackendNotFoundException.class)
                    .hasMessage("no backend named 'mine' (from --backend); backends found: a");
            assertThatThrownBy(() -> reg.select("mine", "--backend")).isInstanceOf(BackendNotFoundException.class)
                    .hasMessage("no backend named 'mine' (from --backend); backends found: a");
        }
    }

    @Nested
    @DisplayName("discovery")
    class Discovery {
        @TempDir
        Path dir;

        @Test
        @DisplayName("finds the providers registered as services")
        void findsServices() {
            var reg = BackendRegistry.discover(getClass().getClassLoader());
            assertThat(reg.providers()).extracting(BackendProvider::name).contains("fake");
            assertThat(reg.loadFailures()).isEmpty();
        }

        @Test
        @DisplayName("a provider class that is missing or whose constructor throws is reported and hides no other provider")
        void brokenProviders() throws IOException {
            Path services = Files.createDirectories(dir.resolve("META-INF/services"));
            Files.writeString(services.resolve(BackendProvider.class.getName()), String.join("\n",
                    "# a backend jar whose classes are missing, one that throws, and a good one",
                    "dev.mdm.spi.NoSuchProvider",
                    ThrowingProvider.class.getName(),
                    OtherProvider.class.getName(), ""));
            try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
                BackendRegistry reg = BackendRegistry.discover(loader);

                assertThat(reg.providers()).extracting(BackendProvider::name).containsExactly("other", "fake");
                assertThat(reg.loadFailures()).hasSize(2);
                assertThat(reg.loadFailures().get(0)).contains("dev.mdm.spi.NoSuchProvider").contains("not found");
                assertThat(reg.loadFailures().get(1)).contains(ThrowingProvider.class.getName())
                        .contains("constructor failed on purpose");
                assertThat(reg.diagnose()).contains("failed to load: ").contains("dev.mdm.spi.NoSuchProvider")
                        .contains("constructor failed on purpose");
                assertThatThrownBy(() -> reg.select("djl")).hasMessageContaining("failed to load: ")
                        .hasMessageContaining("NoSuchProvider");
                assertThat(reg.select(null).name()).isEqualTo("other");
            }
        }

        @Test
        @DisplayName("when nothing can run, load failures are among the reasons")
        void failuresAmongReasons() throws IOException {
            Path services = Files.createDirectories(dir.resolve("META-INF/services"));
            Files.writeString(services.resolve(BackendProvider.class.getName()), "dev.mdm.spi.NoSuchProvider\n");
            try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, null)) {
                BackendRegistry reg = BackendRegistry.discover(loader);
                assertThat(reg.providers()).isEmpty();
                assertThatThrownBy(() -> reg.select(null)).isInstanceOfSatisfying(BackendUnavailableException.class,
                        e -> assertThat(e.reasons()).singleElement().asString().startsWith("failed to load: ")
                                .contains("NoSuchProvider"));
            }
        }

        @Test
        @DisplayName("diagnose lists every provider with priority, availability and reasons, and the absent known backends")
        void diagnose() {
            var reg = BackendRegistry.of(List.of(provider("djl", 200, Availability.unavailable("no libtorch")),
                    provider("onnx", 100, Availability.ready())));
            String report = reg.diagnose();
            assertThat(report).contains("MDM backends (2 found").contains("djl").contains("UNAVAILABLE")
                    .contains("      - no libtorch").contains("onnx").contains("available")
                    .contains("jcuda: not on the class path (artifact dev.mdm:mdm-backend-jcuda)")
                    .contains("selected by default: onnx");
        }
    }
}

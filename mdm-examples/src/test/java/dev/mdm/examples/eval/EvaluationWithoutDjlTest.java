package dev.mdm.examples.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The image evaluation's classifier path")
class EvaluationWithoutDjlTest {
    /** Loads the test class path itself, but refuses every DJL class, as on a machine where DJL cannot run. */
    private static final class WithoutDjl extends URLClassLoader {
        WithoutDjl() {
            super(classPath(), ClassLoader.getPlatformClassLoader());
        }

        private static URL[] classPath() {
            return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator)).map(p -> {
                try {
                    return Path.of(p).toUri().toURL();
                } catch (MalformedURLException e) {
                    throw new IllegalStateException(e);
                }
            }).toArray(URL[]::new);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (name.startsWith("ai.djl.")) {
                throw new ClassNotFoundException(name + " is hidden: the evaluation must not need DJL");
            }
            return super.loadClass(name, resolve);
        }
    }

    @Test
    @DisplayName("loads the shipped classifier, classifies, embeds and measures a Fréchet distance with no DJL class reachable")
    void runsWithoutDjl() throws Exception {
        try (WithoutDjl loader = new WithoutDjl()) {
            assertThatThrownBy(() -> loader.loadClass("ai.djl.nn.Block")).isInstanceOf(ClassNotFoundException.class);
            Class<?> isolated = loader.loadClass(WithoutDjlScenario.class.getName());
            assertThat(isolated.getClassLoader()).isSameAs(loader);
            double[] result = (double[]) isolated.getMethod("run").invoke(null);
            assertThat(result[0]).as("class accuracy").isBetween(0.0, 1.0);
            assertThat(result[1]).as("Fréchet distance").isFinite().isPositive();
        }
    }
}

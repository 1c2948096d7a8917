package dev.mdm.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mdm.Precision;
import dev.mdm.spi.Backend;
import dev.mdm.spi.BackendContext;
import dev.mdm.spi.BackendRegistry;
import dev.mdm.spi.Capability;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

@DisplayName("Every JShell notebook")
class NotebooksTest {
    /** A notebook that needs a capability says so in a comment line: {@code // needs: TRAINING}. */
    private static final Pattern NEEDS = Pattern.compile("^// needs: ([A-Z_, ]+)", Pattern.MULTILINE);

    @TestFactory
    @DisplayName("runs to the end without a compile error or an exception (skipped, with the reason, when it needs a capability no CPU backend here has)")
    Stream<DynamicTest> runsToTheEnd() throws IOException {
        Path dir = Path.of("notebooks");
        var notebooks = Files.list(dir).filter(p -> p.toString().endsWith(".jsh")).sorted().toList();
        assertThat(notebooks).as("notebooks in %s", dir.toAbsolutePath()).isNotEmpty();
        return notebooks.stream().map(nb -> DynamicTest.dynamicTest(nb.getFileName().toString(), () -> {
            Set<Capability> needed = needs(nb);
            Assumptions.assumeTrue(cpuBackendHas(needed), () -> nb.getFileName() + " needs " + needed
                    + ", which no CPU backend on the class path has");
            assertThat(NotebookRunner.run(nb)).as("problems in %s", nb).isEmpty();
        }));
    }

    private static Set<Capability> needs(Path notebook) throws IOException {
        Matcher m = NEEDS.matcher(Files.readString(notebook));
        if (!m.find()) {
            return Set.of();
        }
        return Arrays.stream(m.group(1).split("[, ]+")).filter(s -> !s.isBlank()).map(Capability::valueOf)
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(Capability.class)));
    }

    private static boolean cpuBackendHas(Set<Capability> needed) {
        if (needed.isEmpty()) {
            return true;
        }
        return BackendRegistry.discover().providers().stream()
                .filter(p -> !p.defaultDevice().isGpu() && BackendRegistry.probe(p).available())
                .anyMatch(p -> {
                    try (Backend b = p.create(new BackendContext(p.defaultDevice(), Precision.FP32))) {
                        return b.capabilities().containsAll(needed);
                    }
                });
    }
}

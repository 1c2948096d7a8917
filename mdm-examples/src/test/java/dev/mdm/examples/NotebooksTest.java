package dev.mdm.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

@DisplayName("Every JShell notebook")
class NotebooksTest {
    @TestFactory
    @DisplayName("runs to the end without a compile error or an exception")
    Stream<DynamicTest> runsToTheEnd() throws IOException {
        Path dir = Path.of("notebooks");
        var notebooks = Files.list(dir).filter(p -> p.toString().endsWith(".jsh")).sorted().toList();
        assertThat(notebooks).as("notebooks in %s", dir.toAbsolutePath()).isNotEmpty();
        return notebooks.stream().map(nb -> DynamicTest.dynamicTest(nb.getFileName().toString(),
                () -> assertThat(NotebookRunner.run(nb)).as("problems in %s", nb).isEmpty()));
    }
}

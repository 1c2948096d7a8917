package dev.mdm.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Locates the committed tokenizer model (213 pieces) and the SentencePiece tools for the tests. */
public final class CommittedModel {
    /** Surefire runs in the module directory; the model lives in mdm-examples. */
    public static final Path MODEL = Path.of("..", "mdm-examples", "src", "main", "resources", "dev", "mdm", "examples",
            "tokenizer", "fashion.model");

    private CommittedModel() {
    }

    /** @return the executable of that name on the PATH, if any */
    public static Optional<Path> onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return Optional.of(Path.of(dir, name));
            }
        }
        return Optional.empty();
    }

    /**
     * Runs {@code spm_encode --output_format=id} on the lines.
     *
     * @return one id array per line
     */
    public static List<int[]> spmEncode(Path spmEncode, Path model, List<String> lines, Path dir) throws Exception {
        Path in = dir.resolve("in.txt");
        Path out = dir.resolve("out.txt");
        Files.write(in, lines);
        Process p = new ProcessBuilder(spmEncode.toString(), "--model=" + model, "--output_format=id", "--input=" + in,
                "--output=" + out).redirectErrorStream(true).redirectOutput(dir.resolve("log.txt").toFile()).start();
        if (p.waitFor() != 0) {
            throw new AssertionError("spm_encode failed: " + Files.readString(dir.resolve("log.txt")));
        }
        return Files.readAllLines(out).stream()
                .map(l -> l.isBlank() ? new int[0] : java.util.Arrays.stream(l.trim().split(" ")).mapToInt(Integer::parseInt)
                        .toArray())
                .toList();
    }
}

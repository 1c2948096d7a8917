package dev.mdm.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mdm.tck.reference.ReferenceBackendProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

@DisplayName("The mdm command line")
class MdmCommandTest {
    static List<String> subcommands() {
        return List.copyOf(MdmCommand.newCommandLine().getSubcommands().keySet());
    }

    @Test
    @DisplayName("has every command of issue 8")
    void hasEveryCommand() {
        assertThat(subcommands()).contains("demo", "generate", "caption", "answer", "train", "eval", "bench", "tck",
                "export-onnx", "diagnose");
    }

    @Test
    @DisplayName("mdm --help lists every command and the exit codes")
    void topLevelHelp() {
        Cli r = Cli.run("--help");
        assertThat(r.exitCode()).isZero();
        for (String name : subcommands()) {
            assertThat(r.out()).contains("  " + name + " ");
        }
        assertThat(r.out()).contains("Exit codes: 0 ok, 1 failed, 2 bad usage or input, 3 no usable backend");
    }

    @ParameterizedTest(name = "mdm {0} --help")
    @MethodSource("subcommands")
    @DisplayName("every command's --help parses and prints its usage")
    void commandHelp(String name) {
        Cli r = Cli.run(name, "--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("Usage: mdm " + name);
        assertThat(r.err()).isEmpty();
    }

    @Test
    @DisplayName("the usage of every command is consistent (picocli's own model checks, such as duplicate options)")
    void modelIsValid() {
        CommandLine cl = MdmCommand.newCommandLine();
        for (CommandLine sub : cl.getSubcommands().values()) {
            assertThat(sub.getCommandSpec().options()).as(sub.getCommandName()).isNotEmpty();
        }
    }

    @Test
    @DisplayName("an unknown backend exits with 3, one line naming it and a hint")
    void unknownBackend() {
        Cli r = Cli.run("generate", "--backend", "no-such-backend", "--preset", "tiny");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.NO_BACKEND);
        List<String> lines = r.err().lines().filter(l -> l.startsWith("mdm: ") || l.startsWith("hint: ")).toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).startsWith("mdm: ").contains("no-such-backend");
        assertThat(lines.get(1)).isEqualTo("hint: run 'mdm diagnose' to see every backend and why it can or cannot run here");
    }

    @Test
    @DisplayName("tck with a rule id that RULES.md does not list exits with 2 before running anything, naming it")
    void tckUnknownRule() {
        Cli r = Cli.run("tck", "--backend", "reference", "--rule", "MDM-SSD-999");
        assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("'--rule'").contains("'MDM-SSD-999'").doesNotContain("running the TCK");
    }

    @Test
    @DisplayName("tck with an unknown backend exits with 3 and names the backends found")
    void tckUnknownBackend() {
        Cli r = Cli.run("tck", "--backend", "no-such-backend");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.NO_BACKEND);
        assertThat(r.err()).contains("no-such-backend").contains("reference").contains("hint: run 'mdm diagnose'");
    }

    @Test
    @DisplayName("tck refuses a backend name that two jars provide, as selection does, naming both providers and where they came from")
    void tckDuplicateBackend(@TempDir Path dir) {
        Cli r = ExtraProviders.withProviders(dir, List.of(ExtraProviders.SecondReference.class),
                () -> Cli.run("tck", "--backend", "reference", "--rule", "MDM-SSD-002"));
        assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(ExitCodes.NO_BACKEND);
        assertThat(r.err()).contains("backend 'reference' (selected by --backend) is provided more than once")
                .contains(ReferenceBackendProvider.class.getName() + " from ")
                .contains(ExtraProviders.SecondReference.class.getName() + " from ")
                .doesNotContain("running the TCK");
    }

    @Test
    @DisplayName("tck names a provider that failed to load, and why, when its name is not found")
    void tckProviderFailedToLoad(@TempDir Path dir) {
        Cli r = ExtraProviders.withProviders(dir, List.of(ExtraProviders.PrivateConstructor.class),
                () -> Cli.run("tck", "--backend", "priv"));
        assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.NO_BACKEND);
        assertThat(r.err()).contains("no backend named 'priv' (from --backend)")
                .contains("failed to load: ").contains(ExtraProviders.PrivateConstructor.class.getName())
                .contains("Unable to get public no-arg constructor");
        assertThat(Cli.run("tck", "--help").out()).contains("3 when no backend of that name could be loaded");
    }

    @Test
    @DisplayName("an unknown option exits with 2 and says which")
    void badOption() {
        Cli r = Cli.run("generate", "--no-such-option");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("Unknown option: '--no-such-option'");
    }

    @Test
    @DisplayName("a bad option value exits with 2 and names the expected values")
    void badValue() {
        Cli device = Cli.run("generate", "--device", "tpu");
        assertThat(device.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(device.err()).contains("--device").contains("cpu, gpu or gpu:N");
        Cli count = Cli.run("generate", "--count", "many");
        assertThat(count.exitCode()).isEqualTo(ExitCodes.USAGE);
        Cli preset = Cli.run("generate", "--backend", "reference", "--preset", "huge");
        assertThat(preset.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(preset.err()).contains("'--preset'").contains("one of tiny, fashion, paper").contains("hint:");
        Cli precision = Cli.run("generate", "--precision", "fp16");
        assertThat(precision.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(precision.err().lines().toList()).as("one line and a hint, not the whole usage").hasSize(2);
        assertThat(precision.err()).startsWith("mdm: ").contains("--precision").contains("FP32")
                .contains("hint: run 'mdm generate --help'");
    }

    @Test
    @DisplayName("enum values are case-insensitive: --precision fp32 is FP32")
    void enumValuesIgnoreCase() throws Exception {
        Path out = Files.createTempDirectory("mdm-enum");
        Cli r = Cli.run("generate", "--backend", "reference", "--preset", "tiny", "--precision", "fp64", "--count", "1",
                "--steps", "1", "--out", out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
    }

    @Test
    @DisplayName("mdm without a command prints the usage on standard error and exits with 2")
    void noCommand() {
        Cli r = Cli.run();
        assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("Usage: mdm");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("outOfRangeOptions")
    @DisplayName("a number below an option's least value exits with 2 before any model opens, naming that one option")
    void optionBelowItsLeast(List<String> args, String option, String expected) {
        Cli r = Cli.run(args.toArray(String[]::new));
        assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err().lines().findFirst()).hasValueSatisfying(line -> assertThat(line).contains("'" + option + "': expected "
                + expected));
        assertThat(r.err()).doesNotContain("model:");
    }

    static List<Arguments> outOfRangeOptions() {
        return List.of(
                Arguments.of(List.of("generate", "--steps", "0"), "--steps", "at least 1"),
                Arguments.of(List.of("demo", "--samples", "0"), "--samples", "at least 1"),
                Arguments.of(List.of("bench", "--warmup", "-1"), "--warmup", "at least 0"),
                Arguments.of(List.of("eval", "--scenes", "-2"), "--scenes", "at least 0"),
                Arguments.of(List.of("train", "--batch", "0"), "--batch", "at least 1"),
                Arguments.of(List.of("train", "--lr", "-1"), "--lr", "a finite learning rate > 0"),
                Arguments.of(List.of("train", "--ema-decay", "1.5"), "--ema-decay", "a decay in [0, 1)"),
                Arguments.of(List.of("generate", "--class", "1", "--guidance", "-1"), "--guidance", "a finite number ≥ 0"));
    }

    @Test
    @DisplayName("a missing required option exits with 2")
    void missingOption() {
        assertThat(Cli.run("tck").exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(Cli.run("caption").exitCode()).isEqualTo(ExitCodes.USAGE);
    }

    @Test
    @DisplayName("training on a backend without TRAINING exits with 3 and says what is missing")
    void trainWithoutTrainingCapability() {
        Cli r = Cli.run("train", "--backend", "reference", "--steps", "1");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.NO_BACKEND);
        assertThat(r.err()).contains("backend 'reference' cannot train").contains("TRAINING").contains("hint:");
    }

    @Test
    @DisplayName("a checkpoint that is not one exits with 4")
    void badCheckpoint(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path file = dir.resolve("model.safetensors");
        java.nio.file.Files.writeString(file, "not a checkpoint");
        Cli r = Cli.run("generate", "--backend", "reference", "--checkpoint", file.toString());
        assertThat(r.exitCode()).isEqualTo(ExitCodes.BAD_FILE);
        assertThat(r.err()).contains("mdm: ").contains("hint:");
    }
}

package dev.mdm.examples.cli;

import dev.mdm.InvalidInputException;
import dev.mdm.examples.tck.KitLauncher;
import dev.mdm.spi.BackendProvider;
import dev.mdm.spi.BackendRegistry;
import dev.mdm.tck.Rules;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code mdm tck}: the compatibility kit against a named backend. */
@Command(name = "tck", mixinStandardHelpOptions = true,
        description = {"Run the technology compatibility kit (dev.mdm.tck.BackendCompatibilityKit) against a backend on "
                + "the class path: every component, on the tiny preset, against the float64 reference oracle with the "
                + "tolerances of SPEC §10. Exit status 0 when some rule ran and none failed; 1 when one failed or "
                + "none ran (every rule skipped, e.g. a backend that cannot run here: never a silent pass); 2 for an "
                + "unknown rule id; 3 when no backend of that name could be loaded, or several jars provide it.",
                "Rules are listed with what they check in mdm-tck/RULES.md."},
        footer = {"", "Examples:", "  mdm tck --backend djl", "  mdm tck --backend onnx --rule MDM-SSD-001 --rule MDM-DEN-001"})
public final class TckCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--backend", required = true, paramLabel = "NAME", description = "The backend to check ('mdm diagnose' lists them).")
    String backend;

    @Option(names = "--rule", paramLabel = "ID", description = "Run only this rule (repeatable), e.g. MDM-SSD-001.")
    List<String> rules = new ArrayList<>();

    @Option(names = "--verbose", description = "Print every test with its outcome, and each failure's stack trace, not only the failures' messages.")
    boolean verbose;

    @Override
    public Integer call() {
        Set<String> known = Rules.catalogue().stream().map(Rules.Rule::id).collect(Collectors.toCollection(TreeSet::new));
        for (String rule : rules) {
            if (!known.contains(rule)) {
                throw new InvalidInputException("--rule", "a rule id of mdm-tck/RULES.md, e.g. MDM-SSD-001", "'" + rule + "'");
            }
        }
        // not select(): a backend that cannot run here still runs the kit, which reports each rule skipped with why
        BackendProvider provider = BackendRegistry.discover().named(backend, "--backend");
        PrintWriter out = spec.commandLine().getOut();
        spec.commandLine().getErr().println("running the TCK against '" + backend + "'" + (rules.isEmpty() ? "" : " " + rules) + "...");
        KitLauncher.Report report = KitLauncher.run(provider, rules.toArray(String[]::new));
        if (verbose) {
            for (KitLauncher.Outcome o : report.outcomes()) {
                out.printf("%-7s %s%s%n", o.status(), o.name(), o.status() == KitLauncher.Status.SKIPPED ? "  (" + o.message() + ")" : "");
                if (o.status() == KitLauncher.Status.FAILED) {
                    out.println(KitLauncher.Report.indented(o.stackTrace()));
                }
            }
        }
        out.println(report.summary());
        out.flush();
        return report.passed() ? ExitCodes.OK : ExitCodes.FAILED;
    }
}

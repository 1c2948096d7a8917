package dev.mdm.examples.cli;

import dev.mdm.MDM;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code mdm diagnose}: every backend found, whether it can run here, and why not. */
@Command(name = "diagnose", mixinStandardHelpOptions = true,
        description = "List every backend on the class path, whether it can run on this machine and why not, "
                + "and which one MDM would choose.")
public final class DiagnoseCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getOut().print(MDM.diagnose());
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}

package dev.mdm.examples;

import dev.mdm.examples.cli.MdmCommand;
import picocli.CommandLine;

/** Entry point of the {@code mdm} command line. */
public final class Main {
    private Main() {
    }

    /**
     * @param args command-line arguments; {@code mdm --help} lists the commands
     */
    public static void main(String[] args) {
        quietLogs();
        System.exit(MdmCommand.newCommandLine().execute(args));
    }

    /** The command prints what matters itself; library INFO logs would bury it (MDM_DEBUG=1 keeps them). */
    private static void quietLogs() {
        if (System.getenv("MDM_DEBUG") == null) {
            java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        }
    }
}

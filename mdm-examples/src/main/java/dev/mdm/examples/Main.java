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
        System.exit(MdmCommand.newCommandLine().execute(args));
    }
}

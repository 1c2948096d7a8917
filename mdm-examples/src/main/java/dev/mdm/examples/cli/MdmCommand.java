package dev.mdm.examples.cli;

import dev.mdm.BackendNotFoundException;
import dev.mdm.BackendUnavailableException;
import dev.mdm.CheckpointException;
import dev.mdm.ConfigurationException;
import dev.mdm.InvalidInputException;
import dev.mdm.data.InvalidDataFileException;
import dev.mdm.text.TokenizerException;
import java.io.UncheckedIOException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code mdm} command and its subcommands. */
@Command(name = "mdm", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Multi-modal Diffusion Mamba for the JVM: generate images with captions, caption images, "
                + "answer questions, train, evaluate, benchmark and check backends.",
        subcommands = {DemoCommand.class, GenerateCommand.class, CaptionCommand.class, AnswerCommand.class,
                TrainCommand.class, EvalCommand.class, BenchCommand.class, TckCommand.class, ExportOnnxCommand.class,
                DiagnoseCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Exit codes: 0 ok, 1 failed, 2 bad usage or input, 3 no usable backend, 4 bad file.",
                "Run 'mdm COMMAND --help' for a command's options."})
public final class MdmCommand implements java.util.concurrent.Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Without a command: the usage, on standard error, as a usage error ({@code mdm --help} is the way to ask). */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }

    /** @return a command line with the project's error handling: one readable line plus a hint, and exit codes */
    public static CommandLine newCommandLine() {
        CommandLine cl = new CommandLine(new MdmCommand());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        // a bad option value or an unknown option: one line naming it, not the whole usage
        cl.setParameterExceptionHandler((e, args) -> {
            CommandLine command = e.getCommandLine();
            PrintWriter err = command.getErr();
            err.println("mdm: " + e.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
            err.println("hint: run '" + command.getCommandSpec().qualifiedName() + " --help' for "
                    + (command.getParent() == null ? "the commands" : "what each option accepts"));
            if (System.getenv("MDM_DEBUG") != null) {
                e.printStackTrace(err);
            }
            return ExitCodes.USAGE;
        });
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            String first = e.getMessage() == null ? e.toString() : e.getMessage();
            err.println("mdm: " + first);
            String hint = hint(e);
            if (hint != null) {
                err.println("hint: " + hint);
            }
            if (System.getenv("MDM_DEBUG") != null) {
                e.printStackTrace(err);
            }
            return exitCode(e);
        });
        return cl;
    }

    static int exitCode(Throwable e) {
        if (e instanceof BackendNotFoundException || e instanceof BackendUnavailableException) {
            return ExitCodes.NO_BACKEND;
        }
        if (e instanceof UnsupportedOperationException) {
            return ExitCodes.NO_BACKEND; // the backend lacks a capability the command needs
        }
        if (e instanceof CheckpointException || e instanceof InvalidDataFileException || e instanceof TokenizerException
                || e instanceof UncheckedIOException) {
            return ExitCodes.BAD_FILE;
        }
        if (e instanceof InvalidInputException || e instanceof ConfigurationException || e instanceof IllegalArgumentException) {
            return ExitCodes.USAGE;
        }
        return ExitCodes.FAILED;
    }

    static String hint(Throwable e) {
        if (e instanceof BackendNotFoundException || e instanceof BackendUnavailableException) {
            return "run 'mdm diagnose' to see every backend and why it can or cannot run here";
        }
        if (e instanceof UnsupportedOperationException) {
            return "choose a backend that has the capability with --backend ('mdm diagnose' lists them)";
        }
        if (e instanceof InvalidDataFileException) {
            return "for Fashion-MNIST: sudo apt-get install dataset-fashion-mnist, or --fashion-dir DIR";
        }
        if (e instanceof CheckpointException) {
            return "a checkpoint is a .safetensors file written by 'mdm train' or MDM.save; check the path and its directory";
        }
        if (e instanceof InvalidInputException || e instanceof ConfigurationException) {
            return "see the command's --help for what each option accepts";
        }
        return "set MDM_DEBUG=1 for the stack trace";
    }
}

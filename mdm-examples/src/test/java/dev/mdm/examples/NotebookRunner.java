package dev.mdm.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;

/**
 * Runs a {@code .jsh} notebook snippet by snippet in an in-process JShell with the test class path, and reports
 * the first snippet that does not compile or throws. This is how CI proves every notebook still runs.
 */
final class NotebookRunner {
    private NotebookRunner() {
    }

    /**
     * @param notebook the .jsh file
     * @return every problem found, empty when the notebook ran to the end
     */
    static List<String> run(Path notebook) throws IOException {
        List<String> problems = new ArrayList<>();
        String source = Files.readString(notebook);
        try (JShell shell = JShell.builder().executionEngine("local").out(System.out).err(System.err).build()) {
            for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
                shell.addToClasspath(entry);
            }
            SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
            String remaining = source;
            while (!remaining.isBlank()) {
                SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(remaining);
                String snippet = info.source();
                if (snippet == null || snippet.isBlank()) {
                    if (!stripComments(remaining).isBlank()) {
                        problems.add("incomplete snippet at end: " + remaining.strip());
                    }
                    break;
                }
                remaining = info.remaining();
                if (stripComments(snippet).strip().startsWith("/")) {
                    continue; // JShell commands such as /exit are for the interactive tool (a leading comment is not one)
                }
                for (SnippetEvent e : shell.eval(snippet)) {
                    if (e.status() == Snippet.Status.RECOVERABLE_DEFINED || e.status() == Snippet.Status.RECOVERABLE_NOT_DEFINED) {
                        // JShell keeps a declaration that refers to something undefined for later; a notebook must not
                        StringBuilder why = new StringBuilder();
                        shell.unresolvedDependencies((jdk.jshell.DeclarationSnippet) e.snippet())
                                .forEach(d -> why.append(d).append("; "));
                        problems.add("refers to undefined " + why + "in: " + snippet.strip());
                    }
                    if (e.status() == Snippet.Status.REJECTED) {
                        StringBuilder why = new StringBuilder();
                        shell.diagnostics(e.snippet()).forEach(d -> why.append(d.getMessage(null)).append("; "));
                        problems.add("does not compile: " + snippet.strip() + " -> " + why);
                    }
                    if (e.exception() != null) {
                        Exception ex = e.exception();
                        String name = ex instanceof EvalException ee ? ee.getExceptionClassName() : ex.getClass().getName();
                        problems.add("throws " + name + ": " + ex.getMessage() + " in: " + snippet.strip());
                    }
                }
                if (!problems.isEmpty()) {
                    break;
                }
            }
        }
        return problems;
    }

    private static String stripComments(String s) {
        return s.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\\n]*", "");
    }
}

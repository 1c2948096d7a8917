package dev.mdm.examples.tck;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.mdm.spi.BackendProvider;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestTag;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TagFilter;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs {@link dev.mdm.tck.BackendCompatibilityKit} against a provider through the JUnit Platform launcher, the way
 * {@code mdm tck} and the "write a backend" notebook do, and collects what happened to each rule.
 */
public final class KitLauncher {
    private KitLauncher() {
    }

    /** What happened to one test of the kit. */
    public enum Status {
        /** the backend obeys the rule */
        PASSED,
        /** the backend breaks the rule (or the test crashed) */
        FAILED,
        /** the rule does not apply (a missing capability, or the backend cannot run here); the reason says which */
        SKIPPED
    }

    /**
     * One test of the kit.
     *
     * @param name its display name, starting with its rule id
     * @param rules its rule ids (JUnit tags)
     * @param status what happened
     * @param message why it failed or was skipped, empty when it passed
     * @param stackTrace the stack trace of a failure, empty otherwise
     */
    public record Outcome(String name, Set<String> rules, Status status, String message, String stackTrace) {
    }

    /**
     * The outcome of a kit run.
     *
     * @param backend the provider's name
     * @param outcomes every test, in the order they finished
     * @param seconds wall time
     */
    public record Report(String backend, List<Outcome> outcomes, double seconds) {
        /** @param status a status
         * @return how many tests ended so */
        public long count(Status status) {
            return outcomes.stream().filter(o -> o.status() == status).count();
        }

        /** @return whether no test failed (and at least one ran) */
        public boolean passed() {
            return count(Status.FAILED) == 0 && count(Status.PASSED) > 0;
        }

        /** @return the tests that failed */
        public List<Outcome> failures() {
            return outcomes.stream().filter(o -> o.status() == Status.FAILED).toList();
        }

        /**
         * @return the counts, then each failure with its whole message (an assertion's expected and actual values come
         *         after its first lines, and the kit ends it with the rule's "if this fails, check" note)
         */
        public String summary() {
            StringBuilder s = new StringBuilder();
            s.append(String.format("TCK for backend '%s': %d passed, %d failed, %d skipped (%.1f s)%n", backend,
                    count(Status.PASSED), count(Status.FAILED), count(Status.SKIPPED), seconds));
            for (Outcome o : failures()) {
                s.append("  FAILED ").append(o.name()).append(System.lineSeparator());
                s.append(indented(o.message())).append(System.lineSeparator());
            }
            if (count(Status.PASSED) == 0 && count(Status.FAILED) == 0) {
                outcomes.stream().map(Outcome::message).filter(m -> !m.isEmpty()).findFirst()
                        .ifPresent(m -> s.append("  nothing ran: ").append(m).append(System.lineSeparator()));
            }
            s.append(passed() ? "PASSED" : "FAILED").append(" (rules: mdm-tck/RULES.md)");
            return s.toString();
        }

        /**
         * @param text lines
         * @return them indented under a "  FAILED " line
         */
        public static String indented(String text) {
            return text.strip().lines().map(l -> "         " + l).collect(Collectors.joining(System.lineSeparator()));
        }
    }

    /**
     * @param provider the backend under test
     * @param rules rule ids to run (e.g. {@code MDM-SSD-001}), or none for every rule
     * @return what happened
     */
    public static synchronized Report run(BackendProvider provider, String... rules) {
        Objects.requireNonNull(provider, "provider");
        LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(ProvidedBackendKit.class));
        if (rules.length > 0) {
            request.filters(TagFilter.includeTags(rules));
        }
        LauncherDiscoveryRequest built = request.build();
        List<Outcome> outcomes = Collections.synchronizedList(new ArrayList<>());
        long start = System.nanoTime();
        ProvidedBackendKit.PROVIDER.set(provider);
        try {
            LauncherFactory.create().execute(built, new TestExecutionListener() {
                @Override
                public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                    if (id.isTest()) {
                        Status status = switch (result.getStatus()) {
                            case SUCCESSFUL -> Status.PASSED;
                            case FAILED -> Status.FAILED;
                            case ABORTED -> Status.SKIPPED;
                        };
                        String message = result.getThrowable().map(t -> String.valueOf(t.getMessage())).orElse("");
                        outcomes.add(new Outcome(id.getDisplayName(), tags(id), status, message, stackTrace(result)));
                    } else if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                        // a container that failed (a probe that threw, a backend that cannot open its defaults) or
                        // aborted takes its tests with it; a backend that cannot run here skips each test instead
                        String message = result.getThrowable().map(t -> String.valueOf(t.getMessage())).orElse("");
                        Status status = result.getStatus() == TestExecutionResult.Status.ABORTED ? Status.SKIPPED : Status.FAILED;
                        outcomes.add(new Outcome(id.getDisplayName(), tags(id), status, message, stackTrace(result)));
                    }
                }

                @Override
                public void executionSkipped(TestIdentifier id, String reason) {
                    outcomes.add(new Outcome(id.getDisplayName(), tags(id), Status.SKIPPED, reason, ""));
                }
            });
        } finally {
            ProvidedBackendKit.PROVIDER.set(null);
        }
        return new Report(provider.name(), List.copyOf(outcomes), (System.nanoTime() - start) / 1e9);
    }

    private static String stackTrace(TestExecutionResult result) {
        if (result.getStatus() != TestExecutionResult.Status.FAILED) {
            return "";
        }
        StringWriter trace = new StringWriter();
        result.getThrowable().ifPresent(t -> t.printStackTrace(new PrintWriter(trace)));
        return trace.toString();
    }

    private static Set<String> tags(TestIdentifier id) {
        return id.getTags().stream().map(TestTag::getName).collect(Collectors.toUnmodifiableSet());
    }
}

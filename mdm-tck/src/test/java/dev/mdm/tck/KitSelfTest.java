package dev.mdm.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.mdm.Discretization;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestTag;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TagFilter;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * The kit is tested too (the Reactive Streams TCK model): run through the JUnit Platform launcher against backends
 * that each break one thing, it must fail each with the rule that names the defect, and the failure must be an
 * assertion of the kit, not a crash of it. {@link ReferenceBackendCompatibilityTest} shows the same rules pass when
 * nothing is broken.
 */
@DisplayName("The kit fails deliberately broken backends with the rule of their defect")
class KitSelfTest {
    /** One finished test of a launched kit. */
    record Outcome(String name, Set<String> tags, TestExecutionResult result) {
        boolean failedByAssertion() {
            return result.getStatus() == TestExecutionResult.Status.FAILED
                    && result.getThrowable().map(AssertionError.class::isInstance).orElse(false);
        }
    }

    static List<Outcome> launch(Class<?> kit, String... rules) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(kit))
                .filters(TagFilter.includeTags(rules))
                .configurationParameter(BrokenBackends.ENABLED, "true")
                .build();
        List<Outcome> outcomes = new ArrayList<>();
        Launcher launcher = LauncherFactory.create();
        launcher.execute(request, new TestExecutionListener() {
            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                if (id.isTest()) {
                    Set<String> tags = id.getTags().stream().map(TestTag::getName).collect(Collectors.toSet());
                    outcomes.add(new Outcome(id.getDisplayName(), tags, result));
                }
            }
        });
        return outcomes;
    }

    static Stream<Arguments> defects() {
        return Stream.of(
                Arguments.of("SSD output off by 0.1 %", BrokenBackends.SsdOffByFactor.class, List.of(Rules.SSD_RANDOM, Rules.SSD_LONG)),
                Arguments.of("ZOH's expm1 NaN at strong decay (float32 sinh·exp)", BrokenBackends.ExpM1NanAtStrongDecay.class,
                        List.of(Rules.SSD_STRONG_DECAY)),
                Arguments.of("column-major scan orders swapped", BrokenBackends.SwappedScanOrders.class, List.of(Rules.SCAN_IMAGE_ORDERS)),
                Arguments.of("DPM-Solver without its second-order correction", BrokenBackends.FirstOrderDpmSolver.class,
                        List.of(Rules.SAMPLER_DPM)),
                Arguments.of("DDPM ignoring its seed", BrokenBackends.SeedIgnored.class,
                        List.of(Rules.DETERMINISM_SAMPLER, Rules.SAMPLER_DDPM)),
                Arguments.of("close() that is not idempotent", BrokenBackends.CloseNotIdempotent.class, List.of(Rules.CLOSE_IDEMPOTENT)),
                Arguments.of("mixers that outlive their backend", BrokenBackends.CloseDoesNotCascade.class, List.of(Rules.CLOSE_CASCADES)),
                Arguments.of("whole sampling runs without the text clamp", BrokenBackends.WholeRunWithoutTextClamp.class,
                        List.of(Rules.SAMPLER_WHOLE_RUN)),
                Arguments.of("NaN input accepted", BrokenBackends.AcceptsNaN.class, List.of(Rules.BAD_NON_FINITE)),
                Arguments.of("noise in the SSD output", BrokenBackends.NonDeterministic.class, List.of(Rules.DETERMINISM_MODEL)),
                Arguments.of("block index not checked", BrokenBackends.UncheckedBlockIndex.class, List.of(Rules.BAD_BLOCK_INDEX)),
                Arguments.of("KL term 1 % off", BrokenBackends.WrongKlTerm.class, List.of(Rules.LOSS_TERMS, Rules.LOSS_CONDITIONED)),
                Arguments.of("saved parameters differ from the loaded ones", BrokenBackends.CorruptSavedParameters.class,
                        List.of(Rules.CHECKPOINT_ROUND_TRIP, Rules.CHECKPOINT_PARAMETERS)),
                Arguments.of("1 MiB of native memory leaked per call", BrokenBackends.LeaksNativeMemory.class, List.of(Rules.NATIVE_MEMORY)),
                Arguments.of("a scratch buffer shared between threads", BrokenBackends.SharedScratchBuffer.class,
                        List.of(Rules.CONCURRENT_INFERENCE)),
                Arguments.of("zero gradients and a step that changes nothing", BrokenBackends.ZeroGradients.class,
                        List.of(Rules.GRADIENT_DIRECTIONAL, Rules.GRADIENT_PER_PARAMETER, Rules.OPTIMIZER_STEP)));
    }

    @ParameterizedTest(name = "{0} fails {2}")
    @MethodSource("defects")
    @DisplayName("each broken backend fails the rules of its defect")
    void brokenBackendFailsItsRules(String defect, Class<?> kit, List<String> rules) {
        List<Outcome> outcomes = launch(kit, rules.toArray(String[]::new));
        for (String rule : rules) {
            List<Outcome> ofRule = outcomes.stream().filter(o -> o.tags().contains(rule)).toList();
            assertThat(ofRule).as("tests of %s run against '%s'", rule, defect).isNotEmpty();
            assertThat(ofRule).as("%s against '%s': some test must fail by an assertion of the kit; outcomes %s", rule, defect, ofRule)
                    .anyMatch(Outcome::failedByAssertion);
        }
    }

    @Test
    @DisplayName("a failed rule's message starts with its id, the kit class and the precision, and ends with the rule's note")
    void failureNamesItsRule() {
        assertThat(launch(BrokenBackends.SsdOffByFactor.class, Rules.SSD_RANDOM)).singleElement().satisfies(o -> {
            Throwable failure = o.result().getThrowable().orElseThrow();
            assertThat(failure).isInstanceOf(AssertionError.class).hasCauseInstanceOf(AssertionError.class);
            assertThat(failure.getMessage())
                    .startsWith("[MDM-SSD-001, BrokenBackends.SsdOffByFactor at FP32] ssd y for SsdCase[")
                    .contains(failure.getCause().getMessage().strip())
                    .endsWith("\nIf this fails, check: " + Rules.rule(Rules.SSD_RANDOM).ifFails());
            assertThat(failure.getStackTrace()).isEqualTo(failure.getCause().getStackTrace());
        });
    }

    @Test
    @DisplayName("a failed comparison keeps its expected and actual values behind the rule's header, for IDEs to diff")
    void failureKeepsExpectedAndActual() {
        assertThat(launch(BrokenBackends.StepsNamedOtherwise.class, Rules.BAD_SAMPLER_STEPS)).singleElement().satisfies(o -> {
            Throwable failure = o.result().getThrowable().orElseThrow();
            assertThat(failure).isInstanceOf(org.opentest4j.AssertionFailedError.class)
                    .hasMessageStartingWith("[MDM-BAD-006, BrokenBackends.StepsNamedOtherwise at FP32] ");
            var compared = (org.opentest4j.AssertionFailedError) failure;
            // AssertJ hands opentest4j its representations, quotes included
            assertThat(compared.getExpected().getValue()).hasToString("\"steps\"");
            assertThat(compared.getActual().getValue()).hasToString("\"settings\"");
        });
    }

    @Test
    @DisplayName("a backend that accepts bad input fails with a message naming the input it accepted")
    void acceptedBadInputIsNamed() {
        assertThat(launch(BrokenBackends.AcceptsNaN.class, Rules.BAD_NON_FINITE)).singleElement()
                .satisfies(o -> assertThat(o.result().getThrowable()).get().extracting(Throwable::getMessage).asString()
                        .contains("[an SSD x with NaN must throw InvalidInputException]"));
    }

    @Test
    @DisplayName("a runtime that runs whole sampling loops as the host does passes MDM-SMP-004; one that runs none skips it")
    void wholeRunRule() {
        assertThat(launch(BrokenBackends.WholeRunOnHost.class, Rules.SAMPLER_WHOLE_RUN)).singleElement()
                .satisfies(o -> assertThat(o.result().getStatus()).as(o.name()).isEqualTo(TestExecutionResult.Status.SUCCESSFUL));
        assertThat(launch(ReferenceBackendCompatibilityTest.class, Rules.SAMPLER_WHOLE_RUN)).singleElement().satisfies(o -> {
            assertThat(o.result().getStatus()).as(o.name()).isEqualTo(TestExecutionResult.Status.ABORTED);
            assertThat(o.result().getThrowable()).get().extracting(Throwable::getMessage).asString()
                    .contains("sampleWhole");
        });
    }

    @Test
    @DisplayName("rules that need a capability the backend lacks are skipped with the reason, not passed")
    void missingCapabilitySkips() {
        List<Outcome> outcomes = launch(ReferenceBackendCompatibilityTest.class,
                Rules.GRADIENT_DIRECTIONAL, Rules.GRADIENT_PER_PARAMETER, Rules.OPTIMIZER_STEP);
        assertThat(outcomes).hasSize(3).allSatisfy(o -> {
            assertThat(o.result().getStatus()).as(o.name()).isEqualTo(TestExecutionResult.Status.ABORTED);
            assertThat(o.result().getThrowable()).get().extracting(Throwable::getMessage).asString()
                    .contains("Capability.TRAINING").contains("reference");
        });
    }

    /** Rules of both kinds, plain and parameterized, and how many tests they make. */
    private static final String[] SOME_RULES = {Rules.SSD_RANDOM, Rules.SSD_MIXED_DECAY, Rules.CLOSE_IDEMPOTENT};
    private static final int SOME_RULES_TESTS = 2 + Discretization.values().length;

    @Test
    @DisplayName("a backend that cannot run here has every rule, each parameterized case included, reported skipped with the reason")
    void cannotRunHereSkipsEachRule() {
        assertThat(launch(BrokenBackends.CannotRunHere.class, SOME_RULES)).hasSize(SOME_RULES_TESTS).allSatisfy(o -> {
            assertThat(o.result().getStatus()).as(o.name()).isEqualTo(TestExecutionResult.Status.ABORTED);
            assertThat(o.result().getThrowable()).get().extracting(Throwable::getMessage).asString()
                    .isEqualTo("backend 'broken' cannot run here: " + BrokenBackends.CannotRunHere.REASON);
        });
    }

    @Test
    @DisplayName("a kit class whose precision the backend does not offer has every rule reported skipped with the reason, not failed")
    void precisionNotOfferedSkips() {
        assertThat(launch(BrokenBackends.Bf16NotOffered.class, SOME_RULES)).hasSize(SOME_RULES_TESTS).allSatisfy(o -> {
            assertThat(o.result().getStatus()).as(o.name()).isEqualTo(TestExecutionResult.Status.ABORTED);
            assertThat(o.result().getThrowable()).get().extracting(Throwable::getMessage).asString()
                    .contains("backend 'broken' cannot open BF16").contains("computes in FP32 only").contains("asked for BF16");
        });
    }

    /** @return the result of every container and test of one rule's run of the kit class, the class's own included */
    private static List<TestExecutionResult> classAndTestResults(Class<?> kitClass) {
        List<TestExecutionResult> results = new ArrayList<>();
        LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(kitClass))
                .filters(TagFilter.includeTags(Rules.SSD_RANDOM))
                .configurationParameter(BrokenBackends.ENABLED, "true").build(), new TestExecutionListener() {
                    @Override
                    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                        results.add(result);
                    }
                });
        return results;
    }

    @Test
    @DisplayName("a probe that throws fails the class with what it threw, not skips it: the provider breaks the SPI")
    void probeThrowingFails() {
        Throwable t = onlyFailure(BrokenBackends.ProbeThrows.class);
        assertThat(t).hasMessageContaining("probe() of backend 'broken'").hasMessageContaining("it threw");
        assertThat(t.getCause()).isInstanceOf(IllegalStateException.class).hasMessage("driver query failed");
    }

    /** @return what the one failure of running {@code kit} threw, after checking that nothing of it was skipped */
    private static Throwable onlyFailure(Class<?> kit) {
        List<TestExecutionResult> results = classAndTestResults(kit);
        assertThat(results).noneMatch(r -> r.getStatus() == TestExecutionResult.Status.ABORTED);
        List<TestExecutionResult> failed = results.stream()
                .filter(r -> r.getStatus() == TestExecutionResult.Status.FAILED).toList();
        assertThat(failed).hasSize(1);
        return failed.get(0).getThrowable().orElseThrow();
    }

    @Test
    @DisplayName("a probe that answers null fails the class saying it must return an Availability")
    void probeReturningNullFails() {
        assertThat(onlyFailure(BrokenBackends.ProbeReturnsNull.class)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("must return an Availability, but returned null");
    }

    @Test
    @DisplayName("a backend whose probe passes but which cannot open FP32 on its default device fails the class, not skips it")
    void defaultsRefusedFails() {
        assertThat(onlyFailure(BrokenBackends.DefaultsRefused.class)).hasMessageContaining("computes in BF16 only");
    }

    @Test
    @DisplayName("the broken kits stay disabled when run outside the self-test")
    void brokenKitsDisabledOutsideSelfTest() {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(BrokenBackends.SsdOffByFactor.class))
                .filters(TagFilter.includeTags(Rules.SSD_RANDOM))
                .build();
        List<String> finished = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        LauncherFactory.create().execute(request, new TestExecutionListener() {
            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                if (id.isTest()) {
                    finished.add(id.getDisplayName());
                }
            }

            @Override
            public void executionSkipped(TestIdentifier id, String reason) {
                skipped.add(reason);
            }
        });
        assertThat(finished).isEmpty();
        assertThat(skipped).anyMatch(r -> r.contains("KitSelfTest"));
    }
}

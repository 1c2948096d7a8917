package dev.mdm.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestTag;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/** The rule catalogue, the kit's tests and {@code RULES.md} agree. */
@DisplayName("The rule catalogue")
class RuleCatalogueTest {
    private static final Path RULES_MD = Path.of("RULES.md");

    private static List<Method> kitTests() {
        List<Method> tests = new ArrayList<>();
        for (Class<?> nested : BackendCompatibilityKit.class.getDeclaredClasses()) {
            if (nested.isAnnotationPresent(Nested.class)) {
                for (Method m : nested.getDeclaredMethods()) {
                    if (m.isAnnotationPresent(Test.class) || m.isAnnotationPresent(ParameterizedTest.class)) {
                        tests.add(m);
                    }
                }
            }
        }
        return tests;
    }

    @Test
    @DisplayName("has unique ids that are valid JUnit tags")
    void uniqueValidIds() {
        List<String> ids = Rules.catalogue().stream().map(Rules.Rule::id).toList();
        assertThat(ids).doesNotHaveDuplicates().allMatch(TestTag::isValid).allMatch(id -> id.matches("MDM-[A-Z]+-\\d{3}"));
    }

    @Test
    @DisplayName("gives every kit test exactly one rule, as its tag and at the start of its display name")
    void everyTestHasOneRule() {
        Set<String> ids = new HashSet<>(Rules.catalogue().stream().map(Rules.Rule::id).toList());
        List<Method> tests = kitTests();
        assertThat(tests).hasSizeGreaterThan(40);
        for (Method m : tests) {
            Tag[] tags = m.getAnnotationsByType(Tag.class);
            assertThat(tags).as("tags of %s", m).hasSize(1);
            String id = tags[0].value();
            assertThat(ids).as("rule of %s", m).contains(id);
            assertThat(m.getAnnotation(DisplayName.class)).as("display name of %s", m).isNotNull();
            assertThat(m.getAnnotation(DisplayName.class).value()).as("display name of %s", m).startsWith(id + " ");
        }
    }

    @Test
    @DisplayName("starts the display name of every test the kit runs, each parameterized case included, with its rule id")
    void everyRunTestNamesItsRule() {
        // parameterized cases exist only once run: a backend that cannot run here runs them all, each skipped at once
        List<TestIdentifier> tests = new ArrayList<>();
        LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(BrokenBackends.CannotRunHere.class))
                .configurationParameter(BrokenBackends.ENABLED, "true").build(), new TestExecutionListener() {
                    @Override
                    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                        if (id.isTest()) {
                            tests.add(id);
                        }
                    }
                });
        assertThat(tests).hasSizeGreaterThan(kitTests().size()).allSatisfy(id -> {
            assertThat(id.getTags()).as("tags of %s", id.getDisplayName()).hasSize(1);
            assertThat(id.getDisplayName()).startsWith(id.getTags().iterator().next().getName() + " ");
        });
    }

    @Test
    @DisplayName("lists only rules that some kit test checks")
    void everyRuleIsChecked() {
        Set<String> used = new HashSet<>();
        kitTests().forEach(m -> used.add(m.getAnnotation(Tag.class).value()));
        assertThat(Rules.catalogue()).allSatisfy(r -> assertThat(used).as("tests of %s", r.id()).contains(r.id()));
    }

    @Test
    @DisplayName("says what each rule checks and what to check when it fails")
    void everyRuleIsExplained() {
        assertThat(Rules.catalogue()).allSatisfy(r -> {
            assertThat(r.checks()).as(r.id()).isNotBlank();
            assertThat(r.ifFails()).as(r.id()).isNotBlank();
            assertThat(r.group()).as(r.id()).isNotBlank();
        });
    }

    @Test
    @DisplayName("is what RULES.md says (rewrite it with -Dmdm.tck.writeRules=true)")
    void rulesMarkdownIsCurrent() throws IOException {
        String generated = Rules.markdown();
        if (Boolean.getBoolean("mdm.tck.writeRules")) {
            Files.writeString(RULES_MD, generated, StandardCharsets.UTF_8);
        }
        assertThat(RULES_MD).exists();
        assertThat(Files.readString(RULES_MD, StandardCharsets.UTF_8))
                .as("mdm-tck/RULES.md is stale: run mvn -pl mdm-tck verify -Dtest=RuleCatalogueTest -Dmdm.tck.writeRules=true")
                .isEqualTo(generated);
    }
}

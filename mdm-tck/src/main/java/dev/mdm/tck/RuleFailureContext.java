package dev.mdm.tck;

import java.util.Objects;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.opentest4j.AssertionFailedError;

/**
 * Heads the assertion message of a failed kit test with its rule id, the kit class and the precision under test, and
 * ends it with the rule's "if this fails, check" note:
 *
 * <pre>
 * [MDM-SSD-003, MyBackendCompatibilityTest at FP64] ssd y for SsdCase[…] differs from the reference at …
 * If this fails, check: …
 * </pre>
 *
 * <p>Surefire names a failed test by its method and the {@code @Nested} class that declares it, which every kit class
 * of a module shares (an FP32 and an FP64 class report the same {@code BackendCompatibilityKit$Ssd.raggedChunks}),
 * and shows neither the rule nor its note. The original error is the cause, and its stack trace is kept.
 * Errors other than assertions (a backend that crashes) pass unchanged: their type is what tells them apart.
 */
final class RuleFailureContext implements TestExecutionExceptionHandler {
    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable thrown) throws Throwable {
        Optional<Rules.Rule> rule = Rules.catalogue().stream().filter(r -> context.getTags().contains(r.id())).findFirst();
        Optional<BackendCompatibilityKit> kit = context.getTestInstances().flatMap(t -> t.findInstance(BackendCompatibilityKit.class));
        if (!(thrown instanceof AssertionError failure) || rule.isEmpty() || kit.isEmpty()) {
            throw thrown;
        }
        Class<?> kitClass = kit.get().getClass();
        // the class name within its package, so that a kit nested in a test class (Jcuda…Test.Fp32) names both
        String packageName = kitClass.getPackageName();
        String kitName = (packageName.isEmpty() ? kitClass.getName() : kitClass.getName().substring(packageName.length() + 1))
                .replace('$', '.');
        String message = "[" + rule.get().id() + ", " + kitName + " at " + kit.get().precision() + "] "
                + Objects.toString(failure.getMessage(), failure.getClass().getName()).stripLeading()
                + "\nIf this fails, check: " + rule.get().ifFails();
        // an AssertionFailedError keeps its type and its expected and actual values, which IDEs and reports diff
        AssertionError located = failure instanceof AssertionFailedError f && (f.isExpectedDefined() || f.isActualDefined())
                ? new AssertionFailedError(message, f.getExpected(), f.getActual(), failure)
                : new AssertionError(message, failure);
        located.setStackTrace(failure.getStackTrace());
        throw located;
    }
}

package dev.mdm.backend.jcuda;

import dev.mdm.spi.Availability;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs a test class only where the jcuda backend can run, and otherwise skips it with the probe's reasons (CI has no
 * GPU). The class's {@code @BeforeAll} then opens the GPU unconditionally: it does not run on a skipped class.
 */
public final class JcudaAvailable implements ExecutionCondition {
    /** Probed once per JVM: loading the driver and kernels is the expensive part. */
    private static final class Probe {
        static final Availability RESULT = new JcudaBackendProvider().probe();
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        Availability a = Probe.RESULT;
        return a.available() ? ConditionEvaluationResult.enabled("jcuda backend available")
                : ConditionEvaluationResult.disabled("jcuda backend unavailable here: " + String.join("; ", a.reasons()));
    }
}

package dev.mdm.backend.djl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mdm.tensor.Tensor;

/** Elementwise |a − b| ≤ atol + rtol·|b| and a relative L2 bound (SPEC §10). */
final class TensorAssert {
    /** The float32 row of SPEC §10. */
    static final double RTOL = 1e-4;
    static final double ATOL = 1e-5;
    static final double REL_L2 = 1e-5;

    private TensorAssert() {
    }

    static void assertClose(Tensor actual, double[] expected, double rtol, double atol, double relL2) {
        double[] a = actual.toDoubleArray();
        assertThat(a).hasSameSizeAs(expected);
        double num = 0;
        double den = 0;
        for (int i = 0; i < a.length; i++) {
            double diff = Math.abs(a[i] - expected[i]);
            assertThat(diff).as("element %d: %s vs %s", i, a[i], expected[i]).isLessThanOrEqualTo(atol + rtol * Math.abs(expected[i]));
            num += diff * diff;
            den += expected[i] * expected[i];
        }
        assertThat(Math.sqrt(num / Math.max(den, 1e-300))).as("relative L2 error").isLessThanOrEqualTo(relL2);
    }

    static void assertFloat32Close(Tensor actual, double[] expected) {
        assertClose(actual, expected, RTOL, ATOL, REL_L2);
    }
}

package dev.mdm.backend.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mdm.tensor.Tensor;
import java.util.Arrays;

/** SPEC §10 float32 row: |a − b| ≤ 1e-5 + 1e-4·|b| elementwise and relative L2 error ≤ 1e-5. */
final class Float32Tolerance {
    private Float32Tolerance() {
    }

    static void assertClose(String what, Tensor actual, double[] expected, int... shape) {
        assertThat(actual.shape()).as(what + " shape").containsExactly(shape);
        double[] a = actual.toDoubleArray();
        assertThat(a).as(what + " size").hasSize(expected.length);
        double num = 0;
        double den = 0;
        for (int i = 0; i < a.length; i++) {
            double diff = Math.abs(a[i] - expected[i]);
            if (!(diff <= 1e-5 + 1e-4 * Math.abs(expected[i]))) {
                throw new AssertionError(what + ": element " + i + " is " + a[i] + ", expected " + expected[i]
                        + " (|diff| " + diff + ") of shape " + Arrays.toString(shape));
            }
            num += diff * diff;
            den += expected[i] * expected[i];
        }
        double rel = den == 0 ? Math.sqrt(num) : Math.sqrt(num / den);
        assertThat(rel).as(what + " relative L2 error").isLessThanOrEqualTo(1e-5);
    }

    static double[] gaussian(java.util.Random r, int n, double scale) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = scale * r.nextGaussian();
        }
        return v;
    }
}

package dev.mdm.tck.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mdm.InvalidInputException;
import dev.mdm.model.OptimizerSettings;
import dev.mdm.model.Parameters;
import dev.mdm.tensor.Tensor;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The reference AdamW step")
class ReferenceAdamWTest {
    private static final Parameters THETA = Parameters.of(Map.of(
            "w", Tensor.of(new double[] {1.0, -2.0, 0.5, 3.0}, 2, 2),
            "b", Tensor.of(new double[] {0.25, -0.75}, 2)));
    private static final Parameters GRAD = Parameters.of(Map.of(
            "w", Tensor.of(new double[] {0.3, -0.1, 0.0, 2.0}, 2, 2),
            "b", Tensor.of(new double[] {-0.4, 0.2}, 2)));

    @Test
    @DisplayName("two steps match PyTorch's AdamW by hand, decaying only rank-2 tensors, with the EMA after each")
    void twoStepsByHand() {
        var s = new OptimizerSettings(0.1, 0.9, 0.99, 1e-8, 0.5, 0, 0.8);
        var adam = new ReferenceAdamW(s);
        var first = adam.step(THETA, GRAD, null);
        var second = adam.step(first.parameters(), GRAD, first.optimizerState());
        assertThat(second.optimizerState().get("adam.step").getLong(0)).isEqualTo(2);
        for (String name : new String[] {"w", "b"}) {
            double[] theta = THETA.get(name).toDoubleArray();
            double[] g = GRAD.get(name).toDoubleArray();
            double[] ema = theta.clone();
            double[] m = new double[theta.length];
            double[] v = new double[theta.length];
            boolean decay = name.equals("w");
            for (int t = 1; t <= 2; t++) {
                for (int i = 0; i < theta.length; i++) {
                    if (decay) {
                        theta[i] *= 1 - 0.1 * 0.5;
                    }
                    m[i] = 0.9 * m[i] + 0.1 * g[i];
                    v[i] = 0.99 * v[i] + 0.01 * g[i] * g[i];
                    double mHat = m[i] / (1 - Math.pow(0.9, t));
                    double vHat = v[i] / (1 - Math.pow(0.99, t));
                    theta[i] -= 0.1 * mHat / (Math.sqrt(vHat) + 1e-8);
                    ema[i] = 0.8 * ema[i] + 0.2 * theta[i];
                }
            }
            double[] got = second.parameters().get(name).toDoubleArray();
            double[] gotEma = second.ema().get(name).toDoubleArray();
            for (int i = 0; i < theta.length; i++) {
                // (√v/√(1−β2^t) + ε) vs √(v/(1−β2^t)) + ε: equal up to rounding
                assertThat(got[i]).as("%s[%d]", name, i).isCloseTo(theta[i], Offset.offset(1e-14));
                assertThat(gotEma[i]).as("ema %s[%d]", name, i).isCloseTo(ema[i], Offset.offset(1e-14));
            }
        }
    }

    @Test
    @DisplayName("clips the global gradient norm: a step with gradients scaled ×100 and clip 1 equals one with clipped gradients")
    void clipsGlobalNorm() {
        double norm = Math.sqrt(0.09 + 0.01 + 4 + 0.16 + 0.04);
        double big = 100;
        Parameters huge = Parameters.of(Map.of("w", scale(GRAD.get("w"), big), "b", scale(GRAD.get("b"), big)));
        double factor = 1 / (big * norm + 1e-6);
        Parameters clipped = Parameters.of(Map.of("w", scale(GRAD.get("w"), big * factor), "b", scale(GRAD.get("b"), big * factor)));
        var clipping = new ReferenceAdamW(new OptimizerSettings(0.01, 0.9, 0.999, 1e-8, 0, 1.0, 0.5));
        var plain = new ReferenceAdamW(new OptimizerSettings(0.01, 0.9, 0.999, 1e-8, 0, 0, 0.5));
        var a = clipping.step(THETA, huge, null);
        var b = plain.step(THETA, clipped, null);
        for (String name : new String[] {"w", "b"}) {
            assertThat(a.optimizerState().get("adam.v." + name).toDoubleArray())
                    .containsExactly(b.optimizerState().get("adam.v." + name).toDoubleArray(), Offset.offset(1e-15));
        }
        // a gradient whose norm (≈ 2.07) is below the clip (10) is left alone
        var loose = new ReferenceAdamW(new OptimizerSettings(0.01, 0.9, 0.999, 1e-8, 0, 10.0, 0.5));
        assertThat(loose.step(THETA, GRAD, null).optimizerState().get("adam.m.w").toDoubleArray())
                .containsExactly(plain.step(THETA, GRAD, null).optimizerState().get("adam.m.w").toDoubleArray());
    }

    private static Tensor scale(Tensor t, double f) {
        double[] v = t.toDoubleArray();
        for (int i = 0; i < v.length; i++) {
            v[i] *= f;
        }
        return Tensor.of(v, t.shape());
    }

    @Test
    @DisplayName("rejects gradients whose names or shapes differ from the parameters")
    void rejectsMismatch() {
        var adam = new ReferenceAdamW(OptimizerSettings.paper());
        assertThatThrownBy(() -> adam.step(THETA, GRAD.with("w", Tensor.zeros(4)), null))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("gradients");
    }
}

package dev.mdm.tck.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mdm.Discretization;
import dev.mdm.InvalidInputException;
import dev.mdm.model.MambaMixer;
import dev.mdm.model.MambaShape;
import dev.mdm.model.Parameters;
import dev.mdm.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The reference Mamba-2 mixer")
class ReferenceMamba2MixerTest {
    private static final MambaShape SHAPE = new MambaShape(4, 2, 3, 2, 2, 2, 4, Discretization.ZOH);
    private final ReferenceBackend backend = Fixtures.backend();

    @AfterEach
    void close() {
        backend.close();
    }

    private static Parameters randomWeights(MambaShape shape, long seed) {
        RandomGenerator r = Fixtures.random(seed);
        var m = new LinkedHashMap<String, Tensor>();
        shape.parameterShapes().forEach((name, s) -> {
            Tensor t = Fixtures.gaussianTensor(r, 0.5, s);
            if (name.equals("A_log")) {
                t = Tensor.of(Fixtures.uniform(r, s[0], 0, Math.log(16)), s);
            } else if (name.equals("norm.weight")) {
                t = Tensor.of(Fixtures.uniform(r, s[0], 0.5, 1.5), s);
            }
            m.put(name, t);
        });
        return Parameters.of(m);
    }

    private static double silu(double v) {
        return v / (1 + Math.exp(-v));
    }

    @Test
    @DisplayName("on one token equals steps 1-7 of SPEC §6 written out by hand, with 2 groups normalized separately (D1)")
    void oneTokenByHand() {
        Parameters w = randomWeights(SHAPE, 11);
        double[] u = Fixtures.gaussian(Fixtures.random(12), 4, 1);
        double[] out;
        try (MambaMixer mixer = backend.mambaMixer(SHAPE, w)) {
            out = mixer.forward(Tensor.of(u, 1, 1, 4)).toDoubleArray();
        }
        int di = 8;
        int h = 4;
        int p = 2;
        int n = 2;
        int conv = di + 2 * 2 * n;
        double[] inProj = w.get("in_proj.weight").toDoubleArray();
        double[] proj = new double[2 * di + 2 * 2 * n + h];
        for (int o = 0; o < proj.length; o++) {
            for (int i = 0; i < 4; i++) {
                proj[o] += inProj[o * 4 + i] * u[i];
            }
        }
        double[] convW = w.get("conv1d.weight").toDoubleArray();
        double[] convB = w.get("conv1d.bias").toDoubleArray();
        double[] xbc = new double[conv];
        for (int c = 0; c < conv; c++) {
            // only the last tap sees the token; the others see the left zero padding
            xbc[c] = silu(convB[c] + convW[c * 3 + 2] * proj[di + c]);
        }
        double[] aLog = w.get("A_log").toDoubleArray();
        double[] dtBias = w.get("dt_bias").toDoubleArray();
        double[] dSkip = w.get("D").toDoubleArray();
        double[] y = new double[di];
        for (int hi = 0; hi < h; hi++) {
            int g = hi / 2;
            double a = -Math.exp(aLog[hi]);
            double v = proj[2 * di + 2 * 2 * n + hi] + dtBias[hi];
            double delta = Math.log1p(Math.exp(v));
            double cb = 0;
            for (int ni = 0; ni < n; ni++) {
                cb += xbc[di + g * n + ni] * xbc[di + 2 * n + g * n + ni];
            }
            for (int pi = 0; pi < p; pi++) {
                double x = xbc[hi * p + pi];
                y[hi * p + pi] = (cb * Math.expm1(delta * a) / a * x + dSkip[hi] * x) * silu(proj[hi * p + pi]);
            }
        }
        double[] normW = w.get("norm.weight").toDoubleArray();
        double[] normed = new double[di];
        for (int g = 0; g < 2; g++) {
            double ms = 0;
            for (int c = g * 4; c < g * 4 + 4; c++) {
                ms += y[c] * y[c];
            }
            for (int c = g * 4; c < g * 4 + 4; c++) {
                normed[c] = y[c] / Math.sqrt(ms / 4 + 1e-5) * normW[c];
            }
        }
        double[] outProj = w.get("out_proj.weight").toDoubleArray();
        for (int o = 0; o < 4; o++) {
            double s = 0;
            for (int c = 0; c < di; c++) {
                s += outProj[o * di + c] * normed[c];
            }
            assertThat(out[o]).isCloseTo(s, org.assertj.core.data.Offset.offset(1e-13));
        }
    }

    @Test
    @DisplayName("is causal: changing token 5 leaves outputs 0..4 unchanged and changes 5.. ; batch rows are independent")
    void causalAndBatchIndependent() {
        Parameters w = randomWeights(SHAPE, 21);
        RandomGenerator r = Fixtures.random(22);
        double[] u = Fixtures.gaussian(r, 2 * 9 * 4, 1);
        try (MambaMixer mixer = backend.mambaMixer(SHAPE, w)) {
            double[] y0 = mixer.forward(Tensor.of(u, 2, 9, 4)).toDoubleArray();
            double[] changed = u.clone();
            changed[(9 + 5) * 4 + 1] += 0.7; // batch row 1, token 5
            double[] y1 = mixer.forward(Tensor.of(changed, 2, 9, 4)).toDoubleArray();
            for (int t = 0; t < 9; t++) {
                double rowDiff = 0;
                double otherRowDiff = 0;
                for (int c = 0; c < 4; c++) {
                    rowDiff = Math.max(rowDiff, Math.abs(y1[(9 + t) * 4 + c] - y0[(9 + t) * 4 + c]));
                    otherRowDiff = Math.max(otherRowDiff, Math.abs(y1[t * 4 + c] - y0[t * 4 + c]));
                }
                assertThat(otherRowDiff).as("row 0, t=%d", t).isZero();
                if (t < 5) {
                    assertThat(rowDiff).as("row 1, t=%d", t).isZero();
                } else {
                    assertThat(rowDiff).as("row 1, t=%d", t).isGreaterThan(1e-9);
                }
            }
        }
    }

    @Test
    @DisplayName("rejects misshaped weights listing the problem, wrong input width, and use after close")
    void rejectsBadInputs() {
        Parameters w = randomWeights(SHAPE, 31);
        Parameters broken = w.with("D", Tensor.zeros(3));
        assertThatThrownBy(() -> backend.mambaMixer(SHAPE, broken)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("'D' has shape [3], expected [4]");
        MambaMixer mixer = backend.mambaMixer(SHAPE, w);
        assertThatThrownBy(() -> mixer.forward(Tensor.zeros(1, 2, 5))).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("'u'");
        mixer.close();
        mixer.close();
        assertThatThrownBy(() -> mixer.forward(Tensor.zeros(1, 2, 4))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("mixer");
    }
}

package dev.mdm.tck.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mdm.InvalidInputException;
import dev.mdm.tensor.Tensor;
import java.util.random.RandomGenerator;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The reference score entropy")
class ReferenceScoreEntropyTest {
    private final ReferenceBackend backend = Fixtures.backend();

    @AfterEach
    void close() {
        backend.close();
    }

    private double se(double[] zt, double[] zhat, double[] cand, int k, double ab) {
        int dz = zt.length;
        return backend.scoreEntropy(Tensor.of(zt, 1, dz), Tensor.of(zhat, 1, dz), Tensor.of(cand, 1, k, dz),
                Tensor.of(new double[] {ab}, 1)).toDoubleArray()[0];
    }

    @Test
    @DisplayName("equals (1/K)·Σ[s − r log s + r(log r − 1)] computed by hand for K = 2, dz = 1")
    void handComputed() {
        double ab = 0.64;
        double zt = 0.5;
        double zhat = 0.2;
        double y0 = 0.7;
        double y1 = -0.4;
        double lr0 = -Math.pow(zt - 0.8 * y0, 2) / (2 * 0.36);
        double lr1 = -Math.pow(zt - 0.8 * y1, 2) / (2 * 0.36);
        double ls0 = -0.64 * Math.pow(zhat - y0, 2) / (2 * 0.36);
        double ls1 = -0.64 * Math.pow(zhat - y1, 2) / (2 * 0.36);
        double r0 = Math.exp(lr0) / (Math.exp(lr0) + Math.exp(lr1));
        double r1 = 1 - r0;
        double s0 = Math.exp(ls0) / (Math.exp(ls0) + Math.exp(ls1));
        double s1 = 1 - s0;
        double expected = 0.5 * (s0 - r0 * Math.log(s0) + r0 * (Math.log(r0) - 1) + s1 - r1 * Math.log(s1) + r1 * (Math.log(r1) - 1));
        assertThat(se(new double[] {zt}, new double[] {zhat}, new double[] {y0, y1}, 2, ab)).isCloseTo(expected, Offset.offset(1e-15));
    }

    @Test
    @DisplayName("is ≥ 0 on random inputs, 0 exactly when s = r (ẑ0 = z_t/√ᾱ), and that point is a minimum")
    void minimumAtMatchingRatio() {
        RandomGenerator r = Fixtures.random(41);
        int dz = 3;
        int k = 4;
        for (int trial = 0; trial < 50; trial++) {
            double ab = 0.05 + 0.9 * r.nextDouble();
            double[] zt = Fixtures.gaussian(r, dz, 1);
            double[] cand = Fixtures.gaussian(r, k * dz, 1);
            assertThat(se(zt, Fixtures.gaussian(r, dz, 1), cand, k, ab)).isGreaterThanOrEqualTo(0);
            double[] best = new double[dz];
            for (int c = 0; c < dz; c++) {
                best[c] = zt[c] / Math.sqrt(ab);
            }
            double atBest = se(zt, best, cand, k, ab);
            assertThat(atBest).isCloseTo(0, Offset.offset(1e-14));
            for (int probe = 0; probe < 5; probe++) {
                double[] moved = best.clone();
                moved[probe % dz] += 0.05 * r.nextGaussian();
                assertThat(se(zt, moved, cand, k, ab)).isGreaterThanOrEqualTo(atBest);
            }
        }
    }

    @Test
    @DisplayName("stays finite when one ratio underflows (K(0) = 0) and candidates are far apart")
    void extremeRatiosStayFinite() {
        double v = se(new double[] {0.1}, new double[] {300}, new double[] {0.1, 500, -500}, 3, 0.999);
        assertThat(v).isFinite().isGreaterThan(0);
    }

    @Test
    @DisplayName("rejects ᾱ outside (0, 1) and mismatched shapes, naming the argument")
    void rejectsBadInput() {
        assertThatThrownBy(() -> se(new double[] {0}, new double[] {0}, new double[] {0}, 1, 1.0))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("'alphaBar'");
        assertThatThrownBy(() -> backend.scoreEntropy(Tensor.zeros(2, 3), Tensor.zeros(2, 2), Tensor.zeros(2, 1, 3),
                Tensor.of(new double[] {0.5, 0.5}, 2))).isInstanceOf(InvalidInputException.class).hasMessageContaining("'zhat0'");
    }
}

package dev.mdm.examples.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.mdm.InvalidInputException;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Fréchet distance")
class FrechetDistanceTest {
    /** n vectors x = A z + offset, A drawn from matrixSeed (the distribution), z from sampleSeed (the sample). */
    private static double[][] correlated(int n, int d, double offset, long matrixSeed, long sampleSeed) {
        RandomGenerator m = RandomGeneratorFactory.of("L64X128MixRandom").create(matrixSeed);
        RandomGenerator r = RandomGeneratorFactory.of("L64X128MixRandom").create(sampleSeed + 1_000_000);
        double[][] a = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                a[i][j] = m.nextGaussian() / Math.sqrt(d);
            }
        }
        double[][] out = new double[n][d];
        double[] z = new double[d];
        for (int k = 0; k < n; k++) {
            for (int j = 0; j < d; j++) {
                z[j] = r.nextGaussian();
            }
            for (int i = 0; i < d; i++) {
                double s = offset;
                for (int j = 0; j < d; j++) {
                    s += a[i][j] * z[j];
                }
                out[k][i] = s;
            }
        }
        return out;
    }

    private static double[][] correlated(int n, int d, double offset, long seed) {
        return correlated(n, d, offset, seed, seed);
    }

    @Test
    @DisplayName("a set with itself is at distance ~0")
    void selfDistanceIsZero() {
        FeatureStatistics s = FeatureStatistics.of(correlated(500, 16, 0.3, 1));
        assertThat(FrechetDistance.between(s, s)).isBetween(0.0, 1e-8);
    }

    @Test
    @DisplayName("shifting every vector by δ adds exactly d·δ² and grows with δ")
    void growsWithShift() {
        double[][] x = correlated(400, 8, 0, 2);
        FeatureStatistics base = FeatureStatistics.of(x);
        double previous = 0;
        for (double delta : new double[] {0.1, 0.5, 1.0, 2.0}) {
            double[][] shifted = new double[x.length][];
            for (int k = 0; k < x.length; k++) {
                shifted[k] = x[k].clone();
                for (int i = 0; i < 8; i++) {
                    shifted[k][i] += delta;
                }
            }
            double fd = FrechetDistance.between(base, FeatureStatistics.of(shifted));
            assertThat(fd).isCloseTo(8 * delta * delta, within(1e-8));
            assertThat(fd).isGreaterThan(previous);
            previous = fd;
        }
    }

    @Test
    @DisplayName("two samples of one distribution are closer than samples of two distributions")
    void separatesDistributions() {
        FeatureStatistics a = FeatureStatistics.of(correlated(2000, 8, 0, 3, 1));
        double sameDistribution = FrechetDistance.between(a, FeatureStatistics.of(correlated(2000, 8, 0, 3, 2)));
        double otherDistribution = FrechetDistance.between(a, FeatureStatistics.of(correlated(2000, 8, 0, 4, 2)));
        assertThat(sameDistribution).isPositive().isLessThan(0.1 * otherDistribution);
    }

    @Test
    @DisplayName("diagonal covariances give Σ(μ₁−μ₂)² + Σ(σ₁−σ₂)²")
    void diagonalClosedForm() {
        FeatureStatistics a = new FeatureStatistics(new double[] {0, 1, 2}, new double[][] {{4, 0, 0}, {0, 1, 0}, {0, 0, 9}}, 10);
        FeatureStatistics b = new FeatureStatistics(new double[] {1, 1, 0}, new double[][] {{1, 0, 0}, {0, 1, 0}, {0, 0, 16}}, 10);
        double expected = (1 + 0 + 4) + (1 + 0 + 1); // means; (2−1)² + (1−1)² + (3−4)²
        assertThat(FrechetDistance.between(a, b)).isCloseTo(expected, within(1e-12));
    }

    @Test
    @DisplayName("non-commuting 2×2 covariances match Tr((Σ₁Σ₂)^½) = √(Tr Σ₁Σ₂ + 2√(det Σ₁ det Σ₂))")
    void nonCommutingClosedForm() {
        double[][] s1 = {{2, 0.8}, {0.8, 1}};
        double[][] s2 = {{1, -0.5}, {-0.5, 3}};
        double trProduct = s1[0][0] * s2[0][0] + s1[0][1] * s2[1][0] + s1[1][0] * s2[0][1] + s1[1][1] * s2[1][1];
        double det1 = s1[0][0] * s1[1][1] - s1[0][1] * s1[1][0];
        double det2 = s2[0][0] * s2[1][1] - s2[0][1] * s2[1][0];
        double traceRoot = Math.sqrt(trProduct + 2 * Math.sqrt(det1 * det2));
        double expected = (0.5 * 0.5 + 1.5 * 1.5) + (3 + 4) - 2 * traceRoot;
        FeatureStatistics a = new FeatureStatistics(new double[] {0, 0}, s1, 5);
        FeatureStatistics b = new FeatureStatistics(new double[] {0.5, -1.5}, s2, 5);
        assertThat(FrechetDistance.between(a, b)).isCloseTo(expected, within(1e-12));
        assertThat(FrechetDistance.between(b, a)).isCloseTo(expected, within(1e-12));
    }

    @Test
    @DisplayName("fewer samples than dimensions (singular covariances) still give a finite distance ≥ 0")
    void singularCovariance() {
        FeatureStatistics a = FeatureStatistics.of(correlated(5, 32, 0, 4));
        FeatureStatistics b = FeatureStatistics.of(correlated(7, 32, 1, 5));
        double fd = FrechetDistance.between(a, b);
        assertThat(fd).isFinite().isPositive();
        assertThat(FrechetDistance.between(a, a)).isBetween(0.0, 1e-8);
    }

    @Test
    @DisplayName("statistics are the mean and the unbiased covariance")
    void statistics() {
        FeatureStatistics s = FeatureStatistics.of(new double[][] {{1, 2}, {3, 6}, {5, 10}});
        assertThat(s.mean()).containsExactly(3, 6);
        assertThat(s.covariance()[0]).containsExactly(4, 8);
        assertThat(s.covariance()[1]).containsExactly(8, 16);
        assertThat(s.count()).isEqualTo(3);
    }

    @Test
    @DisplayName("bad inputs are rejected with the argument named")
    void badInputs() {
        assertThatThrownBy(() -> FeatureStatistics.of(new double[][] {{1, 2}})).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("vectors");
        assertThatThrownBy(() -> FeatureStatistics.of(new double[][] {{1, 2}, {1}})).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("vectors[1]");
        assertThatThrownBy(() -> FeatureStatistics.of(new double[][] {{1, 2}, {1, Double.NaN}}))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("finite");
        FeatureStatistics two = FeatureStatistics.of(new double[][] {{1, 2}, {3, 4}});
        FeatureStatistics three = FeatureStatistics.of(new double[][] {{1, 2, 3}, {3, 4, 5}});
        assertThatThrownBy(() -> FrechetDistance.between(two, three)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("dimension 2");
    }
}

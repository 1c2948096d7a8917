package dev.mdm.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class GradientDirectionsTest {
    private static final List<String> NAMES = List.of("a", "b");
    private static final Map<String, double[]> ZERO = Map.of("a", new double[64], "b", new double[8]);

    private static RandomGenerator random() {
        return RandomGeneratorFactory.of("L64X128MixRandom").create(11);
    }

    private static Map<String, double[]> gradient(long seed, double scale) {
        RandomGenerator r = RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
        Map<String, double[]> g = new LinkedHashMap<>();
        ZERO.forEach((name, zeros) -> g.put(name, r.doubles(zeros.length).map(x -> scale * (x - 0.5)).toArray()));
        return g;
    }

    private static double norm(Map<String, double[]> v) {
        return Math.sqrt(GradientDirections.dot(v, v));
    }

    private static double typical(Map<String, double[]> g) {
        return norm(g) / Math.sqrt(72);
    }

    @Test
    @DisplayName("a first draw on which the gradient projects at least half its typical size is kept as drawn")
    void informativeFirstDrawIsKept() {
        Map<String, double[]> first = GradientDirections.draw(random(), NAMES, ZERO);
        // a gradient along the first draw projects fully onto it
        Map<String, double[]> g = new LinkedHashMap<>();
        first.forEach((name, v) -> g.put(name, v.clone()));
        Map<String, double[]> v = GradientDirections.draw(random(), NAMES, g);
        assertThat(v.get("a")).containsExactly(first.get("a"));
        assertThat(v.get("b")).containsExactly(first.get("b"));
    }

    @Test
    @DisplayName("a draw orthogonal to the gradient is replaced by one on which the gradient projects")
    void orthogonalDrawIsRedrawn() {
        Map<String, double[]> first = GradientDirections.draw(random(), NAMES, ZERO);
        Map<String, double[]> g = gradient(5, 1e-3);
        double along = GradientDirections.dot(g, first);
        g.forEach((name, x) -> {
            for (int i = 0; i < x.length; i++) {
                x[i] -= along * first.get(name)[i];
            }
        });
        assertThat(GradientDirections.dot(g, first)).isCloseTo(0, within(1e-15));
        Map<String, double[]> v = GradientDirections.draw(random(), NAMES, g);
        assertThat(v.get("a")).isNotEqualTo(first.get("a"));
        assertThat(Math.abs(GradientDirections.dot(g, v))).isGreaterThanOrEqualTo(GradientDirections.MIN_PROJECTION * typical(g));
    }

    @Test
    @DisplayName("a zero gradient keeps the first draw, on which its directional derivative is zero")
    void zeroGradientKeepsFirstDraw() {
        Map<String, double[]> first = GradientDirections.draw(random(), NAMES, ZERO);
        RandomGenerator r = random();
        Map<String, double[]> again = GradientDirections.draw(r, NAMES, ZERO);
        assertThat(again.get("a")).containsExactly(first.get("a"));
        // exactly one draw was consumed: the next gaussian is the one after the first direction's 72
        RandomGenerator twin = random();
        for (int i = 0; i < 72; i++) {
            twin.nextGaussian();
        }
        assertThat(r.nextGaussian()).isEqualTo(twin.nextGaussian());
    }

    @Test
    @DisplayName("every direction has unit norm over all its tensors")
    void unitNorm() {
        for (long seed = 1; seed <= 20; seed++) {
            Map<String, double[]> v = GradientDirections.draw(random(), NAMES, gradient(seed, 1));
            assertThat(norm(v)).isCloseTo(1, within(1e-12));
        }
    }
}

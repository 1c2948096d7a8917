package dev.mdm.backend.jcuda.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mdm.backend.jcuda.training.ChunkedSsdBackward.Gradients;
import dev.mdm.backend.jcuda.training.ChunkedSsdBackward.Scan;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChunkedSsdBackwardTest {
    private static final int STEPS = 37;
    private static final int P = 3;
    private static final int N = 5;

    private static Scan scan(long seed, boolean zoh) {
        Random r = new Random(seed);
        double[][] x = gaussian(r, STEPS, P);
        double[][] b = gaussian(r, STEPS, N);
        double[][] c = gaussian(r, STEPS, N);
        double[] delta = new double[STEPS];
        for (int t = 0; t < STEPS; t++) {
            delta[t] = 0.05 + 0.6 * r.nextDouble();  // decays from 0.3 to 0.97 at A = −2
        }
        return new Scan(x, b, c, delta, -2.0, 0.7, zoh);
    }

    private static double[][] gaussian(Random r, int rows, int cols) {
        double[][] m = new double[rows][cols];
        for (double[] row : m) {
            for (int i = 0; i < cols; i++) {
                row[i] = r.nextGaussian();
            }
        }
        return m;
    }

    /** L = Σ dy·y, so that ∂L/∂y = dy. */
    private static double loss(Scan s, double[][] dy) {
        double[][] y = s.forward();
        double acc = 0;
        for (int t = 0; t < y.length; t++) {
            for (int i = 0; i < y[t].length; i++) {
                acc += dy[t][i] * y[t][i];
            }
        }
        return acc;
    }

    /** Central difference of a loss as a function of one input, at that input's value. */
    private static double numeric(DoubleUnaryOperator lossAt, double at) {
        double h = 1e-6;
        return (lossAt.applyAsDouble(at + h) - lossAt.applyAsDouble(at - h)) / (2 * h);
    }

    /** The loss with {@code m[t][i]} set to a value, restored afterwards. */
    private static DoubleUnaryOperator varying(Scan s, double[][] dy, double[][] m, int t, int i) {
        return v -> {
            double old = m[t][i];
            m[t][i] = v;
            double l = loss(s, dy);
            m[t][i] = old;
            return l;
        };
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"EULER, false", "ZOH, true"})
    @DisplayName("the sequential sweep is the gradient of the scan (central differences)")
    void theSequentialSweepIsTheGradientOfTheScan(String name, boolean zoh) {
        Scan s = scan(11, zoh);
        double[][] dy = gaussian(new Random(12), STEPS, P);
        Gradients g = ChunkedSsdBackward.sequential(s, dy);
        double[][] delta = {s.delta()};
        for (int t : new int[] {0, 1, 17, STEPS - 1}) {
            assertClose(g.dx()[t][1], numeric(varying(s, dy, s.x(), t, 1), s.x()[t][1]), "dx[" + t + "]");
            assertClose(g.db()[t][3], numeric(varying(s, dy, s.b(), t, 3), s.b()[t][3]), "dB[" + t + "]");
            assertClose(g.dc()[t][2], numeric(varying(s, dy, s.c(), t, 2), s.c()[t][2]), "dC[" + t + "]");
            assertClose(g.dDelta()[t], numeric(varying(s, dy, delta, 0, t), s.delta()[t]), "dΔ[" + t + "]");
        }
        assertClose(g.da(), numeric(a -> loss(new Scan(s.x(), s.b(), s.c(), s.delta(), a, s.d(), zoh), dy), s.a()), "dA");
        assertClose(g.dd(), numeric(d -> loss(new Scan(s.x(), s.b(), s.c(), s.delta(), s.a(), d, zoh), dy), s.d()), "dD");
    }

    @ParameterizedTest(name = "{0}, chunks of {2}")
    @CsvSource({"EULER, false, 1", "EULER, false, 8", "ZOH, true, 8", "ZOH, true, 5", "EULER, false, 37",
            "ZOH, true, 64"})
    @DisplayName("the chunked form gives the sequential sweep's gradients, chunks that do or do not divide L")
    void theChunkedFormGivesTheSequentialGradients(String name, boolean zoh, int q) {
        Scan s = scan(21, zoh);
        double[][] dy = gaussian(new Random(22), STEPS, P);
        Gradients seq = ChunkedSsdBackward.sequential(s, dy);
        Gradients chunked = ChunkedSsdBackward.chunked(s, dy, q);
        assertSame(chunked.dx(), seq.dx(), "dx");
        assertSame(chunked.db(), seq.db(), "dB");
        assertSame(chunked.dc(), seq.dc(), "dC");
        assertSame(new double[][] {chunked.dDelta()}, new double[][] {seq.dDelta()}, "dΔ");
        assertClose(chunked.da(), seq.da(), 1e-10, "dA");
        assertClose(chunked.dd(), seq.dd(), 1e-10, "dD");
    }

    private static void assertSame(double[][] actual, double[][] expected, String what) {
        for (int t = 0; t < expected.length; t++) {
            for (int i = 0; i < expected[t].length; i++) {
                assertClose(actual[t][i], expected[t][i], 1e-10, what + "[" + t + "][" + i + "]");
            }
        }
    }

    private static void assertClose(double actual, double expected, String what) {
        assertClose(actual, expected, 1e-6, what);
    }

    private static void assertClose(double actual, double expected, double tolerance, String what) {
        assertThat(Math.abs(actual - expected)).as("%s: %s against %s", what, actual, expected)
                .isLessThanOrEqualTo(tolerance * Math.max(1, Math.abs(expected)));
    }
}

package dev.mdm.backend.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mdm.Discretization;
import dev.mdm.InvalidInputException;
import dev.mdm.Precision;
import dev.mdm.model.SsdRequest;
import dev.mdm.spi.BackendContext;
import dev.mdm.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

@DisplayName("The chunked SSD scan")
class ChunkedSsdTest {
    private static DjlBackend fp32;
    private static DjlBackend fp64;

    @BeforeAll
    static void open() {
        fp32 = (DjlBackend) new DjlBackendProvider().create(new BackendContext(dev.mdm.Device.cpu(), Precision.FP32));
        fp64 = (DjlBackend) new DjlBackendProvider().create(new BackendContext(dev.mdm.Device.cpu(), Precision.FP64));
    }

    @AfterAll
    static void close() {
        fp32.close();
        fp64.close();
    }

    record Case(SsdRequest request, double[] expected) {
    }

    static Case randomCase(long seed, int b, int l, int h, int p, int g, int n, Discretization disc, boolean withD,
                           boolean withZ, boolean rawDt) {
        Random r = new Random(seed);
        double[] x = gauss(r, b * l * h * p, 1);
        double[] dtRaw = gauss(r, b * l * h, 1);
        double[] dtBias = new double[h];
        for (int i = 0; i < h; i++) {
            dtBias[i] = Math.log(Math.expm1(0.001 + 0.1 * r.nextDouble()));
        }
        double[] dt = new double[dtRaw.length];
        for (int i = 0; i < dt.length; i++) {
            double v = dtRaw[i] + dtBias[i % h];
            dt[i] = v > 20 ? v : Math.log1p(Math.exp(v));
        }
        double[] a = new double[h];
        for (int i = 0; i < h; i++) {
            a[i] = -(1 + 15 * r.nextDouble());
        }
        double[] bm = gauss(r, b * l * g * n, 1);
        double[] cm = gauss(r, b * l * g * n, 1);
        double[] d = withD ? gauss(r, h, 1) : null;
        double[] z = withZ ? gauss(r, b * l * h * p, 1) : null;
        double[] expected = SequentialScan.scan(x, dt, a, bm, cm, d, z, b, l, h, p, g, n, disc);
        SsdRequest req = new SsdRequest(Tensor.of(x, b, l, h, p), rawDt ? Tensor.of(dtRaw, b, l, h) : Tensor.of(dt, b, l, h),
                rawDt ? Tensor.of(dtBias, h) : null, Tensor.of(a, h), Tensor.of(bm, b, l, g, n), Tensor.of(cm, b, l, g, n),
                withD ? Tensor.of(d, h) : null, withZ ? Tensor.of(z, b, l, h, p) : null, disc);
        return new Case(req, expected);
    }

    static double[] gauss(Random r, int size, double scale) {
        double[] v = new double[size];
        for (int i = 0; i < size; i++) {
            v[i] = scale * r.nextGaussian();
        }
        return v;
    }

    @ParameterizedTest(name = "{6} b={0} l={1} h={2} g={4} chunk={7} D={8} z={9} rawDt={10}")
    @CsvSource({
        "1, 1, 2, 4, 1, 4, ZOH, 8, true, true, false",
        "2, 13, 4, 4, 2, 8, ZOH, 4, true, false, false",
        "2, 13, 4, 4, 2, 8, EULER, 4, false, true, true",
        "1, 64, 4, 8, 1, 16, ZOH, 16, true, true, true",
        "3, 37, 6, 2, 3, 4, EULER, 8, true, true, false",
        "1, 100, 2, 4, 2, 8, ZOH, 256, false, false, false",
    })
    @DisplayName("matches the sequential recurrence at float32 tolerance")
    void matchesSequentialRecurrence(int b, int l, int h, int p, int g, int n, Discretization disc, int chunk,
                                     boolean withD, boolean withZ, boolean rawDt) {
        Case c = randomCase(31L * l + h, b, l, h, p, g, n, disc, withD, withZ, rawDt);
        Tensor y = fp32.ssd(c.request(), chunk);
        assertThat(y.shape()).containsExactly(b, l, h, p);
        TensorAssert.assertFloat32Close(y, c.expected());
    }

    @Test
    @DisplayName("in FP64 matches the sequential recurrence to 1e-10")
    void fp64MatchesClosely() {
        Case c = randomCase(5, 2, 45, 4, 4, 2, 8, Discretization.ZOH, true, true, true);
        TensorAssert.assertClose(fp64.ssd(c.request(), 8), c.expected(), 1e-10, 1e-12, 1e-12);
    }

    @Test
    @DisplayName("gives the same result for every chunk size, lengths not a multiple of the chunk included")
    void chunkSizeDoesNotChangeTheResult() {
        Case c = randomCase(9, 2, 50, 4, 4, 1, 8, Discretization.ZOH, true, false, false);
        double[] reference = fp32.ssd(c.request(), 50).toDoubleArray();
        for (int chunk : new int[] {1, 3, 7, 16, 64}) {
            TensorAssert.assertFloat32Close(fp32.ssd(c.request(), chunk), reference);
        }
    }

    @Test
    @DisplayName("rejects non-positive Δ and non-finite inputs before native code runs")
    void rejectsBadInput() {
        Case c = randomCase(1, 1, 4, 2, 2, 1, 2, Discretization.EULER, false, false, false);
        SsdRequest q = c.request();
        double[] dt = q.dt().toDoubleArray();
        dt[3] = -1;
        SsdRequest negative = new SsdRequest(q.x(), Tensor.of(dt, q.dt().shape()), null, q.a(), q.b(), q.c(), null, null,
                Discretization.EULER);
        assertThatThrownBy(() -> fp32.ssd(negative)).isInstanceOf(InvalidInputException.class).hasMessageContaining("'dt'");
        double[] x = q.x().toDoubleArray();
        x[0] = Double.NaN;
        SsdRequest nan = new SsdRequest(Tensor.of(x, q.x().shape()), q.dt(), null, q.a(), q.b(), q.c(), null, null,
                Discretization.EULER);
        assertThatThrownBy(() -> fp32.ssd(nan)).isInstanceOf(InvalidInputException.class).hasMessageContaining("'x'");
    }
}

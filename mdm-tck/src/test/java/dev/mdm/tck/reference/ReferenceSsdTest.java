package dev.mdm.tck.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mdm.Discretization;
import dev.mdm.InvalidInputException;
import dev.mdm.model.SsdRequest;
import dev.mdm.tensor.Tensor;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@DisplayName("The reference SSD scan")
class ReferenceSsdTest {
    private final ReferenceBackend backend = Fixtures.backend();

    @AfterEach
    void close() {
        backend.close();
    }

    /** Random SSD inputs [b, l, h, p] with g groups of n states. */
    private record Inputs(int b, int l, int h, int p, int g, int n, double[] x, double[] dt, double[] a, double[] bm,
                          double[] cm, double[] d, double[] z) {
        static Inputs random(long seed, int b, int l, int h, int p, int g, int n) {
            RandomGenerator r = Fixtures.random(seed);
            return new Inputs(b, l, h, p, g, n, Fixtures.gaussian(r, b * l * h * p, 1), Fixtures.uniform(r, b * l * h, 0.05, 0.8),
                    Fixtures.uniform(r, h, -3, -0.2), Fixtures.gaussian(r, b * l * g * n, 1), Fixtures.gaussian(r, b * l * g * n, 1),
                    Fixtures.gaussian(r, h, 1), Fixtures.gaussian(r, b * l * h * p, 1));
        }

        SsdRequest request(Discretization disc, boolean withD, boolean withZ) {
            return new SsdRequest(Tensor.of(x, b, l, h, p), Tensor.of(dt, b, l, h), null, Tensor.of(a, h),
                    Tensor.of(bm, b, l, g, n), Tensor.of(cm, b, l, g, n), withD ? Tensor.of(d, h) : null,
                    withZ ? Tensor.of(z, b, l, h, p) : null, disc);
        }

        /** y_t = Σ_{s≤t} C_t·(Π_{r=s+1..t} exp(Δ_r A)) B̄_s x_s + D x_t, then ·SiLU(z): no recurrence. */
        double[] closedForm(Discretization disc, boolean withD, boolean withZ) {
            double[] y = new double[x.length];
            for (int bi = 0; bi < b; bi++) {
                for (int hi = 0; hi < h; hi++) {
                    int gi = hi / (h / g);
                    for (int t = 0; t < l; t++) {
                        for (int pi = 0; pi < p; pi++) {
                            double sum = 0;
                            for (int s = 0; s <= t; s++) {
                                double decay = 1;
                                for (int r = s + 1; r <= t; r++) {
                                    decay *= Math.exp(dt[(bi * l + r) * h + hi] * a[hi]);
                                }
                                double delta = dt[(bi * l + s) * h + hi];
                                double bbarScale = disc == Discretization.EULER ? delta : (Math.exp(delta * a[hi]) - 1) / a[hi];
                                double cb = 0;
                                for (int ni = 0; ni < n; ni++) {
                                    cb += cm[((bi * l + t) * g + gi) * n + ni] * bm[((bi * l + s) * g + gi) * n + ni];
                                }
                                sum += cb * decay * bbarScale * x[((bi * l + s) * h + hi) * p + pi];
                            }
                            int xi = ((bi * l + t) * h + hi) * p + pi;
                            if (withD) {
                                sum += d[hi] * x[xi];
                            }
                            if (withZ) {
                                sum *= z[xi] / (1 + Math.exp(-z[xi]));
                            }
                            y[xi] = sum;
                        }
                    }
                }
            }
            return y;
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Discretization.class)
    @DisplayName("matches the brute-force closed form with D skip and SiLU(z) gate, ngroups > 1, batch > 1")
    void matchesClosedForm(Discretization disc) {
        Inputs in = Inputs.random(1, 2, 7, 4, 3, 2, 5);
        for (boolean withD : new boolean[] {false, true}) {
            for (boolean withZ : new boolean[] {false, true}) {
                double[] y = backend.ssd(in.request(disc, withD, withZ)).toDoubleArray();
                assertThat(Fixtures.maxAbsDiff(y, in.closedForm(disc, withD, withZ))).as("D=%s z=%s", withD, withZ).isLessThan(1e-12);
            }
        }
    }

    @Test
    @DisplayName("on a length-1 sequence gives y = C·B̄·x + D·x")
    void lengthOne() {
        Inputs in = Inputs.random(2, 1, 1, 2, 3, 1, 4);
        double[] y = backend.ssd(in.request(Discretization.ZOH, true, false)).toDoubleArray();
        for (int hi = 0; hi < 2; hi++) {
            double scale = Math.expm1(in.dt[hi] * in.a[hi]) / in.a[hi];
            double cb = 0;
            for (int ni = 0; ni < 4; ni++) {
                cb += in.cm[ni] * in.bm[ni];
            }
            for (int pi = 0; pi < 3; pi++) {
                double x = in.x[hi * 3 + pi];
                assertThat(y[hi * 3 + pi]).isCloseTo(cb * scale * x + in.d[hi] * x, org.assertj.core.data.Offset.offset(1e-14));
            }
        }
    }

    @Test
    @DisplayName("head h reads group ⌊h·G/H⌋: changing one group's B changes exactly that group's heads")
    void groupsAreIsolated() {
        Inputs in = Inputs.random(3, 1, 5, 4, 2, 2, 3);
        double[] y0 = backend.ssd(in.request(Discretization.ZOH, false, false)).toDoubleArray();
        double[] bm = in.bm.clone();
        for (int t = 0; t < 5; t++) {
            bm[(t * 2 + 1) * 3] += 1; // group 1 only
        }
        Inputs changed = new Inputs(1, 5, 4, 2, 2, 3, in.x, in.dt, in.a, bm, in.cm, in.d, in.z);
        double[] y1 = backend.ssd(changed.request(Discretization.ZOH, false, false)).toDoubleArray();
        for (int t = 0; t < 5; t++) {
            for (int hi = 0; hi < 4; hi++) {
                double diff = Math.abs(y1[(t * 4 + hi) * 2] - y0[(t * 4 + hi) * 2]);
                if (hi < 2) {
                    assertThat(diff).as("head %d (group 0) at t=%d", hi, t).isZero();
                } else {
                    assertThat(diff).as("head %d (group 1) at t=%d", hi, t).isGreaterThan(1e-6);
                }
            }
        }
    }

    @Test
    @DisplayName("ZOH and EULER differ, and ZOH tends to EULER as Δ → 0 (difference O(Δ²), relative O(Δ))")
    void zohTendsToEuler() {
        Inputs in = Inputs.random(4, 1, 6, 2, 2, 1, 3);
        double previous = Double.NaN;
        for (double scale : new double[] {1, 0.1, 0.01, 0.001}) {
            double[] dt = in.dt.clone();
            for (int i = 0; i < dt.length; i++) {
                dt[i] *= scale;
            }
            Inputs s = new Inputs(1, 6, 2, 2, 1, 3, in.x, dt, in.a, in.bm, in.cm, in.d, in.z);
            double[] zoh = backend.ssd(s.request(Discretization.ZOH, false, false)).toDoubleArray();
            double[] euler = backend.ssd(s.request(Discretization.EULER, false, false)).toDoubleArray();
            double diff = Fixtures.maxAbsDiff(zoh, euler);
            double size = Fixtures.maxAbsDiff(euler, new double[euler.length]);
            double relative = diff / size;
            assertThat(diff).isGreaterThan(0);
            if (!Double.isNaN(previous)) {
                // relative difference shrinks about tenfold with Δ
                assertThat(relative).isLessThan(previous * 0.2);
            }
            previous = relative;
        }
        assertThat(previous).isLessThan(1e-2);
    }

    @Test
    @DisplayName("with raw dt and dt_bias applies softplus, passing v > 20 through")
    void rawDtUsesSoftplus() {
        Inputs in = Inputs.random(5, 1, 4, 2, 2, 1, 2);
        double[] bias = {0.3, 25};
        double[] raw = new double[4 * 2];
        double[] delta = new double[4 * 2];
        RandomGenerator r = Fixtures.random(9);
        for (int i = 0; i < raw.length; i++) {
            raw[i] = r.nextGaussian();
            double v = raw[i] + bias[i % 2];
            delta[i] = v > 20 ? v : Math.log(1 + Math.exp(v));
        }
        SsdRequest rawRequest = new SsdRequest(Tensor.of(in.x, 1, 4, 2, 2), Tensor.of(raw, 1, 4, 2), Tensor.of(bias, 2),
                Tensor.of(in.a, 2), Tensor.of(in.bm, 1, 4, 1, 2), Tensor.of(in.cm, 1, 4, 1, 2), null, null, Discretization.EULER);
        Inputs positive = new Inputs(1, 4, 2, 2, 1, 2, in.x, delta, in.a, in.bm, in.cm, in.d, in.z);
        assertThat(Fixtures.maxAbsDiff(backend.ssd(rawRequest).toDoubleArray(),
                backend.ssd(positive.request(Discretization.EULER, false, false)).toDoubleArray())).isLessThan(1e-14);
    }

    @Test
    @DisplayName("rejects a non-positive Δ and non-finite values, naming the argument")
    void rejectsBadValues() {
        Inputs in = Inputs.random(6, 1, 2, 1, 1, 1, 1);
        double[] dt = in.dt.clone();
        dt[1] = 0;
        Inputs zeroDt = new Inputs(1, 2, 1, 1, 1, 1, in.x, dt, in.a, in.bm, in.cm, in.d, in.z);
        assertThatThrownBy(() -> backend.ssd(zeroDt.request(Discretization.ZOH, false, false)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("'dt'");
        double[] x = in.x.clone();
        x[0] = Double.NaN;
        Inputs nanX = new Inputs(1, 2, 1, 1, 1, 1, x, in.dt, in.a, in.bm, in.cm, in.d, in.z);
        assertThatThrownBy(() -> backend.ssd(nanX.request(Discretization.ZOH, false, false)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("'x'");
    }
}

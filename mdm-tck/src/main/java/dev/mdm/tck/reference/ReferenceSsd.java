package dev.mdm.tck.reference;

import dev.mdm.Discretization;
import dev.mdm.InvalidInputException;
import dev.mdm.model.SsdRequest;
import dev.mdm.tensor.Tensor;

/**
 * The SSD scan of SPEC §6 step 5 as the plain sequential recurrence, per batch row and head, state H ∈ R^{P×N}:
 * {@code H_t = exp(Δ_t A) H_{t−1} + x_t ⊗ B̄_t}, {@code y_t = H_t C_t + D·x_t}, then {@code y ← y·SiLU(z)} when a gate
 * is given. B̄ = Δ·B for EULER and ((exp(ΔA) − 1)/A)·B for ZOH. Head h reads group ⌊h·G/H⌋ of B and C.
 */
final class ReferenceSsd {
    private ReferenceSsd() {
    }

    /**
     * Runs an {@link SsdRequest} after checking its values (finite; Δ &gt; 0 when it is given already softplus'd).
     *
     * @param request inputs, shapes already checked by the record
     * @return y [b, l, h, p] as F64
     */
    static Tensor run(SsdRequest request) {
        Tensor x = request.x().requireFinite("x");
        int bs = x.dim(0);
        int l = x.dim(1);
        int h = x.dim(2);
        int p = x.dim(3);
        int g = request.b().dim(2);
        int n = request.b().dim(3);
        double[] delta = request.dt().requireFinite(request.dtBias() == null ? "dt" : "dt_raw").toDoubleArray();
        if (request.dtBias() == null) {
            for (int i = 0; i < delta.length; i++) {
                if (!(delta[i] > 0)) {
                    throw new InvalidInputException("dt", "positive values (Δ after softplus)", delta[i] + " at flat index " + i);
                }
            }
        } else {
            double[] bias = request.dtBias().requireFinite("dt_bias").toDoubleArray();
            for (int i = 0; i < delta.length; i++) {
                delta[i] = ReferenceActivations.softplus(delta[i] + bias[i % h]);
            }
        }
        double[] d = request.d() == null ? null : request.d().requireFinite("D").toDoubleArray();
        double[] z = request.z() == null ? null : request.z().requireFinite("z").toDoubleArray();
        double[] y = scan(x.toDoubleArray(), delta, request.a().requireFinite("A").toDoubleArray(),
                request.b().requireFinite("B").toDoubleArray(), request.c().requireFinite("C").toDoubleArray(), d, z,
                bs, l, h, p, g, n, request.discretization());
        return Tensor.of(y, bs, l, h, p);
    }

    /**
     * @param x [bs, l, h, p]
     * @param delta Δ [bs, l, h], positive
     * @param a A [h]
     * @param bMat B [bs, l, g, n]
     * @param cMat C [bs, l, g, n]
     * @param d D [h] or null
     * @param z gate [bs, l, h, p] or null
     * @return y [bs, l, h, p]
     */
    static double[] scan(double[] x, double[] delta, double[] a, double[] bMat, double[] cMat, double[] d, double[] z,
                         int bs, int l, int h, int p, int g, int n, Discretization discretization) {
        double[] y = new double[bs * l * h * p];
        double[][] state = new double[p][n];
        for (int bi = 0; bi < bs; bi++) {
            for (int hi = 0; hi < h; hi++) {
                int group = hi * g / h;
                for (double[] row : state) {
                    java.util.Arrays.fill(row, 0);
                }
                for (int t = 0; t < l; t++) {
                    double dt = delta[(bi * l + t) * h + hi];
                    double decay = Math.exp(dt * a[hi]);
                    double inputScale = inputScale(dt, a[hi], discretization);
                    int bc = ((bi * l + t) * g + group) * n;
                    int xo = ((bi * l + t) * h + hi) * p;
                    for (int pi = 0; pi < p; pi++) {
                        double out = 0;
                        for (int ni = 0; ni < n; ni++) {
                            state[pi][ni] = decay * state[pi][ni] + x[xo + pi] * inputScale * bMat[bc + ni];
                            out += state[pi][ni] * cMat[bc + ni];
                        }
                        if (d != null) {
                            out += d[hi] * x[xo + pi];
                        }
                        if (z != null) {
                            out *= ReferenceActivations.silu(z[xo + pi]);
                        }
                        y[xo + pi] = out;
                    }
                }
            }
        }
        return y;
    }

    /**
     * The factor of B in B̄: Δ (EULER) or (exp(ΔA) − 1)/A (ZOH, with its limit Δ at A = 0).
     *
     * @param dt Δ
     * @param a A
     * @param discretization which rule
     * @return the factor
     */
    static double inputScale(double dt, double a, Discretization discretization) {
        return switch (discretization) {
            case EULER -> dt;
            case ZOH -> a == 0 ? dt : Math.expm1(dt * a) / a;
        };
    }
}

package dev.mdm.backend.jcuda.training;

/**
 * The SSD backward of one (sample, head) in float64, twice: as the sequential scan does it ({@link #sequential}, the
 * form of {@code tb_ssd_bwd}) and in chunks ({@link #chunked}), the form the tensor-core training kernels are to take.
 * The chunked form keeps only the state at each chunk's end, where the sequential one reads every step's state; this
 * class is the float64 statement of its algebra, checked against the sequential form and central differences by
 * {@code ChunkedSsdBackwardTest}, for the CUDA kernels to be checked against.
 *
 * <p>The scan (SPEC §5): {@code H_t = a_t H_{t−1} + k_t x_t ⊗ B_t}, {@code y_t = H_t C_t + D x_t}, with
 * {@code a_t = exp(Δ_t A)} and {@code k_t = Δ_t} (EULER) or {@code (a_t − 1)/A} (ZOH); H is P×N, {@code H[p][n]}.
 * Given {@code dy = ∂L/∂y}: {@code dH_t = dy_t ⊗ C_t + a_{t+1} dH_{t+1}}, and
 * <ul>
 *   <li>{@code dx_t = k_t dH_t B_t + D dy_t}, {@code dB_t = k_t dH_tᵀ x_t}, {@code dC_t = H_tᵀ dy_t},</li>
 *   <li>{@code dk_t = x_tᵀ dH_t B_t}, {@code dl_t = ⟨dH_t, a_t H_{t−1}⟩} for the log-decay {@code l_t = Δ_t A},</li>
 *   <li>{@code dΔ_t = A dl_t + dk_t ∂k/∂Δ}, {@code dA = Σ_t (Δ_t dl_t + dk_t ∂k/∂A)}, {@code dD = Σ_t dy_t·x_t}.</li>
 * </ul>
 *
 * <p>In chunks of Q steps, with {@code Λ_t} the cumulative log-decay inside the chunk (inclusive) and {@code e} its
 * last step: {@code H_t = e^{Λ_t} S_{c−1} + Σ_{s≤t} e^{Λ_t−Λ_s} k_s x_s ⊗ B_s} (S_c: the state at chunk c's end), and
 * with {@code G_c = a_{e+1} dH_{e+1}} (what the later chunks send back into S_c):
 * <ul>
 *   <li>{@code dH_t = Σ_{u≥t} e^{Λ_u−Λ_t} dy_u ⊗ C_u + e^{Λ_e−Λ_t} G_c}, and
 *       {@code G_{c−1} = e^{Λ_e} G_c + Σ_{u in c} e^{Λ_u} dy_u ⊗ C_u} (the reverse of the forward's state passing);</li>
 *   <li>{@code dx}, {@code dB}, {@code dk} from that dH contracted with B_t or x_t: the products of the Q×Q matrices
 *       {@code e^{Λ_u−Λ_t} C_u·B_t} and {@code e^{Λ_u−Λ_t} dy_u·x_t} (u ≥ t) with dy and C, plus G_c's share;</li>
 *   <li>{@code dC_t = e^{Λ_t} S_{c−1}ᵀ dy_t + Σ_{s≤t} e^{Λ_t−Λ_s} k_s (dy_t·x_s) B_s};</li>
 *   <li>{@code dl_t = Σ_{u=t..e} q_u + ⟨G_c, S_c⟩} with {@code q_u = dy_u·(y_u − D x_u) − k_u dk_u}: from
 *       {@code ⟨dH_t, H_t⟩ = dy_t·(H_t C_t) + ⟨dH_{t+1}, a_{t+1} H_t⟩} and {@code a_t H_{t−1} = H_t − k_t x_t ⊗ B_t}. So
 *       the decay gradients need no state but the chunk's last, and no per-step contraction of two P×N matrices.</li>
 * </ul>
 */
final class ChunkedSsdBackward {
    /**
     * One (sample, head): the inputs of the scan. Arrays are [step][p] and [step][n].
     *
     * @param x inputs [L][P]
     * @param b B [L][N]
     * @param c C [L][N]
     * @param delta Δ [L] (after softplus)
     * @param a A (negative)
     * @param d D
     * @param zoh ZOH discretization, else EULER
     */
    record Scan(double[][] x, double[][] b, double[][] c, double[] delta, double a, double d, boolean zoh) {
        int steps() {
            return x.length;
        }

        int p() {
            return x[0].length;
        }

        int n() {
            return b[0].length;
        }

        double decay(int t) {
            return Math.exp(delta[t] * a);
        }

        /** @return k_t */
        double input(int t) {
            return zoh ? Math.expm1(delta[t] * a) / a : delta[t];
        }

        /** @return ∂k_t/∂Δ_t */
        double inputByDelta(int t) {
            return zoh ? decay(t) : 1;
        }

        /** @return ∂k_t/∂A */
        double inputByA(int t) {
            if (!zoh) {
                return 0;
            }
            double u = delta[t] * a;
            return (delta[t] * Math.exp(u) * a - Math.expm1(u)) / (a * a);
        }

        /** @return y [L][P] */
        double[][] forward() {
            int p = p();
            int n = n();
            double[][] h = new double[p][n];
            double[][] y = new double[steps()][p];
            for (int t = 0; t < steps(); t++) {
                step(h, t);
                for (int i = 0; i < p; i++) {
                    double acc = d * x[t][i];
                    for (int j = 0; j < n; j++) {
                        acc += h[i][j] * c[t][j];
                    }
                    y[t][i] = acc;
                }
            }
            return y;
        }

        /** H ← a_t H + k_t x_t ⊗ B_t, in place. */
        void step(double[][] h, int t) {
            double at = decay(t);
            double kt = input(t);
            for (int i = 0; i < h.length; i++) {
                for (int j = 0; j < h[i].length; j++) {
                    h[i][j] = at * h[i][j] + kt * x[t][i] * b[t][j];
                }
            }
        }
    }

    /**
     * The gradients of one (sample, head).
     *
     * @param dx [L][P]
     * @param db [L][N]
     * @param dc [L][N]
     * @param dDelta [L]
     * @param da ∂L/∂A
     * @param dd ∂L/∂D
     */
    record Gradients(double[][] dx, double[][] db, double[][] dc, double[] dDelta, double da, double dd) {
    }

    private ChunkedSsdBackward() {
    }

    /**
     * The sequential reverse sweep, as {@code tb_ssd_bwd}: every step's state, from a forward that kept them all.
     *
     * @param s the scan
     * @param dy ∂L/∂y [L][P]
     * @return the gradients
     */
    static Gradients sequential(Scan s, double[][] dy) {
        int steps = s.steps();
        int p = s.p();
        int n = s.n();
        double[][][] states = new double[steps][][];
        double[][] h = new double[p][n];
        for (int t = 0; t < steps; t++) {
            s.step(h, t);
            states[t] = copy(h);
        }
        double[][] dh = new double[p][n];
        Gradients g = empty(steps, p, n);
        double dA = 0;
        double dD = 0;
        for (int t = steps - 1; t >= 0; t--) {
            double next = t + 1 < steps ? s.decay(t + 1) : 0;
            for (int i = 0; i < p; i++) {
                for (int j = 0; j < n; j++) {
                    dh[i][j] = next * dh[i][j] + dy[t][i] * s.c()[t][j];
                }
            }
            double kt = s.input(t);
            double dk = 0;
            double dl = 0;
            double at = s.decay(t);
            for (int i = 0; i < p; i++) {
                double acc = 0;
                for (int j = 0; j < n; j++) {
                    acc += dh[i][j] * s.b()[t][j];
                    dk += dh[i][j] * s.x()[t][i] * s.b()[t][j];
                    dl += t > 0 ? dh[i][j] * at * states[t - 1][i][j] : 0;
                }
                g.dx()[t][i] = kt * acc + s.d() * dy[t][i];
                dD += dy[t][i] * s.x()[t][i];
            }
            for (int j = 0; j < n; j++) {
                double sx = 0;
                double sc = 0;
                for (int i = 0; i < p; i++) {
                    sx += dh[i][j] * s.x()[t][i];
                    sc += dy[t][i] * states[t][i][j];
                }
                g.db()[t][j] = kt * sx;
                g.dc()[t][j] = sc;
            }
            g.dDelta()[t] = s.a() * dl + dk * s.inputByDelta(t);
            dA += s.delta()[t] * dl + dk * s.inputByA(t);
        }
        return new Gradients(g.dx(), g.db(), g.dc(), g.dDelta(), dA, dD);
    }

    /**
     * The chunked form (class comment): a forward keeping the state at each chunk's end, a reverse pass over the
     * chunks for G_c, then every chunk on its own.
     *
     * @param s the scan
     * @param dy ∂L/∂y [L][P]
     * @param q chunk length
     * @return the gradients
     */
    static Gradients chunked(Scan s, double[][] dy, int q) {
        int steps = s.steps();
        int p = s.p();
        int n = s.n();
        int chunks = (steps + q - 1) / q;
        double[][] y = s.forward();
        // the forward's kept states: S[c] at the end of chunk c, S_{−1} = 0
        double[][][] ends = new double[chunks][][];
        double[][] h = new double[p][n];
        for (int t = 0; t < steps; t++) {
            s.step(h, t);
            if ((t + 1) % q == 0 || t == steps - 1) {
                ends[t / q] = copy(h);
            }
        }
        // cumulative log-decays inside each chunk
        double[] lambda = new double[steps];
        for (int t = 0; t < steps; t++) {
            lambda[t] = (t % q == 0 ? 0 : lambda[t - 1]) + s.delta()[t] * s.a();
        }
        // reverse pass: G[c] for every chunk, G[last] = 0
        double[][][] back = new double[chunks][][];
        double[][] gNext = new double[p][n];
        for (int c = chunks - 1; c >= 0; c--) {
            back[c] = copy(gNext);
            int t0 = c * q;
            int e = Math.min(steps, t0 + q) - 1;
            double[][] gPrev = new double[p][n];
            for (int i = 0; i < p; i++) {
                for (int j = 0; j < n; j++) {
                    double acc = Math.exp(lambda[e]) * gNext[i][j];
                    for (int u = t0; u <= e; u++) {
                        acc += Math.exp(lambda[u]) * dy[u][i] * s.c()[u][j];
                    }
                    gPrev[i][j] = acc;
                }
            }
            gNext = gPrev;
        }
        Gradients g = empty(steps, p, n);
        double dA = 0;
        double dD = 0;
        for (int c = 0; c < chunks; c++) {
            int t0 = c * q;
            int e = Math.min(steps, t0 + q) - 1;
            double[][] gc = back[c];
            double[][] entering = c == 0 ? new double[p][n] : ends[c - 1];
            double[] dk = new double[e - t0 + 1];
            double[] qs = new double[e - t0 + 1];
            for (int t = t0; t <= e; t++) {
                double kt = s.input(t);
                double toEnd = Math.exp(lambda[e] - lambda[t]);
                // dx_t = k_t (Σ_{u≥t} e^{Λu−Λt} (C_u·B_t) dy_u + e^{Λe−Λt} G_c B_t) + D dy_t
                for (int i = 0; i < p; i++) {
                    double acc = 0;
                    for (int u = t; u <= e; u++) {
                        acc += Math.exp(lambda[u] - lambda[t]) * dot(s.c()[u], s.b()[t]) * dy[u][i];
                    }
                    acc += toEnd * dot(gc[i], s.b()[t]);
                    g.dx()[t][i] = kt * acc + s.d() * dy[t][i];
                }
                // dB_t = k_t (Σ_{u≥t} e^{Λu−Λt} (dy_u·x_t) C_u + e^{Λe−Λt} G_cᵀ x_t); dk_t = B_t · (dB_t / k_t)
                double dkt = 0;
                for (int j = 0; j < n; j++) {
                    double acc = 0;
                    for (int u = t; u <= e; u++) {
                        acc += Math.exp(lambda[u] - lambda[t]) * dot(dy[u], s.x()[t]) * s.c()[u][j];
                    }
                    double gx = 0;
                    for (int i = 0; i < p; i++) {
                        gx += gc[i][j] * s.x()[t][i];
                    }
                    acc += toEnd * gx;
                    g.db()[t][j] = kt * acc;
                    dkt += s.b()[t][j] * acc;
                }
                // dC_t = e^{Λt} S_{c−1}ᵀ dy_t + Σ_{s≤t} e^{Λt−Λs} k_s (dy_t·x_s) B_s
                for (int j = 0; j < n; j++) {
                    double acc = 0;
                    for (int i = 0; i < p; i++) {
                        acc += entering[i][j] * dy[t][i];
                    }
                    acc *= Math.exp(lambda[t]);
                    for (int u = t0; u <= t; u++) {
                        acc += Math.exp(lambda[t] - lambda[u]) * s.input(u) * dot(dy[t], s.x()[u]) * s.b()[u][j];
                    }
                    g.dc()[t][j] = acc;
                }
                dk[t - t0] = dkt;
                double yHat = 0;
                for (int i = 0; i < p; i++) {
                    yHat += dy[t][i] * (y[t][i] - s.d() * s.x()[t][i]);
                    dD += dy[t][i] * s.x()[t][i];
                }
                qs[t - t0] = yHat - kt * dkt;
            }
            // dl_t = Σ_{u=t..e} q_u + ⟨G_c, S_c⟩
            double suffix = 0;
            for (int i = 0; i < p; i++) {
                suffix += dot(gc[i], ends[c][i]);
            }
            for (int t = e; t >= t0; t--) {
                suffix += qs[t - t0];
                g.dDelta()[t] = s.a() * suffix + dk[t - t0] * s.inputByDelta(t);
                dA += s.delta()[t] * suffix + dk[t - t0] * s.inputByA(t);
            }
        }
        return new Gradients(g.dx(), g.db(), g.dc(), g.dDelta(), dA, dD);
    }

    private static Gradients empty(int steps, int p, int n) {
        return new Gradients(new double[steps][p], new double[steps][n], new double[steps][n], new double[steps], 0, 0);
    }

    private static double dot(double[] u, double[] v) {
        double acc = 0;
        for (int i = 0; i < u.length; i++) {
            acc += u[i] * v[i];
        }
        return acc;
    }

    private static double[][] copy(double[][] m) {
        double[][] out = new double[m.length][];
        for (int i = 0; i < m.length; i++) {
            out[i] = m[i].clone();
        }
        return out;
    }
}

package dev.mdm.backend.djl;

import dev.mdm.Discretization;

/** A plain float64 recurrence of SPEC §6 step 5, one step at a time, to check the chunked form against. */
final class SequentialScan {
    private SequentialScan() {
    }

    /**
     * @return y[b][l][h][p] = (H_t C_t + D·x_t)·SiLU(z_t), H_t = exp(Δ_t A) H_{t−1} + x_t ⊗ B̄_t
     */
    static double[] scan(double[] x, double[] dt, double[] a, double[] bm, double[] cm, double[] d, double[] z,
                         int b, int l, int h, int p, int g, int n, Discretization disc) {
        double[] y = new double[b * l * h * p];
        for (int s = 0; s < b; s++) {
            for (int hh = 0; hh < h; hh++) {
                int grp = hh * g / h;
                double[][] state = new double[p][n];
                for (int t = 0; t < l; t++) {
                    double delta = dt[(s * l + t) * h + hh];
                    double decay = Math.exp(delta * a[hh]);
                    double scale = disc == Discretization.EULER ? delta : Math.expm1(delta * a[hh]) / a[hh];
                    for (int i = 0; i < p; i++) {
                        double xi = x[((s * l + t) * h + hh) * p + i];
                        double acc = 0;
                        for (int k = 0; k < n; k++) {
                            double bk = bm[((s * l + t) * g + grp) * n + k];
                            state[i][k] = decay * state[i][k] + xi * scale * bk;
                            acc += state[i][k] * cm[((s * l + t) * g + grp) * n + k];
                        }
                        if (d != null) {
                            acc += d[hh] * xi;
                        }
                        if (z != null) {
                            double zi = z[((s * l + t) * h + hh) * p + i];
                            acc *= zi / (1 + Math.exp(-zi));
                        }
                        y[((s * l + t) * h + hh) * p + i] = acc;
                    }
                }
            }
        }
        return y;
    }
}

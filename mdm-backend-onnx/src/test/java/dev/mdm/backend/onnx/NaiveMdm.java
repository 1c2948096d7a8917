package dev.mdm.backend.onnx;

import dev.mdm.Discretization;
import dev.mdm.MDM;
import dev.mdm.MdmConfig;
import dev.mdm.model.MambaShape;
import dev.mdm.model.Parameters;
import dev.mdm.tensor.Tensor;

/**
 * A deliberately plain float64 transcription of SPEC.md used as the test oracle until the TCK's reference backend
 * lands: sequential SSD recurrence (not chunked), loops everywhere, no shared code with the graphs.
 */
final class NaiveMdm {
    private final MdmConfig c;
    private final Parameters w;

    NaiveMdm(MdmConfig config, Parameters weights) {
        this.c = config;
        this.w = weights;
    }

    // ---- SSD (SPEC §6 step 5), sequential ----

    static double[] ssd(double[] x, double[] delta, double[] a, double[] bm, double[] cm, double[] d, double[] z,
                        int b, int l, int h, int p, int g, int n, Discretization disc) {
        double[] y = new double[b * l * h * p];
        for (int s = 0; s < b; s++) {
            for (int hd = 0; hd < h; hd++) {
                int grp = hd * g / h;
                double[][] state = new double[p][n];
                for (int t = 0; t < l; t++) {
                    double dt = delta[(s * l + t) * h + hd];
                    double decay = Math.exp(dt * a[hd]);
                    double coef = disc == Discretization.EULER ? dt : Math.expm1(dt * a[hd]) / a[hd];
                    int bo = ((s * l + t) * g + grp) * n;
                    for (int i = 0; i < p; i++) {
                        double xi = x[((s * l + t) * h + hd) * p + i];
                        double acc = 0;
                        for (int j = 0; j < n; j++) {
                            state[i][j] = decay * state[i][j] + coef * xi * bm[bo + j];
                            acc += state[i][j] * cm[bo + j];
                        }
                        if (d != null) {
                            acc += d[hd] * xi;
                        }
                        int yi = ((s * l + t) * h + hd) * p + i;
                        y[yi] = z == null ? acc : acc * silu(z[yi]);
                    }
                }
            }
        }
        return y;
    }

    // ---- Mamba-2 mixer (SPEC §6) ----

    static double[] mixer(double[] u, int b, int l, MambaShape sh, Parameters mw) {
        int d = sh.dModel();
        int di = sh.dInner();
        int h = sh.heads();
        int p = sh.headDim();
        int g = sh.nGroups();
        int n = sh.dState();
        int conv = sh.convChannels();
        int rows = sh.inProjRows();
        int k = sh.dConv();
        double[] proj = linear(u, b * l, d, get(mw, "in_proj.weight"), null, rows);
        double[] cw = get(mw, "conv1d.weight");
        double[] cb = get(mw, "conv1d.bias");
        double[] xbc = new double[b * l * conv];
        for (int s = 0; s < b; s++) {
            for (int t = 0; t < l; t++) {
                for (int ch = 0; ch < conv; ch++) {
                    double acc = cb[ch];
                    for (int j = 0; j < k; j++) {
                        int src = t + j - (k - 1);
                        if (src >= 0) {
                            acc += cw[ch * k + j] * proj[(s * l + src) * rows + di + ch];
                        }
                    }
                    xbc[(s * l + t) * conv + ch] = silu(acc);
                }
            }
        }
        double[] x = new double[b * l * di];
        double[] bm = new double[b * l * g * n];
        double[] cm = new double[b * l * g * n];
        double[] delta = new double[b * l * h];
        double[] dtBias = get(mw, "dt_bias");
        for (int r = 0; r < b * l; r++) {
            System.arraycopy(xbc, r * conv, x, r * di, di);
            System.arraycopy(xbc, r * conv + di, bm, r * g * n, g * n);
            System.arraycopy(xbc, r * conv + di + g * n, cm, r * g * n, g * n);
            for (int hd = 0; hd < h; hd++) {
                delta[r * h + hd] = softplus(proj[r * rows + di + conv + hd] + dtBias[hd]);
            }
        }
        double[] aLog = get(mw, "A_log");
        double[] a = new double[h];
        for (int i = 0; i < h; i++) {
            a[i] = -Math.exp(aLog[i]);
        }
        double[] y = ssd(x, delta, a, bm, cm, get(mw, "D"), null, b, l, h, p, g, n, sh.discretization());
        double[] nw = get(mw, "norm.weight");
        int gs = di / g;
        for (int r = 0; r < b * l; r++) {
            for (int i = 0; i < di; i++) {
                y[r * di + i] *= silu(proj[r * rows + i]);
            }
            for (int grp = 0; grp < g; grp++) {
                double ms = 0;
                for (int i = 0; i < gs; i++) {
                    double v = y[r * di + grp * gs + i];
                    ms += v * v;
                }
                double inv = 1 / Math.sqrt(ms / gs + 1e-5);
                for (int i = 0; i < gs; i++) {
                    int idx = r * di + grp * gs + i;
                    y[idx] = y[idx] * inv * nw[grp * gs + i];
                }
            }
        }
        return linear(y, b * l, di, get(mw, "out_proj.weight"), null, d);
    }

    // ---- model (SPEC §2-§5) ----

    double[][] encodeImage(double[] images, int b) {
        int p = c.patch();
        int pd = c.patchDim();
        int nImg = c.imageTokens();
        double[] patches = new double[b * nImg * pd];
        for (int s = 0; s < b; s++) {
            for (int gy = 0; gy < c.gridHeight(); gy++) {
                for (int gx = 0; gx < c.gridWidth(); gx++) {
                    int tok = gy * c.gridWidth() + gx;
                    for (int ch = 0; ch < c.imageChannels(); ch++) {
                        for (int dy = 0; dy < p; dy++) {
                            for (int dx = 0; dx < p; dx++) {
                                patches[(s * nImg + tok) * pd + ch * p * p + dy * p + dx] =
                                        images[((s * c.imageChannels() + ch) * c.imageHeight() + gy * p + dy) * c.imageWidth() + gx * p + dx];
                            }
                        }
                    }
                }
            }
        }
        return vaeHead(patches, b * nImg, pd, "vae.img_enc1", "vae.img_enc2");
    }

    double[][] encodeText(long[] tokens, int b) {
        int hd = c.vaeHidden();
        double[] emb = get(w, "vae.text_embed");
        double[] e = new double[tokens.length * hd];
        for (int i = 0; i < tokens.length; i++) {
            System.arraycopy(emb, (int) tokens[i] * hd, e, i * hd, hd);
        }
        return vaeHead(e, tokens.length, hd, "vae.txt_enc1", "vae.txt_enc2");
    }

    private double[][] vaeHead(double[] in, int rows, int width, String l1, String l2) {
        int hd = c.vaeHidden();
        int dz = c.latentDim();
        double[] h = linear(in, rows, width, get(w, l1 + ".weight"), get(w, l1 + ".bias"), hd);
        for (int i = 0; i < h.length; i++) {
            h[i] = silu(h[i]);
        }
        double[] o = linear(h, rows, hd, get(w, l2 + ".weight"), get(w, l2 + ".bias"), 2 * dz);
        double[] mu = new double[rows * dz];
        double[] lv = new double[rows * dz];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(o, r * 2 * dz, mu, r * dz, dz);
            System.arraycopy(o, r * 2 * dz + dz, lv, r * dz, dz);
        }
        return new double[][] {mu, lv};
    }

    double[] decodeImage(double[] z, int b) {
        int p = c.patch();
        int pd = c.patchDim();
        int nImg = c.imageTokens();
        double[] patches = mlp(z, b * nImg, "vae.img_dec1", "vae.img_dec2", pd);
        double[] img = new double[b * c.imageChannels() * c.imageHeight() * c.imageWidth()];
        for (int s = 0; s < b; s++) {
            for (int ch = 0; ch < c.imageChannels(); ch++) {
                for (int y = 0; y < c.imageHeight(); y++) {
                    for (int x = 0; x < c.imageWidth(); x++) {
                        int tok = (y / p) * c.gridWidth() + x / p;
                        img[((s * c.imageChannels() + ch) * c.imageHeight() + y) * c.imageWidth() + x] =
                                patches[(s * nImg + tok) * pd + ch * p * p + (y % p) * p + x % p];
                    }
                }
            }
        }
        return img;
    }

    double[] decodeText(double[] z, int b) {
        return mlp(z, b * c.textLength(), "vae.txt_dec1", "vae.txt_dec2", c.vocabSize());
    }

    private double[] mlp(double[] z, int rows, String l1, String l2, int out) {
        double[] h = linear(z, rows, c.latentDim(), get(w, l1 + ".weight"), get(w, l1 + ".bias"), c.vaeHidden());
        for (int i = 0; i < h.length; i++) {
            h[i] = silu(h[i]);
        }
        return linear(h, rows, c.vaeHidden(), get(w, l2 + ".weight"), get(w, l2 + ".bias"), out);
    }

    /** Image orders by SPEC §5's words, written independently of ScanOrders. */
    int[] sequenceOrder(int block) {
        int gh = c.gridHeight();
        int gw = c.gridWidth();
        int len = c.sequenceLength();
        int[] perm = new int[len];
        for (int i = 0; i < len; i++) {
            perm[i] = i;
        }
        int io = block % c.imageScans();
        int j = 0;
        int[] img = new int[gh * gw];
        if (io < 2) {
            for (int r = 0; r < gh; r++) {
                for (int col = 0; col < gw; col++) {
                    img[j++] = r * gw + col;
                }
            }
        } else {
            for (int col = 0; col < gw; col++) {
                for (int r = 0; r < gh; r++) {
                    img[j++] = r * gw + col;
                }
            }
        }
        for (int i = 0; i < img.length; i++) {
            perm[3 + i] = 3 + (io % 2 == 1 ? img[img.length - 1 - i] : img[i]);
        }
        int lt = c.textLength();
        for (int i = 0; i < lt; i++) {
            perm[c.textOffset() + i] = c.textOffset() + (block % c.textScans() == 1 ? lt - 1 - i : i);
        }
        return perm;
    }

    double[] block(double[] x, int b, int index) {
        int len = c.sequenceLength();
        int d = c.dModel();
        double[] nw = get(w, "blocks." + index + ".norm.weight");
        double[] normed = rmsNorm(x, b * len, d, nw);
        int[] perm = sequenceOrder(index);
        double[] permuted = new double[normed.length];
        for (int s = 0; s < b; s++) {
            for (int j = 0; j < len; j++) {
                System.arraycopy(normed, (s * len + perm[j]) * d, permuted, (s * len + j) * d, d);
            }
        }
        double[] mixed = mixer(permuted, b, len, MambaShape.of(c), w.withPrefixRemoved("blocks." + index + ".mixer."));
        double[] out = x.clone();
        for (int s = 0; s < b; s++) {
            for (int j = 0; j < len; j++) {
                for (int i = 0; i < d; i++) {
                    out[(s * len + perm[j]) * d + i] += mixed[(s * len + j) * d + i];
                }
            }
        }
        return out;
    }

    double[] denoise(double[] latents, double[] tInput, long[] classes, int b) {
        int d = c.dModel();
        int dz = c.latentDim();
        int n = c.latentTokens();
        int len = c.sequenceLength();
        double[] tok = linear(latents, b * n, dz, get(w, "latent_in.weight"), null, d);
        double[] seq = new double[b * len * d];
        double[] pos = get(w, "pos");
        double[] mod = get(w, "modality");
        for (int s = 0; s < b; s++) {
            double[] freq = new double[256];
            for (int i = 0; i < 128; i++) {
                double f = Math.exp(-Math.log(10000) * i / 128);
                freq[i] = Math.cos(tInput[s] * f);
                freq[128 + i] = Math.sin(tInput[s] * f);
            }
            double[] h1 = linear(freq, 1, 256, get(w, "time_mlp.0.weight"), get(w, "time_mlp.0.bias"), d);
            for (int i = 0; i < d; i++) {
                h1[i] = silu(h1[i]);
            }
            double[] te = linear(h1, 1, d, get(w, "time_mlp.2.weight"), get(w, "time_mlp.2.bias"), d);
            System.arraycopy(te, 0, seq, (s * len) * d, d);
            System.arraycopy(get(w, "class_embed"), (int) classes[s] * d, seq, (s * len + 1) * d, d);
            System.arraycopy(get(w, "boi"), 0, seq, (s * len + 2) * d, d);
            System.arraycopy(get(w, "bot"), 0, seq, (s * len + c.textOffset() - 1) * d, d);
            for (int k = 0; k < n; k++) {
                int at = k < c.imageTokens() ? 3 + k : c.textOffset() + k - c.imageTokens();
                System.arraycopy(tok, (s * n + k) * d, seq, (s * len + at) * d, d);
            }
            for (int i = 0; i < len; i++) {
                int m = i >= 3 && i < 3 + c.imageTokens() ? 1 : i >= c.textOffset() ? 2 : 0;
                for (int j = 0; j < d; j++) {
                    seq[(s * len + i) * d + j] += pos[i * d + j] + mod[m * d + j];
                }
            }
        }
        for (int i = 0; i < c.blocks(); i++) {
            seq = block(seq, b, i);
        }
        double[] picked = new double[b * n * d];
        for (int s = 0; s < b; s++) {
            for (int k = 0; k < n; k++) {
                int at = k < c.imageTokens() ? 3 + k : c.textOffset() + k - c.imageTokens();
                System.arraycopy(seq, (s * len + at) * d, picked, (s * n + k) * d, d);
            }
        }
        return linear(rmsNorm(picked, b * n, d, get(w, "norm_f.weight")), b * n, d, get(w, "latent_out.weight"), null, dz);
    }

    // ---- loss (SPEC §7, decisions D2-D7) ----

    /** @return {total, imgAuto, imgDenoised, txtAuto, txtDenoised, kl, se} */
    double[] loss(dev.mdm.model.TrainingBatch batch) {
        int b = batch.images().dim(0);
        int nImg = c.imageTokens();
        int lt = c.textLength();
        int n = c.latentTokens();
        int dz = c.latentDim();
        double[][] ie = encodeImage(batch.images().toDoubleArray(), b);
        long[] tokens = batch.tokens().toLongArray();
        double[][] te = encodeText(tokens, b);
        double[] mu = new double[b * n * dz];
        double[] lv = new double[b * n * dz];
        for (int s = 0; s < b; s++) {
            for (int k = 0; k < n; k++) {
                for (int j = 0; j < dz; j++) {
                    int dst = (s * n + k) * dz + j;
                    mu[dst] = k < nImg ? ie[0][(s * nImg + k) * dz + j] : te[0][(s * lt + k - nImg) * dz + j];
                    lv[dst] = k < nImg ? ie[1][(s * nImg + k) * dz + j] : te[1][(s * lt + k - nImg) * dz + j];
                }
            }
        }
        double[] e1 = batch.vaeNoise().toDoubleArray();
        double[] e2 = batch.diffusionNoise().toDoubleArray();
        double[] mask = batch.noised().toDoubleArray();
        long[] t = batch.timesteps().toLongArray();
        double[] abar = alphaBars(c);
        double[] z0 = new double[mu.length];
        double[] zt = new double[mu.length];
        double[] tin = new double[b];
        for (int i = 0; i < mu.length; i++) {
            int s = i / (n * dz);
            double ab = abar[(int) t[s]];
            z0[i] = mu[i] + Math.exp(0.5 * lv[i]) * e1[i];
            zt[i] = mask[i / dz] != 0 ? Math.sqrt(ab) * z0[i] + Math.sqrt(1 - ab) * e2[i] : z0[i];
            tin[s] = t[s] - 1;
        }
        double[] zh = denoise(zt, tin, batch.classIds().toLongArray(), b);
        double[] x = batch.images().toDoubleArray();
        double[][] imgs = {decodeImage(part(z0, b, 0, nImg), b), decodeImage(part(zh, b, 0, nImg), b)};
        double[][] logits = {decodeText(part(z0, b, nImg, lt), b), decodeText(part(zh, b, nImg, lt), b)};
        double[] terms = new double[7];
        int pixPerImg = c.imageChannels() * c.imageHeight() * c.imageWidth();
        for (int which = 0; which < 2; which++) {
            double sum = 0;
            int cnt = 0;
            for (int i = 0; i < x.length; i++) {
                int s = i / pixPerImg;
                int yx = i % (c.imageHeight() * c.imageWidth());
                int tok = (yx / c.imageWidth() / c.patch()) * c.gridWidth() + (yx % c.imageWidth()) / c.patch();
                if (which == 1 && mask[s * n + tok] == 0) {
                    continue;
                }
                sum += Math.pow(x[i] - imgs[which][i], 2);
                cnt++;
            }
            terms[1 + which] = cnt == 0 ? 0 : sum / cnt;
            sum = 0;
            cnt = 0;
            int v = c.vocabSize();
            for (int s = 0; s < b; s++) {
                for (int k = 0; k < lt; k++) {
                    if (which == 1 && mask[s * n + nImg + k] == 0) {
                        continue;
                    }
                    double[] row = java.util.Arrays.copyOfRange(logits[which], (s * lt + k) * v, (s * lt + k + 1) * v);
                    logSoftmax(row);
                    sum -= row[(int) tokens[s * lt + k]];
                    cnt++;
                }
            }
            terms[3 + which] = cnt == 0 ? 0 : sum / cnt;
        }
        double kl = 0;
        for (int i = 0; i < mu.length; i++) {
            kl += 0.5 * (mu[i] * mu[i] + Math.exp(lv[i]) - 1 - lv[i]);
        }
        terms[5] = kl / (b * n);
        int kc = c.seCandidates();
        double seSum = 0;
        int seCount = 0;
        for (int[] span : new int[][] {{0, nImg}, {nImg, n}}) {
            java.util.List<int[]> list = new java.util.ArrayList<>();
            for (int s = 0; s < b; s++) {
                for (int k = span[0]; k < span[1]; k++) {
                    if (mask[s * n + k] != 0) {
                        list.add(new int[] {s, k});
                    }
                }
            }
            int m = list.size();
            for (int j = 0; j < m; j++) {
                int[] me = list.get(j);
                double[] cand = new double[kc * dz];
                for (int q = 0; q < kc; q++) {
                    int[] o = list.get((j + q) % m);
                    System.arraycopy(z0, (o[0] * n + o[1]) * dz, cand, q * dz, dz);
                }
                int row = (me[0] * n + me[1]) * dz;
                seSum += scoreEntropy(java.util.Arrays.copyOfRange(zt, row, row + dz), java.util.Arrays.copyOfRange(zh, row, row + dz),
                        cand, new double[] {abar[(int) t[me[0]]]}, 1, kc, dz)[0];
                seCount++;
            }
        }
        terms[6] = seCount == 0 ? 0 : seSum / seCount;
        terms[0] = terms[1] + terms[2] + terms[3] + terms[4] + c.klWeight() * terms[5] + c.seWeight() * terms[6];
        return terms;
    }

    private double[] part(double[] z, int b, int from, int count) {
        int n = c.latentTokens();
        int dz = c.latentDim();
        double[] out = new double[b * count * dz];
        for (int s = 0; s < b; s++) {
            System.arraycopy(z, (s * n + from) * dz, out, s * count * dz, count * dz);
        }
        return out;
    }

    // ---- score entropy (SPEC §7) ----

    static double[] scoreEntropy(double[] zt, double[] zhat, double[] cand, double[] ab, int m, int k, int dz) {
        double[] se = new double[m];
        for (int i = 0; i < m; i++) {
            double[] lr = new double[k];
            double[] ls = new double[k];
            for (int j = 0; j < k; j++) {
                double dr = 0;
                double ds = 0;
                for (int e = 0; e < dz; e++) {
                    double y = cand[(i * k + j) * dz + e];
                    double a = zt[i * dz + e] - Math.sqrt(ab[i]) * y;
                    double bb = zhat[i * dz + e] - y;
                    dr += a * a;
                    ds += bb * bb;
                }
                lr[j] = -dr / (2 * (1 - ab[i]));
                ls[j] = -ab[i] * ds / (2 * (1 - ab[i]));
            }
            logSoftmax(lr);
            logSoftmax(ls);
            double acc = 0;
            for (int j = 0; j < k; j++) {
                double r = Math.exp(lr[j]);
                acc += Math.exp(ls[j]) - r * ls[j] + (r == 0 ? 0 : r * (lr[j] - 1));
            }
            se[i] = acc / k;
        }
        return se;
    }

    static double[] alphaBars(MdmConfig config) {
        double[] betas = MDM.betas(config);
        double[] ab = new double[betas.length + 1];
        ab[0] = 1;
        for (int t = 1; t <= betas.length; t++) {
            ab[t] = ab[t - 1] * (1 - betas[t - 1]);
        }
        return ab;
    }

    // ---- helpers ----

    private static void logSoftmax(double[] v) {
        double max = Double.NEGATIVE_INFINITY;
        for (double x : v) {
            max = Math.max(max, x);
        }
        double s = 0;
        for (double x : v) {
            s += Math.exp(x - max);
        }
        double lse = max + Math.log(s);
        for (int i = 0; i < v.length; i++) {
            v[i] -= lse;
        }
    }

    static double[] linear(double[] x, int rows, int in, double[] weight, double[] bias, int out) {
        double[] y = new double[rows * out];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < out; o++) {
                double acc = bias == null ? 0 : bias[o];
                for (int i = 0; i < in; i++) {
                    acc += x[r * in + i] * weight[o * in + i];
                }
                y[r * out + o] = acc;
            }
        }
        return y;
    }

    private static double[] rmsNorm(double[] x, int rows, int d, double[] weight) {
        double[] y = new double[x.length];
        for (int r = 0; r < rows; r++) {
            double ms = 0;
            for (int i = 0; i < d; i++) {
                ms += x[r * d + i] * x[r * d + i];
            }
            double inv = 1 / Math.sqrt(ms / d + 1e-5);
            for (int i = 0; i < d; i++) {
                y[r * d + i] = x[r * d + i] * inv * weight[i];
            }
        }
        return y;
    }

    static double silu(double v) {
        return v / (1 + Math.exp(-v));
    }

    static double softplus(double v) {
        return v > 20 ? v : Math.log1p(Math.exp(v));
    }

    private static double[] get(Parameters p, String name) {
        Tensor t = p.get(name);
        return t.toDoubleArray();
    }
}

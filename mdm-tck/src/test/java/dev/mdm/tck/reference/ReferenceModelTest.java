package dev.mdm.tck.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mdm.InvalidInputException;
import dev.mdm.MdmConfig;
import dev.mdm.model.LatentDistribution;
import dev.mdm.model.LossBreakdown;
import dev.mdm.model.OptimizerSettings;
import dev.mdm.model.ParameterInitializer;
import dev.mdm.model.Parameters;
import dev.mdm.model.TrainingBatch;
import dev.mdm.spi.ModelRuntime;
import dev.mdm.tensor.DType;
import dev.mdm.tensor.Tensor;
import java.util.random.RandomGenerator;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The reference model (VAE, denoiser, loss)")
class ReferenceModelTest {
    private final MdmConfig config = Fixtures.micro();
    private final Parameters parameters = ParameterInitializer.initialize(config, 3);
    private final ReferenceBackend backend = Fixtures.backend();
    private final ModelRuntime runtime = backend.load(config, parameters);

    @AfterEach
    void close() {
        backend.close();
    }

    private Tensor latents(long seed, int b) {
        return Fixtures.gaussianTensor(Fixtures.random(seed), 1, b, config.latentTokens(), config.latentDim());
    }

    private Tensor predict(Tensor z, double t, long c) {
        int b = z.dim(0);
        double[] times = new double[b];
        long[] classes = new long[b];
        java.util.Arrays.fill(times, t);
        java.util.Arrays.fill(classes, c);
        return runtime.denoiser().predict(z, Tensor.of(times, b), Tensor.ofLongs(classes, b));
    }

    @Test
    @DisplayName("denoiser returns F64 x̂0 of shape [b, n_img + Lt, dz], and time and class change it")
    void denoiserShape() {
        Tensor z = latents(1, 2);
        Tensor out = predict(z, 5, 1);
        assertThat(out.dtype()).isEqualTo(DType.F64);
        assertThat(out.shape()).containsExactly(2, 7, 2);
        assertThat(Fixtures.maxAbsDiff(out.toDoubleArray(), predict(z, 6, 1).toDoubleArray())).isGreaterThan(1e-9);
        assertThat(Fixtures.maxAbsDiff(out.toDoubleArray(), predict(z, 5, 2).toDoubleArray())).isGreaterThan(1e-9);
    }

    /**
     * The brief expected text to influence image predictions. Under SPEC §5 it cannot: scans are causal and each
     * block permutes the image and text spans only within themselves, so the text span always follows the image span.
     */
    @Test
    @DisplayName("an image latent changes text predictions and a text latent changes image predictions (D13: odd blocks scan text first)")
    void modalityMixing() {
        Tensor z = latents(2, 1);
        double[] base = predict(z, 3, 0).toDoubleArray();
        int nImg = config.imageTokens();
        int dz = config.latentDim();

        double[] imageChanged = z.toDoubleArray();
        imageChanged[3 * dz] += 1; // last image token in canonical order
        double[] afterImage = predict(Tensor.of(imageChanged, z.shape()), 3, 0).toDoubleArray();
        double textDelta = 0;
        for (int i = nImg * dz; i < base.length; i++) {
            textDelta = Math.max(textDelta, Math.abs(afterImage[i] - base[i]));
        }
        assertThat(textDelta).isGreaterThan(1e-9);
        double earlierImageDelta = 0;
        for (int i = 0; i < 3 * dz; i++) {
            earlierImageDelta = Math.max(earlierImageDelta, Math.abs(afterImage[i] - base[i]));
        }
        // image token 3 is scanned before tokens 0..2 in the reversed orders of blocks 1 (and 3): they see it
        assertThat(earlierImageDelta).isGreaterThan(1e-9);

        double[] textChanged = z.toDoubleArray();
        textChanged[nImg * dz] += 1;
        double[] afterText = predict(Tensor.of(textChanged, z.shape()), 3, 0).toDoubleArray();
        double imageDelta = 0;
        for (int i = 0; i < nImg * dz; i++) {
            imageDelta = Math.max(imageDelta, Math.abs(afterText[i] - base[i]));
        }
        assertThat(imageDelta).isGreaterThan(1e-9);
    }

    @Test
    @DisplayName("patchify is row-major over tokens and c·p² + dy·p + dx inside one: a pixel moves only its own token")
    void patchLayout() {
        double[] image = Fixtures.gaussian(Fixtures.random(4), 16, 0.5);
        LatentDistribution base = runtime.encoder().encodeImage(Tensor.of(image, 1, 1, 4, 4));
        double[] changed = image.clone();
        changed[1 * 4 + 2] += 0.3; // y = 1, x = 2: token (0, 1) = 1
        double[] mu = runtime.encoder().encodeImage(Tensor.of(changed, 1, 1, 4, 4)).mean().toDoubleArray();
        double[] mu0 = base.mean().toDoubleArray();
        for (int token = 0; token < 4; token++) {
            double d = Math.abs(mu[token * 2] - mu0[token * 2]) + Math.abs(mu[token * 2 + 1] - mu0[token * 2 + 1]);
            assertThat(d > 0).as("token %d", token).isEqualTo(token == 1);
        }
        // by hand for token 1: g = (x[0][2], x[0][3], x[1][2], x[1][3])
        double[] g = {changed[2], changed[3], changed[6], changed[7]};
        double[] w1 = parameters.get("vae.img_enc1.weight").toDoubleArray();
        double[] b1 = parameters.get("vae.img_enc1.bias").toDoubleArray();
        double[] w2 = parameters.get("vae.img_enc2.weight").toDoubleArray();
        double[] b2 = parameters.get("vae.img_enc2.bias").toDoubleArray();
        double[] h = new double[4];
        for (int o = 0; o < 4; o++) {
            double s = b1[o];
            for (int i = 0; i < 4; i++) {
                s += w1[o * 4 + i] * g[i];
            }
            h[o] = s / (1 + Math.exp(-s));
        }
        double[] logVar = runtime.encoder().encodeImage(Tensor.of(changed, 1, 1, 4, 4)).logVar().toDoubleArray();
        for (int o = 0; o < 4; o++) {
            double s = b2[o];
            for (int i = 0; i < 4; i++) {
                s += w2[o * 4 + i] * h[i];
            }
            double got = o < 2 ? mu[2 + o] : logVar[2 + o - 2];
            assertThat(got).as("row %d of [μ; logσ²]", o).isCloseTo(s, Offset.offset(1e-14));
        }
        // decoding: changing latent token 3 changes only pixels y, x ∈ {2, 3}
        double[] z = Fixtures.gaussian(Fixtures.random(5), 8, 1);
        double[] img0 = runtime.decoder().decodeImage(Tensor.of(z, 1, 4, 2)).toDoubleArray();
        z[6] += 1;
        double[] img1 = runtime.decoder().decodeImage(Tensor.of(z, 1, 4, 2)).toDoubleArray();
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                assertThat(img1[y * 4 + x] != img0[y * 4 + x]).as("pixel %d,%d", y, x).isEqualTo(y >= 2 && x >= 2);
            }
        }
    }

    private static double alphaBar(MdmConfig c, int t) {
        double p = 1;
        for (int k = 1; k <= t; k++) {
            p *= 1 - (c.betaStart() + (c.betaEnd() - c.betaStart()) * (k - 1) / (c.timesteps() - 1));
        }
        return p;
    }

    private TrainingBatch batch(double[] noised) {
        RandomGenerator r = Fixtures.random(61);
        int b = 2;
        Tensor images = Tensor.of(Fixtures.uniform(r, b * 16, -1, 1), b, 1, 4, 4);
        Tensor tokens = Tensor.ofLongs(new long[] {1, 7, 0, 3, 3, 5}, b, 3);
        return new TrainingBatch(images, tokens, Tensor.ofLongs(new long[] {0, 2}, b), Tensor.ofLongs(new long[] {4, 9}, b),
                Fixtures.gaussianTensor(r, 1, b, 7, 2), Fixtures.gaussianTensor(r, 1, b, 7, 2), Tensor.of(noised, b, 7));
    }

    @Test
    @DisplayName("loss terms equal their definitions (D2-D4, D7) recomputed from the public encoder, denoiser and decoder")
    void lossMatchesHandWiring() {
        double[] noised = {1, 1, 1, 1, 1, 0, 1, /* sample 1 */ 0, 1, 0, 1, 0, 0, 0};
        TrainingBatch batch = batch(noised);
        LossBreakdown loss = runtime.loss().compute(batch);

        int b = 2;
        int nImg = 4;
        int lt = 3;
        int dz = 2;
        int n = 7;
        double[] muI = runtime.encoder().encodeImage(batch.images()).mean().toDoubleArray();
        double[] lvI = runtime.encoder().encodeImage(batch.images()).logVar().toDoubleArray();
        double[] muT = runtime.encoder().encodeText(batch.tokens()).mean().toDoubleArray();
        double[] lvT = runtime.encoder().encodeText(batch.tokens()).logVar().toDoubleArray();
        double[] mu = new double[b * n * dz];
        double[] lv = new double[b * n * dz];
        for (int s = 0; s < b; s++) {
            System.arraycopy(muI, s * nImg * dz, mu, s * n * dz, nImg * dz);
            System.arraycopy(lvI, s * nImg * dz, lv, s * n * dz, nImg * dz);
            System.arraycopy(muT, s * lt * dz, mu, (s * n + nImg) * dz, lt * dz);
            System.arraycopy(lvT, s * lt * dz, lv, (s * n + nImg) * dz, lt * dz);
        }
        double[] z0 = new LatentDistribution(Tensor.of(mu, b, n, dz), Tensor.of(lv, b, n, dz)).sample(batch.vaeNoise()).toDoubleArray();
        double[] ab = {alphaBar(config, 4), alphaBar(config, 9)};
        double[] dn = batch.diffusionNoise().toDoubleArray();
        double[] zt = z0.clone();
        for (int i = 0; i < zt.length; i++) {
            int s = i / (n * dz);
            if (noised[i / dz] == 1) {
                zt[i] = Math.sqrt(ab[s]) * z0[i] + Math.sqrt(1 - ab[s]) * dn[i];
            }
        }
        double[] zhat = runtime.denoiser().predict(Tensor.of(zt, b, n, dz), Tensor.of(new double[] {3, 8}, b),
                batch.classIds()).toDoubleArray();

        double[] x = batch.images().toDoubleArray();
        double[] auto = runtime.decoder().decodeImage(Tensor.of(part(z0, 0, nImg), b, nImg, dz)).toDoubleArray();
        double[] den = runtime.decoder().decodeImage(Tensor.of(part(zhat, 0, nImg), b, nImg, dz)).toDoubleArray();
        double autoSum = 0;
        double denSum = 0;
        int denPixels = 0;
        for (int i = 0; i < x.length; i++) {
            int s = i / 16;
            int y = (i % 16) / 4;
            int xx = i % 4;
            int token = (y / 2) * 2 + xx / 2;
            autoSum += Math.pow(x[i] - auto[i], 2);
            if (noised[s * n + token] == 1) {
                denSum += Math.pow(x[i] - den[i], 2);
                denPixels++;
            }
        }
        assertThat(loss.imageReconstruction()).isCloseTo(autoSum / x.length, Offset.offset(1e-13));
        assertThat(loss.imageDenoised()).isCloseTo(denSum / denPixels, Offset.offset(1e-13));

        long[] ids = batch.tokens().toLongArray();
        double[] autoLogits = runtime.decoder().decodeText(Tensor.of(part(z0, nImg, lt), b, lt, dz)).toDoubleArray();
        double[] denLogits = runtime.decoder().decodeText(Tensor.of(part(zhat, nImg, lt), b, lt, dz)).toDoubleArray();
        double ceAuto = 0;
        double ceDen = 0;
        int denTokens = 0;
        for (int row = 0; row < b * lt; row++) {
            ceAuto += crossEntropy(autoLogits, row, (int) ids[row]);
            if (noised[(row / lt) * n + nImg + row % lt] == 1) {
                ceDen += crossEntropy(denLogits, row, (int) ids[row]);
                denTokens++;
            }
        }
        assertThat(loss.textReconstruction()).isCloseTo(ceAuto / (b * lt), Offset.offset(1e-13));
        assertThat(loss.textDenoised()).isCloseTo(ceDen / denTokens, Offset.offset(1e-13));

        double kl = 0;
        for (int i = 0; i < mu.length; i++) {
            kl += 0.5 * (mu[i] * mu[i] + Math.exp(lv[i]) - 1 - lv[i]);
        }
        assertThat(loss.kl()).isCloseTo(kl / (b * n), Offset.offset(1e-13));

        // D4 by hand: noised image tokens (s0: 0,1,2,3; s1: 1,3), noised text tokens (s0: 0, 2) — M = 2 < K = 3 wraps
        double seSum = 0;
        int count = 0;
        for (int[][] list : new int[][][] {{{0, 0}, {0, 1}, {0, 2}, {0, 3}, {1, 1}, {1, 3}}, {{0, 4}, {0, 6}}}) {
            int m = list.length;
            int k = config.seCandidates();
            for (int j = 0; j < m; j++) {
                double[] cand = new double[k * dz];
                for (int c = 0; c < k; c++) {
                    int[] o = list[(j + c) % m];
                    System.arraycopy(z0, (o[0] * n + o[1]) * dz, cand, c * dz, dz);
                }
                int at = (list[j][0] * n + list[j][1]) * dz;
                seSum += backend.scoreEntropy(Tensor.of(java.util.Arrays.copyOfRange(zt, at, at + dz), 1, dz),
                        Tensor.of(java.util.Arrays.copyOfRange(zhat, at, at + dz), 1, dz), Tensor.of(cand, 1, k, dz),
                        Tensor.of(new double[] {ab[list[j][0]]}, 1)).getDouble(0);
                count++;
            }
        }
        assertThat(loss.scoreEntropy()).isCloseTo(seSum / count, Offset.offset(1e-13)).isGreaterThan(0);
        double total = loss.imageReconstruction() + loss.imageDenoised() + loss.textReconstruction() + loss.textDenoised()
                + config.klWeight() * loss.kl() + config.seWeight() * loss.scoreEntropy();
        assertThat(loss.total()).isCloseTo(total, Offset.offset(1e-13));
    }

    private static double[] part(double[] perToken, int from, int count) {
        double[] out = new double[2 * count * 2];
        for (int s = 0; s < 2; s++) {
            System.arraycopy(perToken, (s * 7 + from) * 2, out, s * count * 2, count * 2);
        }
        return out;
    }

    private static double crossEntropy(double[] logits, int row, int target) {
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < 8; v++) {
            max = Math.max(max, logits[row * 8 + v]);
        }
        double sum = 0;
        for (int v = 0; v < 8; v++) {
            sum += Math.exp(logits[row * 8 + v] - max);
        }
        return -(logits[row * 8 + target] - max - Math.log(sum));
    }

    @Test
    @DisplayName("with no noised token the denoised terms and SE are 0 and total = autoencoder terms + β·KL")
    void noNoisedTokens() {
        LossBreakdown loss = runtime.loss().compute(batch(new double[14]));
        assertThat(loss.imageDenoised()).isZero();
        assertThat(loss.textDenoised()).isZero();
        assertThat(loss.scoreEntropy()).isZero();
        assertThat(loss.total()).isCloseTo(loss.imageReconstruction() + loss.textReconstruction() + config.klWeight() * loss.kl(),
                Offset.offset(1e-15));
    }

    @Test
    @DisplayName("rejects bad inputs naming the argument: token ids, class ids, non-finite latents, wrong parameters")
    void rejectsBadInputs() {
        assertThatThrownBy(() -> runtime.encoder().encodeText(Tensor.ofLongs(new long[] {0, 8, 1}, 1, 3)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("'tokens'");
        assertThatThrownBy(() -> predict(latents(7, 1), 1, 3)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("'classIds'");
        double[] bad = latents(8, 1).toDoubleArray();
        bad[5] = Double.POSITIVE_INFINITY;
        assertThatThrownBy(() -> predict(Tensor.of(bad, 1, 7, 2), 1, 0)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("'latents'");
        assertThatThrownBy(() -> runtime.decoder().decodeImage(Tensor.zeros(1, 3, 2))).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("'latents'");
        assertThatThrownBy(() -> backend.load(config, parameters.with("boi", Tensor.zeros(9))))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("'boi' has shape [9]");
        assertThatThrownBy(() -> runtime.block(2)).isInstanceOf(InvalidInputException.class).hasMessageContaining("'index'");
    }

    @Test
    @DisplayName("block i is x + P⁻¹·mixer(P·RMSNorm(x)) built from the public scan switch and mixer")
    void blockComposition() {
        int len = config.sequenceLength();
        int d = config.dModel();
        Tensor x = Fixtures.gaussianTensor(Fixtures.random(71), 1, 2, len, d);
        for (int i = 0; i < config.blocks(); i++) {
            double[] w = parameters.get("blocks." + i + ".norm.weight").toDoubleArray();
            double[] xv = x.toDoubleArray();
            double[] normed = new double[xv.length];
            for (int r = 0; r < 2 * len; r++) {
                double ms = 0;
                for (int c = 0; c < d; c++) {
                    ms += xv[r * d + c] * xv[r * d + c];
                }
                for (int c = 0; c < d; c++) {
                    normed[r * d + c] = xv[r * d + c] / Math.sqrt(ms / d + 1e-5) * w[c];
                }
            }
            var sw = runtime.scanSwitch();
            Tensor mixed = runtime.block(i).mixer(sw.permute(i, Tensor.of(normed, 2, len, d)));
            double[] back = sw.unpermute(i, mixed).toDoubleArray();
            double[] got = runtime.block(i).forward(x).toDoubleArray();
            for (int j = 0; j < xv.length; j++) {
                assertThat(got[j]).isCloseTo(xv[j] + back[j], Offset.offset(1e-13));
            }
        }
    }

    @Test
    @DisplayName("closing is idempotent and makes the runtime and its components throw IllegalStateException")
    void closeSemantics() {
        var denoiser = runtime.denoiser();
        runtime.close();
        runtime.close();
        assertThatThrownBy(runtime::encoder).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> denoiser.predict(latents(9, 1), Tensor.of(new double[] {1}, 1), Tensor.ofLongs(new long[] {0}, 1)))
                .isInstanceOf(IllegalStateException.class);
        ModelRuntime other = backend.load(config, parameters);
        backend.close();
        backend.close();
        assertThatThrownBy(other::loss).isInstanceOf(IllegalStateException.class).hasMessageContaining("backend");
    }

    @Test
    @DisplayName("training is unsupported and says which backend; parameters() returns the weights as F64")
    void noTraining() {
        assertThatThrownBy(() -> runtime.train(OptimizerSettings.paper(), null))
                .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("'reference'");
        Parameters p = runtime.parameters();
        assertThat(p.names()).containsExactlyElementsOf(parameters.names());
        assertThat(p.get("pos").dtype()).isEqualTo(DType.F64);
        assertThat(p.get("pos").toFloatArray()).containsExactly(parameters.get("pos").toFloatArray());
    }
}

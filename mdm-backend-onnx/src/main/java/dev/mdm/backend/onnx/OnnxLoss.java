package dev.mdm.backend.onnx;

import dev.mdm.MDM;
import dev.mdm.MdmConfig;
import dev.mdm.model.LatentDistribution;
import dev.mdm.model.LossBreakdown;
import dev.mdm.model.LossFunction;
import dev.mdm.model.TrainingBatch;
import dev.mdm.tensor.Tensor;

/**
 * The training loss of SPEC §7 with decisions D2-D7, forward only: the encoders, the denoiser, the decoders and score
 * entropy run as ONNX graphs; the reparameterization, the forward process and the means over covered tokens are
 * taken in float64 on their outputs.
 */
final class OnnxLoss implements LossFunction {
    private final MdmConfig config;
    private final OnnxModelRuntime model;
    private final OnnxBackend backend;
    private final double[] alphaBar;

    OnnxLoss(MdmConfig config, OnnxModelRuntime model, OnnxBackend backend) {
        this.config = config;
        this.model = model;
        this.backend = backend;
        this.alphaBar = MDM.alphaBars(config);
    }

    @Override
    public LossBreakdown compute(TrainingBatch batch) {
        batch.validate(config);
        int b = batch.images().dim(0);
        int nImg = config.imageTokens();
        int lt = config.textLength();
        int n = config.latentTokens();
        int dz = config.latentDim();
        LatentDistribution img = model.encoder().encodeImage(batch.images());
        LatentDistribution txt = model.encoder().encodeText(batch.tokens());
        double[] mean = joinTokens(img.mean(), txt.mean(), b);
        double[] logVar = joinTokens(img.logVar(), txt.logVar(), b);
        double[] vaeNoise = batch.vaeNoise().toDoubleArray();
        double[] noise = batch.diffusionNoise().toDoubleArray();
        double[] noised = batch.noised().toDoubleArray();
        long[] t = batch.timesteps().toLongArray();

        // D3: z0 for every token; z_t for noised tokens, z0 for given ones; t_input = t − 1
        double[] z0 = new double[mean.length];
        double[] zIn = new double[mean.length];
        double[] tInput = new double[b];
        for (int s = 0; s < b; s++) {
            double ab = alphaBar[(int) t[s]];
            tInput[s] = t[s] - 1;
            for (int k = 0; k < n; k++) {
                boolean isNoised = noised[s * n + k] != 0;
                for (int j = 0; j < dz; j++) {
                    int i = (s * n + k) * dz + j;
                    z0[i] = mean[i] + Math.exp(0.5 * logVar[i]) * vaeNoise[i];
                    zIn[i] = isNoised ? Math.sqrt(ab) * z0[i] + Math.sqrt(1 - ab) * noise[i] : z0[i];
                }
            }
        }
        double[] zHat = model.predict(Tensor.of(zIn, b, n, dz), Tensor.of(tInput, b), batch.classIds()).toDoubleArray();

        double[] images = batch.images().toDoubleArray();
        double imageAuto = imageError(images, decodeImage(z0, b), noised, b, false);
        double imageDenoised = imageError(images, decodeImage(zHat, b), noised, b, true);
        long[] tokens = batch.tokens().toLongArray();
        double textAuto = crossEntropy(tokens, decodeText(z0, b), noised, b, false);
        double textDenoised = crossEntropy(tokens, decodeText(zHat, b), noised, b, true);

        double kl = 0;
        for (int i = 0; i < mean.length; i++) {
            kl += 0.5 * (mean[i] * mean[i] + Math.exp(logVar[i]) - 1 - logVar[i]);
        }
        kl /= (double) b * n;

        double se = scoreEntropyTerm(z0, zIn, zHat, noised, t, b, nImg, lt);
        double total = imageAuto + imageDenoised + textAuto + textDenoised + config.klWeight() * kl + config.seWeight() * se;
        return new LossBreakdown(total, imageAuto, imageDenoised, textAuto, textDenoised, kl, se);
    }

    @Override
    public Tensor scoreEntropy(Tensor zt, Tensor zhat0, Tensor candidates, Tensor alphaBar) {
        return backend.scoreEntropy(zt, zhat0, candidates, alphaBar);
    }

    /** [b, n_img, dz] and [b, Lt, dz] → [b, n_img + Lt, dz], image tokens first. */
    private double[] joinTokens(Tensor image, Tensor text, int b) {
        int dz = config.latentDim();
        int imgPer = config.imageTokens() * dz;
        int txtPer = config.textLength() * dz;
        double[] i = image.toDoubleArray();
        double[] x = text.toDoubleArray();
        double[] out = new double[b * (imgPer + txtPer)];
        for (int s = 0; s < b; s++) {
            System.arraycopy(i, s * imgPer, out, s * (imgPer + txtPer), imgPer);
            System.arraycopy(x, s * txtPer, out, s * (imgPer + txtPer) + imgPer, txtPer);
        }
        return out;
    }

    private double[] decodeImage(double[] latents, int b) {
        return model.decoder().decodeImage(Tensor.of(span(latents, b, 0, config.imageTokens()), b, config.imageTokens(),
                config.latentDim())).toDoubleArray();
    }

    private double[] decodeText(double[] latents, int b) {
        return model.decoder().decodeText(Tensor.of(span(latents, b, config.imageTokens(), config.textLength()), b,
                config.textLength(), config.latentDim())).toDoubleArray();
    }

    private double[] span(double[] latents, int b, int from, int count) {
        int dz = config.latentDim();
        int n = config.latentTokens();
        double[] out = new double[b * count * dz];
        for (int s = 0; s < b; s++) {
            System.arraycopy(latents, (s * n + from) * dz, out, s * count * dz, count * dz);
        }
        return out;
    }

    /** D2: mean squared error over the pixels of every token, or of the noised tokens only; 0 when none is covered. */
    private double imageError(double[] target, double[] decoded, double[] noised, int b, boolean noisedOnly) {
        int c = config.imageChannels();
        int h = config.imageHeight();
        int w = config.imageWidth();
        int p = config.patch();
        int n = config.latentTokens();
        double sum = 0;
        long count = 0;
        for (int s = 0; s < b; s++) {
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        int token = (y / p) * config.gridWidth() + x / p;
                        if (noisedOnly && noised[s * n + token] == 0) {
                            continue;
                        }
                        int i = ((s * c + ch) * h + y) * w + x;
                        double e = target[i] - decoded[i];
                        sum += e * e;
                        count++;
                    }
                }
            }
        }
        return count == 0 ? 0 : sum / count;
    }

    /** D7: mean of −log softmax(logits)[target] over every text token, or over the noised ones only. */
    private double crossEntropy(long[] tokens, double[] logits, double[] noised, int b, boolean noisedOnly) {
        int lt = config.textLength();
        int v = config.vocabSize();
        int n = config.latentTokens();
        double sum = 0;
        long count = 0;
        for (int s = 0; s < b; s++) {
            for (int k = 0; k < lt; k++) {
                if (noisedOnly && noised[s * n + config.imageTokens() + k] == 0) {
                    continue;
                }
                int o = (s * lt + k) * v;
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < v; j++) {
                    max = Math.max(max, logits[o + j]);
                }
                double z = 0;
                for (int j = 0; j < v; j++) {
                    z += Math.exp(logits[o + j] - max);
                }
                sum += max + Math.log(z) - logits[o + (int) tokens[s * lt + k]];
                count++;
            }
        }
        return count == 0 ? 0 : sum / count;
    }

    /**
     * D4: per modality, the noised tokens n_0..n_{M−1} in (sample, position) order; token n_j's candidates are its own
     * z0 then those of n_{j+1}, …, n_{j+K−1} (cyclic); the mean is over the noised tokens of both modalities.
     */
    private double scoreEntropyTerm(double[] z0, double[] zt, double[] zHat, double[] noised, long[] t, int b, int nImg, int lt) {
        int n = config.latentTokens();
        int dz = config.latentDim();
        int k = config.seCandidates();
        int[][] spans = {{0, nImg}, {nImg, lt}};
        java.util.List<int[]> listed = new java.util.ArrayList<>(); // {sample, token, offset of its modality list}
        java.util.List<int[]> modalities = new java.util.ArrayList<>();
        for (int[] span : spans) {
            int start = listed.size();
            for (int s = 0; s < b; s++) {
                for (int j = 0; j < span[1]; j++) {
                    if (noised[s * n + span[0] + j] != 0) {
                        listed.add(new int[] {s, span[0] + j});
                    }
                }
            }
            modalities.add(new int[] {start, listed.size() - start});
        }
        int m = listed.size();
        if (m == 0) {
            return 0;
        }
        double[] zts = new double[m * dz];
        double[] zhats = new double[m * dz];
        double[] cands = new double[m * k * dz];
        double[] abs = new double[m];
        for (int[] mod : modalities) {
            int start = mod[0];
            int count = mod[1];
            for (int j = 0; j < count; j++) {
                int[] tok = listed.get(start + j);
                int row = (tok[0] * n + tok[1]) * dz;
                System.arraycopy(zt, row, zts, (start + j) * dz, dz);
                System.arraycopy(zHat, row, zhats, (start + j) * dz, dz);
                abs[start + j] = alphaBar[(int) t[tok[0]]];
                for (int c = 0; c < k; c++) {
                    int[] other = listed.get(start + (j + c) % count);
                    System.arraycopy(z0, (other[0] * n + other[1]) * dz, cands, ((start + j) * k + c) * dz, dz);
                }
            }
        }
        double[] se = backend.scoreEntropy(Tensor.of(zts, m, dz), Tensor.of(zhats, m, dz), Tensor.of(cands, m, k, dz),
                Tensor.of(abs, m)).toDoubleArray();
        double sum = 0;
        for (double v : se) {
            sum += v;
        }
        return sum / m;
    }
}

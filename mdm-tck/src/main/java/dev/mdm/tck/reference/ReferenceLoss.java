package dev.mdm.tck.reference;

import dev.mdm.MdmConfig;
import dev.mdm.model.LossBreakdown;
import dev.mdm.model.LossFunction;
import dev.mdm.model.TrainingBatch;
import dev.mdm.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The training objective of SPEC §7 with decisions D2-D4 and D7, forward only:
 * {@code total = imgAuto + imgDenoised + txtAuto + txtDenoised + β·KL + λ·SE}. Autoencoder terms and KL cover every
 * token; the denoised terms and SE cover only noised tokens; a term with no covered token is 0.
 */
final class ReferenceLoss implements LossFunction {
    private final MdmConfig config;
    private final ReferenceVae vae;
    private final ReferenceDenoiser denoiser;
    private final ReferenceLifecycle lifecycle;

    ReferenceLoss(MdmConfig config, ReferenceVae vae, ReferenceDenoiser denoiser, ReferenceLifecycle lifecycle) {
        this.config = config;
        this.vae = vae;
        this.denoiser = denoiser;
        this.lifecycle = lifecycle;
    }

    @Override
    public Tensor scoreEntropy(Tensor zt, Tensor zhat0, Tensor candidates, Tensor alphaBar) {
        lifecycle.requireOpen();
        return ReferenceScoreEntropy.compute(zt, zhat0, candidates, alphaBar);
    }

    /** ᾱ_t = Π_{k≤t}(1 − β_k), β linear from betaStart to betaEnd over t = 1..T (D3). */
    static double alphaBar(MdmConfig config, int t) {
        int steps = config.timesteps();
        double product = 1;
        for (int k = 1; k <= t; k++) {
            double beta = steps == 1 ? config.betaStart()
                    : config.betaStart() + (config.betaEnd() - config.betaStart()) * (k - 1) / (steps - 1);
            product *= 1 - beta;
        }
        return product;
    }

    /** The denoiser's part of the loss: ẑ0 [b·tokens·dz] from z_t and t_input. */
    interface Prediction {
        double[] predict(double[] zt, double[] timeInput, int b);
    }

    @Override
    public LossBreakdown compute(TrainingBatch batch) {
        return compute(batch, (zt, timeInput, b) -> denoiser.predict(zt, timeInput, denoiser.classIds(batch.classIds(), b), b), null);
    }

    /**
     * The loss with ẑ0 from {@code prediction} (the reference denoiser in {@link #compute(TrainingBatch)}).
     *
     * @param ztOut when not null, receives z_t [b·tokens·dz]
     */
    LossBreakdown compute(TrainingBatch batch, Prediction prediction, double[][] ztOut) {
        lifecycle.requireOpen();
        if (batch == null) {
            throw new dev.mdm.InvalidInputException("batch", "a TrainingBatch", "null");
        }
        batch.validate(config);
        int b = batch.images().dim(0);
        int nImg = config.imageTokens();
        int lt = config.textLength();
        int tokens = config.latentTokens();
        int dz = config.latentDim();
        int[] ids = vae.tokenIds(batch.tokens());
        double[] noised = batch.noised().requireFinite("noised").toDoubleArray();
        for (int i = 0; i < noised.length; i++) {
            if (noised[i] != 0 && noised[i] != 1) {
                throw new dev.mdm.InvalidInputException("noised", "only 0 and 1", noised[i] + " at flat index " + i);
            }
        }
        long[] steps = batch.timesteps().toLongArray();

        // encoder: μ, logσ² of every token, image tokens then text tokens per sample
        double[][] img = vae.encodeImage(batch.images().toDoubleArray(), b);
        double[][] txt = vae.encodeText(ids, b);
        double[] mean = new double[b * tokens * dz];
        double[] logVar = new double[b * tokens * dz];
        for (int bi = 0; bi < b; bi++) {
            System.arraycopy(img[0], bi * nImg * dz, mean, bi * tokens * dz, nImg * dz);
            System.arraycopy(img[1], bi * nImg * dz, logVar, bi * tokens * dz, nImg * dz);
            System.arraycopy(txt[0], bi * lt * dz, mean, (bi * tokens + nImg) * dz, lt * dz);
            System.arraycopy(txt[1], bi * lt * dz, logVar, (bi * tokens + nImg) * dz, lt * dz);
        }

        // D3: z₀ = μ + σ·ε for every token; z_t for noised tokens, z₀ for given ones; t_input = t − 1
        double[] vaeNoise = batch.vaeNoise().toDoubleArray();
        double[] diffusionNoise = batch.diffusionNoise().toDoubleArray();
        double[] z0 = new double[mean.length];
        double[] zt = new double[mean.length];
        double[] alphaBar = new double[b];
        double[] timeInput = new double[b];
        for (int bi = 0; bi < b; bi++) {
            alphaBar[bi] = alphaBar(config, (int) steps[bi]);
            timeInput[bi] = steps[bi] - 1;
        }
        for (int bi = 0; bi < b; bi++) {
            for (int k = 0; k < tokens; k++) {
                boolean isNoised = noised[bi * tokens + k] == 1;
                for (int c = 0; c < dz; c++) {
                    int i = (bi * tokens + k) * dz + c;
                    z0[i] = mean[i] + Math.exp(0.5 * logVar[i]) * vaeNoise[i];
                    zt[i] = isNoised ? Math.sqrt(alphaBar[bi]) * z0[i] + Math.sqrt(1 - alphaBar[bi]) * diffusionNoise[i] : z0[i];
                }
            }
        }
        if (ztOut != null) {
            ztOut[0] = zt.clone();
        }
        double[] zhat0 = prediction.predict(zt, timeInput, b);

        // reconstruction terms, per token so that masks can select tokens
        double[] images = vae.patchify(batch.images().toDoubleArray(), b);
        int pd = config.patchDim();
        double[] autoPatches = vae.decodeImagePatches(span(z0, b, 0, nImg), b * nImg);
        double[] denoisedPatches = vae.decodeImagePatches(span(zhat0, b, 0, nImg), b * nImg);
        double imgAutoSum = 0;
        double imgDenoisedSum = 0;
        int imgDenoisedTokens = 0;
        for (int bi = 0; bi < b; bi++) {
            for (int k = 0; k < nImg; k++) {
                boolean isNoised = noised[bi * tokens + k] == 1;
                for (int v = 0; v < pd; v++) {
                    int i = (bi * nImg + k) * pd + v;
                    double ea = images[i] - autoPatches[i];
                    imgAutoSum += ea * ea;
                    if (isNoised) {
                        double ed = images[i] - denoisedPatches[i];
                        imgDenoisedSum += ed * ed;
                    }
                }
                imgDenoisedTokens += isNoised ? 1 : 0;
            }
        }
        double imgAuto = imgAutoSum / ((double) b * nImg * pd);
        double imgDenoised = imgDenoisedTokens == 0 ? 0 : imgDenoisedSum / ((double) imgDenoisedTokens * pd);

        int vocab = config.vocabSize();
        double[] autoLogits = vae.decodeTextLogits(span(z0, b, nImg, lt), b * lt);
        double[] denoisedLogits = vae.decodeTextLogits(span(zhat0, b, nImg, lt), b * lt);
        double txtAutoSum = 0;
        double txtDenoisedSum = 0;
        int txtDenoisedTokens = 0;
        for (int bi = 0; bi < b; bi++) {
            for (int k = 0; k < lt; k++) {
                int row = bi * lt + k;
                txtAutoSum += crossEntropy(autoLogits, row, vocab, ids[row]);
                if (noised[bi * tokens + nImg + k] == 1) {
                    txtDenoisedSum += crossEntropy(denoisedLogits, row, vocab, ids[row]);
                    txtDenoisedTokens++;
                }
            }
        }
        double txtAuto = txtAutoSum / ((double) b * lt);
        double txtDenoised = txtDenoisedTokens == 0 ? 0 : txtDenoisedSum / txtDenoisedTokens;

        // KL: mean over all tokens of Σ_dims ½(μ² + σ² − 1 − log σ²)
        double klSum = 0;
        for (int i = 0; i < mean.length; i++) {
            klSum += 0.5 * (mean[i] * mean[i] + Math.exp(logVar[i]) - 1 - logVar[i]);
        }
        double kl = klSum / ((double) b * tokens);

        double se = scoreEntropyTerm(z0, zt, zhat0, noised, alphaBar, b);
        double total = imgAuto + imgDenoised + txtAuto + txtDenoised + config.klWeight() * kl + config.seWeight() * se;
        return new LossBreakdown(total, imgAuto, imgDenoised, txtAuto, txtDenoised, kl, se);
    }

    /** @return the tokens [from, from + count) of every sample, [b·count·dz] */
    private double[] span(double[] perToken, int b, int from, int count) {
        int dz = config.latentDim();
        int tokens = config.latentTokens();
        double[] out = new double[b * count * dz];
        for (int bi = 0; bi < b; bi++) {
            System.arraycopy(perToken, (bi * tokens + from) * dz, out, bi * count * dz, count * dz);
        }
        return out;
    }

    /** D7: −log softmax(logits)[target]. */
    static double crossEntropy(double[] logits, int row, int vocab, int target) {
        double[] v = new double[vocab];
        System.arraycopy(logits, row * vocab, v, 0, vocab);
        ReferenceScoreEntropy.logSoftmax(v);
        return -v[target];
    }

    /** D4: candidates cycle through the noised tokens of the same modality in (sample, position) order. */
    private double scoreEntropyTerm(double[] z0, double[] zt, double[] zhat0, double[] noised, double[] alphaBar, int b) {
        int tokens = config.latentTokens();
        int dz = config.latentDim();
        int k = config.seCandidates();
        double sum = 0;
        int count = 0;
        int[][] spans = {{0, config.imageTokens()}, {config.imageTokens(), tokens}};
        for (int[] span : spans) {
            List<int[]> list = new ArrayList<>(); // {sample, token}
            for (int bi = 0; bi < b; bi++) {
                for (int t = span[0]; t < span[1]; t++) {
                    if (noised[bi * tokens + t] == 1) {
                        list.add(new int[] {bi, t});
                    }
                }
            }
            int m = list.size();
            for (int j = 0; j < m; j++) {
                int[] token = list.get(j);
                int at = (token[0] * tokens + token[1]) * dz;
                double[] candidates = new double[k * dz];
                for (int c = 0; c < k; c++) {
                    int[] other = list.get((j + c) % m);
                    System.arraycopy(z0, (other[0] * tokens + other[1]) * dz, candidates, c * dz, dz);
                }
                double[] ztToken = java.util.Arrays.copyOfRange(zt, at, at + dz);
                double[] zhatToken = java.util.Arrays.copyOfRange(zhat0, at, at + dz);
                sum += ReferenceScoreEntropy.token(ztToken, zhatToken, candidates, k, alphaBar[token[0]]);
                count++;
            }
        }
        return count == 0 ? 0 : sum / count;
    }
}

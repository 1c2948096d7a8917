package dev.mdm.backend.jcuda;

import dev.mdm.InvalidInputException;
import dev.mdm.MDM;
import dev.mdm.MdmConfig;
import dev.mdm.backend.jcuda.model.Patches;
import dev.mdm.model.Denoiser;
import dev.mdm.model.Encoder;
import dev.mdm.model.LatentDistribution;
import dev.mdm.model.LossBreakdown;
import dev.mdm.model.LossFunction;
import dev.mdm.model.TrainingBatch;
import dev.mdm.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The loss of SPEC §7 with decisions D2-D4 and D7, forward only. Encoder, denoiser, decoders and score entropy run
 * on the GPU; the masked means over their (small) outputs are summed on the host in double.
 */
final class JcudaLoss implements LossFunction {
    /** Decoders at token level: image patches [rows, C·p²] and text logits [rows, V]. */
    interface TokenDecoder {
        float[] imagePatches(float[] z, int rows);

        float[] textLogits(float[] z, int rows);
    }

    private final MdmConfig config;
    private final Encoder encoder;
    private final TokenDecoder decoder;
    private final Denoiser denoiser;
    private final JcudaBackend backend;
    private final double[] alphaBar;

    JcudaLoss(MdmConfig config, Encoder encoder, TokenDecoder decoder, Denoiser denoiser, JcudaBackend backend) {
        this.config = config;
        this.encoder = encoder;
        this.decoder = decoder;
        this.denoiser = denoiser;
        this.backend = backend;
        this.alphaBar = MDM.alphaBars(config);
    }

    @Override
    public Tensor scoreEntropy(Tensor zt, Tensor zhat0, Tensor candidates, Tensor alphaBar) {
        return backend.scoreEntropy(zt, zhat0, candidates, alphaBar);
    }

    @Override
    public LossBreakdown compute(TrainingBatch batch) {
        if (batch == null) {
            throw new InvalidInputException("batch", "a TrainingBatch", "null");
        }
        batch.validate(config);
        int b = batch.images().dim(0);
        int nImg = config.imageTokens();
        int lt = config.textLength();
        int tokens = config.latentTokens();
        int dz = config.latentDim();
        double[] noised = batch.noised().requireFinite("noised").toDoubleArray();
        for (int i = 0; i < noised.length; i++) {
            if (noised[i] != 0 && noised[i] != 1) {
                throw new InvalidInputException("noised", "only 0 and 1", noised[i] + " at flat index " + i);
            }
        }
        long[] steps = batch.timesteps().toLongArray();
        int[] ids = batch.tokens().toIntArray();

        LatentDistribution img = encoder.encodeImage(batch.images());
        LatentDistribution txt = encoder.encodeText(batch.tokens());
        double[] im = img.mean().toDoubleArray();
        double[] il = img.logVar().toDoubleArray();
        double[] tm = txt.mean().toDoubleArray();
        double[] tl = txt.logVar().toDoubleArray();
        double[] mean = new double[b * tokens * dz];
        double[] logVar = new double[mean.length];
        for (int s = 0; s < b; s++) {
            System.arraycopy(im, s * nImg * dz, mean, s * tokens * dz, nImg * dz);
            System.arraycopy(il, s * nImg * dz, logVar, s * tokens * dz, nImg * dz);
            System.arraycopy(tm, s * lt * dz, mean, (s * tokens + nImg) * dz, lt * dz);
            System.arraycopy(tl, s * lt * dz, logVar, (s * tokens + nImg) * dz, lt * dz);
        }
        double[] vaeNoise = batch.vaeNoise().toDoubleArray();
        double[] diffusionNoise = batch.diffusionNoise().toDoubleArray();
        double[] z0 = new double[mean.length];
        double[] zt = new double[mean.length];
        double[] ab = new double[b];
        double[] timeInput = new double[b];
        for (int s = 0; s < b; s++) {
            ab[s] = alphaBar[(int) steps[s]];
            timeInput[s] = steps[s] - 1;
        }
        for (int s = 0; s < b; s++) {
            for (int t = 0; t < tokens; t++) {
                boolean isNoised = noised[s * tokens + t] == 1;
                for (int c = 0; c < dz; c++) {
                    int i = (s * tokens + t) * dz + c;
                    z0[i] = mean[i] + Math.exp(0.5 * logVar[i]) * vaeNoise[i];
                    zt[i] = isNoised ? Math.sqrt(ab[s]) * z0[i] + Math.sqrt(1 - ab[s]) * diffusionNoise[i] : z0[i];
                }
            }
        }
        double[] zhat0 = denoiser.predict(Tensor.of(zt, b, tokens, dz), Tensor.of(timeInput, b), batch.classIds())
                .toDoubleArray();

        int pd = config.patchDim();
        float[] pixels = Patches.patchify(config, batch.images().toDoubleArray(), b);
        float[] autoPatches = decoder.imagePatches(span(z0, b, 0, nImg), b * nImg);
        float[] denoisedPatches = decoder.imagePatches(span(zhat0, b, 0, nImg), b * nImg);
        double imgAutoSum = 0;
        double imgDenoisedSum = 0;
        int imgDenoisedTokens = 0;
        for (int s = 0; s < b; s++) {
            for (int t = 0; t < nImg; t++) {
                boolean isNoised = noised[s * tokens + t] == 1;
                for (int v = 0; v < pd; v++) {
                    int i = (s * nImg + t) * pd + v;
                    double ea = pixels[i] - (double) autoPatches[i];
                    imgAutoSum += ea * ea;
                    if (isNoised) {
                        double ed = pixels[i] - (double) denoisedPatches[i];
                        imgDenoisedSum += ed * ed;
                    }
                }
                imgDenoisedTokens += isNoised ? 1 : 0;
            }
        }
        double imgAuto = imgAutoSum / ((double) b * nImg * pd);
        double imgDenoised = imgDenoisedTokens == 0 ? 0 : imgDenoisedSum / ((double) imgDenoisedTokens * pd);

        int vocab = config.vocabSize();
        float[] autoLogits = decoder.textLogits(span(z0, b, nImg, lt), b * lt);
        float[] denoisedLogits = decoder.textLogits(span(zhat0, b, nImg, lt), b * lt);
        double txtAutoSum = 0;
        double txtDenoisedSum = 0;
        int txtDenoisedTokens = 0;
        for (int s = 0; s < b; s++) {
            for (int t = 0; t < lt; t++) {
                int row = s * lt + t;
                txtAutoSum += crossEntropy(autoLogits, row, vocab, ids[row]);
                if (noised[s * tokens + nImg + t] == 1) {
                    txtDenoisedSum += crossEntropy(denoisedLogits, row, vocab, ids[row]);
                    txtDenoisedTokens++;
                }
            }
        }
        double txtAuto = txtAutoSum / ((double) b * lt);
        double txtDenoised = txtDenoisedTokens == 0 ? 0 : txtDenoisedSum / txtDenoisedTokens;

        double klSum = 0;
        for (int i = 0; i < mean.length; i++) {
            klSum += 0.5 * (mean[i] * mean[i] + Math.exp(logVar[i]) - 1 - logVar[i]);
        }
        double kl = klSum / ((double) b * tokens);
        double se = scoreEntropyTerm(z0, zt, zhat0, noised, ab, b);
        double totalLoss = imgAuto + imgDenoised + txtAuto + txtDenoised + config.klWeight() * kl + config.seWeight() * se;
        return new LossBreakdown(totalLoss, imgAuto, imgDenoised, txtAuto, txtDenoised, kl, se);
    }

    private float[] span(double[] perToken, int b, int from, int count) {
        int dz = config.latentDim();
        int tokens = config.latentTokens();
        float[] out = new float[b * count * dz];
        for (int s = 0; s < b; s++) {
            for (int i = 0; i < count * dz; i++) {
                out[s * count * dz + i] = (float) perToken[(s * tokens + from) * dz + i];
            }
        }
        return out;
    }

    /** D7: −log softmax(logits)[target], in double. */
    private static double crossEntropy(float[] logits, int row, int vocab, int target) {
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) {
            max = Math.max(max, logits[row * vocab + v]);
        }
        double sum = 0;
        for (int v = 0; v < vocab; v++) {
            sum += Math.exp(logits[row * vocab + v] - max);
        }
        return -(logits[row * vocab + target] - max - Math.log(sum));
    }

    /** D4: candidates per modality from the noised tokens in (sample, position) order; mean over both modalities. */
    private double scoreEntropyTerm(double[] z0, double[] zt, double[] zhat0, double[] noised, double[] ab, int b) {
        int tokens = config.latentTokens();
        int nImg = config.imageTokens();
        int dz = config.latentDim();
        int kc = config.seCandidates();
        List<int[]> lists = new ArrayList<>();
        for (int modality = 0; modality < 2; modality++) {
            List<Integer> idx = new ArrayList<>();
            for (int s = 0; s < b; s++) {
                int from = modality == 0 ? 0 : nImg;
                int to = modality == 0 ? nImg : tokens;
                for (int t = from; t < to; t++) {
                    if (noised[s * tokens + t] == 1) {
                        idx.add(s * tokens + t);
                    }
                }
            }
            lists.add(idx.stream().mapToInt(Integer::intValue).toArray());
        }
        int m = lists.get(0).length + lists.get(1).length;
        if (m == 0) {
            return 0;
        }
        double[] zts = new double[m * dz];
        double[] zh = new double[m * dz];
        double[] cand = new double[m * kc * dz];
        double[] abar = new double[m];
        int row = 0;
        for (int[] list : lists) {
            for (int j = 0; j < list.length; j++, row++) {
                int tok = list[j];
                System.arraycopy(zt, tok * dz, zts, row * dz, dz);
                System.arraycopy(zhat0, tok * dz, zh, row * dz, dz);
                for (int k = 0; k < kc; k++) {
                    System.arraycopy(z0, list[(j + k) % list.length] * dz, cand, (row * kc + k) * dz, dz);
                }
                abar[row] = ab[tok / tokens];
            }
        }
        double[] se = backend.scoreEntropy(Tensor.of(zts, m, dz), Tensor.of(zh, m, dz), Tensor.of(cand, m, kc, dz),
                Tensor.of(abar, m)).toDoubleArray();
        double sum = 0;
        for (double v : se) {
            sum += v;
        }
        return sum / m;
    }
}

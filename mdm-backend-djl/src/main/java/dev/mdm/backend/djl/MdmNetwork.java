package dev.mdm.backend.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mdm.MDM;
import dev.mdm.MdmConfig;
import dev.mdm.model.MambaShape;
import dev.mdm.model.ParameterLayout;
import dev.mdm.model.ScanOrders;
import dev.mdm.model.TrainingBatch;

/**
 * The whole MDM network of SPEC §2-§7 as functions of a {@link Weights} set: VAE encoders and decoders, the
 * denoiser (embedding, scan-switched Mamba-2 blocks, final norm and projection) and the training loss with the
 * masks of decisions D2-D7. Stateless and thread-safe; values that need no gradient and float64 care (ᾱ_t, the
 * sinusoidal time embedding) are computed on the host in double.
 */
final class MdmNetwork {
    private static final int HALF_FREQUENCIES = ParameterLayout.TIME_FREQUENCIES / 2;

    private final MdmConfig config;
    private final MambaShape shape;
    private final DataType type;
    private final double[] alphaBar;

    MdmNetwork(MdmConfig config, DataType type) {
        this.config = config;
        this.shape = MambaShape.of(config);
        this.type = type;
        this.alphaBar = MDM.alphaBars(config);
    }

    MambaShape mambaShape() {
        return shape;
    }

    // ---- VAE (SPEC §3, D6) ----

    /** @return {μ, log σ²} of the image patches, each [b, n_img, dz] */
    NDArray[] encodeImage(Weights w, NDArray images) {
        NDArray h = Layers.silu(Layers.linear(patchify(images), w.get("vae.img_enc1.weight"), w.get("vae.img_enc1.bias")));
        return splitLatent(Layers.linear(h, w.get("vae.img_enc2.weight"), w.get("vae.img_enc2.bias")));
    }

    /** @return {μ, log σ²} of the text tokens, each [b, Lt, dz] */
    NDArray[] encodeText(Weights w, NDArray tokens) {
        long b = tokens.getShape().get(0);
        long lt = tokens.getShape().get(1);
        NDArray e = Layers.rows(w.get("vae.text_embed"), tokens.reshape(b * lt)).reshape(b, lt, config.vaeHidden());
        NDArray h = Layers.silu(Layers.linear(e, w.get("vae.txt_enc1.weight"), w.get("vae.txt_enc1.bias")));
        return splitLatent(Layers.linear(h, w.get("vae.txt_enc2.weight"), w.get("vae.txt_enc2.bias")));
    }

    private NDArray[] splitLatent(NDArray out) {
        int dz = config.latentDim();
        return new NDArray[] {out.get(":, :, :" + dz), out.get(":, :, " + dz + ":")};
    }

    /** @return decoded patches [b, n_img, C·p²] */
    NDArray decodeImagePatches(Weights w, NDArray z) {
        NDArray h = Layers.silu(Layers.linear(z, w.get("vae.img_dec1.weight"), w.get("vae.img_dec1.bias")));
        return Layers.linear(h, w.get("vae.img_dec2.weight"), w.get("vae.img_dec2.bias"));
    }

    /** @return logits [b, Lt, V] */
    NDArray decodeText(Weights w, NDArray z) {
        NDArray h = Layers.silu(Layers.linear(z, w.get("vae.txt_dec1.weight"), w.get("vae.txt_dec1.bias")));
        return Layers.linear(h, w.get("vae.txt_dec2.weight"), w.get("vae.txt_dec2.bias"));
    }

    /** [b, C, H, W] → [b, n_img, C·p²], tokens row-major, values c·p² + dy·p + dx (D6) */
    NDArray patchify(NDArray images) {
        long b = images.getShape().get(0);
        int p = config.patch();
        int gh = config.imageHeight() / p;
        int gw = config.imageWidth() / p;
        return images.reshape(b, config.imageChannels(), gh, p, gw, p).transpose(0, 2, 4, 1, 3, 5)
                .reshape(b, (long) gh * gw, config.patchDim());
    }

    /** The inverse of {@link #patchify}. */
    NDArray unpatchify(NDArray patches) {
        long b = patches.getShape().get(0);
        int p = config.patch();
        int gh = config.imageHeight() / p;
        int gw = config.imageWidth() / p;
        return patches.reshape(b, gh, gw, config.imageChannels(), p, p).transpose(0, 3, 1, 4, 2, 5)
                .reshape(b, config.imageChannels(), config.imageHeight(), config.imageWidth());
    }

    // ---- denoiser (SPEC §2, §5, D5) ----

    /** What a denoiser pass does with the intermediate arrays of its blocks. */
    enum Intermediates {
        /** Keep them until the caller's scope closes: the backward pass of training reads them. */
        KEEP,
        /**
         * Close each block's as soon as its output exists (inference): a pass then holds one block's temporaries at a
         * time instead of all of them, which at batch 50 on the fashion preset are hundreds of MB per block.
         */
        FREE_PER_BLOCK
    }

    /**
     * @param latents z_t [b, n_img + Lt, dz]
     * @param timeInput t_input per sample
     * @param classIds class per sample, {@code classes} = null
     * @param intermediates whether the blocks' intermediates must survive for a backward pass
     * @return x̂0 [b, n_img + Lt, dz]
     */
    NDArray denoise(Weights w, NDManager m, NDArray latents, double[] timeInput, long[] classIds,
                    Intermediates intermediates) {
        int b = timeInput.length;
        int d = config.dModel();
        int n = config.imageTokens();
        NDArray time = Layers.linear(Layers.silu(Layers.linear(timeEmbedding(m, timeInput),
                w.get("time_mlp.0.weight"), w.get("time_mlp.0.bias"))), w.get("time_mlp.2.weight"), w.get("time_mlp.2.bias"));
        NDArray cls = Layers.rows(w.get("class_embed"), HostTransfer.longs(m, classIds, new Shape(b)));
        NDArray tokens = Layers.linear(latents, w.get("latent_in.weight"), null);
        Shape one = new Shape(b, 1, d);
        NDArray x = concatTokens(
                time.reshape(b, 1, d),
                cls.reshape(b, 1, d),
                w.get("boi").reshape(1, 1, d).broadcast(one),
                tokens.get(":, :" + n),
                w.get("bot").reshape(1, 1, d).broadcast(one),
                tokens.get(":, " + n + ":"));
        x = x.add(w.get("pos")).add(Layers.rows(w.get("modality"), HostTransfer.longs(m, modalityIndex())));
        for (int i = 0; i < config.blocks(); i++) {
            x = intermediates == Intermediates.KEEP ? block(w, m, i, x) : blockFreeingIntermediates(w, m, i, x);
        }
        NDArray out = x.get(":, " + config.imageOffset() + ":" + (config.imageOffset() + n))
                .concat(x.get(":, " + config.textOffset() + ":"), 1);
        return Layers.linear(Layers.rmsNorm(out, w.get("norm_f.weight")), w.get("latent_out.weight"), null);
    }

    /** Block i: x + P⁻¹ · Mamba2(P · RMSNorm(x)) (SPEC §5). */
    NDArray block(Weights w, NDManager m, int i, NDArray x) {
        NDArray h = Layers.rmsNorm(x, w.get("blocks." + i + ".norm.weight"));
        NDArray y = Mamba2.forward(w.under("blocks." + i + ".mixer."), shape, permute(m, h, ScanOrders.sequence(config, i)));
        return x.add(permute(m, y, ScanOrders.inverse(ScanOrders.sequence(config, i))));
    }

    /**
     * {@link #block} in its own {@link NDScope}, which closes every array the block creates except its output; the
     * output goes back to the caller's scope, and the block's input, no longer needed, is closed at once.
     */
    private NDArray blockFreeingIntermediates(Weights w, NDManager m, int i, NDArray x) {
        NDArray out;
        try (NDScope blockScope = new NDScope()) {
            blockScope.suppressNotUsedWarning();
            out = block(w, m, i, x);
            NDScope.unregister(out);
        }
        NDScope.register(out);
        x.close();
        return out;
    }

    /** @return x[:, perm, :], skipping the identity */
    static NDArray permute(NDManager m, NDArray x, int[] perm) {
        for (int j = 0; j < perm.length; j++) {
            if (perm[j] != j) {
                return Layers.positions(x, HostTransfer.longs(m, perm));
            }
        }
        return x;
    }

    private int[] modalityIndex() {
        int[] idx = new int[config.sequenceLength()];
        for (int i = 0; i < config.imageTokens(); i++) {
            idx[config.imageOffset() + i] = 1;
        }
        for (int i = 0; i < config.textLength(); i++) {
            idx[config.textOffset() + i] = 2;
        }
        return idx;
    }

    /** DiT sinusoidal embedding [cos(t·f), sin(t·f)], f_i = exp(−ln(10000)·i/128) (D5), in double on the host. */
    NDArray timeEmbedding(NDManager m, double[] t) {
        int width = 2 * HALF_FREQUENCIES;
        double[] e = new double[t.length * width];
        for (int s = 0; s < t.length; s++) {
            for (int i = 0; i < HALF_FREQUENCIES; i++) {
                double arg = t[s] * Math.exp(-Math.log(10000) * i / HALF_FREQUENCIES);
                e[s * width + i] = Math.cos(arg);
                e[s * width + HALF_FREQUENCIES + i] = Math.sin(arg);
            }
        }
        return HostTransfer.floats(m, e, new Shape(t.length, width), type);
    }

    // ---- losses (SPEC §7, D2-D4, D7) ----

    /** The loss terms as scalar arrays (differentiable when the weights track gradients). */
    record LossTerms(NDArray total, NDArray imageReconstruction, NDArray imageDenoised, NDArray textReconstruction,
                     NDArray textDenoised, NDArray kl, NDArray scoreEntropy) {
    }

    LossTerms loss(Weights w, NDManager m, TrainingBatch batch) {
        int b = batch.images().dim(0);
        int n = config.imageTokens();
        int lt = config.textLength();
        int tokensPerSample = n + lt;
        int dz = config.latentDim();
        NDArray images = HostTransfer.floats(m, batch.images(), type);
        NDArray tokens = HostTransfer.longs(m, batch.tokens().toLongArray(), new Shape(b, lt));
        NDArray vaeNoise = HostTransfer.floats(m, batch.vaeNoise(), type);
        NDArray diffusionNoise = HostTransfer.floats(m, batch.diffusionNoise(), type);
        double[] noised = batch.noised().toDoubleArray();
        long[] t = batch.timesteps().toLongArray();

        NDArray[] img = encodeImage(w, images);
        NDArray[] txt = encodeText(w, tokens);
        NDArray mu = img[0].concat(txt[0], 1);
        NDArray logVar = img[1].concat(txt[1], 1);
        NDArray z0 = mu.add(Layers.scale(logVar, 0.5).exp().mul(vaeNoise));

        double[] sa = new double[b];
        double[] sb = new double[b];
        double[] timeInput = new double[b];
        for (int s = 0; s < b; s++) {
            double ab = alphaBar[(int) t[s]];
            sa[s] = Math.sqrt(ab);
            sb[s] = Math.sqrt(1 - ab);
            timeInput[s] = t[s] - 1;
        }
        NDArray mask = HostTransfer.floats(m, noised, new Shape(b, tokensPerSample, 1), type);
        NDArray zt = z0.mul(HostTransfer.floats(m, sa, new Shape(b, 1, 1), type))
                .add(diffusionNoise.mul(HostTransfer.floats(m, sb, new Shape(b, 1, 1), type)));
        NDArray input = zt.mul(mask).add(z0.mul(mask.neg().add(1)));
        NDArray zhat = denoise(w, m, input, timeInput, batch.classIds().toLongArray(), Intermediates.KEEP);

        NDArray target = patchify(images);
        NDArray imageAuto = target.sub(decodeImagePatches(w, z0.get(":, :" + n))).square().mean();
        NDArray imageError = target.sub(decodeImagePatches(w, zhat.get(":, :" + n))).square();
        NDArray textAuto = negLogLikelihood(decodeText(w, z0.get(":, " + n + ":")), tokens).mean();
        NDArray textError = negLogLikelihood(decodeText(w, zhat.get(":, " + n + ":")), tokens);
        double imageCount = 0;
        double textCount = 0;
        for (int s = 0; s < b; s++) {
            for (int i = 0; i < tokensPerSample; i++) {
                if (noised[s * tokensPerSample + i] != 0) {
                    if (i < n) {
                        imageCount++;
                    } else {
                        textCount++;
                    }
                }
            }
        }
        NDArray zero = m.zeros(new Shape(), type);
        NDArray imageDenoised = imageCount == 0 ? zero
                : Layers.scale(imageError.mul(mask.get(":, :" + n)).sum(), 1.0 / (imageCount * config.patchDim()));
        NDArray textDenoised = textCount == 0 ? zero
                : Layers.scale(textError.mul(mask.get(":, " + n + ":").squeeze(-1)).sum(), 1.0 / textCount);
        NDArray kl = Layers.scale(mu.square().add(logVar.exp()).sub(1).sub(logVar).sum(new int[] {-1}), 0.5).mean();
        NDArray se = imageCount + textCount == 0 ? zero
                : scoreEntropyTerm(m, z0.reshape(b * tokensPerSample, dz), input.reshape(b * tokensPerSample, dz),
                        zhat.reshape(b * tokensPerSample, dz), noised, t, b);
        NDArray total = imageAuto.add(imageDenoised).add(textAuto).add(textDenoised)
                .add(Layers.scale(kl, config.klWeight())).add(Layers.scale(se, config.seWeight()));
        return new LossTerms(total, imageAuto, imageDenoised, textAuto, textDenoised, kl, se);
    }

    /** D4: per modality, noised tokens in (sample, position) order; candidates are the next K−1 of that list. */
    private NDArray scoreEntropyTerm(NDManager m, NDArray z0, NDArray zt, NDArray zhat, double[] noised, long[] t, int b) {
        int n = config.imageTokens();
        int perSample = n + config.textLength();
        int k = config.seCandidates();
        int dz = config.latentDim();
        int[][] lists = new int[2][];
        for (int modality = 0; modality < 2; modality++) {
            int from = modality == 0 ? 0 : n;
            int to = modality == 0 ? n : perSample;
            int[] list = new int[b * (to - from)];
            int count = 0;
            for (int s = 0; s < b; s++) {
                for (int i = from; i < to; i++) {
                    if (noised[s * perSample + i] != 0) {
                        list[count++] = s * perSample + i;
                    }
                }
            }
            lists[modality] = java.util.Arrays.copyOf(list, count);
        }
        int total = lists[0].length + lists[1].length;
        int[] own = new int[total];
        int[] candidates = new int[total * k];
        double[] ab = new double[total];
        int j0 = 0;
        for (int[] list : lists) {
            int size = list.length;
            for (int j = 0; j < size; j++) {
                own[j0 + j] = list[j];
                ab[j0 + j] = alphaBar[(int) t[list[j] / perSample]];
                for (int c = 0; c < k; c++) {
                    candidates[(j0 + j) * k + c] = list[(j + c) % size];
                }
            }
            j0 += size;
        }
        NDArray ownIndex = HostTransfer.longs(m, own);
        NDArray candidateLatents = Layers.rows(z0, HostTransfer.longs(m, candidates)).reshape(total, k, dz);
        return ScoreEntropy.perToken(m, Layers.rows(zt, ownIndex), Layers.rows(zhat, ownIndex), candidateLatents, ab, type)
                .mean();
    }

    /** −log softmax(logits)[target] per token (D7), [b, Lt]. */
    private static NDArray negLogLikelihood(NDArray logits, NDArray targets) {
        return logits.logSoftmax(-1).gather(targets.expandDims(-1), -1).squeeze(-1).neg();
    }

    private static NDArray concatTokens(NDArray... parts) {
        return NDArrays.concat(new NDList(parts), 1);
    }
}

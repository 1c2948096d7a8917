package dev.mdm.tck.reference;

import dev.mdm.InvalidInputException;
import dev.mdm.MdmConfig;
import dev.mdm.model.Denoiser;
import dev.mdm.model.ParameterLayout;
import dev.mdm.tensor.Tensor;
import java.util.List;

/**
 * The denoising network of SPEC §2 with decision D5: the sequence {@code [TIME, CLASS, BOI, img…, BOT, txt…]},
 * embeddings {@code token_i + pos[i] + modality[m(i)]}, every block, then norm_f and latent_out at the image and text
 * positions. The time token is {@code time_mlp.2(SiLU(time_mlp.0([cos(t·f), sin(t·f)])))} with
 * f_i = exp(−ln(10000)·i/128).
 */
final class ReferenceDenoiser implements Denoiser {
    private static final int HALF = ParameterLayout.TIME_FREQUENCIES / 2;
    private static final int SPECIAL = 0;
    private static final int IMAGE = 1;
    private static final int TEXT = 2;

    private final MdmConfig config;
    private final ReferenceWeights w;
    private final List<ReferenceMambaBlock> blocks;
    private final ReferenceLifecycle lifecycle;

    ReferenceDenoiser(MdmConfig config, ReferenceWeights weights, List<ReferenceMambaBlock> blocks, ReferenceLifecycle lifecycle) {
        this.config = config;
        this.w = weights;
        this.blocks = List.copyOf(blocks);
        this.lifecycle = lifecycle;
    }

    @Override
    public Tensor predict(Tensor latents, Tensor timeInput, Tensor classIds) {
        lifecycle.requireOpen();
        latents.requireShape("latents", -1, config.latentTokens(), config.latentDim()).requireFinite("latents");
        int b = latents.dim(0);
        timeInput.requireShape("timeInput", b).requireFinite("timeInput");
        int[] classes = classIds(classIds, b);
        double[] out = predict(latents.toDoubleArray(), timeInput.toDoubleArray(), classes, b);
        return Tensor.of(out, latents.shape());
    }

    /** Checks class ids: shape [b], an integer dtype, each in [0, classes] (classes = the null class). */
    int[] classIds(Tensor classIds, int b) {
        classIds.requireShape("classIds", b);
        if (classIds.dtype().isFloating()) {
            throw new InvalidInputException("classIds", "an integer dtype", classIds.dtype().toString());
        }
        long[] ids = classIds.toLongArray();
        int[] out = new int[b];
        for (int i = 0; i < b; i++) {
            if (ids[i] < 0 || ids[i] > config.classes()) {
                throw new InvalidInputException("classIds", "ids in [0, " + config.classes() + "] (" + config.classes()
                        + " = null class)", ids[i] + " at index " + i);
            }
            out[i] = (int) ids[i];
        }
        return out;
    }

    /**
     * @param latents z [b·(n_img + Lt)·dz]
     * @param timeInput t_input per sample
     * @param classIds class per sample
     * @return x̂0 [b·(n_img + Lt)·dz]
     */
    double[] predict(double[] latents, double[] timeInput, int[] classIds, int b) {
        int len = config.sequenceLength();
        int d = config.dModel();
        double[] x = embed(latents, timeInput, classIds, b);
        for (ReferenceMambaBlock block : blocks) {
            x = block.forward(x, b);
        }
        double[] normed = ReferenceRmsNorm.apply(x, b * len, d, w.get("norm_f.weight"), d);
        int tokens = config.latentTokens();
        double[] gathered = new double[b * tokens * d];
        for (int bi = 0; bi < b; bi++) {
            for (int k = 0; k < tokens; k++) {
                System.arraycopy(normed, (bi * len + sequencePosition(k)) * d, gathered, (bi * tokens + k) * d, d);
            }
        }
        return ReferenceLinear.apply(gathered, b * tokens, w.get("latent_out.weight"), null, config.latentDim(), d);
    }

    /** @return the sequence position of latent token k (image tokens first, then text) */
    private int sequencePosition(int k) {
        return k < config.imageTokens() ? config.imageOffset() + k : config.textOffset() + (k - config.imageTokens());
    }

    /** @return the embedded sequence [b, L, d] */
    double[] embed(double[] latents, double[] timeInput, int[] classIds, int b) {
        int len = config.sequenceLength();
        int d = config.dModel();
        int tokens = config.latentTokens();
        double[] latentEmbed = ReferenceLinear.apply(latents, b * tokens, w.get("latent_in.weight"), null, d, config.latentDim());
        double[] pos = w.get("pos");
        double[] classEmbed = w.get("class_embed");
        double[] x = new double[b * len * d];
        for (int bi = 0; bi < b; bi++) {
            double[] time = timeEmbedding(timeInput[bi]);
            put(x, bi, 0, time, 0, SPECIAL);
            put(x, bi, 1, classEmbed, classIds[bi] * d, SPECIAL);
            put(x, bi, config.imageOffset() - 1, w.get("boi"), 0, SPECIAL);
            put(x, bi, config.textOffset() - 1, w.get("bot"), 0, SPECIAL);
            for (int k = 0; k < tokens; k++) {
                put(x, bi, sequencePosition(k), latentEmbed, (bi * tokens + k) * d, k < config.imageTokens() ? IMAGE : TEXT);
            }
        }
        for (int bi = 0; bi < b; bi++) {
            for (int i = 0; i < len; i++) {
                for (int c = 0; c < d; c++) {
                    x[(bi * len + i) * d + c] += pos[i * d + c];
                }
            }
        }
        return x;
    }

    private void put(double[] x, int bi, int position, double[] source, int offset, int modalityIndex) {
        int d = config.dModel();
        double[] modality = w.get("modality");
        int base = (bi * config.sequenceLength() + position) * d;
        for (int c = 0; c < d; c++) {
            x[base + c] = source[offset + c] + modality[modalityIndex * d + c];
        }
    }

    /** D5: DiT sinusoidal embedding (cos first) through time_mlp.0, SiLU, time_mlp.2. */
    double[] timeEmbedding(double t) {
        double[] emb = new double[2 * HALF];
        for (int i = 0; i < HALF; i++) {
            double f = Math.exp(-Math.log(10000) * i / HALF);
            emb[i] = Math.cos(t * f);
            emb[HALF + i] = Math.sin(t * f);
        }
        int d = config.dModel();
        double[] h = ReferenceLinear.silu(ReferenceLinear.apply(emb, 1, w.get("time_mlp.0.weight"), w.get("time_mlp.0.bias"), d, 2 * HALF));
        return ReferenceLinear.apply(h, 1, w.get("time_mlp.2.weight"), w.get("time_mlp.2.bias"), d, d);
    }
}

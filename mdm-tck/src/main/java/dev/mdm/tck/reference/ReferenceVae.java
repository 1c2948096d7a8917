package dev.mdm.tck.reference;

import dev.mdm.InvalidInputException;
import dev.mdm.MdmConfig;
import dev.mdm.model.Decoder;
import dev.mdm.model.Encoder;
import dev.mdm.model.LatentDistribution;
import dev.mdm.tensor.Tensor;

/**
 * The per-token MLP VAE of SPEC §3 with decision D6. Images are patchified into row-major grid tokens with value index
 * c·p² + dy·p + dx; {@code h = SiLU(enc1·g + b)}, {@code [μ; logσ²] = enc2·h + b} (μ rows first). Text ids go through
 * {@code text_embed} then the same MLP shape. Decoders: {@code SiLU(dec1·z + b) → dec2·h + b}, images unpatchified to
 * [b, C, H, W], text as logits [b, Lt, V].
 */
final class ReferenceVae implements Encoder, Decoder {
    private final MdmConfig config;
    private final ReferenceWeights w;
    private final ReferenceLifecycle lifecycle;

    ReferenceVae(MdmConfig config, ReferenceWeights weights, ReferenceLifecycle lifecycle) {
        this.config = config;
        this.w = weights;
        this.lifecycle = lifecycle;
    }

    @Override
    public LatentDistribution encodeImage(Tensor images) {
        lifecycle.requireOpen();
        images.requireShape("images", -1, config.imageChannels(), config.imageHeight(), config.imageWidth())
                .requireFinite("images");
        int b = images.dim(0);
        double[][] ml = encodeImage(images.toDoubleArray(), b);
        int[] shape = {b, config.imageTokens(), config.latentDim()};
        return new LatentDistribution(Tensor.of(ml[0], shape), Tensor.of(ml[1], shape));
    }

    @Override
    public LatentDistribution encodeText(Tensor tokens) {
        lifecycle.requireOpen();
        tokens.requireShape("tokens", -1, config.textLength());
        int[] ids = tokenIds(tokens);
        int b = tokens.dim(0);
        double[][] ml = encodeText(ids, b);
        int[] shape = {b, config.textLength(), config.latentDim()};
        return new LatentDistribution(Tensor.of(ml[0], shape), Tensor.of(ml[1], shape));
    }

    /** Checks token ids: an integer dtype and every id in [0, V). */
    int[] tokenIds(Tensor tokens) {
        if (tokens.dtype().isFloating()) {
            throw new InvalidInputException("tokens", "an integer dtype", tokens.dtype().toString());
        }
        long[] ids = tokens.toLongArray();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= config.vocabSize()) {
                throw new InvalidInputException("tokens", "ids in [0, " + config.vocabSize() + ")", ids[i] + " at flat index " + i);
            }
            out[i] = (int) ids[i];
        }
        return out;
    }

    @Override
    public Tensor decodeImage(Tensor latents) {
        lifecycle.requireOpen();
        latents.requireShape("latents", -1, config.imageTokens(), config.latentDim()).requireFinite("latents");
        int b = latents.dim(0);
        double[] patches = decodeImagePatches(latents.toDoubleArray(), b * config.imageTokens());
        return Tensor.of(unpatchify(patches, b), b, config.imageChannels(), config.imageHeight(), config.imageWidth());
    }

    @Override
    public Tensor decodeText(Tensor latents) {
        lifecycle.requireOpen();
        latents.requireShape("latents", -1, config.textLength(), config.latentDim()).requireFinite("latents");
        int b = latents.dim(0);
        double[] logits = decodeTextLogits(latents.toDoubleArray(), b * config.textLength());
        return Tensor.of(logits, b, config.textLength(), config.vocabSize());
    }

    /** @return {μ, logσ²}, each [b·n_img·dz] */
    double[][] encodeImage(double[] images, int b) {
        int rows = b * config.imageTokens();
        return mlpHead(patchify(images, b), rows, config.patchDim(), "vae.img_enc1", "vae.img_enc2");
    }

    /** @return {μ, logσ²}, each [b·Lt·dz] */
    double[][] encodeText(int[] ids, int b) {
        int hidden = config.vaeHidden();
        double[] table = w.get("vae.text_embed");
        double[] e = new double[ids.length * hidden];
        for (int i = 0; i < ids.length; i++) {
            System.arraycopy(table, ids[i] * hidden, e, i * hidden, hidden);
        }
        return mlpHead(e, b * config.textLength(), hidden, "vae.txt_enc1", "vae.txt_enc2");
    }

    private double[][] mlpHead(double[] in, int rows, int width, String first, String second) {
        int hidden = config.vaeHidden();
        int dz = config.latentDim();
        double[] h = ReferenceLinear.silu(ReferenceLinear.apply(in, rows, w.get(first + ".weight"), w.get(first + ".bias"), hidden, width));
        double[] o = ReferenceLinear.apply(h, rows, w.get(second + ".weight"), w.get(second + ".bias"), 2 * dz, hidden);
        double[] mean = new double[rows * dz];
        double[] logVar = new double[rows * dz];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(o, r * 2 * dz, mean, r * dz, dz);
            System.arraycopy(o, r * 2 * dz + dz, logVar, r * dz, dz);
        }
        return new double[][] {mean, logVar};
    }

    /** @return decoded patches [rows·C·p²] for latents [rows·dz] */
    double[] decodeImagePatches(double[] z, int rows) {
        return decode(z, rows, "vae.img_dec1", "vae.img_dec2", config.patchDim());
    }

    /** @return logits [rows·V] for latents [rows·dz] */
    double[] decodeTextLogits(double[] z, int rows) {
        return decode(z, rows, "vae.txt_dec1", "vae.txt_dec2", config.vocabSize());
    }

    private double[] decode(double[] z, int rows, String first, String second, int out) {
        int hidden = config.vaeHidden();
        double[] h = ReferenceLinear.silu(ReferenceLinear.apply(z, rows, w.get(first + ".weight"), w.get(first + ".bias"), hidden, config.latentDim()));
        return ReferenceLinear.apply(h, rows, w.get(second + ".weight"), w.get(second + ".bias"), out, hidden);
    }

    /** [b, C, H, W] → [b, n_img, C·p²]: row-major grid tokens, value index c·p² + dy·p + dx. */
    double[] patchify(double[] images, int b) {
        double[] out = new double[images.length];
        forEachPixel(b, (imageIndex, tokenIndex) -> out[tokenIndex] = images[imageIndex]);
        return out;
    }

    /** The inverse of {@link #patchify}. */
    double[] unpatchify(double[] patches, int b) {
        double[] out = new double[patches.length];
        forEachPixel(b, (imageIndex, tokenIndex) -> out[imageIndex] = patches[tokenIndex]);
        return out;
    }

    private interface PixelVisitor {
        void visit(int imageIndex, int tokenIndex);
    }

    private void forEachPixel(int b, PixelVisitor visitor) {
        int ch = config.imageChannels();
        int height = config.imageHeight();
        int width = config.imageWidth();
        int p = config.patch();
        int gw = config.gridWidth();
        int tokens = config.imageTokens();
        int pd = config.patchDim();
        for (int bi = 0; bi < b; bi++) {
            for (int c = 0; c < ch; c++) {
                for (int yy = 0; yy < height; yy++) {
                    for (int xx = 0; xx < width; xx++) {
                        int token = (yy / p) * gw + xx / p;
                        int value = c * p * p + (yy % p) * p + xx % p;
                        visitor.visit(((bi * ch + c) * height + yy) * width + xx, (bi * tokens + token) * pd + value);
                    }
                }
            }
        }
    }
}

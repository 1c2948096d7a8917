package dev.mdm.backend.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.mdm.MdmConfig;
import dev.mdm.backend.onnx.GraphBuilder.Type;
import dev.mdm.model.MambaShape;
import dev.mdm.model.ParameterLayout;
import dev.mdm.model.Parameters;
import dev.mdm.model.ScanOrders;
import dev.mdm.spi.OnnxExporter;
import dev.mdm.tensor.Tensor;
import java.util.function.Function;

/**
 * The graphs of one model (SPEC §2-§6) with its weights embedded as initializers under the parameter names of
 * SPEC §12: the VAE encoders and decoders, the Mamba blocks and mixers, and the whole denoiser (whose initializers go
 * to a data file beside it when the weights exceed {@link #INLINE_LIMIT_BYTES}). Batch is a symbolic dimension
 * everywhere ({@code batch}); graph input and output names are the ones documented in the module README and in
 * {@code model.json}.
 */
final class ModelGraphs {
    /** Symbolic batch dimension. */
    static final String BATCH = "batch";
    private static final double NORM_EPS = 1e-5;

    /**
     * Weights beyond this many bytes put the denoiser's initializers in a data file: protobuf refuses messages of 2 GB
     * and more, and the graph itself needs room below that.
     */
    static final long INLINE_LIMIT_BYTES = 1L << 30;
    /** The denoiser's data file, beside {@link OnnxExporter#DENOISER}. */
    static final String DENOISER_DATA = OnnxExporter.DENOISER + ".data";

    private final MdmConfig config;
    private final Parameters weights;
    private final MambaShape shape;
    private final boolean denoiserData;

    /**
     * @param config sizes
     * @param weights every parameter of SPEC §12, already validated against {@code config}
     * @param inlineLimitBytes the most bytes of weights the denoiser keeps inline ({@link #INLINE_LIMIT_BYTES})
     */
    ModelGraphs(MdmConfig config, Parameters weights, long inlineLimitBytes) {
        this.config = config;
        this.weights = weights;
        this.shape = MambaShape.of(config);
        long bytes = 0;
        for (Tensor t : weights.asMap().values()) {
            bytes += t.byteSize();
        }
        this.denoiserData = bytes > inlineLimitBytes;
    }

    /** @return encoder_image: images [batch, C, H, W] → mean, log_var [batch, n_img, dz] */
    ModelProto imageEncoder() {
        GraphBuilder g = new GraphBuilder("encoder_image", Type.FLOAT);
        int p = config.patch();
        String images = g.input("images", Type.FLOAT, "images in [-1, 1]", BATCH, config.imageChannels(),
                config.imageHeight(), config.imageWidth());
        // patchify: row-major grid, value index c·p² + dy·p + dx inside a token (decision D6)
        String tiles = g.reshape(images, 0, config.imageChannels(), config.gridHeight(), p, config.gridWidth(), p);
        String patches = g.reshape(g.transpose(tiles, 0, 2, 4, 1, 3, 5), 0, config.imageTokens(), config.patchDim());
        String h = g.silu(linear(g, patches, "vae.img_enc1"));
        latentOutputs(g, linear(g, h, "vae.img_enc2"), config.imageTokens());
        return g.build("MDM image VAE encoder (SPEC §3): per patch token, the mean and log-variance of its latent");
    }

    /** @return encoder_text: tokens [batch, Lt] int64 → mean, log_var [batch, Lt, dz] */
    ModelProto textEncoder() {
        GraphBuilder g = new GraphBuilder("encoder_text", Type.FLOAT);
        String tokens = g.input("tokens", Type.INT64, "token ids in [0, vocabSize)", BATCH, config.textLength());
        String e = g.gather(param(g, "vae.text_embed"), tokens, 0);
        String h = g.silu(linear(g, e, "vae.txt_enc1"));
        latentOutputs(g, linear(g, h, "vae.txt_enc2"), config.textLength());
        return g.build("MDM text VAE encoder (SPEC §3): per text token, the mean and log-variance of its latent");
    }

    /** @return decoder_image: latents [batch, n_img, dz] → images [batch, C, H, W] */
    ModelProto imageDecoder() {
        GraphBuilder g = new GraphBuilder("decoder_image", Type.FLOAT);
        int p = config.patch();
        String z = g.input("latents", Type.FLOAT, "image-token latents, row-major patch order", BATCH,
                config.imageTokens(), config.latentDim());
        String patches = linear(g, g.silu(linear(g, z, "vae.img_dec1")), "vae.img_dec2");
        String tiles = g.reshape(patches, 0, config.gridHeight(), config.gridWidth(), config.imageChannels(), p, p);
        String images = g.reshape(g.transpose(tiles, 0, 3, 1, 4, 2, 5), 0, config.imageChannels(),
                config.imageHeight(), config.imageWidth());
        g.output(images, "images", Type.FLOAT, "decoded images", BATCH, config.imageChannels(), config.imageHeight(),
                config.imageWidth());
        return g.build("MDM image VAE decoder (SPEC §3): latents to pixels, unpatchified");
    }

    /** @return decoder_text: latents [batch, Lt, dz] → logits [batch, Lt, V] */
    ModelProto textDecoder() {
        GraphBuilder g = new GraphBuilder("decoder_text", Type.FLOAT);
        String z = g.input("latents", Type.FLOAT, "text-token latents", BATCH, config.textLength(), config.latentDim());
        String logits = linear(g, g.silu(linear(g, z, "vae.txt_dec1")), "vae.txt_dec2");
        g.output(logits, "logits", Type.FLOAT, "unnormalized log-probabilities over the vocabulary", BATCH,
                config.textLength(), config.vocabSize());
        return g.build("MDM text VAE decoder (SPEC §3): latents to token logits");
    }

    /**
     * @param index block number
     * @return block_i: x [batch, L, d] → y = x + P⁻¹·Mamba2(P·RMSNorm(x)) (SPEC §5)
     */
    ModelProto block(int index) {
        GraphBuilder g = new GraphBuilder("block_" + index, Type.FLOAT);
        int len = config.sequenceLength();
        String x = g.input("x", Type.FLOAT, "the whole sequence, canonical order", BATCH, len, config.dModel());
        g.output(blockNodes(g, x, index), "y", Type.FLOAT, "block output, residual included", BATCH, len, config.dModel());
        return g.build("MDM Mamba block " + index + " (SPEC §5-§6)");
    }

    /**
     * @param index block number
     * @return mixer_i: u [batch, length, d] → y [batch, length, d], any length
     */
    ModelProto mixer(int index) {
        String prefix = "blocks." + index + ".mixer.";
        return mixerModel("mixer_" + index, shape, n -> weights.get(prefix + n), prefix);
    }

    /**
     * @param name graph name
     * @param shape mixer sizes
     * @param weights the mixer tensors by unprefixed mamba_ssm name
     * @param prefix initializer name prefix
     * @return a mixer graph: u [batch, length, d] → y [batch, length, d], any length
     */
    static ModelProto mixerModel(String name, MambaShape shape, Function<String, Tensor> weights, String prefix) {
        GraphBuilder g = new GraphBuilder(name, Type.FLOAT);
        String u = g.input("u", Type.FLOAT, "mixer input", BATCH, "length", shape.dModel());
        String y = MambaGraph.mixer(g, u, shape, weights, prefix);
        g.output(y, "y", Type.FLOAT, "mixer output", BATCH, "length", shape.dModel());
        return g.build("Mamba-2 mixer (SPEC §6)");
    }

    /**
     * @return denoiser: latents [batch, n_img + Lt, dz] float32, time_input [batch] float64, class_ids [batch] int64
     *     → x0 [batch, n_img + Lt, dz]
     */
    OnnxGraph denoiser() {
        GraphBuilder g = new GraphBuilder("denoiser", Type.FLOAT, denoiserData ? DENOISER_DATA : null);
        int n = config.latentTokens();
        int dz = config.latentDim();
        int d = config.dModel();
        String latents = g.input("latents", Type.FLOAT,
                "z_t of the image tokens (row-major patches) then the text tokens; given tokens carry their clean z_0",
                BATCH, n, dz);
        // float64 because the sinusoidal embedding reaches arguments of ~1000 rad, where float32 time loses 1e-4
        String time = g.input("time_input", Type.DOUBLE, "network time t_input = t - 1 in [0, T-1], any real value", BATCH);
        String classes = g.input("class_ids", Type.INT64, "class per sample; the value `classes` is the null class", BATCH);

        String tokens = linear(g, latents, "latent_in", false);
        String imageTokens = g.slice(tokens, new long[] {0}, new long[] {config.imageTokens()}, new long[] {1});
        String textTokens = g.slice(tokens, new long[] {config.imageTokens()}, new long[] {n}, new long[] {1});
        String timeToken = g.unsqueeze(timeEmbedding(g, time), 1);
        String classToken = g.unsqueeze(g.gather(param(g, "class_embed"), classes, 0), 1);
        String oneTokenShape = g.concat(0, g.slice(g.shape(latents), new long[] {0}, new long[] {1}, new long[] {0}), g.longs(1, d));
        String boi = g.expand(g.reshape(param(g, "boi"), 1, 1, d), oneTokenShape);
        String bot = g.expand(g.reshape(param(g, "bot"), 1, 1, d), oneTokenShape);
        String seq = g.concat(1, timeToken, classToken, boi, imageTokens, bot, textTokens);

        // e_i = token_i + pos[i] + modality[m(i)], m = 0 for TIME, CLASS, BOI, BOT; 1 image; 2 text (decision D5)
        long[] modalityOf = new long[config.sequenceLength()];
        for (int i = 0; i < modalityOf.length; i++) {
            boolean image = i >= config.imageOffset() && i < config.imageOffset() + config.imageTokens();
            modalityOf[i] = image ? 1 : i >= config.textOffset() ? 2 : 0;
        }
        seq = g.add(seq, g.add(param(g, "pos"), g.gather(param(g, "modality"), g.longs(modalityOf), 0)));
        for (int i = 0; i < config.blocks(); i++) {
            seq = blockNodes(g, seq, i);
        }
        long[] outputPositions = new long[n];
        for (int j = 0; j < n; j++) {
            outputPositions[j] = j < config.imageTokens() ? config.imageOffset() + j : config.textOffset() + j - config.imageTokens();
        }
        String out = g.gather(seq, g.longs(outputPositions), 1);
        out = g.mul(g.rmsNormalize(out, NORM_EPS), param(g, "norm_f.weight"));
        out = linear(g, out, "latent_out", false);
        g.output(out, "x0", Type.FLOAT, "predicted clean latents x̂0, same layout as latents", BATCH, n, dz);
        return g.buildWithData("MDM denoiser (SPEC §2): one network evaluation, latents z_t in, x̂0 out");
    }

    /** DiT sinusoidal embedding (cos first, decision D5) then time_mlp.0, SiLU, time_mlp.2; [batch] → [batch, d]. */
    private String timeEmbedding(GraphBuilder g, String time) {
        int half = ParameterLayout.TIME_FREQUENCIES / 2;
        double[] freqs = new double[half];
        for (int i = 0; i < half; i++) {
            freqs[i] = Math.exp(-Math.log(10000) * i / half);
        }
        String freq = g.initializer("time_frequencies", Tensor.of(freqs, 1, half), Type.DOUBLE);
        // formed in float64: time reaches ~1000 rad, where a float32 product would be off by 1e-4
        String args = g.mul(g.unsqueeze(time, 1), freq);
        String emb = g.cast(g.concat(1, g.cos(args), g.sin(args)), Type.FLOAT);
        return linear(g, g.silu(linear(g, emb, "time_mlp.0")), "time_mlp.2");
    }

    private String blockNodes(GraphBuilder g, String x, int index) {
        String normed = g.mul(g.rmsNormalize(x, NORM_EPS), param(g, "blocks." + index + ".norm.weight"));
        int[] perm = ScanOrders.sequence(config, index);
        boolean identity = java.util.stream.IntStream.range(0, perm.length).allMatch(i -> perm[i] == i);
        String permuted = identity ? normed : g.gather(normed, g.longs(toLongs(perm)), 1);
        String mixed = MambaGraph.mixer(g, permuted, shape, n -> weights.get("blocks." + index + ".mixer." + n),
                "blocks." + index + ".mixer.");
        String restored = identity ? mixed : g.gather(mixed, g.longs(toLongs(ScanOrders.inverse(perm))), 1);
        return g.add(x, restored);
    }

    private void latentOutputs(GraphBuilder g, String meanAndLogVar, int tokens) {
        int dz = config.latentDim();
        String[] parts = g.split(meanAndLogVar, 2, dz, dz);
        g.output(parts[0], "mean", Type.FLOAT, "latent mean μ", BATCH, tokens, dz);
        g.output(parts[1], "log_var", Type.FLOAT, "latent log-variance log σ²", BATCH, tokens, dz);
    }

    private String linear(GraphBuilder g, String x, String layer) {
        return linear(g, x, layer, true);
    }

    private String linear(GraphBuilder g, String x, String layer, boolean bias) {
        return g.linear(x, param(g, layer + ".weight"), bias ? param(g, layer + ".bias") : null);
    }

    private String param(GraphBuilder g, String name) {
        return g.initializers().containsKey(name) ? name : g.initializer(name, weights.get(name));
    }

    static long[] toLongs(int[] v) {
        long[] out = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }
}

package dev.mdm.backend.jcuda.model;

import dev.mdm.model.ScanOrders;
import dev.mdm.MdmConfig;
import dev.mdm.backend.jcuda.cuda.CudaContext;
import dev.mdm.backend.jcuda.cuda.Cublas;
import dev.mdm.backend.jcuda.cuda.Gemm;
import dev.mdm.backend.jcuda.cuda.Kernels;
import dev.mdm.model.MambaShape;
import dev.mdm.model.Parameters;

/**
 * A whole MDM model on the device: the denoiser of SPEC §2 (time MLP, sequence embedding, M Mamba blocks with the
 * scan switch folded into the fused residual-add + RMSNorm kernel, norm_f, latent_out) and the VAE MLPs of §3.
 * {@link #denoise} only queues work on the stream, at fixed workspace addresses, so a CUDA graph can record it.
 */
public final class DeviceModel implements AutoCloseable {
    /** Half width of the sinusoidal time embedding (decision D5). */
    public static final int TIME_HALF = 128;

    private final CudaContext cuda;
    private final Kernels k;
    private final MdmConfig config;
    private final boolean bf16;
    private final DeviceMemory mem;
    private final long time0W;
    private final long time0B;
    private final long time2W;
    private final long time2B;
    private final long classEmbed;
    private final long boi;
    private final long bot;
    private final long pos;
    private final long modality;
    private final long latentIn;
    private final long latentOut;
    private final long normF;
    private final long[] blockNorm;
    private final DeviceMixer[] mixers;
    private final long[] inversePerm;
    private final long latentMap;
    private final Vae vae;

    /** The VAE weights (fp32), present when the model was loaded from parameters. */
    public record Vae(long imgEnc1W, long imgEnc1B, long imgEnc2W, long imgEnc2B, long textEmbed, long txtEnc1W,
                      long txtEnc1B, long txtEnc2W, long txtEnc2B, long imgDec1W, long imgDec1B, long imgDec2W,
                      long imgDec2B, long txtDec1W, long txtDec1B, long txtDec2W, long txtDec2B) {
    }

    private DeviceModel(CudaContext cuda, MdmConfig config, boolean bf16, DeviceMemory mem, long[] w, long[] blockNorm,
                        DeviceMixer[] mixers, Vae vae) {
        this.cuda = cuda;
        this.k = new Kernels(cuda);
        this.config = config;
        this.bf16 = bf16;
        this.mem = mem;
        time0W = w[0];
        time0B = w[1];
        time2W = w[2];
        time2B = w[3];
        classEmbed = w[4];
        boi = w[5];
        bot = w[6];
        pos = w[7];
        modality = w[8];
        latentIn = w[9];
        latentOut = w[10];
        normF = w[11];
        this.blockNorm = blockNorm;
        this.mixers = mixers;
        this.vae = vae;
        // scans are 1, 2 or 4 and 1 or 2, and the span order alternates by parity (D13): the permutations repeat
        // every max(imageScans, textScans, 2) blocks
        inversePerm = new long[Math.max(2, Math.max(config.imageScans(), config.textScans()))];
        for (int i = 0; i < inversePerm.length; i++) {
            inversePerm[i] = mem.upload(ScanOrders.inverse(ScanOrders.sequence(config, i)));
        }
        int[] map = new int[config.sequenceLength()];
        for (int i = 0; i < map.length; i++) {
            boolean img = i >= config.imageOffset() && i < config.imageOffset() + config.imageTokens();
            boolean txt = i >= config.textOffset();
            map[i] = img ? i - config.imageOffset() : txt ? config.imageTokens() + i - config.textOffset() : -1;
        }
        latentMap = mem.upload(map);
    }

    /**
     * Copies validated parameters (SPEC §12) to the device.
     *
     * @param cuda context (caller holds its lock)
     * @param config sizes
     * @param p parameters
     * @param bf16 bf16 block projections
     * @return the model
     */
    public static DeviceModel upload(CudaContext cuda, MdmConfig config, Parameters p, boolean bf16) {
        DeviceMemory mem = new DeviceMemory(cuda);
        try {
            String[] names = {"time_mlp.0.weight", "time_mlp.0.bias", "time_mlp.2.weight", "time_mlp.2.bias",
                "class_embed", "boi", "bot", "pos", "modality", "latent_in.weight", "latent_out.weight", "norm_f.weight"};
            long[] w = new long[names.length];
            for (int i = 0; i < names.length; i++) {
                w[i] = mem.upload(p.get(names[i]), false);
            }
            MambaShape shape = MambaShape.of(config);
            long[] norms = new long[config.blocks()];
            DeviceMixer[] mixers = new DeviceMixer[config.blocks()];
            for (int i = 0; i < config.blocks(); i++) {
                norms[i] = mem.upload(p.get("blocks." + i + ".norm.weight"), false);
                mixers[i] = DeviceMixer.upload(mem, shape, p.withPrefixRemoved("blocks." + i + ".mixer."), bf16);
            }
            String[] v = {"img_enc1.weight", "img_enc1.bias", "img_enc2.weight", "img_enc2.bias", "text_embed",
                "txt_enc1.weight", "txt_enc1.bias", "txt_enc2.weight", "txt_enc2.bias", "img_dec1.weight",
                "img_dec1.bias", "img_dec2.weight", "img_dec2.bias", "txt_dec1.weight", "txt_dec1.bias",
                "txt_dec2.weight", "txt_dec2.bias"};
            long[] va = new long[v.length];
            for (int i = 0; i < v.length; i++) {
                va[i] = mem.upload(p.get("vae." + v[i]), false);
            }
            Vae vae = new Vae(va[0], va[1], va[2], va[3], va[4], va[5], va[6], va[7], va[8], va[9], va[10], va[11],
                    va[12], va[13], va[14], va[15], va[16]);
            return new DeviceModel(cuda, config, bf16, mem, w, norms, mixers, vae);
        } catch (RuntimeException e) {
            mem.close();
            throw e;
        }
    }

    /**
     * A denoiser with random weights drawn on the device (benchmarks); no VAE.
     *
     * @param cuda context
     * @param config sizes
     * @param bf16 bf16 block projections
     * @param seed seed
     * @return the model
     */
    public static DeviceModel random(CudaContext cuda, MdmConfig config, boolean bf16, long seed) {
        DeviceMemory mem = new DeviceMemory(cuda);
        Kernels k = new Kernels(cuda);
        int d = config.dModel();
        long[][] sizes = {{(long) d * 256, 16}, {d, 0}, {(long) d * d, d}, {d, 0}, {(long) (config.classes() + 1) * d, 1},
            {d, 1}, {d, 1}, {(long) config.sequenceLength() * d, 1}, {3L * d, 1}, {(long) d * config.latentDim(), config.latentDim()},
            {(long) config.latentDim() * d, d}, {d, -1}};
        long[] w = new long[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            w[i] = mem.alloc(4 * sizes[i][0]);
            long fan = sizes[i][1];
            k.fillUniform(false, w[i], sizes[i][0], seed + 100 + i, fan > 0 ? (float) (1 / Math.sqrt(fan)) : 0, fan < 0 ? 1 : 0);
        }
        MambaShape shape = MambaShape.of(config);
        long[] norms = new long[config.blocks()];
        DeviceMixer[] mixers = new DeviceMixer[config.blocks()];
        for (int i = 0; i < config.blocks(); i++) {
            norms[i] = mem.alloc(4L * d);
            k.fillUniform(false, norms[i], d, 0, 0, 1);
            mixers[i] = DeviceMixer.random(mem, k, shape, bf16, seed + 1000L * (i + 1));
        }
        return new DeviceModel(cuda, config, bf16, mem, w, norms, mixers, null);
    }

    /** @return sizes */
    public MdmConfig config() {
        return config;
    }

    /** @return bf16 block projections */
    public boolean bf16() {
        return bf16;
    }

    /** @return the VAE weights, or null for a denoiser-only model */
    public Vae vae() {
        return vae;
    }

    /** @return weight bytes on the device */
    public long weightBytes() {
        return mem.bytes();
    }

    /** @return the kernels */
    public Kernels kernels() {
        return k;
    }

    /**
     * @param i block
     * @return its mixer
     */
    public DeviceMixer mixer(int i) {
        return mixers[i];
    }

    /**
     * @param i block
     * @return device address of its pre-norm weight
     */
    public long blockNorm(int i) {
        return blockNorm[i];
    }

    /**
     * @param i block
     * @return device int [L]: block-order position of each canonical position
     */
    public long inversePermutation(int i) {
        return inversePerm[i % inversePerm.length];
    }

    /** Addresses of one denoiser call's inputs, output and intermediates, carved from a workspace. */
    public record DenoiseBuffers(long latents, long time, long classIds, long output, long temb, long th, long timeTok,
                                 long latTok, long x, long u, long mixOut, long mixSs, long hf, long mixer, long used) {
    }

    /**
     * @param base workspace base (0 to measure)
     * @param batch samples
     * @return the slices of a {@link #denoise} call
     */
    public DenoiseBuffers buffers(long base, int batch) {
        Workspace.Carver c = new Workspace.Carver(base);
        int d = config.dModel();
        long nlat = config.latentTokens();
        long rows = (long) batch * config.sequenceLength();
        int es = bf16 ? 2 : 4;
        long latents = c.take(4L * batch * nlat * config.latentDim());
        long time = c.take(4L * batch);
        long cls = c.take(4L * batch);
        long out = c.take(4L * batch * nlat * config.latentDim());
        long temb = c.take(4L * batch * 2 * TIME_HALF);
        long th = c.take(4L * batch * d);
        long timeTok = c.take(4L * batch * d);
        long latTok = c.take(4L * batch * nlat * d);
        long x = c.take(4L * rows * d);
        long u = c.take(es * rows * d);
        long mixOut = c.take(4L * rows * d);
        long mixSs = c.take(4L * rows * mixers[0].shape().heads());   // the folded gated norm's sums (BF16 mode)
        long hf = c.take(4L * batch * nlat * d);
        int seqLen = config.sequenceLength();
        long mixer = c.take(mixers[0].foldsGatedNorm(k, batch, seqLen) ? mixers[0].foldedWorkspaceBytes(k, batch, seqLen)
                : mixers[0].workspaceBytes(k, batch, seqLen));
        return new DenoiseBuffers(latents, time, cls, out, temb, th, timeTok, latTok, x, u, mixOut, mixSs, hf, mixer,
                c.used() - base);
    }

    /**
     * Queues one denoiser evaluation: b.latents [batch, n_lat, dz], b.time [batch] (t_input), b.classIds (int [batch])
     * in; b.output = x̂0 [batch, n_lat, dz] out. No allocation, no host work.
     *
     * @param b buffers from {@link #buffers}
     * @param batch samples
     */
    public void denoise(DenoiseBuffers b, int batch) {
        denoise(b, batch, null);
    }

    /**
     * As {@link #denoise(DenoiseBuffers, int)}, telling {@code marks} after each stage: "start" first, "embed" after
     * the time token and sequence embedding, per block "add_rmsnorm" and the mixer's stages
     * ({@link DeviceMixer.StageListener}), "head" after norm_f and latent_out. For profiling.
     *
     * @param b buffers from {@link #buffers}
     * @param batch samples
     * @param marks told after each stage, or null
     */
    public void denoise(DenoiseBuffers b, int batch, DeviceMixer.StageListener marks) {
        DeviceMixer.StageListener mark = marks != null ? marks : s -> { };
        mark.after("start");
        int d = config.dModel();
        int seqLen = config.sequenceLength();
        int nlat = config.latentTokens();
        int rows = batch * seqLen;
        Gemm blas = cuda.gemm();
        k.timeEmbedding(b.time(), b.temb(), batch, TIME_HALF);
        blas.linear(batch, d, 2 * TIME_HALF, b.temb(), 2 * TIME_HALF, time0W, Cublas.R_32F, b.th(), d, Cublas.R_32F, false);
        k.biasAct(b.th(), time0B, batch, d, true);
        blas.linear(batch, d, d, b.th(), d, time2W, Cublas.R_32F, b.timeTok(), d, Cublas.R_32F, false);
        k.biasAct(b.timeTok(), time2B, batch, d, false);
        blas.linear(batch * nlat, d, config.latentDim(), b.latents(), config.latentDim(), latentIn, Cublas.R_32F,
                b.latTok(), d, Cublas.R_32F, false);
        k.embedSequence(b.x(), b.timeTok(), classEmbed, b.classIds(), boi, bot, b.latTok(), pos, modality, batch, seqLen,
                config.imageTokens(), d);
        mark.after("embed");
        // in BF16 mode at the paper's head sizes each mixer leaves its gated norm's scale to the next add+RMSNorm
        boolean fold = mixers[0].foldsGatedNorm(k, batch, seqLen);
        long ss = fold ? b.mixSs() : 0;
        boolean deltaBf16 = fold && DeviceMixer.foldedOutputBf16();
        int heads = mixers[0].shape().heads();
        int dInner = mixers[0].shape().dInner();
        for (int i = 0; i < config.blocks(); i++) {
            long prevPos = i == 0 ? 0 : inversePermutation(i - 1);
            k.addRmsnorm(b.x(), i == 0 ? 0 : b.mixOut(), deltaBf16, prevPos, i == 0 ? 0 : ss, heads, dInner,
                    blockNorm[i], b.u(), bf16, inversePermutation(i), rows, seqLen, seqLen, d);
            mark.after("add_rmsnorm");
            if (fold) {
                mixers[i].forwardFoldedNorm(cuda, k, b.u(), batch, seqLen, b.mixOut(), ss, b.mixer(), marks);
            } else {
                mixers[i].forward(cuda, k, b.u(), batch, seqLen, b.mixOut(), b.mixer(), marks);
            }
        }
        k.addRmsnorm(b.x(), b.mixOut(), deltaBf16, inversePermutation(config.blocks() - 1), ss, heads, dInner, normF,
                b.hf(), false, latentMap, rows, seqLen, nlat, d);
        blas.linear(batch * nlat, config.latentDim(), d, b.hf(), d, latentOut, Cublas.R_32F, b.output(),
                config.latentDim(), Cublas.R_32F, false);
        mark.after("head");
    }

    /**
     * Queues {@code out = act(in · Wᵀ + b)} in fp32.
     *
     * @param rows rows
     * @param outCols W rows
     * @param inCols W columns
     * @param in input address
     * @param w weight address
     * @param bias bias address
     * @param out output address
     * @param silu apply SiLU
     */
    public void linear(int rows, int outCols, int inCols, long in, long w, long bias, long out, boolean silu) {
        cuda.gemm().linear(rows, outCols, inCols, in, inCols, w, Cublas.R_32F, out, outCols, Cublas.R_32F, false);
        k.biasAct(out, bias, rows, outCols, silu);
    }

    /**
     * @return total parameters of the denoiser
     */
    public long denoiserParameters() {
        long d = config.dModel();
        long n = d * 256 + d + d * d + d + (config.classes() + 1L) * d + 2 * d + (long) config.sequenceLength() * d
                + 3 * d + 2 * d * config.latentDim() + d;
        for (DeviceMixer m : mixers) {
            n += m.parameterCount() + d;
        }
        return n;
    }

    @Override
    public void close() {
        mem.close();
    }
}

package dev.mdm.backend.jcuda.training;

import dev.mdm.InvalidInputException;
import dev.mdm.MDM;
import dev.mdm.MdmConfig;
import dev.mdm.backend.jcuda.cuda.CudaContext;
import dev.mdm.backend.jcuda.cuda.Cublas;
import dev.mdm.backend.jcuda.model.DeviceMemory;
import dev.mdm.backend.jcuda.cuda.KernelArgs;
import dev.mdm.backend.jcuda.model.Patches;
import dev.mdm.model.LossBreakdown;
import dev.mdm.model.TrainingBatch;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The VAE of SPEC §3, the forward diffusion of §4 and every loss term of §7, forward and backward, fp32 on the device.
 * The loss is the TCK reference's ({@code ReferenceLoss}, decisions D2-D4, D7): autoencoder terms and KL over every
 * token, denoised terms and score entropy over noised tokens only. Gradients flow into every {@code vae.*} parameter
 * through all paths (decoders, KL, score entropy's z_t, candidates and ẑ0, and the denoiser's input z_t).
 * Deterministic: no atomics; reductions run in a fixed order. Not thread-safe; one per training session.
 */
public final class VaeLossTrainer implements AutoCloseable {
    private static final int CE_THREADS = 256;
    private final CudaContext cuda;
    private final MdmConfig config;
    private final ParameterArena arena;
    private final TrainingOps ops;
    private final int maxBatch;
    private final int nImg;
    private final int lt;
    private final int tokens;
    private final int dz;
    private final int hidden;
    private final int pd;
    private final int vocab;
    private final int candidates;
    private final DeviceMemory memory;

    // inputs
    private final long patches;
    private final long ids;
    private final long eps;
    private final long epsDiff;
    private final long noised;
    private final long sqrtAb;
    private final long sqrtOneMinusAb;
    private final long alphaBar;
    /** ᾱ_t for t = 0..T, on the host (D3) */
    private final double[] alphaBars;
    // encoders
    private final long preI;
    private final long hI;
    private final long oI;
    private final long dOI;
    private final long dhI;
    private final long emb;
    private final long preT;
    private final long hT;
    private final long oT;
    private final long dOT;
    private final long dhT;
    private final long dEmb;
    // latents
    private final long z0;
    private final long zt;
    private final long z0I;
    private final long z0T;
    private final long zhI;
    private final long zhT;
    // decoders (one scratch set reused by the four runs)
    private final long decPre;
    private final long decH;
    private final long decDh;
    private final long decOut;
    private final long decDOut;
    private final long dzAutoI;
    private final long dzAutoT;
    private final long dzhI;
    private final long dzhT;
    // loss terms per row
    private final long kl;
    private final long lossImgAuto;
    private final long lossImgDen;
    private final long lossTxtAuto;
    private final long lossTxtDen;
    private final long se;
    // score entropy
    private final long seTok;
    private final long seCand;
    private final long seSrc;
    private final long dZtSe;
    private final long dY;
    private final long dZ0Se;
    // embedding gradient lists
    private final long uniqueIds;
    private final long uniqueStart;
    private final long rowsOf;

    // the current batch
    private int b;
    private int imgDenoisedTokens;
    private int txtDenoisedTokens;
    private int scored;
    private int unique;
    /** The batch's noise mask and token ids, for the loss's index lists (built in lossAndGradient). */
    private float[] batchMask;
    private int[] batchTokenIds;
    private boolean encoded;
    private boolean lossReady;
    private boolean closed;

    /**
     * @param cuda the device
     * @param config model sizes
     * @param arena weights and gradients (names {@code vae.*})
     * @param maxBatch the most samples one call will see
     * @param gemmCompute how the encoders' and decoders' GEMMs form their products
     */
    public VaeLossTrainer(CudaContext cuda, MdmConfig config, ParameterArena arena, int maxBatch,
                          Cublas.Compute gemmCompute) {
        if (maxBatch < 1) {
            throw new InvalidInputException("maxBatch", "at least 1", String.valueOf(maxBatch));
        }
        this.cuda = cuda;
        this.memory = new DeviceMemory(cuda);
        this.config = config;
        this.alphaBars = MDM.alphaBars(config);
        this.arena = arena;
        this.ops = new TrainingOps(cuda, gemmCompute, arena);
        this.maxBatch = maxBatch;
        nImg = config.imageTokens();
        lt = config.textLength();
        tokens = config.latentTokens();
        dz = config.latentDim();
        hidden = config.vaeHidden();
        pd = config.patchDim();
        vocab = config.vocabSize();
        candidates = config.seCandidates();
        long rowsI = (long) maxBatch * nImg;
        long rowsT = (long) maxBatch * lt;
        long toks = (long) maxBatch * tokens;
        long rowsMax = Math.max(rowsI, rowsT);
        try {
            patches = f(rowsI * pd);
            ids = f(rowsT);
            eps = f(toks * dz);
            epsDiff = f(toks * dz);
            noised = f(toks);
            sqrtAb = f(maxBatch);
            sqrtOneMinusAb = f(maxBatch);
            alphaBar = f(2L * maxBatch); // doubles
            preI = f(rowsI * hidden);
            hI = f(rowsI * hidden);
            oI = f(rowsI * 2 * dz);
            dOI = f(rowsI * 2 * dz);
            dhI = f(rowsI * hidden);
            emb = f(rowsT * hidden);
            preT = f(rowsT * hidden);
            hT = f(rowsT * hidden);
            oT = f(rowsT * 2 * dz);
            dOT = f(rowsT * 2 * dz);
            dhT = f(rowsT * hidden);
            dEmb = f(rowsT * hidden);
            z0 = f(toks * dz);
            zt = f(toks * dz);
            z0I = f(rowsI * dz);
            z0T = f(rowsT * dz);
            zhI = f(rowsI * dz);
            zhT = f(rowsT * dz);
            decPre = f(rowsMax * hidden);
            decH = f(rowsMax * hidden);
            decDh = f(rowsMax * hidden);
            decOut = f(Math.max(rowsI * pd, rowsT * vocab));
            decDOut = f(Math.max(rowsI * pd, rowsT * vocab));
            dzAutoI = f(rowsI * dz);
            dzAutoT = f(rowsT * dz);
            dzhI = f(rowsI * dz);
            dzhT = f(rowsT * dz);
            kl = f(toks);
            lossImgAuto = f(rowsI);
            lossImgDen = f(rowsI);
            lossTxtAuto = f(rowsT);
            lossTxtDen = f(rowsT);
            se = f(toks);
            seTok = f(toks);
            seCand = f(toks * candidates);
            seSrc = f(toks * candidates);
            dZtSe = f(toks * dz);
            dY = f(toks * candidates * dz);
            dZ0Se = f(toks * dz);
            uniqueIds = f(rowsT);
            uniqueStart = f(rowsT + 1);
            rowsOf = f(rowsT);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Allocates n 4-byte elements (fp32 or int32), freed by {@link #close}. */
    private long f(long n) {
        long bytes = Math.max(n, 1) * Float.BYTES;
        return memory.alloc(bytes, "VAE/loss training buffer");
    }

    private long w(String name) {
        return arena.weight(name);
    }

    private long g(String name) {
        return arena.grad(name);
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("VaeLossTrainer is closed");
        }
    }

    /**
     * Uploads the batch, encodes, reparameterizes and noises: writes z_t to {@code zt}.
     *
     * @param batch a batch the session has validated ({@code TrainingBatch.validate}: not again here, on every step)
     * @param zt fp32 [b, n_img + Lt, dz]: √ᾱ_t z_0 + √(1−ᾱ_t) ε where noised, z_0 where given clean
     */
    public void encode(TrainingBatch batch, long zt) {
        requireOpen();
        if (batch == null) {
            throw new InvalidInputException("batch", "a TrainingBatch", "null");
        }
        int bb = batch.images().dim(0);
        if (bb > maxBatch) {
            throw new InvalidInputException("batch", "at most " + maxBatch + " samples", String.valueOf(bb));
        }
        float[] mask = batch.noised().requireFinite("noised").toFloatArray();
        for (int i = 0; i < mask.length; i++) {
            if (mask[i] != 0 && mask[i] != 1) {
                throw new InvalidInputException("noised", "only 0 and 1", mask[i] + " at flat index " + i);
            }
        }
        b = bb;
        encoded = true;
        lossReady = false;
        long[] steps = batch.timesteps().toLongArray();
        float[] sab = new float[b];
        float[] snab = new float[b];
        ByteBuffer ab = ByteBuffer.allocate(b * Double.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int s = 0; s < b; s++) {
            double a = alphaBars[(int) steps[s]];
            sab[s] = (float) Math.sqrt(a);
            snab[s] = (float) Math.sqrt(1 - a);
            ab.putDouble(a);
        }
        int[] tokenIds = batch.tokens().toIntArray();
        cuda.upload(patches, Patches.patchify(config, batch.images().toDoubleArray(), b));
        cuda.upload(ids, tokenIds);
        cuda.upload(eps, batch.vaeNoise().toFloatArray());
        cuda.upload(epsDiff, batch.diffusionNoise().toFloatArray());
        cuda.upload(noised, mask);
        cuda.upload(sqrtAb, sab);
        cuda.upload(sqrtOneMinusAb, snab);
        cuda.upload(alphaBar, ab.array());
        batchMask = mask;
        batchTokenIds = tokenIds;

        int rowsI = b * nImg;
        int rowsT = b * lt;
        ops.linearForward(rowsI, pd, hidden, patches, pd, w("vae.img_enc1.weight"), w("vae.img_enc1.bias"), preI, hidden);
        ops.siluForward(preI, hI, (long) rowsI * hidden);
        ops.linearForward(rowsI, hidden, 2 * dz, hI, hidden, w("vae.img_enc2.weight"), w("vae.img_enc2.bias"), oI, 2 * dz);
        cuda.launch1d("tv_embed_gather", (long) rowsT * hidden,
                new KernelArgs().ptr(ids).ptr(w("vae.text_embed")).ptr(emb).i(rowsT).i(hidden));
        ops.linearForward(rowsT, hidden, hidden, emb, hidden, w("vae.txt_enc1.weight"), w("vae.txt_enc1.bias"), preT, hidden);
        ops.siluForward(preT, hT, (long) rowsT * hidden);
        ops.linearForward(rowsT, hidden, 2 * dz, hT, hidden, w("vae.txt_enc2.weight"), w("vae.txt_enc2.bias"), oT, 2 * dz);
        cuda.launch1d("tv_reparam_fwd", (long) b * tokens, new KernelArgs().ptr(oI).ptr(oT).ptr(eps).ptr(epsDiff)
                .ptr(noised).ptr(sqrtAb).ptr(sqrtOneMinusAb).ptr(z0).ptr(this.zt).ptr(z0I).ptr(z0T).ptr(kl)
                .i(b).i(nImg).i(lt).i(dz));
        cuda.copyAsync(zt, this.zt, (long) b * tokens * dz * Float.BYTES);
    }

    /**
     * D4: per modality the noised tokens in (sample, position) order n_0..n_{M−1}; row j scores n_j with candidates
     * y_k = z0(n_{(j+k) mod M}). {@code src} inverts that: token n_p is candidate k of row (p − k) mod M.
     */
    private void prepareScoreEntropy(float[] mask) {
        ScoreEntropyRows rows = scoreEntropyRows(mask, b, tokens, nImg, candidates);
        imgDenoisedTokens = rows.imageRows();
        txtDenoisedTokens = rows.textRows();
        scored = rows.imageRows() + rows.textRows();
        cuda.upload(seTok, rows.tok());
        cuda.upload(seCand, rows.cand());
        cuda.upload(seSrc, rows.src());
    }

    /**
     * The score entropy's rows (D4) as {@link #prepareScoreEntropy} uploads them.
     *
     * @param tok the scored tokens' flat indices, image rows first ({@code max(rows, 1)} long)
     * @param cand each row's k candidates' flat indices ({@code max(rows·k, 1)} long)
     * @param src for each (row, k), the row whose candidate k is this row's token
     * @param imageRows noised image tokens
     * @param textRows noised text tokens
     */
    record ScoreEntropyRows(int[] tok, int[] cand, int[] src, int imageRows, int textRows) {
    }

    /**
     * Plain int arrays of their exact sizes (a counting pass, then one pass per modality): the boxed lists this
     * replaced were a few milliseconds of host time a fashion step, in which the GPU waited (a flight recording,
     * docs/eval/gpu-2026-12-10 call 13).
     *
     * @param mask 1 where a token is noised, [b, tokens]
     * @param b samples
     * @param tokens tokens a sample
     * @param nImg image tokens a sample (the first nImg)
     * @param k candidates a row
     * @return the rows
     */
    static ScoreEntropyRows scoreEntropyRows(float[] mask, int b, int tokens, int nImg, int k) {
        int imageRows = 0;
        int textRows = 0;
        for (int s = 0; s < b; s++) {
            for (int t = 0; t < tokens; t++) {
                if (mask[s * tokens + t] == 1) {
                    if (t < nImg) {
                        imageRows++;
                    } else {
                        textRows++;
                    }
                }
            }
        }
        int rows = imageRows + textRows;
        int[] tok = new int[Math.max(rows, 1)];  // the device buffers are never empty
        int[] cand = new int[Math.max(rows * k, 1)];
        int[] src = new int[Math.max(rows * k, 1)];
        int row = 0;
        for (int modality = 0; modality < 2; modality++) {
            int first = row;
            for (int s = 0; s < b; s++) {
                for (int t = modality == 0 ? 0 : nImg; t < (modality == 0 ? nImg : tokens); t++) {
                    if (mask[s * tokens + t] == 1) {
                        tok[row++] = s * tokens + t;
                    }
                }
            }
            int m = row - first;
            for (int j = 0; j < m; j++) {
                for (int c = 0; c < k; c++) {
                    cand[(first + j) * k + c] = tok[first + (j + c) % m];
                    src[(first + j) * k + c] = first + Math.floorMod(j - c, m);
                }
            }
        }
        return new ScoreEntropyRows(tok, cand, src, imageRows, textRows);
    }

    /** Lists, per distinct token id, the text rows holding it in ascending order (deterministic embedding gradient). */
    private void prepareEmbeddingGradient(int[] tokenIds) {
        EmbeddingRows rows = embeddingRows(tokenIds, vocab);
        unique = rows.ids().length;
        cuda.upload(uniqueIds, rows.ids());
        cuda.upload(uniqueStart, rows.start());
        cuda.upload(rowsOf, rows.rows());
    }

    /**
     * The rows of each distinct token id, as {@link #prepareEmbeddingGradient} uploads them.
     *
     * @param ids the distinct ids, ascending
     * @param start where each id's rows begin in {@code rows} (one more entry: the end)
     * @param rows the text rows, grouped by id, ascending within an id
     */
    record EmbeddingRows(int[] ids, int[] start, int[] rows) {
    }

    /**
     * A counting sort over the vocabulary (a TreeMap of boxed lists before: see {@link #scoreEntropyRows}).
     *
     * @param tokenIds ids in [0, vocab) (TrainingBatch checks them)
     * @param vocab vocabulary size
     * @return the rows of each distinct id
     */
    static EmbeddingRows embeddingRows(int[] tokenIds, int vocab) {
        int[] count = new int[vocab + 1];
        for (int id : tokenIds) {
            count[id + 1]++;
        }
        int unique = 0;
        for (int v = 0; v < vocab; v++) {
            if (count[v + 1] > 0) {
                unique++;
            }
            count[v + 1] += count[v];  // count[v]: where id v's rows begin
        }
        int[] rows = new int[tokenIds.length];
        int[] next = Arrays.copyOf(count, vocab);
        for (int r = 0; r < tokenIds.length; r++) {
            rows[next[tokenIds[r]]++] = r;
        }
        int[] ids = new int[unique];
        int[] start = new int[unique + 1];
        int u = 0;
        for (int v = 0; v < vocab; v++) {
            if (count[v + 1] > count[v]) {
                ids[u] = v;
                start[u++] = count[v];
            }
        }
        start[unique] = tokenIds.length;
        return new EmbeddingRows(ids, start, rows);
    }

    /**
     * Every loss term given the denoiser's ẑ_0; writes ∂L/∂ẑ_0 and adds the decoders' gradients.
     *
     * @param zhat0 fp32 [b, n_img + Lt, dz]
     * @param dZhat0 fp32 [b, n_img + Lt, dz], written
     */
    public void lossAndGradient(long zhat0, long dZhat0) {
        requireOpen();
        if (!encoded) {
            throw new IllegalStateException("VaeLossTrainer.lossAndGradient before encode");
        }
        // here rather than in encode: the caller has queued the denoiser's forward, so the host builds and uploads these
        // (synchronous copies, which a non-blocking stream does not wait for) while the GPU runs it
        prepareScoreEntropy(batchMask);
        prepareEmbeddingGradient(batchTokenIds);
        long n = (long) b * tokens * dz;
        cuda.launch1d("tv_split", n, new KernelArgs().ptr(zhat0).ptr(zhI).ptr(zhT).i(b).i(nImg).i(lt).i(dz));
        imageRun(z0I, false, lossImgAuto, dzAutoI);
        imageRun(zhI, true, lossImgDen, dzhI);
        textRun(z0T, false, lossTxtAuto, dzAutoT);
        textRun(zhT, true, lossTxtDen, dzhT);
        cuda.launch1d("tv_merge", n, new KernelArgs().ptr(dzhI).ptr(dzhT).ptr(dZhat0).i(b).i(nImg).i(lt).i(dz));
        cuda.memsetZero(dZtSe, n * Float.BYTES);
        if (scored > 0) {
            float gScale = (float) (config.seWeight() / scored);
            cuda.launch1d("tv_score_entropy", scored, new KernelArgs().ptr(zt).ptr(zhat0).ptr(z0).ptr(alphaBar)
                    .ptr(seTok).ptr(seCand).f(gScale).ptr(se).ptr(dZhat0).ptr(dZtSe).ptr(dY)
                    .i(scored).i(candidates).i(dz).i(tokens));
        }
        lossReady = true;
    }

    /** Image decoder on {@code zin} [b·n_img, dz], squared error in patch space, backward into zin and the weights. */
    private void imageRun(long zin, boolean masked, long lossRows, long dzOut) {
        int rows = b * nImg;
        ops.linearForward(rows, dz, hidden, zin, dz, w("vae.img_dec1.weight"), w("vae.img_dec1.bias"), decPre, hidden);
        ops.siluForward(decPre, decH, (long) rows * hidden);
        ops.linearForward(rows, hidden, pd, decH, hidden, w("vae.img_dec2.weight"), w("vae.img_dec2.bias"), decOut, pd);
        int covered = masked ? imgDenoisedTokens : rows;
        float scale = covered == 0 ? 0f : (float) (1.0 / ((double) covered * pd));
        cuda.launch1d("tv_mse", rows, new KernelArgs().ptr(patches).ptr(decOut).ptr(noised).i(masked ? 1 : 0).f(scale)
                .ptr(lossRows).ptr(decDOut).i(rows).i(pd).i(nImg).i(tokens));
        decoderBackward(rows, pd, "vae.img_dec", zin, dzOut);
    }

    /** Text decoder on {@code zin} [b·Lt, dz], cross entropy against the batch's ids, backward. */
    private void textRun(long zin, boolean masked, long lossRows, long dzOut) {
        int rows = b * lt;
        ops.linearForward(rows, dz, hidden, zin, dz, w("vae.txt_dec1.weight"), w("vae.txt_dec1.bias"), decPre, hidden);
        ops.siluForward(decPre, decH, (long) rows * hidden);
        ops.linearForward(rows, hidden, vocab, decH, hidden, w("vae.txt_dec2.weight"), w("vae.txt_dec2.bias"), decOut, vocab);
        int covered = masked ? txtDenoisedTokens : rows;
        float scale = covered == 0 ? 0f : (float) (1.0 / covered);
        cuda.launch("tv_cross_entropy", new int[] {rows}, CE_THREADS, 0, new KernelArgs().ptr(decOut).ptr(ids)
                .ptr(noised).i(masked ? 1 : 0).f(scale).ptr(lossRows).ptr(decDOut).i(vocab).i(lt).i(nImg).i(tokens));
        decoderBackward(rows, vocab, "vae.txt_dec", zin, dzOut);
    }

    private void decoderBackward(int rows, int out, String prefix, long zin, long dzOut) {
        ops.linearBackward(rows, hidden, out, decH, hidden, w(prefix + "2.weight"), decDOut, out, decDh, hidden, false,
                g(prefix + "2.weight"), g(prefix + "2.bias"));
        ops.siluBackward(decPre, decDh, decDh, (long) rows * hidden);
        ops.linearBackward(rows, dz, hidden, zin, dz, w(prefix + "1.weight"), decDh, hidden, dzOut, dz, false,
                g(prefix + "1.weight"), g(prefix + "1.bias"));
    }

    /**
     * Finishes the backward pass into the encoder: {@code dZt} is ∂L/∂z_t through the denoiser only; the paths through
     * z_0 (reconstruction, KL, score-entropy candidates and targets, z_t's own dependence) are added here.
     *
     * @param dZt fp32 [b, n_img + Lt, dz]
     */
    public void backwardEncoder(long dZt) {
        requireOpen();
        if (!lossReady) {
            throw new IllegalStateException("VaeLossTrainer.backwardEncoder before lossAndGradient");
        }
        long n = (long) b * tokens * dz;
        cuda.memsetZero(dZ0Se, n * Float.BYTES);
        if (scored > 0) {
            cuda.launch1d("tv_se_gather", (long) scored * dz, new KernelArgs().ptr(seTok).ptr(seSrc).ptr(dY).ptr(dZ0Se)
                    .i(scored).i(candidates).i(dz));
        }
        float klScale = (float) (config.klWeight() / ((double) b * tokens));
        cuda.launch1d("tv_reparam_bwd", n, new KernelArgs().ptr(oI).ptr(oT).ptr(eps).ptr(noised).ptr(sqrtAb)
                .ptr(dzAutoI).ptr(dzAutoT).ptr(dZ0Se).ptr(dZt).ptr(dZtSe).f(klScale).ptr(dOI).ptr(dOT)
                .i(b).i(nImg).i(lt).i(dz));
        int rowsI = b * nImg;
        int rowsT = b * lt;
        ops.linearBackward(rowsI, hidden, 2 * dz, hI, hidden, w("vae.img_enc2.weight"), dOI, 2 * dz, dhI, hidden, false,
                g("vae.img_enc2.weight"), g("vae.img_enc2.bias"));
        ops.siluBackward(preI, dhI, dhI, (long) rowsI * hidden);
        ops.linearBackward(rowsI, pd, hidden, patches, pd, w("vae.img_enc1.weight"), dhI, hidden, 0, pd, false,
                g("vae.img_enc1.weight"), g("vae.img_enc1.bias"));
        ops.linearBackward(rowsT, hidden, 2 * dz, hT, hidden, w("vae.txt_enc2.weight"), dOT, 2 * dz, dhT, hidden, false,
                g("vae.txt_enc2.weight"), g("vae.txt_enc2.bias"));
        ops.siluBackward(preT, dhT, dhT, (long) rowsT * hidden);
        ops.linearBackward(rowsT, hidden, hidden, emb, hidden, w("vae.txt_enc1.weight"), dhT, hidden, dEmb, hidden, false,
                g("vae.txt_enc1.weight"), g("vae.txt_enc1.bias"));
        cuda.launch1d("tv_embed_bwd", (long) unique * hidden, new KernelArgs().ptr(uniqueIds).ptr(uniqueStart)
                .ptr(rowsOf).ptr(dEmb).ptr(g("vae.text_embed")).i(unique).i(hidden));
    }

    /** @return the terms of the last {@link #lossAndGradient}, means over the batch (downloads, synchronizes) */
    public LossBreakdown losses() {
        requireOpen();
        if (!lossReady) {
            throw new IllegalStateException("VaeLossTrainer.losses before lossAndGradient");
        }
        double imgAuto = sum(lossImgAuto, b * nImg) / ((double) b * nImg * pd);
        double imgDen = imgDenoisedTokens == 0 ? 0 : sum(lossImgDen, b * nImg) / ((double) imgDenoisedTokens * pd);
        double txtAuto = sum(lossTxtAuto, b * lt) / ((double) b * lt);
        double txtDen = txtDenoisedTokens == 0 ? 0 : sum(lossTxtDen, b * lt) / txtDenoisedTokens;
        double klMean = sum(kl, b * tokens) / ((double) b * tokens);
        double seMean = scored == 0 ? 0 : sum(se, scored) / scored;
        double total = imgAuto + imgDen + txtAuto + txtDen + config.klWeight() * klMean + config.seWeight() * seMean;
        return new LossBreakdown(total, imgAuto, imgDen, txtAuto, txtDen, klMean, seMean);
    }

    /** Σ of n device floats, in double, in index order. */
    private double sum(long address, int n) {
        double s = 0;
        for (float v : cuda.downloadFloats(address, n)) {
            s += v;
        }
        return s;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        ops.close();
        memory.close();
    }
}

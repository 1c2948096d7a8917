package dev.mdm.backend.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.mdm.Discretization;
import dev.mdm.backend.onnx.GraphBuilder.Type;

/**
 * Graphs of the components that carry no model weights: the SSD scan (§11 {@code ssd} and {@code ssd_raw_dt}), score
 * entropy (§7) and a scan-switch permutation (§5). Batch and length are symbolic.
 */
final class OperatorGraphs {
    /** Chunk length of the standalone SSD graph (speed only; SPEC §6). */
    static final int SSD_CHUNK = 64;

    private OperatorGraphs() {
    }

    /**
     * The shape family of an SSD graph: everything but batch and length.
     *
     * @param heads h
     * @param headDim p
     * @param groups g
     * @param dState n
     * @param discretization ZOH or EULER
     * @param rawDt Δ = softplus(dt_raw + dt_bias) in the graph, else dt is Δ
     * @param skip whether a D input is present
     * @param gate whether a z input is present
     */
    record SsdFamily(int heads, int headDim, int groups, int dState, Discretization discretization, boolean rawDt,
                     boolean skip, boolean gate) {
    }

    /**
     * @param f the shape family
     * @return ssd: x, dt (or dt_raw and dt_bias), A, B, C, [D], [z] → y [batch, length, h, p] = (scan + D·x)·SiLU(z)
     */
    static ModelProto ssd(SsdFamily f) {
        GraphBuilder g = new GraphBuilder("ssd", Type.FLOAT);
        String b = ModelGraphs.BATCH;
        String l = "length";
        String x = g.input("x", Type.FLOAT, "inputs per head", b, l, f.heads(), f.headDim());
        String delta;
        if (f.rawDt()) {
            String raw = g.input("dt_raw", Type.FLOAT, "raw step before softplus", b, l, f.heads());
            String bias = g.input("dt_bias", Type.FLOAT, "step bias", f.heads());
            delta = g.softplus(g.add(raw, bias));
        } else {
            delta = g.input("dt", Type.FLOAT, "positive step Δ", b, l, f.heads());
        }
        String a = g.input("A", Type.FLOAT, "negative state decay per head", f.heads());
        String bIn = g.input("B", Type.FLOAT, "input projection per group", b, l, f.groups(), f.dState());
        String cIn = g.input("C", Type.FLOAT, "output projection per group", b, l, f.groups(), f.dState());
        String d = f.skip() ? g.input("D", Type.FLOAT, "skip per head", f.heads()) : null;
        String z = f.gate() ? g.input("z", Type.FLOAT, "gate", b, l, f.heads(), f.headDim()) : null;
        String y = MambaGraph.ssd(g, x, delta, a, bIn, cIn, d, f.heads(), f.headDim(), f.groups(), f.dState(), SSD_CHUNK,
                f.discretization());
        if (z != null) {
            y = g.mul(y, g.silu(z));
        }
        g.output(y, "y", Type.FLOAT, "scan output", b, l, f.heads(), f.headDim());
        return g.build("Mamba-2 SSD scan, chunked form (SPEC §6 step 5)");
    }

    /**
     * Score entropy per token (SPEC §7), in float64: with ᾱ close to 1 the log-ratios reach 1e4 and float32 would
     * lose their differences.
     *
     * @return score_entropy: z_t [m, dz], zhat0 [m, dz], candidates [m, K, dz], alpha_bar [m] → se [m]
     */
    static ModelProto scoreEntropy() {
        GraphBuilder g = new GraphBuilder("score_entropy", Type.DOUBLE);
        String zt = g.input("z_t", Type.DOUBLE, "noised latents", "m", "dz");
        String zhat = g.input("zhat0", Type.DOUBLE, "predicted clean latents", "m", "dz");
        String cand = g.input("candidates", Type.DOUBLE, "candidate clean latents, index 0 the true one", "m", "k", "dz");
        String alphaBar = g.input("alpha_bar", Type.DOUBLE, "ᾱ_t per token, in (0, 1)", "m");

        String a = g.unsqueeze(alphaBar, 1);
        String scale = g.div(g.scalar(-0.5), g.sub(g.scalar(1), a)); // −1 / (2(1 − ᾱ)), [m, 1]
        // log r_k = −‖z_t − √ᾱ y_k‖² / (2(1 − ᾱ))
        String dr = g.sub(g.unsqueeze(zt, 1), g.mul(g.unsqueeze(g.sqrt(a), 2), cand));
        String logR = g.logSoftmax(g.mul(g.reduceSum(g.mul(dr, dr), false, 2), scale), 1);
        // log s_k = −ᾱ ‖ẑ0 − y_k‖² / (2(1 − ᾱ))
        String ds = g.sub(g.unsqueeze(zhat, 1), cand);
        String logS = g.logSoftmax(g.mul(g.mul(g.reduceSum(g.mul(ds, ds), false, 2), scale), a), 1);
        String r = g.exp(logR);
        // s − r·log s + r(log r − 1); log r is a finite log-softmax, so r = 0 gives K(0) = 0 without a NaN
        String terms = g.add(g.sub(g.exp(logS), g.mul(r, logS)), g.mul(r, g.sub(logR, g.scalar(1))));
        g.output(g.reduceMean(terms, false, 1), "se", Type.DOUBLE, "score entropy per token", "m");
        return g.build("Score entropy (SPEC §7, Theorems 1-2)");
    }

    /**
     * @param perm {@code out[:, j] = x[:, perm[j]]}
     * @param type element type of x
     * @return permute: x [batch, L, d] → y [batch, L, d]
     */
    static ModelProto permutation(int[] perm, Type type) {
        GraphBuilder g = new GraphBuilder("permute", type);
        String x = g.input("x", type, "sequence", ModelGraphs.BATCH, perm.length, "d");
        g.output(g.gather(x, g.longs(ModelGraphs.toLongs(perm)), 1), "y", type, "permuted sequence", ModelGraphs.BATCH,
                perm.length, "d");
        return g.build("Scan-switch permutation (SPEC §5)");
    }
}

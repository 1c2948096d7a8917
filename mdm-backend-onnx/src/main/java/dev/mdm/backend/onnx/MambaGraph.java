package dev.mdm.backend.onnx;

import dev.mdm.Discretization;
import dev.mdm.model.MambaShape;
import dev.mdm.tensor.Tensor;
import java.util.function.Function;

/**
 * The Mamba-2 parts of SPEC §6 as ONNX nodes: the SSD scan in the chunked ("state space duality") form of
 * mamba_ssm's {@code ssd_minimal_discrete} (matmuls, cumulative sums, exponentials and causal masks, no Scan or Loop,
 * no custom operator), and the mixer around it. Batch and length stay dynamic: the length is zero-padded to a
 * multiple of the chunk inside the graph (a zero Δ and zero x leave every earlier output unchanged) and the padding is
 * sliced off at the end.
 */
final class MambaGraph {
    private static final double NORM_EPS = 1e-5;

    private MambaGraph() {
    }

    /**
     * Adds the SSD scan y = scan + D·x (SPEC §6 step 5).
     *
     * @param g the graph
     * @param x [b, l, h, p]
     * @param delta Δ [b, l, h], positive
     * @param a A [h], negative
     * @param b B [b, l, g, n]
     * @param c C [b, l, g, n]
     * @param d D [h], or null to omit the skip
     * @param heads h
     * @param headDim p
     * @param groups g
     * @param dState n
     * @param chunk Q, the chunk length (speed only)
     * @param discretization ZOH or EULER
     * @return y [b, l, h, p]
     */
    static String ssd(GraphBuilder g, String x, String delta, String a, String b, String c, String d, int heads,
                      int headDim, int groups, int dState, int chunk, Discretization discretization) {
        // group of head i is ⌊i·G/H⌋: expand B and C to one row per head with a constant index
        long[] groupOfHead = new long[heads];
        for (int i = 0; i < heads; i++) {
            groupOfHead[i] = (long) i * groups / heads;
        }
        String headGroups = g.longs(groupOfHead);
        String bh = g.gather(b, headGroups, 2);
        String ch = g.gather(c, headGroups, 2);

        String deltaA = g.mul(delta, a);
        // x_t ⊗ B̄_t = (coef_t·x_t) ⊗ B_t with coef = Δ (Euler) or expm1(ΔA)/A (ZOH); expm1(u) = 2·sinh(u/2)·e^{u/2}
        // keeps full relative precision for small ΔA, where exp(u) − 1 would cancel. Below u = −40 exp(u) − 1 is taken
        // instead: it is −1 to float32 precision there, and from u ≈ −178 on sinh(u/2) overflows and e^{u/2} underflows
        // to −inf·0 = NaN (trained weights reach that: MDM-SSD-010)
        String coef = delta;
        if (discretization == Discretization.ZOH) {
            String half = g.mul(deltaA, g.scalar(0.5));
            String nearZero = g.mul(g.mul(g.scalar(2), g.sinh(half)), g.exp(half));
            String expm1 = g.where(g.greater(half, g.scalar(-20)), nearZero, g.sub(g.exp(deltaA), g.scalar(1)));
            coef = g.where(g.equal(a, g.scalar(0)), delta, g.div(expm1, a));
        }
        String xc = g.mul(x, g.unsqueeze(coef, -1));

        // pad the length to a multiple of Q: pad = (Q − l mod Q) mod Q
        String length = g.slice(g.shape(x), new long[] {1}, new long[] {2}, new long[] {0});
        String q = g.longs(chunk);
        String padLength = g.mod(g.sub(q, g.mod(length, q)), q);
        String pads = g.concat(0, g.longs(0), padLength);
        // chunked layouts [b, h, c, Q, ·]
        String xq = g.transpose(g.reshape(g.pad(xc, pads, 1), 0, -1, chunk, heads, headDim), 0, 3, 1, 2, 4);
        String bq = g.transpose(g.reshape(g.pad(bh, pads, 1), 0, -1, chunk, heads, dState), 0, 3, 1, 2, 4);
        String cq = g.transpose(g.reshape(g.pad(ch, pads, 1), 0, -1, chunk, heads, dState), 0, 3, 1, 2, 4);
        String aq = g.transpose(g.reshape(g.pad(deltaA, pads, 1), 0, -1, chunk, heads), 0, 3, 1, 2);
        String aCumsum = g.cumSum(aq, -1);

        // 1. within each chunk: Y_diag = (C Bᵀ ∘ L) X with L[i, j] = exp(Σ_{j<k≤i} ΔA_k) for i ≥ j
        String decayWithin = segsumExp(g, aq, g.longScalar(chunk));
        String scores = g.mul(g.matMul(cq, g.transpose(bq, 0, 1, 2, 4, 3)), decayWithin);
        String yDiag = g.matMul(scores, xq);

        // 2. the state each chunk leaves: Σ_t exp(Σ_{t<k≤last} a_k) x_t ⊗ B_t, [b, h, c, p, n]. The decays are the last
        // row of segsum's: as exp(A_cum[last] − A_cum[t]) they cancel in float32 when strong decay precedes weak decay
        // in a chunk (MDM-SSD-011)
        String last = g.slice(aCumsum, new long[] {-1}, new long[] {Long.MAX_VALUE}, new long[] {3});
        String decayToEnd = g.reshape(g.slice(decayWithin, new long[] {-1}, new long[] {Long.MAX_VALUE}, new long[] {3}),
                0, 0, 0, -1);
        String states = g.matMul(g.transpose(g.mul(xq, g.unsqueeze(decayToEnd, -1)), 0, 1, 2, 4, 3), bq);

        // 3. carry states across chunks: state entering chunk k = Σ_{j<k} exp(Σ_{j<m<k} a_m) state_j, zero before chunk 0
        String flat = g.pad(g.reshape(states, 0, 0, 0, (long) headDim * dState), g.longs(1, 0), 2);
        String chunkDecay = g.pad(g.reshape(last, 0, 0, -1), g.longs(1, 0), 2);
        String chunksPlusOne = g.gather(g.shape(chunkDecay), g.longScalar(2), 0);
        String carried = g.matMul(segsumExp(g, chunkDecay, chunksPlusOne), flat);
        String entering = g.reshape(g.slice(carried, new long[] {0}, new long[] {-1}, new long[] {2}), 0, 0, 0, headDim, dState);

        // 4. contribution of the entering state: Y_off = exp(A_cum) · C · stateᵀ
        String yOff = g.mul(g.matMul(cq, g.transpose(entering, 0, 1, 2, 4, 3)), g.unsqueeze(g.exp(aCumsum), -1));
        String y = g.reshape(g.transpose(g.add(yDiag, yOff), 0, 2, 3, 1, 4), 0, -1, heads, headDim);
        y = g.slice(y, g.longs(0), length, new long[] {1});
        if (d != null) {
            y = g.add(y, g.mul(x, g.unsqueeze(d, -1)));
        }
        return y;
    }

    /**
     * exp(segsum(a)) of mamba_ssm: out[..., i, j] = exp(Σ_{j<k≤i} a_k) for i ≥ j, else 0. The sums are taken by a
     * masked cumulative sum, not as differences of prefix sums, so no precision is lost to cancellation.
     *
     * @param a [..., T]
     * @param length T as an int64 scalar
     * @return [..., T, T]
     */
    private static String segsumExp(GraphBuilder g, String a, String length) {
        String index = g.range(g.longScalar(0), length, g.longScalar(1));
        String rows = g.unsqueeze(index, 1);
        String cols = g.unsqueeze(index, 0);
        String strictlyBelow = g.greater(rows, cols);
        String onOrBelow = g.greaterOrEqual(rows, cols);
        String spread = g.where(strictlyBelow, g.unsqueeze(a, -1), g.scalar(0));
        String sums = g.cumSum(spread, -2);
        return g.where(onOrBelow, g.exp(sums), g.scalar(0));
    }

    /**
     * Adds a Mamba-2 mixer (SPEC §6 steps 1-7) with its weights as initializers named {@code prefix + name}.
     *
     * @param g the graph
     * @param u [b, l, d]
     * @param shape sizes
     * @param weights the mixer tensors under mamba_ssm names, by unprefixed name
     * @param prefix initializer name prefix, e.g. {@code blocks.0.mixer.}
     * @return out [b, l, d]
     */
    static String mixer(GraphBuilder g, String u, MambaShape shape, Function<String, Tensor> weights,
                        String prefix) {
        int dInner = shape.dInner();
        int heads = shape.heads();
        int gn = shape.nGroups() * shape.dState();
        int conv = shape.convChannels();
        String inProj = g.initializer(prefix + "in_proj.weight", weights.apply("in_proj.weight"));
        String convWeight = g.initializer(prefix + "conv1d.weight", weights.apply("conv1d.weight"));
        String convBias = g.initializer(prefix + "conv1d.bias", weights.apply("conv1d.bias"));
        String dtBias = g.initializer(prefix + "dt_bias", weights.apply("dt_bias"));
        String aLog = g.initializer(prefix + "A_log", weights.apply("A_log"));
        String dSkip = g.initializer(prefix + "D", weights.apply("D"));
        String normWeight = g.initializer(prefix + "norm.weight", weights.apply("norm.weight"));
        String outProj = g.initializer(prefix + "out_proj.weight", weights.apply("out_proj.weight"));

        String[] zxbcdt = g.split(g.linear(u, inProj, null), 2, dInner, conv, heads);
        String z = zxbcdt[0];
        // depthwise causal conv: one group per channel, dConv − 1 zeros on the left only
        String xbc = g.transpose(g.conv1d(g.transpose(zxbcdt[1], 0, 2, 1), convWeight, convBias, conv, shape.dConv(),
                shape.dConv() - 1, 0), 0, 2, 1);
        String[] parts = g.split(g.silu(xbc), 2, dInner, gn, gn);
        String x = g.reshape(parts[0], 0, 0, heads, shape.headDim());
        String b = g.reshape(parts[1], 0, 0, shape.nGroups(), shape.dState());
        String c = g.reshape(parts[2], 0, 0, shape.nGroups(), shape.dState());
        String a = g.neg(g.exp(aLog));
        String delta = g.softplus(g.add(zxbcdt[2], dtBias));
        String y = ssd(g, x, delta, a, b, c, dSkip, heads, shape.headDim(), shape.nGroups(), shape.dState(),
                shape.chunkSize(), shape.discretization());
        // gated RMSNorm, normalized per group of d_inner/G channels (decision D1), norm_before_gate=False
        String gated = g.mul(g.reshape(y, 0, 0, dInner), g.silu(z));
        String grouped = g.reshape(gated, 0, 0, shape.nGroups(), dInner / shape.nGroups());
        String normed = g.mul(g.reshape(g.rmsNormalize(grouped, NORM_EPS), 0, 0, dInner), normWeight);
        return g.linear(normed, outProj, null);
    }
}

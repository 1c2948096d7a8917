package dev.mdm.backend.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mdm.Discretization;

/**
 * The SSD scan of SPEC §6 step 5 in the chunked "state space duality" form of Mamba-2 ({@code ssd_minimal}), built
 * only from cumsum, exp, masks and batched matmuls, so that autograd differentiates it. The length is padded with
 * zeros up to a whole number of chunks (a zero step neither decays nor feeds the state, and causality keeps the
 * padding out of the real outputs), then sliced back.
 *
 * <p>Segment sums are taken by a masked cumsum of the repeated decays rather than as differences of one running sum,
 * so that no exponent loses float32 precision to cancellation over a long chunk.
 */
final class ChunkedSsd {
    private ChunkedSsd() {
    }

    /**
     * @param x [b, l, h, p]
     * @param dt Δ [b, l, h], positive
     * @param a A [h], negative
     * @param bMat B [b, l, g, n]
     * @param cMat C [b, l, g, n]
     * @param d D [h] or null
     * @param z gate [b, l, h, p] or null
     * @param discretization ZOH or EULER
     * @param chunk chunk length (speed only)
     * @return y = (scan + D·x)·SiLU(z) [b, l, h, p], absent terms omitted
     */
    static NDArray scan(NDArray x, NDArray dt, NDArray a, NDArray bMat, NDArray cMat, NDArray d, NDArray z,
                        Discretization discretization, int chunk) {
        Shape xs = x.getShape();
        long b = xs.get(0);
        long l = xs.get(1);
        long h = xs.get(2);
        long p = xs.get(3);
        long g = bMat.getShape().get(2);
        long n = bMat.getShape().get(3);
        int q = (int) Math.min(chunk, l);
        long nc = (l + q - 1) / q;
        long lp = nc * q;
        NDManager m = x.getManager();

        NDArray dtA = dt.mul(a);                                   // [b, l, h], ≤ 0
        NDArray scale = discretization == Discretization.EULER ? dt : zohScale(dtA, a);
        NDArray xs2 = x.mul(scale.expandDims(-1));                 // x ⊗ B̄ = (scale·x) ⊗ B
        NDArray bh = groupsToHeads(bMat, h, g);
        NDArray ch = groupsToHeads(cMat, h, g);
        if (lp > l) {
            xs2 = padLength(xs2, lp);
            dtA = padLength(dtA, lp);
            bh = padLength(bh, lp);
            ch = padLength(ch, lp);
        }
        // chunk layout [b, h, c, q, ·]
        NDArray xc = xs2.reshape(b, nc, q, h, p).transpose(0, 3, 1, 2, 4);
        NDArray bc = bh.reshape(b, nc, q, h, n).transpose(0, 3, 1, 2, 4);
        NDArray cc = ch.reshape(b, nc, q, h, n).transpose(0, 3, 1, 2, 4);
        NDArray ac = dtA.reshape(b, nc, q, h).transpose(0, 3, 1, 2);     // [b, h, c, q]

        NDArray[] masks = causalMasks(m, q, x.getDataType());
        NDArray seg = segmentSums(ac, masks[0]);                             // [b, h, c, q, q]
        NDArray decay = seg.exp().mul(masks[1]);
        NDArray aCum = ac.cumSum(3);                                          // Σ_{k≤t} within the chunk

        // 1. within each chunk: y = ((C Bᵀ) ∘ L) X
        NDArray yDiag = cc.matMul(bc.transpose(0, 1, 2, 4, 3)).mul(decay).matMul(xc);
        // 2. state at the end of each chunk from its own inputs: Σ_s exp(Σ_{k>s} a_k) B_s ⊗ X_s, as [n, p]
        NDArray toEnd = seg.get(":, :, :, -1, :").exp();                    // [b, h, c, q]
        NDArray states = bc.mul(toEnd.expandDims(-1)).transpose(0, 1, 2, 4, 3).matMul(xc);   // [b, h, c, n, p]
        // 3. carry states across chunks: state entering chunk z = Σ_{c<z} exp(Σ totals of chunks c+1..z-1) state_c
        NDArray totals = aCum.get(":, :, :, -1");                           // [b, h, c]
        NDArray padded = m.zeros(new Shape(b, h, 1), x.getDataType()).concat(totals, 2);
        NDArray[] chunkMasks = causalMasks(m, (int) nc + 1, x.getDataType());
        NDArray chunkDecay = segmentSums(padded, chunkMasks[0]).exp().mul(chunkMasks[1]);    // [b, h, c+1, c+1]
        NDArray allStates = m.zeros(new Shape(b, h, 1, n, p), x.getDataType()).concat(states, 2)
                .reshape(b, h, nc + 1, n * p);
        NDArray entering = chunkDecay.matMul(allStates).get(":, :, :-1, :").reshape(b, h, nc, n, p);
        // 4. contribution of the entering state: C_t · state · exp(Σ_{k≤t} a_k)
        NDArray yOff = cc.matMul(entering).mul(aCum.exp().expandDims(-1));

        NDArray y = yDiag.add(yOff).transpose(0, 2, 3, 1, 4).reshape(b, lp, h, p);
        if (lp > l) {
            y = y.get(":, :" + l);
        }
        if (d != null) {
            y = y.add(x.mul(d.expandDims(-1)));
        }
        if (z != null) {
            y = y.mul(Layers.silu(z));
        }
        return y;
    }

    /** ZOH: B̄ = ((exp(ΔA) − 1)/A)·B, with exp − 1 taken by {@link #expm1} so that small ΔA keeps its digits. */
    private static NDArray zohScale(NDArray dtA, NDArray a) {
        return expm1(dtA).div(a);
    }

    /** Below this |v|, exp(v) − 1 is taken from its series; above it, the subtraction loses only a few ulps. */
    private static final double SERIES_LIMIT = 0.5;
    /** Series degree: the first omitted term is below 0.5¹⁷/18! ≈ 1e-21 relative, under float64 resolution. */
    private static final int SERIES_DEGREE = 17;

    /**
     * exp(v) − 1 accurate to float32 resolution everywhere and differentiable (DJL has no expm1, and its dtype casts
     * detach the graph, so a float64 detour would lose the gradient): a Taylor series, exact to float64 resolution,
     * for |v| &lt; 0.5 and exp(v) − 1 elsewhere. The series reads a clipped copy of v, so its masked
     * branch stays finite and passes no gradient for large |v|.
     */
    static NDArray expm1(NDArray v) {
        NDArray small = v.abs().lt(SERIES_LIMIT);
        NDArray c = v.clip(-SERIES_LIMIT, SERIES_LIMIT);
        NDArray series = Layers.scale(c, 1.0 / SERIES_DEGREE).add(1);
        for (int k = SERIES_DEGREE - 1; k >= 2; k--) {
            series = Layers.scale(c.mul(series), 1.0 / k).add(1);
        }
        series = c.mul(series);
        return NDArrays.where(small, series, v.exp().sub(1));
    }

    /** [b, l, g, n] → [b, l, h, n], head i reading group ⌊i·g/h⌋. */
    private static NDArray groupsToHeads(NDArray t, long h, long g) {
        if (g == h) {
            return t;
        }
        Shape s = t.getShape();
        return t.expandDims(3).broadcast(new Shape(s.get(0), s.get(1), g, h / g, s.get(3)))
                .reshape(s.get(0), s.get(1), h, s.get(3));
    }

    private static NDArray padLength(NDArray t, long lp) {
        Shape s = t.getShape();
        long[] dims = s.getShape();
        dims[1] = lp - dims[1];
        return t.concat(t.getManager().zeros(new Shape(dims), t.getDataType()), 1);
    }

    /**
     * @param a [..., t]
     * @param strictLower the [t, t] 0/1 mask of i > j
     * @return [..., t, t] with [i, j] = Σ_{k=j+1..i} a_k on and below the diagonal (0 above)
     */
    private static NDArray segmentSums(NDArray a, NDArray strictLower) {
        Shape s = a.getShape();
        long t = s.get(s.dimension() - 1);
        NDArray rep = a.expandDims(-1).broadcast(s.addAll(new Shape(t)));    // rep[..., i, j] = a_i
        return rep.mul(strictLower).cumSum(s.dimension() - 1);
    }

    /** @return {strictly lower, lower-with-diagonal} 0/1 masks [t, t] */
    private static NDArray[] causalMasks(NDManager m, int t, DataType type) {
        double[] strict = new double[t * t];
        double[] incl = new double[t * t];
        for (int i = 0; i < t; i++) {
            for (int j = 0; j <= i; j++) {
                incl[i * t + j] = 1;
                if (j < i) {
                    strict[i * t + j] = 1;
                }
            }
        }
        Shape s = new Shape(t, t);
        return new NDArray[] {HostTransfer.floats(m, strict, s, type), HostTransfer.floats(m, incl, s, type)};
    }
}

package dev.mdm.tck.reference;

import dev.mdm.model.MambaMixer;
import dev.mdm.model.MambaShape;
import dev.mdm.model.Parameters;
import dev.mdm.tensor.Tensor;

/**
 * The Mamba-2 mixer of SPEC §6 (mamba_ssm's unfused path), steps 1-7: in_proj, causal depthwise conv1d with left
 * zero padding and SiLU, split into x/B/C, Δ = softplus(dt + dt_bias), the SSD scan with D skip, gated RMSNorm per
 * group of d_inner/G channels (D1), out_proj. No pre-norm and no residual.
 */
final class ReferenceMamba2Mixer implements MambaMixer {
    private final MambaShape shape;
    private final ReferenceLifecycle lifecycle;
    private final double[] inProj;
    private final double[] convWeight;
    private final double[] convBias;
    private final double[] dtBias;
    private final double[] a;
    private final double[] d;
    private final double[] normWeight;
    private final double[] outProj;

    /**
     * @param shape sizes
     * @param weights unprefixed mamba_ssm names, checked against {@link MambaShape#parameterShapes()}
     * @param lifecycle open/closed state of this mixer
     */
    ReferenceMamba2Mixer(MambaShape shape, Parameters weights, ReferenceLifecycle lifecycle) {
        weights.requireLayout(shape.parameterShapes(), "weights");
        ReferenceWeights w = new ReferenceWeights(weights);
        this.shape = shape;
        this.lifecycle = lifecycle;
        inProj = w.get("in_proj.weight");
        convWeight = w.get("conv1d.weight");
        convBias = w.get("conv1d.bias");
        dtBias = w.get("dt_bias");
        double[] aLog = w.get("A_log");
        a = new double[aLog.length];
        for (int i = 0; i < a.length; i++) {
            a[i] = -Math.exp(aLog[i]);
        }
        d = w.get("D");
        normWeight = w.get("norm.weight");
        outProj = w.get("out_proj.weight");
    }

    @Override
    public MambaShape shape() {
        return shape;
    }

    @Override
    public Tensor forward(Tensor u) {
        lifecycle.requireOpen();
        u.requireShape("u", -1, -1, shape.dModel()).requireFinite("u");
        int b = u.dim(0);
        int l = u.dim(1);
        return Tensor.of(forward(u.toDoubleArray(), b, l), b, l, shape.dModel());
    }

    /**
     * @param u [b, l, d]
     * @return out [b, l, d]
     */
    double[] forward(double[] u, int b, int l) {
        int dm = shape.dModel();
        int di = shape.dInner();
        int h = shape.heads();
        int p = shape.headDim();
        int g = shape.nGroups();
        int n = shape.dState();
        int conv = shape.convChannels();
        int rows = shape.inProjRows();
        int bl = b * l;

        // 1. zxbcdt = u·in_projᵀ, split z | xBC | dt
        double[] zxbcdt = ReferenceLinear.apply(u, bl, inProj, null, rows, dm);
        double[] z = new double[bl * di];
        double[] xbc = new double[bl * conv];
        double[] dtRaw = new double[bl * h];
        for (int r = 0; r < bl; r++) {
            System.arraycopy(zxbcdt, r * rows, z, r * di, di);
            System.arraycopy(zxbcdt, r * rows + di, xbc, r * conv, conv);
            System.arraycopy(zxbcdt, r * rows + di + conv, dtRaw, r * h, h);
        }

        // 2. causal depthwise conv1d (left zero padding dConv − 1), then SiLU
        double[] convolved = causalConv(xbc, b, l, conv);
        ReferenceLinear.silu(convolved);

        // 3. split into x [h·p], B [g·n], C [g·n]
        double[] x = new double[bl * di];
        double[] bMat = new double[bl * g * n];
        double[] cMat = new double[bl * g * n];
        for (int r = 0; r < bl; r++) {
            System.arraycopy(convolved, r * conv, x, r * di, di);
            System.arraycopy(convolved, r * conv + di, bMat, r * g * n, g * n);
            System.arraycopy(convolved, r * conv + di + g * n, cMat, r * g * n, g * n);
        }

        // 4. Δ = softplus(dt + dt_bias)
        double[] delta = new double[bl * h];
        for (int i = 0; i < delta.length; i++) {
            delta[i] = ReferenceActivations.softplus(dtRaw[i] + dtBias[i % h]);
        }

        // 5. SSD scan with D skip; the gate is applied inside the norm (step 6), not in the scan
        double[] y = ReferenceSsd.scan(x, delta, a, bMat, cMat, d, null, b, l, h, p, g, n, shape.discretization());

        // 6. gated RMSNorm: RMSNorm(y ⊙ SiLU(z)) per group of d_inner/G channels (norm_before_gate=False, D1)
        for (int i = 0; i < y.length; i++) {
            y[i] *= ReferenceActivations.silu(z[i]);
        }
        double[] normed = ReferenceRmsNorm.apply(y, bl, di, normWeight, di / g);

        // 7. out_proj
        return ReferenceLinear.apply(normed, bl, outProj, null, dm, di);
    }

    private double[] causalConv(double[] in, int b, int l, int channels) {
        int k = shape.dConv();
        double[] out = new double[in.length];
        for (int bi = 0; bi < b; bi++) {
            for (int t = 0; t < l; t++) {
                for (int c = 0; c < channels; c++) {
                    double s = convBias[c];
                    for (int j = 0; j < k; j++) {
                        int src = t - (k - 1) + j;
                        if (src >= 0) {
                            s += convWeight[c * k + j] * in[(bi * l + src) * channels + c];
                        }
                    }
                    out[(bi * l + t) * channels + c] = s;
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        lifecycle.close();
    }
}

package dev.mdm.tck.reference;

import dev.mdm.MdmConfig;
import dev.mdm.model.MambaBlock;
import dev.mdm.tensor.Tensor;

/** Block i of the denoiser (SPEC §5): {@code x ← x + P_i⁻¹ · Mamba2(P_i · RMSNorm(x))}. */
final class ReferenceMambaBlock implements MambaBlock {
    private final int index;
    private final MdmConfig config;
    private final double[] normWeight;
    private final ReferenceMamba2Mixer mixer;
    private final ReferenceScanSwitch scanSwitch;
    private final ReferenceLifecycle lifecycle;

    ReferenceMambaBlock(int index, MdmConfig config, double[] normWeight, ReferenceMamba2Mixer mixer,
                        ReferenceScanSwitch scanSwitch, ReferenceLifecycle lifecycle) {
        this.index = index;
        this.config = config;
        this.normWeight = normWeight;
        this.mixer = mixer;
        this.scanSwitch = scanSwitch;
        this.lifecycle = lifecycle;
    }

    @Override
    public int index() {
        return index;
    }

    @Override
    public Tensor forward(Tensor x) {
        lifecycle.requireOpen();
        x.requireShape("x", -1, config.sequenceLength(), config.dModel()).requireFinite("x");
        return Tensor.of(forward(x.toDoubleArray(), x.dim(0)), x.shape());
    }

    @Override
    public Tensor mixer(Tensor u) {
        lifecycle.requireOpen();
        return mixer.forward(u);
    }

    /** @return the block output [b, L, d] for x [b, L, d] */
    double[] forward(double[] x, int b) {
        int len = config.sequenceLength();
        int d = config.dModel();
        double[] normed = ReferenceRmsNorm.apply(x, b * len, d, normWeight, d);
        double[] permuted = scanSwitch.apply(index, normed, b, d, true);
        double[] mixed = mixer.forward(permuted, b, len);
        double[] back = scanSwitch.apply(index, mixed, b, d, false);
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] + back[i];
        }
        return out;
    }
}

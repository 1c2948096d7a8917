package dev.mdm.model;

import dev.mdm.Discretization;
import dev.mdm.MdmConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Sizes of one Mamba-2 mixer (SPEC §6).
 *
 * @param dModel input and output width d
 * @param dState N
 * @param dConv causal conv width
 * @param expand d_inner = expand·d
 * @param headDim P
 * @param nGroups G
 * @param chunkSize SSD chunk length (speed only)
 * @param discretization ZOH or EULER
 */
public record MambaShape(int dModel, int dState, int dConv, int expand, int headDim, int nGroups, int chunkSize,
                         Discretization discretization) {
    /** Validates divisibility, reporting every violation. */
    public MambaShape {
        List<String> v = new ArrayList<>();
        if (dModel <= 0 || dState <= 0 || dConv <= 0 || expand <= 0 || headDim <= 0 || nGroups <= 0 || chunkSize <= 0) {
            v.add("all sizes must be > 0, got dModel=" + dModel + " dState=" + dState + " dConv=" + dConv + " expand="
                    + expand + " headDim=" + headDim + " nGroups=" + nGroups + " chunkSize=" + chunkSize);
        } else {
            if ((expand * dModel) % headDim != 0) {
                v.add("expand·dModel (" + expand * dModel + ") must be a multiple of headDim (" + headDim + ")");
            } else if ((expand * dModel / headDim) % nGroups != 0) {
                v.add("heads (" + expand * dModel / headDim + ") must be a multiple of nGroups (" + nGroups + ")");
            }
        }
        if (discretization == null) {
            v.add("discretization must not be null");
        }
        if (!v.isEmpty()) {
            throw new dev.mdm.ConfigurationException("MambaShape", v);
        }
    }

    /**
     * @param config a model configuration
     * @return the shape of its blocks' mixers
     */
    public static MambaShape of(MdmConfig config) {
        return new MambaShape(config.dModel(), config.dState(), config.dConv(), config.expand(), config.headDim(),
                config.nGroups(), config.chunkSize(), config.discretization());
    }

    /** @return d_inner */
    public int dInner() {
        return expand * dModel;
    }

    /** @return number of heads H */
    public int heads() {
        return dInner() / headDim;
    }

    /** @return conv channels d_inner + 2·G·N */
    public int convChannels() {
        return dInner() + 2 * nGroups * dState;
    }

    /** @return in_proj rows 2·d_inner + 2·G·N + H */
    public int inProjRows() {
        return 2 * dInner() + 2 * nGroups * dState + heads();
    }

    /**
     * @return expected mixer parameter shapes under mamba_ssm names, in checkpoint order
     */
    public java.util.LinkedHashMap<String, int[]> parameterShapes() {
        var m = new java.util.LinkedHashMap<String, int[]>();
        m.put("in_proj.weight", new int[] {inProjRows(), dModel});
        m.put("conv1d.weight", new int[] {convChannels(), 1, dConv});
        m.put("conv1d.bias", new int[] {convChannels()});
        m.put("dt_bias", new int[] {heads()});
        m.put("A_log", new int[] {heads()});
        m.put("D", new int[] {heads()});
        m.put("norm.weight", new int[] {dInner()});
        m.put("out_proj.weight", new int[] {dModel, dInner()});
        return m;
    }
}

package dev.mdm.model;

import dev.mdm.MdmConfig;
import java.util.LinkedHashMap;
import java.util.Map;

/** The names and shapes of every parameter of a model (SPEC §12), in checkpoint order. */
public final class ParameterLayout {
    /** Width of the sinusoidal time embedding (DiT). */
    public static final int TIME_FREQUENCIES = 256;

    private ParameterLayout() {
    }

    /**
     * @param c model sizes
     * @return name to shape, ordered
     */
    public static Map<String, int[]> of(MdmConfig c) {
        var m = new LinkedHashMap<String, int[]>();
        int hdn = c.vaeHidden();
        int dz = c.latentDim();
        int pd = c.patchDim();
        int d = c.dModel();
        m.put("vae.img_enc1.weight", new int[] {hdn, pd});
        m.put("vae.img_enc1.bias", new int[] {hdn});
        m.put("vae.img_enc2.weight", new int[] {2 * dz, hdn});
        m.put("vae.img_enc2.bias", new int[] {2 * dz});
        m.put("vae.text_embed", new int[] {c.vocabSize(), hdn});
        m.put("vae.txt_enc1.weight", new int[] {hdn, hdn});
        m.put("vae.txt_enc1.bias", new int[] {hdn});
        m.put("vae.txt_enc2.weight", new int[] {2 * dz, hdn});
        m.put("vae.txt_enc2.bias", new int[] {2 * dz});
        m.put("vae.img_dec1.weight", new int[] {hdn, dz});
        m.put("vae.img_dec1.bias", new int[] {hdn});
        m.put("vae.img_dec2.weight", new int[] {pd, hdn});
        m.put("vae.img_dec2.bias", new int[] {pd});
        m.put("vae.txt_dec1.weight", new int[] {hdn, dz});
        m.put("vae.txt_dec1.bias", new int[] {hdn});
        m.put("vae.txt_dec2.weight", new int[] {c.vocabSize(), hdn});
        m.put("vae.txt_dec2.bias", new int[] {c.vocabSize()});
        m.put("latent_in.weight", new int[] {d, dz});
        m.put("latent_out.weight", new int[] {dz, d});
        m.put("time_mlp.0.weight", new int[] {d, TIME_FREQUENCIES});
        m.put("time_mlp.0.bias", new int[] {d});
        m.put("time_mlp.2.weight", new int[] {d, d});
        m.put("time_mlp.2.bias", new int[] {d});
        m.put("class_embed", new int[] {c.classes() + 1, d});
        m.put("boi", new int[] {d});
        m.put("bot", new int[] {d});
        m.put("pos", new int[] {c.sequenceLength(), d});
        m.put("modality", new int[] {3, d});
        MambaShape shape = MambaShape.of(c);
        for (int i = 0; i < c.blocks(); i++) {
            m.put("blocks." + i + ".norm.weight", new int[] {d});
            for (var e : shape.parameterShapes().entrySet()) {
                m.put("blocks." + i + ".mixer." + e.getKey(), e.getValue());
            }
        }
        m.put("norm_f.weight", new int[] {d});
        return m;
    }
}

package dev.mdm.model;

import dev.mdm.MdmConfig;
import dev.mdm.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * Draws the initial weights of a model, identically on every backend for one seed (the draw happens here, in Java,
 * not in a backend). Linear layers and conv1d use PyTorch's default U(±1/√fan_in); embeddings, {@code pos},
 * {@code modality}, {@code boi}, {@code bot} and {@code class_embed} N(0, 0.02²); RMSNorm weights 1; the Mamba
 * parameters follow mamba_ssm (SPEC §6): A_log = log U(1, 16), dt_bias = softplus⁻¹(Δ_init), D = 1, out_proj
 * scaled by 1/√(2M).
 */
public final class ParameterInitializer {
    private static final String ALGORITHM = "L64X128MixRandom";

    private ParameterInitializer() {
    }

    /**
     * @param config model sizes
     * @param seed random seed
     * @return F32 parameters in the layout of {@link ParameterLayout#of(MdmConfig)}
     */
    public static Parameters initialize(MdmConfig config, long seed) {
        RandomGenerator rng = RandomGeneratorFactory.of(ALGORITHM).create(seed);
        Map<String, int[]> layout = ParameterLayout.of(config);
        var out = new LinkedHashMap<String, Tensor>();
        for (var e : layout.entrySet()) {
            String name = e.getKey();
            int[] s = e.getValue();
            int n = Math.toIntExact(Tensor.elementCount(s));
            float[] v = new float[n];
            if (name.endsWith("norm.weight") || name.equals("norm_f.weight")) {
                java.util.Arrays.fill(v, 1f);
            } else if (name.endsWith("mixer.A_log")) {
                for (int i = 0; i < n; i++) {
                    v[i] = (float) Math.log(1 + 15 * rng.nextDouble());
                }
            } else if (name.endsWith("mixer.D")) {
                java.util.Arrays.fill(v, 1f);
            } else if (name.endsWith("mixer.dt_bias")) {
                for (int i = 0; i < n; i++) {
                    double dt = Math.exp(Math.log(1e-3) + rng.nextDouble() * (Math.log(0.1) - Math.log(1e-3)));
                    dt = Math.max(dt, 1e-4);
                    v[i] = (float) (dt + Math.log(-Math.expm1(-dt)));
                }
            } else if (name.equals("pos") || name.equals("modality") || name.equals("boi") || name.equals("bot")
                    || name.equals("class_embed") || name.equals("vae.text_embed")) {
                for (int i = 0; i < n; i++) {
                    v[i] = (float) (0.02 * rng.nextGaussian());
                }
            } else {
                int fanIn = name.endsWith(".bias") ? biasFanIn(layout, name) : fanIn(s);
                double bound = 1 / Math.sqrt(fanIn);
                if (name.endsWith("mixer.out_proj.weight")) {
                    bound /= Math.sqrt(2.0 * config.blocks());
                }
                for (int i = 0; i < n; i++) {
                    v[i] = (float) (bound * (2 * rng.nextDouble() - 1));
                }
            }
            out.put(name, Tensor.ofFloats(v, s));
        }
        return Parameters.of(out);
    }

    private static int fanIn(int[] s) {
        int f = 1;
        for (int i = 1; i < s.length; i++) {
            f *= s[i];
        }
        return f;
    }

    private static int biasFanIn(Map<String, int[]> layout, String biasName) {
        String w = biasName.substring(0, biasName.length() - "bias".length()) + "weight";
        int[] ws = layout.get(w);
        return ws == null ? 1 : fanIn(ws);
    }
}

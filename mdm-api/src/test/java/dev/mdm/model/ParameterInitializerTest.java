package dev.mdm.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mdm.InvalidInputException;
import dev.mdm.MdmConfig;
import dev.mdm.tensor.DType;
import dev.mdm.tensor.Tensor;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("ParameterLayout and ParameterInitializer")
class ParameterInitializerTest {
    private final MdmConfig tiny = MdmConfig.tiny();

    @Test
    @DisplayName("the layout has SPEC §12's names and shapes, blocks under mamba_ssm's names")
    void layout() {
        Map<String, int[]> l = ParameterLayout.of(tiny);
        assertThat(l).hasSize(28 + 9 * tiny.blocks() + 1);
        assertThat(l.get("vae.img_enc1.weight")).containsExactly(16, 4);
        assertThat(l.get("vae.text_embed")).containsExactly(64, 16);
        assertThat(l.get("time_mlp.0.weight")).containsExactly(32, 256);
        assertThat(l.get("class_embed")).containsExactly(5, 32);
        assertThat(l.get("pos")).containsExactly(28, 32);
        assertThat(l.get("blocks.1.mixer.in_proj.weight")).containsExactly(152, 32);
        assertThat(l.get("blocks.1.mixer.conv1d.weight")).containsExactly(80, 1, 4);
        assertThat(l.get("blocks.0.mixer.A_log")).containsExactly(8);
        assertThat(l.get("blocks.0.mixer.out_proj.weight")).containsExactly(32, 64);
        assertThat(l.keySet()).startsWith("vae.img_enc1.weight").endsWith("norm_f.weight");
    }

    @Test
    @DisplayName("initial weights are F32, match the layout and are identical for one seed")
    void deterministic() {
        Parameters a = ParameterInitializer.initialize(tiny, 7);
        Parameters b = ParameterInitializer.initialize(tiny, 7);
        Parameters c = ParameterInitializer.initialize(tiny, 8);
        assertThat(a.requireLayout(tiny)).isSameAs(a);
        assertThat(a.names()).containsExactlyElementsOf(ParameterLayout.of(tiny).keySet());
        a.asMap().forEach((name, t) -> {
            assertThat(t.dtype()).as(name).isEqualTo(DType.F32);
            assertThat(t.contentEquals(b.get(name))).as(name).isTrue();
        });
        assertThat(a.get("pos").contentEquals(c.get("pos"))).isFalse();
        assertThat(a.get("blocks.0.mixer.in_proj.weight").contentEquals(c.get("blocks.0.mixer.in_proj.weight"))).isFalse();
    }

    @Test
    @DisplayName("A_log = log U(1, 16), softplus(dt_bias) in [1e-3, 0.1], D = 1, norms = 1")
    void mambaRanges() {
        Parameters p = ParameterInitializer.initialize(MdmConfig.fashion(), 3);
        for (int i = 0; i < 8; i++) {
            String m = "blocks." + i + ".mixer.";
            double[] aLog = p.get(m + "A_log").toDoubleArray();
            assertThat(Arrays.stream(aLog).boxed()).allSatisfy(v -> assertThat(v).isBetween(0.0, Math.log(16) + 1e-6));
            assertThat(Arrays.stream(aLog).max().orElseThrow() - Arrays.stream(aLog).min().orElseThrow()).as("spread").isGreaterThan(0.5);
            assertThat(Arrays.stream(p.get(m + "dt_bias").toDoubleArray()).boxed()).allSatisfy(v -> assertThat(Math.log1p(Math.exp(v)))
                    .isBetween(1e-3 * (1 - 1e-5), 0.1 * (1 + 1e-5)));
            assertThat(p.get(m + "D").toDoubleArray()).containsOnly(1.0);
            assertThat(p.get(m + "norm.weight").toDoubleArray()).containsOnly(1.0);
            assertThat(p.get("blocks." + i + ".norm.weight").toDoubleArray()).containsOnly(1.0);
        }
        assertThat(p.get("norm_f.weight").toDoubleArray()).containsOnly(1.0);
    }

    @Test
    @DisplayName("linear layers are U(±1/√fan_in), out_proj scaled by 1/√(2M), embeddings N(0, 0.02²)")
    void linearAndEmbeddingScales() {
        MdmConfig c = MdmConfig.fashion();
        Parameters p = ParameterInitializer.initialize(c, 11);
        double bound = 1 / Math.sqrt(256);
        assertThat(maxAbs(p.get("time_mlp.0.weight"))).isLessThanOrEqualTo(bound / Math.sqrt(1)).isGreaterThan(0.95 * bound / Math.sqrt(1));
        assertThat(maxAbs(p.get("time_mlp.0.bias"))).isLessThanOrEqualTo(1 / Math.sqrt(256.0));
        double outBound = 1 / Math.sqrt(512) / Math.sqrt(2.0 * c.blocks());
        assertThat(maxAbs(p.get("blocks.0.mixer.out_proj.weight"))).isLessThanOrEqualTo(outBound).isGreaterThan(0.95 * outBound);
        assertThat(maxAbs(p.get("blocks.0.mixer.conv1d.weight"))).isLessThanOrEqualTo(0.5).isGreaterThan(0.45);
        double[] pos = p.get("pos").toDoubleArray();
        double mean = Arrays.stream(pos).average().orElseThrow();
        double sd = Math.sqrt(Arrays.stream(pos).map(v -> (v - mean) * (v - mean)).sum() / pos.length);
        assertThat(mean).isCloseTo(0, org.assertj.core.data.Offset.offset(0.002));
        assertThat(sd).isCloseTo(0.02, org.assertj.core.data.Offset.offset(0.001));
    }

    @Test
    @DisplayName("a layout check lists every missing, unexpected and misshaped parameter")
    void requireLayout() {
        Parameters p = ParameterInitializer.initialize(tiny, 0);
        Parameters broken = Parameters.of(Map.of("boi", Tensor.zeros(31), "bogus", Tensor.zeros(1),
                "bot", Tensor.ofInts(new int[32], 32)));
        assertThatThrownBy(() -> broken.requireLayout(tiny)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("'boi' has shape [31], expected [32]")
                .hasMessageContaining("'bot' has dtype I32")
                .hasMessageContaining("1 unexpected: 'bogus'")
                .hasMessageContaining((ParameterLayout.of(tiny).size() - 2) + " missing: 'vae.img_enc1.weight' [16, 4], ");
        assertThat(p.requireLayout(tiny)).isSameAs(p);
    }

    private static double maxAbs(Tensor t) {
        return Arrays.stream(t.toDoubleArray()).map(Math::abs).max().orElseThrow();
    }
}

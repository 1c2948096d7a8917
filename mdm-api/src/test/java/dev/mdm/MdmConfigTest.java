package dev.mdm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("MdmConfig")
class MdmConfigTest {
    @Nested
    @DisplayName("presets carry the values of SPEC §1")
    class Presets {
        @Test
        @DisplayName("tiny: 1×8×8, p 2, V 64, Lt 8, dz 4, hidden 16, d 32, 2 blocks, N 8, P 8, chunk 8, 4 classes")
        void tiny() {
            MdmConfig c = MdmConfig.tiny();
            assertThat(new int[] {c.imageChannels(), c.imageHeight(), c.imageWidth(), c.patch(), c.vocabSize(), c.textLength(),
                    c.latentDim(), c.vaeHidden(), c.dModel(), c.blocks(), c.dState(), c.dConv(), c.expand(), c.headDim(),
                    c.nGroups(), c.chunkSize(), c.imageScans(), c.textScans(), c.classes()})
                    .containsExactly(1, 8, 8, 2, 64, 8, 4, 16, 32, 2, 8, 4, 2, 8, 1, 8, 4, 2, 4);
            assertShared(c);
            // derived: d_inner 64, H 8, grid 4×4, 16 image tokens, L = 4 + 16 + 8
            assertThat(new int[] {c.dInner(), c.heads(), c.gridHeight(), c.gridWidth(), c.imageTokens(), c.patchDim(),
                    c.latentTokens(), c.sequenceLength(), c.textOffset(), c.inProjRows(), c.convChannels()})
                    .containsExactly(64, 8, 4, 4, 16, 4, 24, 28, 20, 2 * 64 + 2 * 8 + 8, 64 + 2 * 8);
        }

        @Test
        @DisplayName("fashion: 1×28×28, V 512, Lt 12, dz 8, hidden 128, d 256, 8 blocks, N 64, P 32, chunk 64, 10 classes")
        void fashion() {
            MdmConfig c = MdmConfig.fashion();
            assertThat(new int[] {c.imageChannels(), c.imageHeight(), c.imageWidth(), c.patch(), c.vocabSize(), c.textLength(),
                    c.latentDim(), c.vaeHidden(), c.dModel(), c.blocks(), c.dState(), c.dConv(), c.expand(), c.headDim(),
                    c.nGroups(), c.chunkSize(), c.imageScans(), c.textScans(), c.classes()})
                    .containsExactly(1, 28, 28, 2, 512, 12, 8, 128, 256, 8, 64, 4, 2, 32, 1, 64, 4, 2, 10);
            assertShared(c);
            assertThat(new int[] {c.dInner(), c.heads(), c.gridHeight(), c.imageTokens(), c.sequenceLength(), c.inProjRows()})
                    .containsExactly(512, 16, 14, 196, 4 + 196 + 12, 2 * 512 + 2 * 64 + 16);
        }

        @Test
        @DisplayName("paper: 4×32×32, V 32000, Lt 64, dz 16, hidden 1024, d 2048, 49 blocks, N 128, P 64, chunk 256, 1000 classes")
        void paper() {
            MdmConfig c = MdmConfig.paper();
            assertThat(new int[] {c.imageChannels(), c.imageHeight(), c.imageWidth(), c.patch(), c.vocabSize(), c.textLength(),
                    c.latentDim(), c.vaeHidden(), c.dModel(), c.blocks(), c.dState(), c.dConv(), c.expand(), c.headDim(),
                    c.nGroups(), c.chunkSize(), c.imageScans(), c.textScans(), c.classes()})
                    .containsExactly(4, 32, 32, 2, 32000, 64, 16, 1024, 2048, 49, 128, 4, 2, 64, 1, 256, 4, 2, 1000);
            assertShared(c);
            assertThat(new int[] {c.dInner(), c.heads(), c.imageTokens(), c.patchDim(), c.sequenceLength(), c.convChannels()})
                    .containsExactly(4096, 64, 256, 16, 4 + 256 + 64, 4096 + 256);
        }

        private void assertShared(MdmConfig c) {
            assertThat(c.discretization()).isEqualTo(Discretization.ZOH);
            assertThat(c.timesteps()).isEqualTo(1000);
            assertThat(c.betaStart()).isEqualTo(1e-4);
            assertThat(c.betaEnd()).isEqualTo(0.02);
            assertThat(c.klWeight()).isEqualTo(1e-3);
            assertThat(c.seWeight()).isEqualTo(0.1);
            assertThat(c.seCandidates()).isEqualTo(4);
        }

        @ParameterizedTest
        @ValueSource(strings = {"tiny", "fashion", "paper"})
        @DisplayName("are found by name")
        void byName(String name) {
            assertThat(MdmConfig.preset(name)).isEqualTo(switch (name) {
                case "tiny" -> MdmConfig.tiny();
                case "fashion" -> MdmConfig.fashion();
                default -> MdmConfig.paper();
            });
        }

        @Test
        @DisplayName("an unknown preset name lists the known ones")
        void unknownPreset() {
            assertThatThrownBy(() -> MdmConfig.preset("huge")).isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("'preset'").hasMessageContaining("tiny, fashion, paper").hasMessageContaining("'huge'");
        }
    }

    @Nested
    @DisplayName("validation")
    class Validation {
        @Test
        @DisplayName("lists every violation at once, naming each field and echoing its value")
        void everyViolation() {
            var b = MdmConfig.builder().image(0, 9, 8).patch(2).dModel(30).headDim(8).imageScans(3).textScans(0)
                    .betas(0.5, 0.1).klWeight(-1).seWeight(Double.POSITIVE_INFINITY).blocks(-2).seCandidates(0);
            assertThatThrownBy(b::build).isInstanceOfSatisfying(ConfigurationException.class, e -> {
                assertThat(e.violations()).containsExactlyInAnyOrder(
                        "imageChannels must be > 0, got 0",
                        "blocks must be > 0, got -2",
                        "seCandidates must be > 0, got 0",
                        "imageHeight (9) must be a multiple of patch (2)",
                        "expand·dModel (60) must be a multiple of headDim (8)",
                        "imageScans must be 1, 2 or 4, got 3",
                        "textScans must be 1 or 2, got 0",
                        "betaStart (0.5) must not exceed betaEnd (0.1)",
                        "klWeight must be a finite number >= 0, got -1.0",
                        "seWeight must be a finite number >= 0, got Infinity");
                assertThat(e).hasMessageStartingWith("MdmConfig is invalid (10 problems)");
            });
        }

        @Test
        @DisplayName("rejects heads that nGroups does not divide, and betas outside (0, 1)")
        void groupsAndBetas() {
            var b = MdmConfig.builder().nGroups(3).betas(0, 1.5);
            assertThatThrownBy(b::build).isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.violations())
                    .containsExactlyInAnyOrder("heads (8) must be a multiple of nGroups (3)",
                            "betaStart must be in (0, 1), got 0.0", "betaEnd must be in (0, 1), got 1.5"));
        }

        @Test
        @DisplayName("toBuilder keeps every value, so a variant changes only what it sets")
        void toBuilder() {
            MdmConfig c = MdmConfig.fashion().toBuilder().blocks(3).build();
            assertThat(c.blocks()).isEqualTo(3);
            assertThat(c.toBuilder().blocks(8).build()).isEqualTo(MdmConfig.fashion());
        }
    }

    @Nested
    @DisplayName("JSON")
    class Json {
        @ParameterizedTest
        @ValueSource(strings = {"tiny", "fashion", "paper"})
        @DisplayName("round trips every field")
        void roundTrip(String name) {
            MdmConfig c = MdmConfig.preset(name).toBuilder().discretization(Discretization.EULER).betas(2e-4, 0.03)
                    .klWeight(0.5).seWeight(0).nGroups(2).build();
            MdmConfig back = MdmConfig.fromJson(c.toJson());
            assertThat(back).isEqualTo(c);
            assertThat(back.discretization()).isEqualTo(Discretization.EULER);
            assertThat(back.betaStart()).isEqualTo(2e-4);
            assertThat(back.nGroups()).isEqualTo(2);
        }

        @Test
        @DisplayName("absent fields keep the tiny values")
        void absentFields() {
            assertThat(MdmConfig.fromJson("{\"blocks\": 5}")).isEqualTo(MdmConfig.tiny().toBuilder().blocks(5).build());
        }

        @Test
        @DisplayName("text that is not JSON, or not an object, is a ConfigurationException")
        void notJson() {
            assertThatThrownBy(() -> MdmConfig.fromJson("{blocks: ")).isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("not valid JSON");
            assertThatThrownBy(() -> MdmConfig.fromJson("[1]")).isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("expected a JSON object, got ARRAY");
        }

        @Test
        @DisplayName("unknown fields, wrong types and invalid values are all reported together")
        void badFields() {
            String json = "{\"blocks\": \"two\", \"dModel\": 1.5, \"color\": 3, \"discretization\": \"RK4\", \"betaEnd\": \"x\"}";
            assertThatThrownBy(() -> MdmConfig.fromJson(json)).isInstanceOfSatisfying(ConfigurationException.class,
                    e -> assertThat(e.violations()).containsExactlyInAnyOrder(
                            "blocks: expected an integer, got \"two\"",
                            "dModel: expected an integer, got 1.5",
                            "color: unknown field",
                            "discretization: expected \"ZOH\" or \"EULER\", got \"RK4\"",
                            "betaEnd: expected a number, got \"x\""));
            assertThatThrownBy(() -> MdmConfig.fromJson("{\"blocks\": 0, \"patch\": 3}")).isInstanceOfSatisfying(
                    ConfigurationException.class, e -> assertThat(e.violations()).contains("blocks must be > 0, got 0",
                            "imageHeight (8) must be a multiple of patch (3)"));
        }
    }
}

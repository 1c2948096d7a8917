package dev.mdm.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mdm.CheckpointException;
import dev.mdm.ConfigurationException;
import dev.mdm.InvalidInputException;
import dev.mdm.MDM;
import dev.mdm.MdmConfig;
import dev.mdm.model.ParameterInitializer;
import dev.mdm.model.Parameters;
import dev.mdm.tensor.DType;
import dev.mdm.tensor.Tensor;
import dev.mdm.testing.CommittedModel;
import dev.mdm.text.TokenizerException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Checkpoint")
class CheckpointTest {
    @TempDir
    Path dir;

    private final MdmConfig config = MdmConfig.tiny();
    private final Parameters params = ParameterInitializer.initialize(config, 1);

    @Test
    @DisplayName("round trips parameters, config, optimizer state, tokenizer and provenance")
    void roundTrip() {
        Parameters state = Parameters.of(Map.of("adam.m.boi", Tensor.zeros(32).to(DType.F32),
                "ema.boi", params.get("boi"), "adam.step", Tensor.ofLongs(new long[] {12})));
        byte[] tokenizer = "a sentencepiece model".getBytes(StandardCharsets.UTF_8);
        Path f = dir.resolve("m.safetensors");
        Instant before = Instant.now();
        Checkpoint.of(config, params).withOptimizerState(state).withTokenizerModel(tokenizer).withBackend("test 1.0").save(f);

        Checkpoint c = Checkpoint.load(f);

        assertThat(c.config()).isEqualTo(config);
        assertThat(c.parameters().names()).containsExactlyElementsOf(params.names());
        params.asMap().forEach((n, t) -> assertThat(c.parameters().get(n).contentEquals(t)).as(n).isTrue());
        assertThat(c.optimizerState().names()).containsExactlyInAnyOrder("adam.m.boi", "ema.boi", "adam.step");
        assertThat(c.optimizerState().get("adam.step").toLongArray()).containsExactly(12);
        assertThat(c.tokenizerModel()).hasValueSatisfying(b -> assertThat(b).isEqualTo(tokenizer));
        assertThat(c.backend()).hasValue("test 1.0");
        assertThat(c.created()).hasValueSatisfying(t -> assertThat(t).isBetween(before.minus(Duration.ofSeconds(1)), Instant.now()));
        assertThat(c.source()).hasValue(f);
        Map<String, String> meta = Safetensors.read(f).metadata();
        assertThat(meta).containsEntry(Checkpoint.FORMAT_KEY, "1").containsEntry(Checkpoint.CONFIG_KEY, config.toJson())
                .containsKey(Safetensors.SHA256_KEY).doesNotContainKey(Checkpoint.TRAINING_KEY);
        assertThat(c.trainingSettings()).as("none recorded").isEmpty();
    }

    @Test
    @DisplayName("round trips the training settings in their order, and refuses a null or blank name or a null value, naming the argument")
    void trainingSettings() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("--task-mix", "caption=12,vqa=2");
        settings.put("--lr", "1.25E-5");
        settings.put("note", "quotes \" and ünïcode");
        Path f = dir.resolve("trained.safetensors");
        Checkpoint.of(config, params).withTrainingSettings(settings).withBackend("test 1.0").save(f);

        Checkpoint c = Checkpoint.load(f);
        assertThat(c.trainingSettings()).containsExactlyEntriesOf(settings);
        assertThat(Safetensors.read(f).metadata().get(Checkpoint.TRAINING_KEY)).startsWith("{\"--task-mix\"");
        assertThatThrownBy(() -> c.trainingSettings().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);

        Map<String, String> nullValue = new LinkedHashMap<>();
        nullValue.put("--lr", null);
        Checkpoint plain = Checkpoint.of(config, params);
        assertThatThrownBy(() -> plain.withTrainingSettings(nullValue)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("settings").hasMessageContaining("'--lr' → null");
        assertThatThrownBy(() -> plain.withTrainingSettings(Map.of(" ", "1"))).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("non-blank names");
        assertThatThrownBy(() -> plain.withTrainingSettings(null)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("settings");
    }

    @Test
    @DisplayName("only the layout of the config is accepted as parameters, and only adam.*/ema.* as optimizer state")
    void validation() {
        assertThatThrownBy(() -> Checkpoint.of(config.toBuilder().blocks(3).build(), params))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("missing: 'blocks.2.norm.weight'");
        assertThatThrownBy(() -> Checkpoint.of(config, params).withOptimizerState(Parameters.of(Map.of("sgd.x", Tensor.scalar(1)))))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("'sgd.x'");
    }

    @Nested
    @DisplayName("loading rejects")
    class Rejects {
        private Path write(Map<String, Tensor> tensors, Map<String, String> meta) {
            Path f = dir.resolve("bad.safetensors");
            Safetensors.write(f, tensors, meta);
            return f;
        }

        private Map<String, String> meta() {
            return new LinkedHashMap<>(Map.of(Checkpoint.FORMAT_KEY, "1", Checkpoint.CONFIG_KEY, config.toJson()));
        }

        @Test
        @DisplayName("a plain safetensors file, saying how to read it instead")
        void plainFile() {
            Path f = write(Map.of("x", Tensor.scalar(1)), Map.of());
            assertThatThrownBy(() -> Checkpoint.load(f)).isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("not an MDM checkpoint").hasMessageContaining("Safetensors.read");
        }

        @Test
        @DisplayName("a format version from the future")
        void futureFormat() {
            var m = meta();
            m.put(Checkpoint.FORMAT_KEY, "7");
            Path f = write(params.asMap(), m);
            assertThatThrownBy(() -> Checkpoint.load(f)).hasMessageContaining("mdm.format is '7' but this version of MDM reads 1");
        }

        @Test
        @DisplayName("a config that is not valid, with the config's own violations")
        void badConfig() {
            var m = meta();
            m.put(Checkpoint.CONFIG_KEY, "{\"blocks\": -1}");
            Path f = write(params.asMap(), m);
            assertThatThrownBy(() -> Checkpoint.load(f)).isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("mdm.config is invalid").hasMessageContaining("blocks must be > 0, got -1")
                    .hasCauseInstanceOf(ConfigurationException.class);
        }

        @Test
        @DisplayName("parameters that do not match the config")
        void missingParameter() {
            Map<String, Tensor> t = new LinkedHashMap<>(params.asMap());
            t.remove("norm_f.weight");
            t.put("pos", Tensor.zeros(3, 3));
            Path f = write(t, meta());
            assertThatThrownBy(() -> Checkpoint.load(f)).isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("the parameters do not match mdm.config")
                    .hasMessageContaining("'pos' has shape [3, 3], expected [28, 32]")
                    .hasMessageContaining("1 missing: 'norm_f.weight' [32]");
        }

        @Test
        @DisplayName("a tokenizer that is not a U8 vector, a created time that is not an instant, and training settings that are not strings")
        void badExtras() {
            Map<String, Tensor> t = new LinkedHashMap<>(params.asMap());
            t.put(Checkpoint.TOKENIZER_TENSOR, Tensor.zeros(2));
            Path f = write(t, meta());
            assertThatThrownBy(() -> Checkpoint.load(f)).hasMessageContaining("tokenizer.model must be a U8 vector");
            var m = meta();
            m.put(Checkpoint.CREATED_KEY, "yesterday");
            Path g = write(params.asMap(), m);
            assertThatThrownBy(() -> Checkpoint.load(g)).hasMessageContaining("mdm.created is not an ISO-8601 instant: 'yesterday'");
            var n = meta();
            n.put(Checkpoint.TRAINING_KEY, "{\"--lr\": 1e-4, \"--task-mix\": {\"caption\": 12}}");
            Path h = write(params.asMap(), n);
            assertThatThrownBy(() -> Checkpoint.load(h)).isInstanceOf(dev.mdm.CheckpointException.class)
                    .hasMessageContaining(h.toString()).hasMessageContaining("mdm.training is not a JSON object of strings");
        }
    }

    @Nested
    @DisplayName("through MDM")
    class ThroughMdm {
        @Test
        @DisplayName("mdm.save then MDM.load gives the same config and weights, and records the backend")
        void saveLoad() {
            Path f = dir.resolve("model.safetensors");
            MdmConfig cfg = config.toBuilder().blocks(1).build();
            try (MDM mdm = MDM.builder().backend("fake").config(cfg).seed(9).build()) {
                mdm.save(f);
                try (MDM back = MDM.load(f)) {
                    assertThat(back.config()).isEqualTo(cfg);
                    mdm.parameters().asMap().forEach((n, t) -> assertThat(back.parameters().get(n).contentEquals(t)).as(n).isTrue());
                }
            }
            assertThat(Checkpoint.load(f).backend()).hasValue("fake 0.0-test (cpu, FP32)");
        }

        @Test
        @DisplayName("a tokenizer model in the loaded checkpoint is saved again")
        void keepsTokenizer() throws IOException {
            byte[] tokenizer = Files.readAllBytes(CommittedModel.MODEL);
            MdmConfig cfg = config.toBuilder().vocabSize(256).build();  // the committed tokenizer has 213 pieces
            Path f = dir.resolve("a.safetensors");
            Checkpoint.of(cfg, ParameterInitializer.initialize(cfg, 1)).withTokenizerModel(tokenizer).save(f);
            Path g = dir.resolve("b.safetensors");
            try (MDM mdm = MDM.load(f)) {
                mdm.save(g);
            }
            assertThat(Checkpoint.load(g).tokenizerModel()).hasValueSatisfying(b -> assertThat(b).isEqualTo(tokenizer));
        }

        @Test
        @DisplayName("a checkpoint whose tokenizer model is not a SentencePiece model does not load, and says which file")
        void corruptTokenizer() {
            Path f = dir.resolve("a.safetensors");
            Checkpoint.of(config, params).withTokenizerModel(new byte[] {1, 2, 3}).save(f);
            assertThatThrownBy(() -> MDM.load(f)).isInstanceOf(TokenizerException.class)
                    .hasMessageContaining("tokenizer.model of " + f).hasMessageContaining("not a SentencePiece model");
        }

        @Test
        @DisplayName("builder.checkpoint conflicts with explicit parameters and with a different config, reported together")
        void conflicts() {
            Path f = dir.resolve("c.safetensors");
            Checkpoint.of(config, params).save(f);
            var b = MDM.builder().backend("fake").checkpoint(f).parameters(params).config(config.toBuilder().blocks(3).build());
            assertThatThrownBy(b::build).isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.violations())
                    .containsExactly("parameters were set and checkpoint(" + f + ") also supplies them; set only one",
                            "config differs from that of checkpoint(" + f + ") in blocks (given 3, file 2); drop config(...) to use the file's"));
            try (MDM same = MDM.builder().backend("fake").checkpoint(f).config(config).build()) {
                assertThat(same.parameters().get("pos").contentEquals(params.get("pos"))).isTrue();
            }
            assertThatThrownBy(() -> MDM.builder().checkpoint(f).checkpoint(f)).isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("checkpoint was already set to Checkpoint{" + f);
        }

        @Test
        @DisplayName("builder.checkpoint reads the file at once, so a bad file fails at the setter")
        void badFileAtSetter() {
            Path f = dir.resolve("missing.safetensors");
            assertThatThrownBy(() -> MDM.builder().checkpoint(f)).isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("no such file");
        }
    }
}

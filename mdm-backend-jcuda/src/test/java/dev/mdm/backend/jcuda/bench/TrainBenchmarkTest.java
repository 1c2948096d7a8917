package dev.mdm.backend.jcuda.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mdm.InvalidInputException;
import dev.mdm.MdmConfig;
import dev.mdm.model.TrainingBatch;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The training benchmark's FLOP count and command line (CPU only; the timing itself needs the GPU). */
@DisplayName("TrainBenchmark")
class TrainBenchmarkTest {

    @Test
    @DisplayName("counts the GEMM FLOPs of a tiny-preset step at batch 2 as a hand count of every product")
    void countsTinyPresetByHand() {
        // tiny: 16 image tokens (patch dim 4), 8 text tokens, 24 latent tokens, L = 28, dz 4, VAE hidden 16,
        // vocab 64, d 32, 2 blocks, in_proj rows 2·64 + 2·8 + 8 = 152, d_inner 64, dState 8. Batch 2:
        // 32 image rows, 16 text rows, 48 latent rows, 56 sequence rows. Forward 2·rows·in·out per product:
        double encoders = 2 * 32 * 4 * 16 + 2 * 32 * 16 * 8 + 2 * 16 * 16 * 16 + 2 * 16 * 16 * 8; // 24 576
        double decoders = 2 * (2 * 32 * 4 * 16 + 2 * 32 * 16 * 4 + 2 * 16 * 4 * 16 + 2 * 16 * 16 * 64); // 172 032
        double denoiserEnds = 2 * 2 * 256 * 32 + 2 * 2 * 32 * 32 + 2 * 48 * 4 * 32 + 2 * 48 * 32 * 4; // 61 440
        double inProj = 2 * 56 * 32 * 152; // 544 768 per block
        double outProj = 2 * 56 * 64 * 32; // 229 376 per block
        double forward = encoders + decoders + denoiserEnds + 2 * (inProj + outProj);
        assertThat(forward).isEqualTo(1_720_320);
        // backward: dW for every product, dX for all but img_enc1 (2·32·4·16) and time_mlp.0 (2·2·256·32)
        double backward = 2 * forward - 2 * 32 * 4 * 16 - 2 * 2 * 256 * 32;
        assertThat(backward).isEqualTo(3_403_776);

        TrainBenchmark.Flops f = TrainBenchmark.flops(MdmConfig.tiny(), 2, true);
        TrainBenchmark.Flops kept = TrainBenchmark.flops(MdmConfig.tiny(), 2, false);

        assertThat(f.forward()).isEqualTo(forward);
        assertThat(f.backward()).isEqualTo(backward);
        assertThat(f.recompute()).isEqualTo(2 * inProj);
        assertThat(f.hardware()).isEqualTo(forward + 2 * inProj + backward);
        assertThat(f.model()).isEqualTo(3 * forward);
        // 20 · blocks · rows · d_inner · dState
        assertThat(f.scanEstimate()).isEqualTo(20.0 * 2 * 56 * 64 * 8);
        // kept activations: no recomputation, the same model FLOPs
        assertThat(kept.recompute()).isZero();
        assertThat(kept.hardware()).isEqualTo(forward + backward);
        assertThat(kept.model()).isEqualTo(f.model());
        assertThat(kept.scanEstimate()).isEqualTo(15.0 * 2 * 56 * 64 * 8);
    }

    @Test
    @DisplayName("scales every count linearly with the batch")
    void scalesWithBatch() {
        TrainBenchmark.Flops two = TrainBenchmark.flops(MdmConfig.fashion(), 2, true);
        TrainBenchmark.Flops six = TrainBenchmark.flops(MdmConfig.fashion(), 6, true);
        assertThat(six.forward()).isEqualTo(3 * two.forward());
        assertThat(six.backward()).isEqualTo(3 * two.backward());
        assertThat(six.recompute()).isEqualTo(3 * two.recompute());
        assertThat(six.scanEstimate()).isEqualTo(3 * two.scanEstimate());
    }

    @Test
    @DisplayName("gives model FLOPs of the paper step within 3 % above 6 · block projection weights · tokens")
    void paperModelFlopsFollowTheSixNRule() {
        MdmConfig paper = TrainBenchmark.config("paper", 49);
        int batch = 8;
        double projectionWeights = 49.0 * (paper.inProjRows() * (double) paper.dModel() + paper.dModel() * (double) paper.dInner());
        double sixN = 6 * projectionWeights * batch * paper.sequenceLength();

        double model = TrainBenchmark.flops(paper, batch, false).model();

        assertThat(paper.sequenceLength()).isEqualTo(324);
        assertThat(model).isBetween(sixN, 1.03 * sixN);
    }

    @Test
    @DisplayName("builds paper-width configurations with the requested number of blocks and nothing else changed")
    void paperConfigKeepsTheWidth() {
        MdmConfig four = TrainBenchmark.config("paper", 4);
        assertThat(four.blocks()).isEqualTo(4);
        assertThat(four.toBuilder().blocks(49).build()).isEqualTo(MdmConfig.paper());
        assertThat(TrainBenchmark.config("fashion", 4)).isEqualTo(MdmConfig.fashion());
    }

    @Test
    @DisplayName("draws a valid batch: images in [-1, 1], ids in range, every token noised")
    void drawsAValidBatch() {
        MdmConfig c = MdmConfig.fashion();
        TrainingBatch b = TrainBenchmark.randomBatch(c, 3, 5);
        b.validate(c);
        assertThat(Arrays.stream(b.images().toDoubleArray())).allSatisfy(v -> assertThat(v).isBetween(-1.0, 1.0));
        assertThat(Arrays.stream(b.tokens().toLongArray())).allSatisfy(v -> assertThat(v).isBetween(0L, c.vocabSize() - 1L));
        assertThat(b.noised().toDoubleArray()).containsOnly(1.0);
        assertThat(TrainBenchmark.randomBatch(c, 3, 5).images().toDoubleArray()).isEqualTo(b.images().toDoubleArray());
    }

    @Test
    @DisplayName("defaults to 10 repeats, 2 warm-up steps, the full 49-block paper preset and every row")
    void parsesDefaults() {
        TrainBenchmark.Arguments a = TrainBenchmark.parse(new String[0]);
        assertThat(a.repeats()).isEqualTo(10);
        assertThat(a.warmup()).isEqualTo(2);
        assertThat(a.paperBlocks()).isEqualTo(49);
        assertThat(a.out()).isEqualTo(Path.of("train-benchmark.json"));
        assertThat(TrainBenchmark.ROWS).allMatch(a::runs);
    }

    @Test
    @DisplayName("parses every option, --only selecting rows by name")
    void parsesOptions() {
        TrainBenchmark.Arguments a = TrainBenchmark.parse(new String[] {"--out", "x.json", "--repeats", "3",
            "--warmup", "0", "--blocks", "8", "--only", "fashion:128,paper:8"});
        assertThat(a.out()).isEqualTo(Path.of("x.json"));
        assertThat(a.repeats()).isEqualTo(3);
        assertThat(a.warmup()).isZero();
        assertThat(a.paperBlocks()).isEqualTo(8);
        assertThat(TrainBenchmark.ROWS.stream().filter(a::runs).map(TrainBenchmark.Row::key))
                .containsExactly("fashion:128", "paper:8");
    }

    @Test
    @DisplayName("refuses a repeat count below 1, naming --repeats and the value")
    void refusesZeroRepeats() {
        assertThatThrownBy(() -> TrainBenchmark.parse(new String[] {"--repeats", "0"}))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("'--repeats'").hasMessageContaining("≥ 1").hasMessageContaining("got 0")
                .extracting(e -> ((InvalidInputException) e).argument()).isEqualTo("--repeats");
    }

    @Test
    @DisplayName("refuses a repeat count that is not an integer, quoting it")
    void refusesNonNumericRepeats() {
        assertThatThrownBy(() -> TrainBenchmark.parse(new String[] {"--repeats", "ten"}))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("'--repeats'").hasMessageContaining("'ten'");
    }

    @Test
    @DisplayName("refuses an option without its value, an unknown option and an unknown row")
    void refusesOtherMistakes() {
        assertThatThrownBy(() -> TrainBenchmark.parse(new String[] {"--out", "a.json", "--repeats"}))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("'--repeats'").hasMessageContaining("end of the arguments");
        assertThatThrownBy(() -> TrainBenchmark.parse(new String[] {"--repeat", "5"}))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("'--repeat'");
        assertThatThrownBy(() -> TrainBenchmark.parse(new String[] {"--only", "paper:16"}))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("'--only'").hasMessageContaining("'paper:16'").hasMessageContaining("fashion:64");
        assertThatThrownBy(() -> TrainBenchmark.parse(new String[] {"--warmup", "-1"}))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("'--warmup'");
    }
}

package dev.mdm.examples.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mdm.CheckpointException;
import dev.mdm.InvalidInputException;
import dev.mdm.data.FashionMnist;
import dev.mdm.tensor.Tensor;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The reference classifier")
class FashionClassifierTest {
    /** Images of the test split whose accuracy is pinned: enough to see a broken network, quick on 2 cores. */
    private static final int SUBSET = 2000;
    /** Correct predictions of the shipped weights on the first {@value #SUBSET} test images (Java's float arithmetic is exact-reproducible). */
    private static final int SUBSET_CORRECT = 1824;

    private static List<Tensor> testImages(int count) {
        FashionMnist test = FashionData.test();
        List<Tensor> images = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            images.add(test.image(i));
        }
        return images;
    }

    @Nested
    @DisplayName("as shipped")
    class Shipped {
        @Test
        @DisplayName("reports at least 90 % test accuracy and classifies a fixed subset of the test split exactly as it did when converted")
        void accuracyOnAFixedSubsetOfTheTestSplit() throws Exception {
            try (InputStream in = FashionClassifier.class.getResourceAsStream(FashionClassifier.REPORT_RESOURCE)) {
                assertThat(in).as(FashionClassifier.REPORT_RESOURCE).isNotNull();
                JsonNode report = new ObjectMapper().readTree(in);
                assertThat(report.get("testAccuracy").asDouble()).isGreaterThanOrEqualTo(0.90);
            }
            FashionMnist test = FashionData.test();
            try (FashionClassifier classifier = FashionClassifier.load()) {
                assertThat(ClassifierTraining.accuracy(classifier, test, SUBSET)).isEqualTo((double) SUBSET_CORRECT / SUBSET);
            }
        }

        @Test
        @DisplayName("gives DJL's logits (PyTorch 2.7.1, from the DJL parameter file it was converted from) on three test images")
        void logitsMatchDjl() {
            // printed by DJL's forward pass of fashion-classifier.params before the conversion (see the README)
            float[][] djl = {
                {-1.0872449f, -2.3126984f, -3.6460948f, -3.2295773f, -3.46115f, 4.411268f, 1.1390083f, 4.218954f, 1.5302702f, 11.782813f},
                {4.6379833f, -5.708464f, 11.471191f, -3.5215251f, 1.3040643f, -8.111432f, 3.0479152f, -4.4994965f, -5.307689f, -7.1620007f},
                {-2.3302484f, 11.013562f, -4.055372f, -3.117326f, -3.1101255f, 0.48037624f, -5.2176676f, -3.1721275f, -2.005973f, -2.616802f},
            };
            try (FashionClassifier classifier = FashionClassifier.load()) {
                float[][] logits = classifier.logits(testImages(3));
                for (int i = 0; i < 3; i++) {
                    assertThat(logits[i]).as("image %d", i).containsExactly(djl[i], within(1e-4f));
                }
                assertThat(classifier.predict(testImages(3))).containsExactly(9, 2, 1);
            }
        }

        @Test
        @DisplayName("gives 64 non-negative features per image, the same in a batch as alone, and survives a save and load bit for bit")
        void featuresBatchesAndRoundTrip(@TempDir Path dir) {
            List<Tensor> images = testImages(100);
            try (FashionClassifier classifier = FashionClassifier.load()) {
                double[][] features = classifier.features(images);
                assertThat(features).hasNumberOfRows(100);
                assertThat(features[0]).hasSize(FashionClassifier.FEATURES);
                assertThat(java.util.Arrays.stream(features[3]).min().orElseThrow()).isGreaterThanOrEqualTo(0);
                assertThat(java.util.Arrays.stream(features[3]).sum()).isPositive();
                assertThat(classifier.features(images.subList(77, 78))[0]).containsExactly(features[77]);
                Path file = dir.resolve("copy.safetensors");
                classifier.save(file);
                try (FashionClassifier copy = FashionClassifier.load(file)) {
                    assertThat(copy.logits(images)).isDeepEqualTo(classifier.logits(images));
                }
            }
        }
    }

    @Test
    @DisplayName("rejects images of the wrong shape, and cannot be used after close")
    void badInputAndClose() {
        FashionClassifier classifier = FashionClassifier.load();
        assertThatThrownBy(() -> classifier.predict(List.of(Tensor.zeros(1, 8, 8))))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("images[0]");
        assertThatThrownBy(() -> classifier.predict(List.of())).isInstanceOf(InvalidInputException.class);
        classifier.close();
        classifier.close();
        assertThatThrownBy(() -> classifier.predict(List.of(Tensor.zeros(1, 28, 28))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("FashionClassifier");
    }

    @Test
    @DisplayName("rejects weights that do not fit the architecture, naming every problem")
    void rejectsMisfitWeights() {
        Map<String, Tensor> weights = new LinkedHashMap<>();
        FashionClassifier.TENSOR_SHAPES.forEach((name, shape) -> weights.put(name, Tensor.zeros(shape)));
        weights.remove("bn2.running_var");
        weights.put("fc1.weight", Tensor.zeros(64, 3135));
        weights.put("extra", Tensor.zeros(1));
        assertThatThrownBy(() -> new FashionClassifier(weights)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("bn2.running_var is missing").hasMessageContaining("fc1.weight has shape [64, 3135]")
                .hasMessageContaining("unexpected tensor extra");
    }

    @Nested
    @DisplayName("kernel, on a tiny hand-computed input,")
    class Kernels {
        @Test
        @DisplayName("3×3 convolution with padding 1 reads each tap at the right offset, channel and filter")
        void convolution() {
            // input: 2 channels of 2×3, with its zero border: [2][4][5]
            float[][][] in = {{{1, 2, 3}, {4, 5, 6}}, {{0, 1, 0}, {0, 0, 2}}};
            float[] padded = new float[2 * 4 * 5];
            for (int c = 0; c < 2; c++) {
                for (int y = 0; y < 2; y++) {
                    for (int x = 0; x < 3; x++) {
                        padded[c * 20 + (y + 1) * 5 + x + 1] = in[c][y][x];
                    }
                }
            }
            float[] weight = new float[2 * 2 * 9];
            weight[0] = 1;          // filter 0, channel 0, tap (0, 0): in0[y-1][x-1]
            weight[8] = 10;         // filter 0, channel 0, tap (2, 2): in0[y+1][x+1]
            weight[9 + 2] = 100;    // filter 0, channel 1, tap (0, 2): in1[y-1][x+1]
            weight[18 + 9 + 4] = -1; // filter 1, channel 1, centre: in1[y][x]
            float[] out = new float[2 * 2 * 5];
            FashionClassifier.conv3x3(padded, 2, 2, 3, weight, new float[] {0.5f, 0}, 2, out);
            // out0[y][x] = 0.5 + in0[y-1][x-1] + 10·in0[y+1][x+1] + 100·in1[y-1][x+1], worked by hand
            float[][][] expected = {{{50.5f, 60.5f, 0.5f}, {100.5f, 1.5f, 2.5f}}, {{0, -1, 0}, {0, 0, -2}}};
            for (int o = 0; o < 2; o++) {
                for (int y = 0; y < 2; y++) {
                    for (int x = 0; x < 3; x++) {
                        assertThat(out[o * 10 + y * 5 + x]).as("out[%d][%d][%d]", o, y, x).isEqualTo(expected[o][y][x]);
                    }
                }
            }
        }

        @Test
        @DisplayName("batch norm folds into (x − mean)/√(var + ε)·γ + β, then ReLU, per channel")
        void batchNormAndRelu() {
            float[] scale = new float[2];
            float[] shift = new float[2];
            float eps = FashionClassifier.BATCH_NORM_EPSILON;
            FashionClassifier.foldBatchNorm(new float[] {2, 3}, new float[] {1, 0.5f}, new float[] {3, -1},
                    new float[] {4 - eps, 9 - eps}, scale, shift);
            assertThat(scale).containsExactly(new float[] {1, 1}, within(1e-6f));
            assertThat(shift).containsExactly(new float[] {-2, 1.5f}, within(1e-6f));
            float[] x = {1, 5, -4, 2};
            FashionClassifier.scaleShiftRelu(x, 2, 2, new float[] {2, -1}, new float[] {1, 0.5f});
            assertThat(x).containsExactly(3, 11, 4.5f, 0);
        }

        @Test
        @DisplayName("2×2 max-pool takes each window's maximum, skips the scratch columns and an odd row, and leaves the border")
        void maxPool() {
            // [1][3][pitch 5]: width 4 used, column 4 scratch; row 2 dropped (odd height)
            float[] in = {1, 5, 2, 0, 99,
                          3, 4, 8, 7, 99,
                          50, 60, 70, 80, 99};
            float[] out = new float[1 * 3 * 4];
            FashionClassifier.maxPool2(in, 1, 3, 4, 5, out, 1);
            assertThat(out).containsExactly(0, 0, 0, 0,
                                            0, 5, 8, 0,
                                            0, 0, 0, 0);
        }

        @Test
        @DisplayName("a linear layer computes bias + W·x from the transposed weight")
        void linear() {
            float[] w = {1, 0, -1, 2, 1, 0}; // [2][3]
            float[] out = new float[2];
            FashionClassifier.linear(new float[] {1, 2, 3}, FashionClassifier.transpose(w, 2, 3), new float[] {0.5f, -1}, out);
            assertThat(out).containsExactly(-1.5f, 3);
        }
    }
}

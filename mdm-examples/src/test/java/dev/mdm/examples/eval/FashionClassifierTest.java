package dev.mdm.examples.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mdm.InvalidInputException;
import dev.mdm.data.FashionMnist;
import dev.mdm.tensor.Tensor;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The shipped reference classifier")
class FashionClassifierTest {
    /** Room for PyTorch's CPU kernels to round differently on another machine; the test split is the same. */
    private static final double MARGIN = 0.005;

    private static double reportedAccuracy() throws Exception {
        try (InputStream in = FashionClassifier.class.getResourceAsStream(FashionClassifier.REPORT_RESOURCE)) {
            assertThat(in).as(FashionClassifier.REPORT_RESOURCE).isNotNull();
            JsonNode report = new ObjectMapper().readTree(in);
            return report.get("testAccuracy").asDouble();
        }
    }

    @Test
    @DisplayName("reaches its reported accuracy (at least 90 %) on the 10 000 test images")
    void accuracyOnTheTestSplit() throws Exception {
        FashionMnist test = FashionData.test();
        double reported = reportedAccuracy();
        assertThat(reported).as("the accuracy reported in " + FashionClassifier.REPORT_RESOURCE).isGreaterThanOrEqualTo(0.90);
        try (FashionClassifier classifier = FashionClassifier.load()) {
            assertThat(ClassifierTraining.accuracy(classifier, test)).isGreaterThanOrEqualTo(reported - MARGIN);
        }
    }

    @Test
    @DisplayName("gives 64 features per image and survives a save and load unchanged")
    void featuresAndRoundTrip(@TempDir Path dir) {
        FashionMnist test = FashionData.test();
        List<Tensor> images = new ArrayList<>();
        for (int i = 0; i < 700; i++) {
            images.add(test.image(i));
        }
        try (FashionClassifier classifier = FashionClassifier.load()) {
            double[][] features = classifier.features(images);
            assertThat(features).hasNumberOfRows(700);
            assertThat(features[0]).hasSize(FashionClassifier.FEATURES);
            // ReLU features: non-negative and not all zero
            assertThat(java.util.Arrays.stream(features[3]).min().orElseThrow()).isGreaterThanOrEqualTo(0);
            assertThat(java.util.Arrays.stream(features[3]).sum()).isPositive();
            Path file = dir.resolve("copy.params");
            classifier.save(file);
            try (FashionClassifier copy = FashionClassifier.load(file)) {
                assertThat(copy.predict(images)).containsExactly(classifier.predict(images));
                // another batch size may round differently in PyTorch's kernels, hence the tolerance
                assertThat(copy.features(images.subList(0, 3))[2]).containsExactly(features[2], within(1e-3));
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
}

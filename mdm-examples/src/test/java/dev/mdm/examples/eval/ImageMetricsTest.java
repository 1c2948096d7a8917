package dev.mdm.examples.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mdm.InvalidInputException;
import dev.mdm.data.FashionMnist;
import dev.mdm.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Image metrics under the reference classifier")
class ImageMetricsTest {
    private static FashionClassifier classifier;
    private static ImageMetrics metrics;

    @BeforeAll
    static void load() {
        FashionData.assumeInstalled();
        classifier = FashionClassifier.load();
        metrics = new ImageMetrics(classifier, FashionData.test());
    }

    @AfterAll
    static void close() {
        if (classifier != null) {
            classifier.close();
        }
    }

    @Test
    @DisplayName("class accuracy counts agreements")
    void classAccuracyOfHandMadePredictions() {
        assertThat(ImageMetrics.classAccuracy(new int[] {1, 2, 3, 4}, new int[] {1, 2, 0, 4})).isEqualTo(0.75);
        assertThatThrownBy(() -> ImageMetrics.classAccuracy(new int[] {1}, new int[] {1, 2}))
                .isInstanceOf(InvalidInputException.class);
    }

    @Test
    @DisplayName("real training images are near the test split; noise and blank images are far above that floor")
    void realImagesBeatNoise() {
        FashionMnist train = FashionData.train();
        int n = 500;
        List<Tensor> real = new ArrayList<>();
        int[] labels = new int[n];
        List<Tensor> noise = new ArrayList<>();
        List<Tensor> blank = new ArrayList<>();
        RandomGenerator r = RandomGeneratorFactory.of("L64X128MixRandom").create(5);
        for (int i = 0; i < n; i++) {
            int idx = i * (train.size() / n);
            real.add(train.image(idx));
            labels[i] = train.label(idx);
            float[] v = new float[28 * 28];
            for (int j = 0; j < v.length; j++) {
                v[j] = (float) Math.clamp(r.nextGaussian(), -1, 1);
            }
            noise.add(Tensor.ofFloats(v, 1, 28, 28));
            float[] b = new float[28 * 28];
            java.util.Arrays.fill(b, -1 + 0.001f * i);
            blank.add(Tensor.ofFloats(b, 1, 28, 28));
        }
        assertThat(metrics.classAccuracy(real, labels)).isGreaterThan(0.9);
        double floor = metrics.realFloor(train, n);
        assertThat(metrics.frechetDistance(real)).isEqualTo(floor);
        assertThat(floor).isPositive();
        assertThat(metrics.frechetDistance(noise)).isGreaterThan(10 * floor);
        assertThat(metrics.frechetDistance(blank)).isGreaterThan(10 * floor);
        assertThat(metrics.realFloor(train, 5000)).isLessThan(floor);
    }
}

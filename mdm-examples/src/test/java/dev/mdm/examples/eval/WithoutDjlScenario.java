package dev.mdm.examples.eval;

import dev.mdm.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/** What {@link EvaluationWithoutDjlTest} runs inside a class loader that hides DJL: the image-scoring path of {@link Evaluation}. */
public final class WithoutDjlScenario {
    private WithoutDjlScenario() {
    }

    /** @return the class accuracy of random images for class 0 and the Fréchet distance between two random sets */
    public static double[] run() {
        RandomGenerator random = RandomGeneratorFactory.of("L64X128MixRandom").create(3);
        List<Tensor> a = new ArrayList<>();
        List<Tensor> b = new ArrayList<>();
        for (int i = 0; i < 80; i++) {
            double[] pa = new double[28 * 28];
            double[] pb = new double[28 * 28];
            for (int p = 0; p < pa.length; p++) {
                pa[p] = 2 * random.nextDouble() - 1;
                pb[p] = 2 * random.nextDouble() - 1;
            }
            a.add(Tensor.of(pa, 1, 28, 28));
            b.add(Tensor.of(pb, 1, 28, 28));
        }
        try (FashionClassifier classifier = FashionClassifier.load()) {
            double accuracy = ImageMetrics.classAccuracy(classifier.predict(a), new int[a.size()]);
            double distance = FrechetDistance.between(FeatureStatistics.of(classifier.features(a)),
                    FeatureStatistics.of(classifier.features(b)));
            return new double[] {accuracy, distance};
        }
    }
}

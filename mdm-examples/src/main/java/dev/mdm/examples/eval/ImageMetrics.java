package dev.mdm.examples.eval;

import dev.mdm.InvalidInputException;
import dev.mdm.data.FashionMnist;
import dev.mdm.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Quality of generated Fashion-MNIST images under the reference {@link FashionClassifier}: the accuracy of the
 * requested class, and the Fréchet distance between generated and real test images in the classifier's
 * penultimate-layer feature space (an FID computed with a Fashion-MNIST network instead of Inception), with the
 * real-train vs real-test distance as the floor a perfect generator would reach.
 *
 * <p>Fréchet distances shrink with the number of samples (the estimate is biased upwards for small sets), so compare
 * a generated set's distance with {@link #realFloor(FashionMnist, int)} at the same count.
 * Not thread-safe (the classifier is not).
 */
public final class ImageMetrics {
    private final FashionClassifier classifier;
    private final FashionMnist test;
    private FeatureStatistics testStatistics;

    /**
     * @param classifier the reference classifier (not closed by this object)
     * @param test the real test split the generated images are compared with
     */
    public ImageMetrics(FashionClassifier classifier, FashionMnist test) {
        if (classifier == null) {
            throw new InvalidInputException("classifier", "a FashionClassifier", "null");
        }
        if (test == null || test.split() != FashionMnist.Split.TEST) {
            throw new InvalidInputException("test", "the TEST split", test == null ? "null" : test.split().toString());
        }
        this.classifier = classifier;
        this.test = test;
    }

    /**
     * @param predicted predicted classes
     * @param requested the classes asked for, same length ≥ 1
     * @return the fraction where they agree
     */
    public static double classAccuracy(int[] predicted, int[] requested) {
        if (predicted == null || requested == null || predicted.length != requested.length || predicted.length == 0) {
            throw new InvalidInputException("predicted/requested", "two arrays of one length ≥ 1",
                    (predicted == null ? "null" : predicted.length) + "/" + (requested == null ? "null" : requested.length));
        }
        int right = 0;
        for (int i = 0; i < predicted.length; i++) {
            right += predicted[i] == requested[i] ? 1 : 0;
        }
        return (double) right / predicted.length;
    }

    /**
     * @param images generated [1, 28, 28] images in [-1, 1]
     * @param requested the class each was generated for
     * @return the fraction the classifier assigns to the requested class
     */
    public double classAccuracy(List<Tensor> images, int[] requested) {
        if (images == null || requested == null || images.size() != requested.length) {
            throw new InvalidInputException("requested", "one class per image (" + (images == null ? "null" : images.size()) + ")",
                    requested == null ? "null" : Integer.toString(requested.length));
        }
        return classAccuracy(classifier.predict(images), requested);
    }

    /**
     * @param images at least 2 [1, 28, 28] images in [-1, 1]
     * @return mean and covariance of their classifier features
     */
    public FeatureStatistics statistics(List<Tensor> images) {
        return FeatureStatistics.of(classifier.features(images));
    }

    /** @return the feature statistics of the whole real test split (computed once) */
    public FeatureStatistics testStatistics() {
        if (testStatistics == null) {
            List<Tensor> all = new ArrayList<>(test.size());
            for (int i = 0; i < test.size(); i++) {
                all.add(test.image(i));
            }
            testStatistics = statistics(all);
        }
        return testStatistics;
    }

    /**
     * @param generated at least 2 generated [1, 28, 28] images in [-1, 1]
     * @return their Fréchet distance to the real test split
     */
    public double frechetDistance(List<Tensor> generated) {
        return FrechetDistance.between(statistics(generated), testStatistics());
    }

    /**
     * The floor: the Fréchet distance of {@code count} real training images (evenly spaced through the split) to the
     * real test split, i.e. what a generator that reproduced the training distribution would score at that count.
     *
     * @param train the real training split
     * @param count 2 ≤ count ≤ train.size()
     * @return that distance
     */
    public double realFloor(FashionMnist train, int count) {
        if (train == null || train.split() != FashionMnist.Split.TRAIN) {
            throw new InvalidInputException("train", "the TRAIN split", train == null ? "null" : train.split().toString());
        }
        if (count < 2 || count > train.size()) {
            throw new InvalidInputException("count", "2 ≤ count ≤ " + train.size(), Integer.toString(count));
        }
        List<Tensor> images = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            images.add(train.image((int) ((long) i * train.size() / count)));
        }
        return FrechetDistance.between(statistics(images), testStatistics());
    }
}

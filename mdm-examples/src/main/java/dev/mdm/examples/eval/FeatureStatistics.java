package dev.mdm.examples.eval;

import dev.mdm.InvalidInputException;

/**
 * Mean and covariance of a set of feature vectors: what the Fréchet distance compares.
 *
 * <p>The covariance is the unbiased estimate (divided by n − 1), as in the usual FID code ({@code numpy.cov}).
 *
 * @param mean the mean vector, length d
 * @param covariance the d×d covariance, row-major
 * @param count how many vectors it summarises, ≥ 2
 */
public record FeatureStatistics(double[] mean, double[][] covariance, int count) {
    /** Checks the shapes and copies the arrays. */
    public FeatureStatistics {
        if (mean == null || covariance == null) {
            throw new InvalidInputException("mean/covariance", "both present", mean + "/" + covariance);
        }
        int d = mean.length;
        if (covariance.length != d) {
            throw new InvalidInputException("covariance", d + "×" + d, covariance.length + " rows");
        }
        if (count < 2) {
            throw new InvalidInputException("count", "at least 2 vectors (a covariance needs them)", Integer.toString(count));
        }
        mean = mean.clone();
        double[][] copy = new double[d][];
        for (int i = 0; i < d; i++) {
            if (covariance[i] == null || covariance[i].length != d) {
                throw new InvalidInputException("covariance[" + i + "]", d + " values",
                        covariance[i] == null ? "null" : Integer.toString(covariance[i].length));
            }
            copy[i] = covariance[i].clone();
        }
        covariance = copy;
    }

    /**
     * @param vectors n ≥ 2 vectors of one length d ≥ 1, finite
     * @return their mean and unbiased covariance
     */
    public static FeatureStatistics of(double[][] vectors) {
        if (vectors == null || vectors.length < 2) {
            throw new InvalidInputException("vectors", "at least 2 vectors", vectors == null ? "null" : Integer.toString(vectors.length));
        }
        int n = vectors.length;
        int d = vectors[0].length;
        if (d < 1) {
            throw new InvalidInputException("vectors[0]", "at least 1 value", "0");
        }
        double[] mean = new double[d];
        for (int k = 0; k < n; k++) {
            if (vectors[k].length != d) {
                throw new InvalidInputException("vectors[" + k + "]", d + " values", Integer.toString(vectors[k].length));
            }
            for (int i = 0; i < d; i++) {
                if (!Double.isFinite(vectors[k][i])) {
                    throw new InvalidInputException("vectors[" + k + "][" + i + "]", "a finite value", Double.toString(vectors[k][i]));
                }
                mean[i] += vectors[k][i];
            }
        }
        for (int i = 0; i < d; i++) {
            mean[i] /= n;
        }
        double[][] cov = new double[d][d];
        double[] centred = new double[d];
        for (double[] v : vectors) {
            for (int i = 0; i < d; i++) {
                centred[i] = v[i] - mean[i];
            }
            for (int i = 0; i < d; i++) {
                for (int j = i; j < d; j++) {
                    cov[i][j] += centred[i] * centred[j];
                }
            }
        }
        for (int i = 0; i < d; i++) {
            for (int j = i; j < d; j++) {
                cov[i][j] /= n - 1;
                cov[j][i] = cov[i][j];
            }
        }
        return new FeatureStatistics(mean, cov, n);
    }

    /** @return the dimension d */
    public int dimension() {
        return mean.length;
    }

    @Override
    public double[] mean() {
        return mean.clone();
    }

    @Override
    public double[][] covariance() {
        double[][] copy = new double[covariance.length][];
        for (int i = 0; i < copy.length; i++) {
            copy[i] = covariance[i].clone();
        }
        return copy;
    }
}

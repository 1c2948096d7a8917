package dev.mdm.tck;

import dev.mdm.sampling.DenoisingFunction;
import dev.mdm.sampling.Prediction;
import dev.mdm.tensor.Tensor;

/**
 * The exact noise prediction for Gaussian data N(0, s²·I) under the continuous VP schedule of SPEC §8:
 * {@code ε̂(x, t) = σ_t·x / (α_t²·s² + σ_t²)}. It makes sampler results checkable against closed forms and against
 * the official {@code dpm_solver_pytorch} trajectories (the {@code dpm_solver} case of SPEC §11).
 */
public final class GaussianEpsilonModel implements DenoisingFunction {
    private final DiscreteVpSchedule schedule;
    private final double dataStd;

    /**
     * @param betas the discrete β schedule, length T
     * @param dataStd s, the standard deviation of the data
     */
    public GaussianEpsilonModel(double[] betas, double dataStd) {
        this.schedule = new DiscreteVpSchedule(betas);
        this.dataStd = dataStd;
    }

    @Override
    public Prediction predicts() {
        return Prediction.NOISE;
    }

    @Override
    public Tensor predict(Tensor x, double t) {
        double logAlpha = schedule.logAlpha(t);
        double alpha2 = Math.exp(2 * logAlpha);
        double sigma = Math.sqrt(-Math.expm1(2 * logAlpha));
        double factor = sigma / (alpha2 * dataStd * dataStd + sigma * sigma);
        double[] v = x.toDoubleArray();
        for (int i = 0; i < v.length; i++) {
            v[i] *= factor;
        }
        return Tensor.of(v, x.shape());
    }
}

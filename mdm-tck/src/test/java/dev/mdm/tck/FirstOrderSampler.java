package dev.mdm.tck;

import dev.mdm.sampling.DenoisingFunction;
import dev.mdm.sampling.Infill;
import dev.mdm.sampling.Prediction;
import dev.mdm.sampling.Sampler;
import dev.mdm.sampling.SamplerSettings;
import dev.mdm.sampling.SolverAlgorithm;
import dev.mdm.sampling.Trajectory;
import dev.mdm.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A deliberately wrong DPM-Solver for the self-test: every step is the first-order update of SPEC §8 on the
 * time-uniform grid, i.e. the second-order correction is skipped.
 */
final class FirstOrderSampler implements Sampler {
    private final SamplerSettings settings;
    private final DiscreteVpSchedule schedule;
    private final double tEnd;

    FirstOrderSampler(SamplerSettings settings, double[] betas) {
        this.settings = settings;
        this.schedule = new DiscreteVpSchedule(betas);
        this.tEnd = 1.0 / betas.length;
    }

    @Override
    public SamplerSettings settings() {
        return settings;
    }

    @Override
    public Trajectory sample(Tensor xT, DenoisingFunction model, Infill infill, long seed) {
        int n = settings.steps();
        Tensor x = infill == null ? xT : infill.apply(xT);
        List<Tensor> states = new ArrayList<>(List.of(x));
        List<Double> times = new ArrayList<>(List.of(1.0));
        for (int i = 0; i < n; i++) {
            double s = 1 + (tEnd - 1) * i / n;
            double t = 1 + (tEnd - 1) * (i + 1) / n;
            double las = schedule.logAlpha(s);
            double lat = schedule.logAlpha(t);
            double ss = Math.sqrt(-Math.expm1(2 * las));
            double st = Math.sqrt(-Math.expm1(2 * lat));
            double h = (lat - Math.log(st)) - (las - Math.log(ss));
            double[] v = x.toDoubleArray();
            double[] m = model.predict(x, s).toDoubleArray();
            boolean dataForm = settings.algorithm() == SolverAlgorithm.DPM_SOLVER_PLUS_PLUS;
            for (int k = 0; k < v.length; k++) {
                double x0 = model.predicts() == Prediction.DATA ? m[k] : (v[k] - ss * m[k]) / Math.exp(las);
                double eps = model.predicts() == Prediction.NOISE ? m[k] : (v[k] - Math.exp(las) * m[k]) / ss;
                v[k] = dataForm
                        ? st / ss * v[k] - Math.exp(lat) * Math.expm1(-h) * x0
                        : Math.exp(lat - las) * v[k] - st * Math.expm1(h) * eps;
            }
            x = Tensor.of(v, x.shape());
            if (infill != null) {
                x = infill.apply(x);
            }
            states.add(x);
            times.add(t);
        }
        return new Trajectory(states, times);
    }
}

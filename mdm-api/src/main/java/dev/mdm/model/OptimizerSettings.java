package dev.mdm.model;

import dev.mdm.ConfigurationException;
import java.util.ArrayList;
import java.util.List;

/**
 * AdamW with decoupled weight decay (PyTorch's formula), global-norm gradient clipping and an EMA of the weights.
 * Weight decay applies only to parameters of rank ≥ 2, so biases, norms, {@code A_log}, {@code D} and
 * {@code dt_bias} are never decayed. After each step: {@code ema ← decay·ema + (1 − decay)·θ}.
 *
 * @param learningRate lr (paper: 1e-4)
 * @param beta1 Adam β1
 * @param beta2 Adam β2
 * @param epsilon Adam ε
 * @param weightDecay decoupled decay (paper: 0)
 * @param gradClipNorm clip the global gradient L2 norm to this; 0 disables
 * @param emaDecay EMA decay (paper: 0.9999); 0 makes the EMA follow the weights
 */
public record OptimizerSettings(double learningRate, double beta1, double beta2, double epsilon, double weightDecay,
                                double gradClipNorm, double emaDecay) {
    /** Validates every field, reporting all violations. */
    public OptimizerSettings {
        List<String> v = new ArrayList<>();
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) v.add("learningRate must be finite and > 0, got " + learningRate);
        if (!(beta1 >= 0 && beta1 < 1)) v.add("beta1 must be in [0, 1), got " + beta1);
        if (!(beta2 >= 0 && beta2 < 1)) v.add("beta2 must be in [0, 1), got " + beta2);
        if (!(epsilon > 0)) v.add("epsilon must be > 0, got " + epsilon);
        if (!(weightDecay >= 0)) v.add("weightDecay must be >= 0, got " + weightDecay);
        if (!(gradClipNorm >= 0)) v.add("gradClipNorm must be >= 0, got " + gradClipNorm);
        if (!(emaDecay >= 0 && emaDecay < 1)) v.add("emaDecay must be in [0, 1), got " + emaDecay);
        if (!v.isEmpty()) {
            throw new ConfigurationException("OptimizerSettings", v);
        }
    }

    /** @return the paper's settings: lr 1e-4, β (0.9, 0.999), ε 1e-8, no decay, clip 1.0, EMA 0.9999 */
    public static OptimizerSettings paper() {
        return new OptimizerSettings(1e-4, 0.9, 0.999, 1e-8, 0.0, 1.0, 0.9999);
    }

    /**
     * @param lr learning rate
     * @return a copy with that learning rate
     */
    public OptimizerSettings withLearningRate(double lr) {
        return new OptimizerSettings(lr, beta1, beta2, epsilon, weightDecay, gradClipNorm, emaDecay);
    }

    /**
     * @param decay EMA decay
     * @return a copy with that EMA decay
     */
    public OptimizerSettings withEmaDecay(double decay) {
        return new OptimizerSettings(learningRate, beta1, beta2, epsilon, weightDecay, gradClipNorm, decay);
    }
}

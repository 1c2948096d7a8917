package dev.mdm.tck.reference;

import dev.mdm.InvalidInputException;
import dev.mdm.model.OptimizerSettings;
import dev.mdm.model.Parameters;
import dev.mdm.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One host-side AdamW step in float64, so the TCK can check a backend's optimizer step (see {@link OptimizerSettings}):
 * <ol>
 *   <li>global-norm clipping when {@code gradClipNorm > 0}: every gradient is scaled by
 *       min(1, gradClipNorm / (‖g‖₂ + 1e-6)), ‖g‖₂ over all tensors (PyTorch {@code clip_grad_norm_});</li>
 *   <li>PyTorch's AdamW: θ ← θ − lr·wd·θ for tensors of rank ≥ 2 only; m ← β1·m + (1−β1)·g;
 *       v ← β2·v + (1−β2)·g²; θ ← θ − (lr / (1−β1^t)) · m / (√v / √(1−β2^t) + ε);</li>
 *   <li>EMA: ema ← decay·ema + (1−decay)·θ.</li>
 * </ol>
 * State uses the names of {@code TrainingSession#optimizerState()}: {@code adam.m.NAME}, {@code adam.v.NAME},
 * {@code ema.NAME} and {@code adam.step} (a 0-d I64). A fresh state has m = v = 0, ema = θ and step 0.
 * All returned tensors are F64.
 */
public final class ReferenceAdamW {
    /** PyTorch's {@code clip_grad_norm_} guard added to the norm. */
    public static final double CLIP_EPS = 1e-6;

    private final OptimizerSettings settings;

    /** @param settings the optimizer settings */
    public ReferenceAdamW(OptimizerSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /**
     * The result of one step.
     *
     * @param parameters the updated weights θ
     * @param optimizerState the updated state (m, v, ema, step)
     */
    public record Step(Parameters parameters, Parameters optimizerState) {
        /** @return the EMA weights after the step, under the parameter names */
        public Parameters ema() {
            return optimizerState.withPrefixRemoved("ema.");
        }
    }

    /**
     * @param parameters weights θ
     * @return the state before the first step: m = v = 0, ema = θ, step 0
     */
    public static Parameters freshState(Parameters parameters) {
        var out = new LinkedHashMap<String, Tensor>();
        parameters.asMap().forEach((name, t) -> {
            out.put("adam.m." + name, Tensor.zeros(t.shape()));
            out.put("adam.v." + name, Tensor.zeros(t.shape()));
            out.put("ema." + name, t.to(dev.mdm.tensor.DType.F64));
        });
        out.put("adam.step", Tensor.ofLongs(new long[] {0}));
        return Parameters.of(out);
    }

    /**
     * @param parameters weights θ
     * @param gradients ∂L/∂θ, the same names and shapes
     * @param state the state from a previous step or {@link #freshState}; null starts fresh
     * @return the new weights and state
     */
    public Step step(Parameters parameters, Parameters gradients, Parameters state) {
        if (parameters == null) {
            throw new InvalidInputException("parameters", "weights", "null");
        }
        if (gradients == null) {
            throw new InvalidInputException("gradients", "one gradient per parameter", "null");
        }
        Parameters s = state == null ? freshState(parameters) : state;
        Map<String, int[]> gradientLayout = new LinkedHashMap<>();
        parameters.asMap().forEach((name, t) -> gradientLayout.put(name, t.shape()));
        gradients.requireLayout(gradientLayout, "gradients");
        Map<String, int[]> stateLayout = new LinkedHashMap<>();
        parameters.asMap().forEach((name, t) -> {
            stateLayout.put("adam.m." + name, t.shape());
            stateLayout.put("adam.v." + name, t.shape());
            stateLayout.put("ema." + name, t.shape());
        });
        Tensor stepTensor = s.get("adam.step");
        if (stepTensor.dtype().isFloating() || stepTensor.size() != 1) {
            throw new InvalidInputException("state", "'adam.step' as one integer", stepTensor.toString());
        }
        long t = stepTensor.getLong(0) + 1;
        Map<String, Tensor> rest = new LinkedHashMap<>(s.asMap());
        rest.remove("adam.step");
        Parameters.of(rest).requireLayout(stateLayout, "state");

        double scale = 1;
        if (settings.gradClipNorm() > 0) {
            double squares = 0;
            for (Tensor g : gradients.asMap().values()) {
                for (double v : g.requireFinite("gradients").toDoubleArray()) {
                    squares += v * v;
                }
            }
            scale = Math.min(1, settings.gradClipNorm() / (Math.sqrt(squares) + CLIP_EPS));
        }
        double lr = settings.learningRate();
        double bias1 = 1 - Math.pow(settings.beta1(), t);
        double bias2 = 1 - Math.pow(settings.beta2(), t);
        var newParams = new LinkedHashMap<String, Tensor>();
        var newState = new LinkedHashMap<String, Tensor>();
        for (var e : parameters.asMap().entrySet()) {
            String name = e.getKey();
            int[] shape = e.getValue().shape();
            double[] theta = e.getValue().requireFinite("parameters['" + name + "']").toDoubleArray();
            double[] g = gradients.get(name).requireFinite("gradients['" + name + "']").toDoubleArray();
            double[] m = s.get("adam.m." + name).toDoubleArray();
            double[] v = s.get("adam.v." + name).toDoubleArray();
            double[] ema = s.get("ema." + name).toDoubleArray();
            boolean decay = shape.length >= 2;
            for (int i = 0; i < theta.length; i++) {
                double gi = g[i] * scale;
                if (decay) {
                    theta[i] -= lr * settings.weightDecay() * theta[i];
                }
                m[i] = settings.beta1() * m[i] + (1 - settings.beta1()) * gi;
                v[i] = settings.beta2() * v[i] + (1 - settings.beta2()) * gi * gi;
                double denom = Math.sqrt(v[i]) / Math.sqrt(bias2) + settings.epsilon();
                theta[i] -= lr / bias1 * m[i] / denom;
                ema[i] = settings.emaDecay() * ema[i] + (1 - settings.emaDecay()) * theta[i];
            }
            newParams.put(name, Tensor.of(theta, shape));
            newState.put("adam.m." + name, Tensor.of(m, shape));
            newState.put("adam.v." + name, Tensor.of(v, shape));
            newState.put("ema." + name, Tensor.of(ema, shape));
        }
        newState.put("adam.step", Tensor.ofLongs(new long[] {t}));
        return new Step(Parameters.of(newParams), Parameters.of(newState));
    }

    @Override
    public String toString() {
        return "ReferenceAdamW" + Arrays.asList(settings);
    }
}

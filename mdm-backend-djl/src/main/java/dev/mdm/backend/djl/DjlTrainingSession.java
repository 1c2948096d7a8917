package dev.mdm.backend.djl;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.mdm.InvalidInputException;
import dev.mdm.model.GradientResult;
import dev.mdm.model.LossBreakdown;
import dev.mdm.model.OptimizerSettings;
import dev.mdm.model.OptimizerState;
import dev.mdm.model.Parameters;
import dev.mdm.model.TrainingBatch;
import dev.mdm.model.TrainingSession;
import dev.mdm.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Training of one {@link DjlModelRuntime} with DJL autograd: each call differentiates the loss through fresh
 * gradient-tracking copies of the weights (so concurrent inference never records a graph), then {@link #step}
 * clips the global gradient norm (PyTorch {@code clip_grad_norm_}: scale by max/(norm + 1e-6) when below 1),
 * applies AdamW exactly as PyTorch (decoupled decay θ ← θ(1 − lr·λ) for rank ≥ 2 only, bias-corrected moments,
 * θ ← θ − lr/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + ε)) and updates the EMA, all in place under the model's write lock.
 */
final class DjlTrainingSession implements TrainingSession {
    /** DJL's PyTorch engine allows one collecting GradientCollector per JVM at a time. */
    private static final ReentrantLock AUTOGRAD = new ReentrantLock();
    /** PyTorch's clip_grad_norm_ guard against a zero norm. */
    private static final double CLIP_EPS = 1e-6;

    private final DjlModelRuntime model;
    private final OptimizerSettings settings;
    private final ComputeScope state;
    private final Lifecycle lifecycle = new Lifecycle("DJL training session");
    private final Map<String, NDArray> firstMoment = new LinkedHashMap<>();
    private final Map<String, NDArray> secondMoment = new LinkedHashMap<>();
    private final Map<String, NDArray> ema = new LinkedHashMap<>();
    private volatile long steps;

    DjlTrainingSession(DjlModelRuntime model, OptimizerSettings settings, Parameters resumeState) {
        this.model = model;
        this.settings = settings;
        Map<String, NDArray> weights = model.arrays();
        if (resumeState != null) {
            Map<String, int[]> shapes = new LinkedHashMap<>();
            weights.forEach((name, w) -> shapes.put(name, HostTransfer.intShape(w.getShape())));
            OptimizerState.requireResumable(shapes, resumeState);
        }
        this.state = model.scope().child();
        try {
            NDManager m = state.manager();
            DataType type = state.type();
            for (var e : weights.entrySet()) {
                String name = e.getKey();
                if (resumeState == null) {
                    firstMoment.put(name, m.zeros(e.getValue().getShape(), type));
                    secondMoment.put(name, m.zeros(e.getValue().getShape(), type));
                    NDArray copy = m.zeros(e.getValue().getShape(), type);
                    e.getValue().copyTo(copy);
                    ema.put(name, copy);
                } else {
                    firstMoment.put(name, HostTransfer.floats(m, resumeState.get("adam.m." + name), type));
                    secondMoment.put(name, HostTransfer.floats(m, resumeState.get("adam.v." + name), type));
                    ema.put(name, HostTransfer.floats(m, resumeState.get("ema." + name), type));
                }
            }
        } catch (RuntimeException | Error e) {
            state.close();  // the moments and EMA allocated so far, not left on the model's scope
            throw e;
        }
        this.steps = resumeState == null ? 0 : resumeState.get("adam.step").getLong(0);
    }

    @Override
    public GradientResult gradients(TrainingBatch batch) {
        // the session's read lock: its close waits for a call in progress
        return lifecycle.read(() -> {
            model.validate(batch);
            return model.scope().call(m -> {
                Differentiated d = differentiate(m, batch);
                // the gradients live on the model's manager: copied to the host while the model cannot close
                return model.lifecycle().read(() -> {
                    var grads = new LinkedHashMap<String, Tensor>();
                    d.gradients.forEach((k, g) -> grads.put(k, HostTransfer.toHost(g)));
                    return new GradientResult(d.loss, Parameters.of(grads));
                });
            });
        });
    }

    @Override
    public LossBreakdown step(TrainingBatch batch) {
        // the session's read lock: its close, which frees the moments and the EMA, waits for the update
        return lifecycle.read(() -> {
            model.validate(batch);
            return model.scope().call(m -> {
                Differentiated d = differentiate(m, batch);
                model.lifecycle().write(() -> {
                    update(d.gradients);
                    return null;
                });
                return d.loss;
            });
        });
    }

    private record Differentiated(LossBreakdown loss, Map<String, NDArray> gradients) {
    }

    /** Loss and gradients through copies of the weights; the arrays live in the caller's scope. */
    private Differentiated differentiate(NDManager m, TrainingBatch batch) {
        AUTOGRAD.lock();
        try {
            return model.lifecycle().read(() -> {
                Map<String, NDArray> leaves = new LinkedHashMap<>();
                model.arrays().forEach((k, w) -> {
                    NDArray leaf = w.duplicate();
                    leaf.setRequiresGradient(true);
                    leaves.put(k, leaf);
                });
                LossBreakdown loss;
                try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
                    MdmNetwork.LossTerms terms = model.network().loss(Weights.of(leaves), m, batch);
                    collector.backward(terms.total());
                    loss = DjlModelRuntime.breakdown(terms);
                }
                Map<String, NDArray> grads = new LinkedHashMap<>();
                leaves.forEach((k, leaf) -> grads.put(k, leaf.getGradient()));
                return new Differentiated(loss, grads);
            });
        } finally {
            AUTOGRAD.unlock();
        }
    }

    private void update(Map<String, NDArray> grads) {
        double norm = 0;
        for (NDArray g : grads.values()) {
            norm += g.toType(DataType.FLOAT64, false).square().sum().getDouble();
        }
        norm = Math.sqrt(norm);
        if (!Double.isFinite(norm)) {
            // applying it would turn every weight and the optimizer state into NaN
            throw new IllegalStateException("non-finite gradient norm (" + norm + ") at step " + (steps + 1)
                    + "; the weights and optimizer state were left unchanged (lower the learning rate?)");
        }
        double scale = 1;
        if (settings.gradClipNorm() > 0) {
            scale = Math.min(1, settings.gradClipNorm() / (norm + CLIP_EPS));
        }
        long t = steps + 1;
        double b1 = settings.beta1();
        double b2 = settings.beta2();
        double lr = settings.learningRate();
        double stepSize = lr / (1 - Math.pow(b1, t));
        double sqrtCorrection2 = Math.sqrt(1 - Math.pow(b2, t));
        double decay = settings.emaDecay();
        for (var e : model.arrays().entrySet()) {
            String name = e.getKey();
            NDArray theta = e.getValue();
            NDArray g = scale == 1 ? grads.get(name) : grads.get(name).mul(scale);
            if (settings.weightDecay() > 0 && theta.getShape().dimension() >= 2) {
                theta.muli(1 - lr * settings.weightDecay());
            }
            NDArray mt = firstMoment.get(name).muli(b1).addi(g.mul(1 - b1));
            NDArray vt = secondMoment.get(name).muli(b2).addi(g.square().mul(1 - b2));
            NDArray denom = vt.sqrt().div(sqrtCorrection2).add(settings.epsilon());
            theta.subi(mt.div(denom).mul(stepSize));
            ema.get(name).muli(decay).addi(theta.mul(1 - decay));
        }
        steps = t;
    }

    @Override
    public long steps() {
        lifecycle.ensureOpen();
        return steps;
    }

    @Override
    public Parameters emaParameters() {
        return lifecycle.read(() -> model.lifecycle().read(() -> host(ema, "")));
    }

    @Override
    public Parameters optimizerState() {
        return lifecycle.read(() -> model.lifecycle().read(() -> {
            var out = new LinkedHashMap<String, Tensor>();
            out.putAll(host(firstMoment, "adam.m.").asMap());
            out.putAll(host(secondMoment, "adam.v.").asMap());
            out.putAll(host(ema, "ema.").asMap());
            out.put("adam.step", Tensor.ofLongs(new long[] {steps}));
            return Parameters.of(out);
        }));
    }

    private static Parameters host(Map<String, NDArray> arrays, String prefix) {
        var out = new LinkedHashMap<String, Tensor>();
        arrays.forEach((k, v) -> out.put(prefix + k, HostTransfer.toHost(v)));
        return Parameters.of(out);
    }

    @Override
    public void close() {
        model.lifecycle().release(this);
        lifecycle.close(state::close);
    }
}

package dev.mdm.model;

import dev.mdm.InvalidInputException;
import dev.mdm.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The resumable state of a {@link TrainingSession} ({@link TrainingSession#optimizerState()}): {@code adam.m.NAME},
 * {@code adam.v.NAME} and {@code ema.NAME} per parameter, and {@code adam.step} as a 0-d integer. One check that
 * every backend runs before it takes a resume state, so they accept and refuse the same files.
 */
public final class OptimizerState {
    private static final String[] PREFIXES = {"adam.m.", "adam.v.", "ema."};
    /** Problems listed in one message at most. */
    private static final int SHOWN = 10;

    private OptimizerState() {
    }

    /**
     * Checks a resume state against the model's parameters: every tensor present with the parameter's shape, floating,
     * finite, second moments ≥ 0, a 0-d integer step ≥ 0, nothing else.
     *
     * @param parameterShapes the model's parameter names and shapes
     * @param state the state to resume from
     * @throws InvalidInputException naming {@code resumeState} and listing the problems found
     */
    public static void requireResumable(Map<String, int[]> parameterShapes, Parameters state) {
        List<String> problems = new ArrayList<>();
        Set<String> expected = new HashSet<>();
        for (var e : parameterShapes.entrySet()) {
            for (String prefix : PREFIXES) {
                String name = prefix + e.getKey();
                expected.add(name);
                checkTensor(name, e.getValue(), prefix.equals("adam.v."), state, problems);
            }
        }
        expected.add("adam.step");
        if (!state.contains("adam.step")) {
            problems.add("missing 'adam.step'");
        } else {
            Tensor step = state.get("adam.step");
            if (step.rank() != 0 || step.dtype().isFloating() || step.getLong(0) < 0) {
                problems.add("'adam.step' must be a 0-d integer >= 0, got " + step + " " + Arrays.toString(step.toLongArray()));
            }
        }
        for (String name : state.names()) {
            if (!expected.contains(name)) {
                problems.add("unexpected '" + name + "'");
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException("resumeState", "the optimizer state of this model",
                    problems.size() + " problem(s): " + String.join("; ", problems.subList(0, Math.min(SHOWN, problems.size())))
                            + (problems.size() > SHOWN ? "; …" : ""));
        }
    }

    private static void checkTensor(String name, int[] shape, boolean nonNegative, Parameters state, List<String> problems) {
        if (!state.contains(name)) {
            problems.add("missing '" + name + "'");
            return;
        }
        Tensor t = state.get(name);
        if (!Arrays.equals(t.shape(), shape)) {
            problems.add("'" + name + "' has shape " + Arrays.toString(t.shape()) + ", expected " + Arrays.toString(shape));
        } else if (!t.dtype().isFloating()) {
            problems.add("'" + name + "' has dtype " + t.dtype() + ", expected a floating dtype");
        } else {
            double[] v = t.toDoubleArray();
            for (int i = 0; i < v.length; i++) {
                if (!Double.isFinite(v[i]) || (nonNegative && v[i] < 0)) {
                    problems.add("'" + name + "' has " + v[i] + " at flat index " + i);
                    return;
                }
            }
        }
    }
}

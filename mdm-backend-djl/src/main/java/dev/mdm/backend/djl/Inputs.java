package dev.mdm.backend.djl;

import dev.mdm.InvalidInputException;
import dev.mdm.tensor.Tensor;

/** Checks on host tensors before any of them reaches native code. */
final class Inputs {
    private Inputs() {
    }

    static Tensor present(String argument, Tensor t) {
        if (t == null) {
            throw new InvalidInputException(argument, "a tensor", "null");
        }
        return t;
    }

    /** A floating tensor of the given shape (-1 = any), finite, with no zero-sized dimension. */
    static Tensor floats(String argument, Tensor t, int... shape) {
        present(argument, t).requireShape(argument, shape);
        if (!t.dtype().isFloating()) {
            throw new InvalidInputException(argument, "a floating dtype", t.dtype().toString());
        }
        nonEmpty(argument, t);
        return t.requireFinite(argument);
    }

    /** An integer tensor of the given shape with every value in [0, bound]. */
    static long[] ids(String argument, Tensor t, long inclusiveBound, int... shape) {
        present(argument, t).requireShape(argument, shape);
        if (t.dtype().isFloating()) {
            throw new InvalidInputException(argument, "an integer dtype", t.dtype().toString());
        }
        nonEmpty(argument, t);
        long[] v = t.toLongArray();
        for (int i = 0; i < v.length; i++) {
            if (v[i] < 0 || v[i] > inclusiveBound) {
                throw new InvalidInputException(argument, "values in [0, " + inclusiveBound + "]",
                        v[i] + " at flat index " + i);
            }
        }
        return v;
    }

    static void nonEmpty(String argument, Tensor t) {
        for (int d : t.shape()) {
            if (d == 0) {
                throw new InvalidInputException(argument, "no zero-sized dimension", java.util.Arrays.toString(t.shape()));
            }
        }
    }

    /** Every element strictly inside (lo, hi). */
    static void within(String argument, Tensor t, double lo, double hi) {
        double[] v = t.toDoubleArray();
        for (int i = 0; i < v.length; i++) {
            if (!(v[i] > lo && v[i] < hi)) {
                throw new InvalidInputException(argument, "values in (" + lo + ", " + hi + ")", v[i] + " at flat index " + i);
            }
        }
    }
}

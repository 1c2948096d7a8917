package dev.mdm.sampling;

import dev.mdm.InvalidInputException;
import dev.mdm.tensor.Tensor;
import java.util.Arrays;

/**
 * Conditioning by infilling: elements where {@code mask} is 1 are held at {@code values} at every step (SPEC §8).
 *
 * @param mask 1 where held, 0 where sampled; same shape as the state
 * @param values the clean values to hold
 */
public record Infill(Tensor mask, Tensor values) {
    /** Checks that both have one shape and the mask is 0/1. */
    public Infill {
        if (!Arrays.equals(mask.shape(), values.shape())) {
            throw new InvalidInputException("values", "shape " + Arrays.toString(mask.shape()), "shape " + Arrays.toString(values.shape()));
        }
        for (double m : mask.toDoubleArray()) {
            if (m != 0 && m != 1) {
                throw new InvalidInputException("mask", "only 0 and 1", String.valueOf(m));
            }
        }
        values.requireFinite("values");
    }

    /**
     * @param state a state of the same shape
     * @return the state with the held elements replaced
     */
    public Tensor apply(Tensor state) {
        state.requireShape("state", mask.shape());
        double[] s = state.toDoubleArray();
        double[] m = mask.toDoubleArray();
        double[] v = values.toDoubleArray();
        for (int i = 0; i < s.length; i++) {
            if (m[i] != 0) {
                s[i] = v[i];
            }
        }
        return Tensor.of(s, state.shape());
    }
}

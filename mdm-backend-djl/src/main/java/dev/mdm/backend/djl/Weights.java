package dev.mdm.backend.djl;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * Named NDArrays under the parameter names of SPEC §12, seen through a name prefix (e.g. {@code blocks.1.mixer.}).
 * The same network code runs on a model's weights for inference and on gradient-tracking copies for training.
 *
 * @param arrays full name to array
 * @param prefix prepended to every name looked up
 */
record Weights(Map<String, NDArray> arrays, String prefix) {
    static Weights of(Map<String, NDArray> arrays) {
        return new Weights(arrays, "");
    }

    NDArray get(String name) {
        NDArray a = arrays.get(prefix + name);
        if (a == null) {
            throw new IllegalStateException("no weight named " + prefix + name);
        }
        return a;
    }

    Weights under(String subPrefix) {
        return new Weights(arrays, prefix + subPrefix);
    }
}

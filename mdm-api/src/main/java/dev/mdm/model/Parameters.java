package dev.mdm.model;

import dev.mdm.InvalidInputException;
import dev.mdm.MdmConfig;
import dev.mdm.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An immutable, ordered set of named tensors: model weights under the names of SPEC §12, gradients, or optimizer
 * state. Names are what make checkpoints portable across backends.
 */
public final class Parameters {
    private final Map<String, Tensor> tensors;

    private Parameters(Map<String, Tensor> tensors) {
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    /**
     * @param tensors name to tensor, in the order to keep; copied
     * @return the parameters
     */
    public static Parameters of(Map<String, Tensor> tensors) {
        var copy = new LinkedHashMap<String, Tensor>();
        tensors.forEach((k, v) -> copy.put(Objects.requireNonNull(k, "name"), Objects.requireNonNull(v, k)));
        return new Parameters(copy);
    }

    /** @return no tensors */
    public static Parameters empty() {
        return new Parameters(new LinkedHashMap<>());
    }

    /**
     * @param name a parameter name
     * @return its tensor
     * @throws InvalidInputException if absent, listing a few names that are present
     */
    public Tensor get(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new InvalidInputException("parameters", "a tensor named '" + name + "'",
                    "none among " + tensors.size() + " names " + preview());
        }
        return t;
    }

    /**
     * @param name a parameter name
     * @return true if present
     */
    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /** @return the names in order */
    public Set<String> names() {
        return tensors.keySet();
    }

    /** @return the name-to-tensor map, unmodifiable */
    public Map<String, Tensor> asMap() {
        return tensors;
    }

    /** @return number of tensors */
    public int size() {
        return tensors.size();
    }

    /** @return total number of elements over all tensors */
    public long elementCount() {
        long n = 0;
        for (Tensor t : tensors.values()) {
            n += t.size();
        }
        return n;
    }

    /**
     * @param name name to add or replace
     * @param tensor its tensor
     * @return a copy with that tensor
     */
    public Parameters with(String name, Tensor tensor) {
        var copy = new LinkedHashMap<>(tensors);
        copy.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(tensor, "tensor"));
        return new Parameters(copy);
    }

    /**
     * @param prefix a name prefix such as {@code "blocks.0.mixer."}
     * @return the tensors under it, with the prefix removed
     */
    public Parameters withPrefixRemoved(String prefix) {
        var out = new LinkedHashMap<String, Tensor>();
        tensors.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return new Parameters(out);
    }

    /**
     * @param prefix prefix to put before every name
     * @return a copy with prefixed names
     */
    public Parameters withPrefix(String prefix) {
        var out = new LinkedHashMap<String, Tensor>();
        tensors.forEach((k, v) -> out.put(prefix + k, v));
        return new Parameters(out);
    }

    /**
     * Checks that exactly the expected names are present with the expected shapes and floating dtypes.
     *
     * @param expected name to shape
     * @param what what is being checked, for the message (e.g. {@code "checkpoint"})
     * @return this
     * @throws InvalidInputException listing every misshaped tensor, then the unexpected and missing names (the first ten of each)
     */
    public Parameters requireLayout(Map<String, int[]> expected, String what) {
        // misshaped tensors first: they are the likely mistake; long lists of missing or extra names are elided
        List<String> misshaped = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        expected.forEach((name, shape) -> {
            Tensor t = tensors.get(name);
            if (t == null) {
                missing.add("'" + name + "' " + Arrays.toString(shape));
            } else if (!Arrays.equals(t.shape(), shape)) {
                misshaped.add("'" + name + "' has shape " + Arrays.toString(t.shape()) + ", expected " + Arrays.toString(shape));
            } else if (!t.dtype().isFloating()) {
                misshaped.add("'" + name + "' has dtype " + t.dtype() + ", expected a floating dtype");
            }
        });
        for (String name : tensors.keySet()) {
            if (!expected.containsKey(name)) {
                unexpected.add("'" + name + "'");
            }
        }
        List<String> problems = new ArrayList<>(misshaped);
        if (!unexpected.isEmpty()) {
            problems.add(unexpected.size() + " unexpected: " + elide(unexpected));
        }
        if (!missing.isEmpty()) {
            problems.add(missing.size() + " missing: " + elide(missing));
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException(what, "the parameter layout of SPEC §12", String.join("; ", problems));
        }
        return this;
    }

    private static String elide(List<String> names) {
        return String.join(", ", names.subList(0, Math.min(10, names.size()))) + (names.size() > 10 ? ", …" : "");
    }

    /**
     * @param config model sizes
     * @return this, checked against {@link ParameterLayout#of(MdmConfig)}
     */
    public Parameters requireLayout(MdmConfig config) {
        return requireLayout(ParameterLayout.of(config), "parameters");
    }

    private String preview() {
        List<String> names = new ArrayList<>(tensors.keySet());
        return names.subList(0, Math.min(5, names.size())) + (names.size() > 5 ? "…" : "");
    }

    @Override
    public String toString() {
        return "Parameters{" + tensors.size() + " tensors, " + elementCount() + " elements}";
    }
}

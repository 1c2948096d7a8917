package dev.mdm.tck.reference;

import dev.mdm.model.Parameters;
import dev.mdm.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/** Named weights held as float64 arrays, converted once from whatever floating dtype they arrived in. */
final class ReferenceWeights {
    private final Map<String, double[]> values = new LinkedHashMap<>();
    private final Map<String, int[]> shapes = new LinkedHashMap<>();

    /** @param parameters already checked against their layout; every value must be finite */
    ReferenceWeights(Parameters parameters) {
        parameters.asMap().forEach((name, t) -> {
            t.requireFinite("parameters['" + name + "']");
            values.put(name, t.toDoubleArray());
            shapes.put(name, t.shape());
        });
    }

    double[] get(String name) {
        double[] v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no weight named '" + name + "'");
        }
        return v;
    }

    /** @return a copy of every weight as F64 tensors, in the original order */
    Parameters toParameters() {
        var out = new LinkedHashMap<String, Tensor>();
        values.forEach((name, v) -> out.put(name, Tensor.of(v, shapes.get(name))));
        return Parameters.of(out);
    }
}

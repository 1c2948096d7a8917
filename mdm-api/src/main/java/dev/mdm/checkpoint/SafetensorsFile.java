package dev.mdm.checkpoint;

import dev.mdm.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The contents of one safetensors file: its tensors in header order and its string metadata (the header's
 * {@code __metadata__} object).
 *
 * @param tensors name to tensor, in the order of the file's header; unmodifiable
 * @param metadata string key to string value; unmodifiable, empty when the file has none
 */
public record SafetensorsFile(Map<String, Tensor> tensors, Map<String, String> metadata) {
    /** Copies both maps, keeping their order, and rejects null keys and values. */
    public SafetensorsFile {
        tensors = orderedCopy(tensors, "tensors");
        metadata = orderedCopy(metadata, "metadata");
    }

    private static <V> Map<String, V> orderedCopy(Map<String, V> map, String what) {
        var copy = new LinkedHashMap<String, V>();
        Objects.requireNonNull(map, what).forEach((k, v) -> copy.put(Objects.requireNonNull(k, what + " key"),
                Objects.requireNonNull(v, () -> what + " value of '" + k + "'")));
        return Collections.unmodifiableMap(copy);
    }
}

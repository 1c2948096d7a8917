package dev.mdm.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mdm.tensor.DType;
import dev.mdm.tensor.Tensor;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file written by Python's {@code safetensors} library ({@code safetensors.torch.save_file}) next to a JSON
 * description of its tensors (resources {@code python/python-written.*}, made by the coordinator on the GPU machine).
 */
@DisplayName("Safetensors reads files written by Python's safetensors library")
class PythonInteropTest {
    private static final Map<String, DType> TORCH_DTYPES = Map.of("float64", DType.F64, "float32", DType.F32,
            "float16", DType.F16, "bfloat16", DType.BF16, "int64", DType.I64, "int32", DType.I32, "int8", DType.I8,
            "uint8", DType.U8, "bool", DType.BOOL);

    @TempDir
    Path dir;

    @Test
    @DisplayName("every tensor has the dtype, shape and exact values the JSON description gives, and the metadata matches")
    void pythonWrittenFileLoads() throws Exception {
        JsonNode expected;
        try (InputStream in = getClass().getResourceAsStream("/python/python-written.json")) {
            expected = new ObjectMapper().readTree(in);
        }
        SafetensorsFile file = Safetensors.read(resource("/python/python-written.safetensors"));

        List<String> names = new ArrayList<>();
        expected.fieldNames().forEachRemaining(n -> {
            if (!n.equals(Safetensors.METADATA_KEY)) {
                names.add(n);
            }
        });
        assertThat(file.tensors().keySet()).containsExactlyInAnyOrderElementsOf(names);
        assertThat(names).as("every dtype is covered").hasSizeGreaterThanOrEqualTo(9);
        for (String name : names) {
            JsonNode e = expected.get(name);
            Tensor t = file.tensors().get(name);
            assertThat(t.dtype()).as(name).isEqualTo(TORCH_DTYPES.get(e.get("dtype").asText()));
            int[] shape = new int[e.get("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = e.get("shape").get(i).asInt();
            }
            assertThat(t.shape()).as(name).containsExactly(shape);
            JsonNode values = e.get("values");
            assertThat(t.size()).as(name).isEqualTo(values.size());
            for (int i = 0; i < values.size(); i++) {
                if (t.dtype().isFloating()) {
                    assertThat(t.getDouble(i)).as("%s[%d]", name, i).isEqualTo(values.get(i).asDouble());
                } else {
                    assertThat(t.getLong(i)).as("%s[%d]", name, i).isEqualTo(values.get(i).asLong());
                }
            }
        }
        JsonNode meta = expected.get(Safetensors.METADATA_KEY);
        meta.fieldNames().forEachRemaining(k -> assertThat(file.metadata()).containsEntry(k, meta.get(k).asText()));
        assertThat(file.metadata()).hasSize(meta.size());
    }

    @Test
    @DisplayName("what we read from Python's file we write back to the same bytes of data and an equivalent header")
    void rewriteKeepsData() throws Exception {
        SafetensorsFile file = Safetensors.read(resource("/python/python-written.safetensors"));
        Path ours = dir.resolve("ours.safetensors");
        Safetensors.write(ours, file.tensors(), file.metadata());
        SafetensorsFile back = Safetensors.read(ours);
        file.tensors().forEach((n, t) -> assertThat(back.tensors().get(n).contentEquals(t)).as(n).isTrue());
        assertThat(back.metadata()).containsAllEntriesOf(file.metadata());
        assertThat(Files.size(ours)).isGreaterThan(100);
    }

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(PythonInteropTest.class.getResource(name).toURI());
    }
}

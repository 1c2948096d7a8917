package dev.mdm.backend.onnx;

import static dev.mdm.backend.onnx.Float32Tolerance.gaussian;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mdm.Device;
import dev.mdm.MdmConfig;
import dev.mdm.MdmException;
import dev.mdm.Precision;
import dev.mdm.model.ParameterInitializer;
import dev.mdm.model.Parameters;
import dev.mdm.spi.BackendContext;
import dev.mdm.spi.ModelRuntime;
import dev.mdm.spi.OnnxExporter;
import dev.mdm.tensor.Tensor;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("A denoiser whose weights exceed what a protobuf message holds keeps them as ONNX external data")
class OnnxExternalDataTest {
    private static final MdmConfig TINY = MdmConfig.tiny();
    private static final int BATCH = 3;
    private static OnnxBackend backend;
    private static ModelRuntime inline;
    /** The same weights with an inline limit of 0 bytes: the path the paper preset's 5.2 GB take. */
    private static ModelRuntime external;
    private static Tensor latents;
    private static Tensor time;
    private static Tensor classes;

    @BeforeAll
    static void load() {
        backend = new OnnxBackend(new BackendContext(Device.cpu(), Precision.FP32));
        Parameters p = OnnxModelRuntimeTest.perturbed(ParameterInitializer.initialize(TINY, 42), 7);
        inline = backend.load(TINY, p);
        external = backend.load(TINY, p, 0);
        latents = Tensor.of(gaussian(new Random(1), BATCH * TINY.latentTokens() * TINY.latentDim(), 1), BATCH,
                TINY.latentTokens(), TINY.latentDim());
        time = Tensor.of(new double[] {0, 123.5, 999}, BATCH);
        classes = Tensor.ofLongs(new long[] {0, 2, TINY.classes()}, BATCH);
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    @Test
    @DisplayName("given to ONNX Runtime from memory, the external weights compute what the inline graph computes")
    void externalDataComputesTheSame() {
        Tensor expected = inline.denoiser().predict(latents, time, classes);
        Tensor actual = external.denoiser().predict(latents, time, classes);
        assertThat(actual.shape()).containsExactly(expected.shape());
        assertThat(actual.toFloatArray()).containsExactly(expected.toFloatArray());
    }

    @Test
    @DisplayName("exported, the weights go to denoiser.onnx.data at 4 096-byte offsets, model.json describes that file, and a fresh session on denoiser.onnx reproduces the backend")
    void exportWritesTheDataFile(@TempDir Path dir) throws Exception {
        List<Path> written = ((OnnxExporter) external).exportOnnx(dir);
        assertThat(written).extracting(f -> f.getFileName().toString()).containsExactly("decoder_image.onnx",
                "decoder_text.onnx", "denoiser.onnx", "denoiser.onnx.data", "encoder_image.onnx", "encoder_text.onnx",
                "model.json");
        Path data = dir.resolve("denoiser.onnx.data");
        ModelProto model = ModelProto.parseFrom(Files.readAllBytes(dir.resolve(OnnxExporter.DENOISER)));
        List<TensorProto> kept = model.getGraph().getInitializerList().stream()
                .filter(t -> t.getDataLocation() == TensorProto.DataLocation.EXTERNAL).toList();
        assertThat(kept).extracting(TensorProto::getName).contains("blocks.0.mixer.in_proj.weight", "blocks.1.mixer.out_proj.weight", "pos");
        for (TensorProto t : kept) {
            Map<String, String> where = t.getExternalDataList().stream()
                    .collect(Collectors.toMap(StringStringEntryProto::getKey, StringStringEntryProto::getValue));
            assertThat(where.get("location")).isEqualTo("denoiser.onnx.data");
            assertThat(Long.parseLong(where.get("offset")) % 4096).as("offset of %s", t.getName()).isZero();
            assertThat(t.getRawData().isEmpty()).isTrue();
            long end = Long.parseLong(where.get("offset")) + Long.parseLong(where.get("length"));
            assertThat(end).as("end of %s", t.getName()).isLessThanOrEqualTo(Files.size(data));
        }
        // initializers under 1 KiB stay in the graph
        assertThat(model.getGraph().getInitializerList()).filteredOn(t -> t.getName().equals("norm_f.weight"))
                .singleElement().satisfies(t -> assertThat(t.getRawData().size()).isEqualTo(4 * TINY.dModel()));

        JsonNode described = new ObjectMapper().readTree(dir.resolve(OnnxExporter.DESCRIPTION).toFile())
                .get("files").get("denoiser.onnx").get("data");
        assertThat(described.get("file").asText()).isEqualTo("denoiser.onnx.data");
        assertThat(described.get("bytes").asLong()).isEqualTo(Files.size(data));
        assertThat(described.get("sha256").asText())
                .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(data))));

        Tensor expected = external.denoiser().predict(latents, time, classes);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(dir.resolve(OnnxExporter.DENOISER).toString(), new OrtSession.SessionOptions());
             OnnxTensor lat = OnnxTensor.createTensor(env, FloatBuffer.wrap(latents.toFloatArray()), longs(latents.shape()));
             OnnxTensor t = OnnxTensor.createTensor(env, DoubleBuffer.wrap(time.toDoubleArray()), new long[] {BATCH});
             OnnxTensor c = OnnxTensor.createTensor(env, LongBuffer.wrap(classes.toLongArray()), new long[] {BATCH});
             OrtSession.Result r = s.run(Map.of("latents", lat, "time_input", t, "class_ids", c))) {
            FloatBuffer x0 = ((OnnxTensor) r.get("x0").orElseThrow()).getFloatBuffer();
            float[] actual = new float[x0.remaining()];
            x0.get(actual);
            assertThat(actual).containsExactly(expected.toFloatArray(), org.assertj.core.data.Offset.offset(1e-6f));
        }
    }

    @Test
    @DisplayName("a data file that cannot be written fails the export, naming the directory, and leaves the earlier graph file and no temporary file")
    void failedDataLeavesTheEarlierGraph(@TempDir Path dir) throws Exception {
        ((OnnxExporter) external).exportOnnx(dir);
        byte[] earlier = Files.readAllBytes(dir.resolve(OnnxExporter.DENOISER));
        // where the data file goes, a directory that a file cannot replace
        Path data = dir.resolve("denoiser.onnx.data");
        Files.delete(data);
        Files.createDirectories(data.resolve("occupied"));
        try (ModelRuntime other = backend.load(TINY, ParameterInitializer.initialize(TINY, 43), 0)) {
            assertThatThrownBy(() -> ((OnnxExporter) other).exportOnnx(dir)).isInstanceOf(MdmException.class)
                    .hasMessageContaining(dir.toString());
        }
        assertThat(Files.readAllBytes(dir.resolve(OnnxExporter.DENOISER))).isEqualTo(earlier);
        try (var listing = Files.list(dir)) {
            assertThat(listing.map(f -> f.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
    }

    @Test
    @DisplayName("an export whose graphs keep their weights inline deletes the data file an earlier export there described, and no other file")
    void inlineExportDeletesTheEarlierDataFile(@TempDir Path dir) throws Exception {
        ((OnnxExporter) external).exportOnnx(dir);
        Path mine = Files.writeString(dir.resolve("notes.onnx.data"), "a user's file");
        List<Path> written = ((OnnxExporter) inline).exportOnnx(dir);
        assertThat(written).extracting(f -> f.getFileName().toString()).doesNotContain("denoiser.onnx.data");
        assertThat(dir.resolve("denoiser.onnx.data")).doesNotExist();
        assertThat(mine).hasContent("a user's file");
        ModelProto model = ModelProto.parseFrom(Files.readAllBytes(dir.resolve(OnnxExporter.DENOISER)));
        assertThat(model.getGraph().getInitializerList())
                .noneMatch(t -> t.getDataLocation() == TensorProto.DataLocation.EXTERNAL);
    }

    private static long[] longs(int[] shape) {
        long[] out = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            out[i] = shape[i];
        }
        return out;
    }
}

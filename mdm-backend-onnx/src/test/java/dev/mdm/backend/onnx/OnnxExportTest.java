package dev.mdm.backend.onnx;

import static dev.mdm.backend.onnx.Float32Tolerance.gaussian;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mdm.MDM;
import dev.mdm.MdmConfig;
import dev.mdm.model.LatentDistribution;
import dev.mdm.spi.OnnxExporter;
import dev.mdm.tck.reference.ReferenceBackendProvider;
import dev.mdm.tensor.Tensor;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("MDM.exportOnnx writes standalone files that a fresh ONNX Runtime session loads and runs like the backend")
class OnnxExportTest {
    private static final MdmConfig TINY = MdmConfig.tiny();
    private static final int BATCH = 3;
    @TempDir
    static Path dir;
    private static MDM mdm;
    private static List<Path> written;

    @BeforeAll
    static void export() {
        mdm = MDM.builder().backend(new OnnxBackendProvider()).config(TINY).seed(3).build();
        written = mdm.exportOnnx(dir);
    }

    @AfterAll
    static void close() {
        mdm.close();
    }

    @Test
    @DisplayName("the five graphs and model.json are written, and nothing else is left in the directory")
    void filesAreWritten() throws Exception {
        assertThat(written).extracting(p -> p.getFileName().toString()).containsExactly("decoder_image.onnx",
                "decoder_text.onnx", "denoiser.onnx", "encoder_image.onnx", "encoder_text.onnx", "model.json");
        try (var listing = Files.list(dir)) {
            assertThat(listing.map(p -> p.getFileName().toString())).doesNotContain("tmp").hasSize(6);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"denoiser.onnx", "encoder_image.onnx", "encoder_text.onnx", "decoder_image.onnx", "decoder_text.onnx"})
    @DisplayName("each graph follows ONNX's structural rules: opset 18, every value defined before use, symbolic batch")
    void graphsAreWellFormed(String file) throws Exception {
        ModelProto m = ModelProto.parseFrom(Files.readAllBytes(dir.resolve(file)));
        assertThat(m.getIrVersion()).isEqualTo(8);
        assertThat(m.getOpsetImportList()).singleElement().satisfies(o -> {
            assertThat(o.getDomain()).isEmpty();
            assertThat(o.getVersion()).isEqualTo(18);
        });
        Set<String> defined = new HashSet<>();
        m.getGraph().getInputList().forEach(v -> defined.add(v.getName()));
        m.getGraph().getInitializerList().forEach(t -> {
            assertThat(t.getName()).isNotEmpty();
            defined.add(t.getName());
        });
        for (NodeProto n : m.getGraph().getNodeList()) {
            assertThat(n.getDomain()).as("node %s uses no custom domain", n.getName()).isEmpty();
            assertThat(n.getOpType()).as("no Scan or Loop").isNotIn("Scan", "Loop");
            for (String in : n.getInputList()) {
                assertThat(in.isEmpty() || defined.contains(in)).as("input %s of node %s is defined before use", in, n.getName()).isTrue();
            }
            for (String out : n.getOutputList()) {
                assertThat(defined.add(out)).as("output %s is produced once", out).isTrue();
            }
        }
        for (ValueInfoProto v : concat(m.getGraph().getInputList(), m.getGraph().getOutputList())) {
            assertThat(defined).contains(v.getName());
            assertThat(v.getDocString()).as("doc of %s", v.getName()).isNotBlank();
            assertThat(v.getType().getTensorType().getShape().getDim(0).getDimParam()).as("batch of %s", v.getName()).isEqualTo("batch");
        }
        // the weights are embedded under the checkpoint's names
        if (file.equals("denoiser.onnx")) {
            assertThat(m.getGraph().getInitializerList()).extracting(t -> t.getName())
                    .contains("blocks.1.mixer.in_proj.weight", "pos", "class_embed", "norm_f.weight");
        }
    }

    @Test
    @DisplayName("a fresh session on denoiser.onnx reproduces mdm.denoiser() for a batch of three")
    void denoiserReloads() throws Exception {
        int n = TINY.latentTokens();
        double[] z = gaussian(new Random(1), BATCH * n * 4, 1);
        double[] t = {0, 123.5, 999};
        long[] classes = {0, 2, 4};
        Tensor expected = mdm.denoiser().predict(Tensor.of(z, BATCH, n, 4), Tensor.of(t, BATCH), Tensor.ofLongs(classes, BATCH));
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(dir.resolve(OnnxExporter.DENOISER).toString(), new OrtSession.SessionOptions());
             OnnxTensor lat = OnnxTensor.createTensor(env, floats(z), new long[] {BATCH, n, 4});
             OnnxTensor time = OnnxTensor.createTensor(env, DoubleBuffer.wrap(t), new long[] {BATCH});
             OnnxTensor cls = OnnxTensor.createTensor(env, LongBuffer.wrap(classes), new long[] {BATCH});
             OrtSession.Result r = s.run(Map.of("latents", lat, "time_input", time, "class_ids", cls))) {
            assertThat(r.get("x0")).isPresent();
            assertSame(expected, ((OnnxTensor) r.get("x0").get()).getFloatBuffer());
        }
    }

    @Test
    @DisplayName("fresh sessions on the encoder and decoder files reproduce the backend's encoder and decoder")
    void vaeReloads() throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Random r = new Random(2);
        double[] images = gaussian(r, BATCH * 64, 0.5);
        LatentDistribution img = mdm.encoder().encodeImage(Tensor.of(images, BATCH, 1, 8, 8));
        try (OrtSession s = env.createSession(dir.resolve(OnnxExporter.ENCODER_IMAGE).toString(), new OrtSession.SessionOptions());
             OnnxTensor in = OnnxTensor.createTensor(env, floats(images), new long[] {BATCH, 1, 8, 8});
             OrtSession.Result out = s.run(Map.of("images", in))) {
            assertSame(img.mean(), ((OnnxTensor) out.get("mean").get()).getFloatBuffer());
            assertSame(img.logVar(), ((OnnxTensor) out.get("log_var").get()).getFloatBuffer());
        }
        long[] tokens = new long[BATCH * 8];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = r.nextInt(64);
        }
        LatentDistribution txt = mdm.encoder().encodeText(Tensor.ofLongs(tokens, BATCH, 8));
        try (OrtSession s = env.createSession(dir.resolve(OnnxExporter.ENCODER_TEXT).toString(), new OrtSession.SessionOptions());
             OnnxTensor in = OnnxTensor.createTensor(env, LongBuffer.wrap(tokens), new long[] {BATCH, 8});
             OrtSession.Result out = s.run(Map.of("tokens", in))) {
            assertSame(txt.mean(), ((OnnxTensor) out.get("mean").get()).getFloatBuffer());
        }
        double[] zi = gaussian(r, BATCH * 16 * 4, 1);
        try (OrtSession s = env.createSession(dir.resolve(OnnxExporter.DECODER_IMAGE).toString(), new OrtSession.SessionOptions());
             OnnxTensor in = OnnxTensor.createTensor(env, floats(zi), new long[] {BATCH, 16, 4});
             OrtSession.Result out = s.run(Map.of("latents", in))) {
            assertSame(mdm.decoder().decodeImage(Tensor.of(zi, BATCH, 16, 4)), ((OnnxTensor) out.get("images").get()).getFloatBuffer());
        }
        double[] zt = gaussian(r, BATCH * 8 * 4, 1);
        try (OrtSession s = env.createSession(dir.resolve(OnnxExporter.DECODER_TEXT).toString(), new OrtSession.SessionOptions());
             OnnxTensor in = OnnxTensor.createTensor(env, floats(zt), new long[] {BATCH, 8, 4});
             OrtSession.Result out = s.run(Map.of("latents", in))) {
            assertSame(mdm.decoder().decodeText(Tensor.of(zt, BATCH, 8, 4)), ((OnnxTensor) out.get("logits").get()).getFloatBuffer());
        }
    }

    @Test
    @DisplayName("model.json lists every file's inputs and outputs and carries the configuration")
    void descriptionIsComplete() throws Exception {
        JsonNode root = new ObjectMapper().readTree(dir.resolve(OnnxExporter.DESCRIPTION).toFile());
        assertThat(root.get("opset").asInt()).isEqualTo(18);
        assertThat(MdmConfig.fromJson(root.get("config").toString())).isEqualTo(TINY);
        JsonNode den = root.get("files").get("denoiser.onnx");
        assertThat(den.get("inputs")).extracting(v -> v.get("name").asText()).containsExactly("latents", "time_input", "class_ids");
        assertThat(den.get("inputs").get(1).get("dtype").asText()).isEqualTo("double");
        assertThat(den.get("outputs").get(0).get("shape").toString()).isEqualTo("[\"batch\",24,4]");
        assertThat(den.get("sha256").asText()).hasSize(64);
        assertThat(root.get("files").size()).isEqualTo(5);
    }

    @Test
    @DisplayName("a backend without ONNX_EXPORT refuses to export and says how to export instead")
    void exportNeedsTheCapability(@TempDir Path other) {
        try (MDM ref = MDM.builder().backend(new ReferenceBackendProvider()).config(TINY).seed(3).build()) {
            assertThatThrownBy(() -> ref.exportOnnx(other)).isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("reference").hasMessageContaining("ONNX_EXPORT").hasMessageContaining("backend(\"onnx\")");
        }
    }

    private static FloatBuffer floats(double[] v) {
        return FloatBuffer.wrap(Tensor.of(v, v.length).toFloatArray());
    }

    private static void assertSame(Tensor expected, FloatBuffer actual) {
        float[] a = new float[actual.remaining()];
        actual.get(a);
        assertThat(a).containsExactly(expected.toFloatArray(), org.assertj.core.data.Offset.offset(1e-6f));
    }

    private static List<ValueInfoProto> concat(List<ValueInfoProto> a, List<ValueInfoProto> b) {
        var out = new java.util.ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}

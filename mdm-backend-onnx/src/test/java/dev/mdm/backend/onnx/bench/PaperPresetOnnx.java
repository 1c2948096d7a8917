package dev.mdm.backend.onnx.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mdm.MDM;
import dev.mdm.MdmConfig;
import dev.mdm.backend.onnx.OnnxBackendProvider;
import dev.mdm.spi.OnnxExporter;
import dev.mdm.tensor.Tensor;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The {@code paper} preset (49 blocks, d 2048: 5.2 GB of float32 weights) on the onnx backend, whose denoiser graph
 * keeps its weights as ONNX external data: random weights, one denoiser evaluation at batch 1, the export, and a fresh
 * ONNX Runtime session on the exported {@code denoiser.onnx} (reading {@code denoiser.onnx.data}) that must reproduce
 * the backend's output. Writes what it measured as JSON. Not a test (minutes, about 20 GB of memory): run it as a main
 * class with a heap of at least 8 GB.
 *
 * <p>Arguments: export directory (default {@code target/paper-onnx}; it must not exist yet), output JSON (default
 * {@code target/paper-onnx.json}). The export's files and the directory are deleted at the end.
 */
public final class PaperPresetOnnx {
    private PaperPresetOnnx() {
    }

    /**
     * @param args optional export directory and output path
     * @throws Exception if a file cannot be written or ONNX Runtime fails
     */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "target/paper-onnx");
        Path out = Path.of(args.length > 1 ? args[1] : "target/paper-onnx.json");
        if (Files.exists(dir)) {  // its cleanup deletes the directory: never one with files of someone else's
            throw new IllegalArgumentException("export directory: expected a path that does not exist yet, got " + dir);
        }
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = json.createObjectNode();
        root.put("benchmark", "paper preset on the onnx backend: weights as ONNX external data");
        root.put("timestamp", Instant.now().toString());
        root.set("machine", DenoiserLatencyBenchmark.machine(json));
        MdmConfig c = MdmConfig.paper();
        root.put("latentTokens", c.latentTokens());
        Tensor latents = Tensor.of(new Random(1).doubles((long) c.latentTokens() * c.latentDim()).map(v -> 2 * v - 1)
                .toArray(), 1, c.latentTokens(), c.latentDim());
        Tensor time = Tensor.of(new double[] {500}, 1);
        Tensor classes = Tensor.ofLongs(new long[] {3}, 1);
        float[] expected;
        List<Path> written = List.of();
        long t0 = System.nanoTime();
        try (MDM mdm = MDM.builder().backend(new OnnxBackendProvider()).config(c).seed(0).build()) {
            root.put("backend", mdm.backend().name() + " " + mdm.backend().version());
            root.put("loadSeconds", seconds(t0));
            long t1 = System.nanoTime();
            expected = mdm.denoiser().predict(latents, time, classes).toFloatArray();
            root.put("firstEvaluationSeconds", seconds(t1));
            long t2 = System.nanoTime();
            mdm.denoiser().predict(latents, time, classes);
            root.put("secondEvaluationSeconds", seconds(t2));
            long t3 = System.nanoTime();
            written = mdm.exportOnnx(dir);
            root.put("exportSeconds", seconds(t3));
            ObjectNode files = root.putObject("files");
            for (Path p : written) {
                files.put(p.getFileName().toString(), Files.size(p));
            }
        }
        System.gc();  // the backend's copies of the weights go before ONNX Runtime reads the exported ones
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long t4 = System.nanoTime();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             OrtSession s = env.createSession(dir.resolve(OnnxExporter.DENOISER).toString(), options);
             OnnxTensor lat = OnnxTensor.createTensor(env, FloatBuffer.wrap(latents.toFloatArray()),
                     new long[] {1, c.latentTokens(), c.latentDim()});
             OnnxTensor t = OnnxTensor.createTensor(env, DoubleBuffer.wrap(time.toDoubleArray()), new long[] {1});
             OnnxTensor cls = OnnxTensor.createTensor(env, LongBuffer.wrap(classes.toLongArray()), new long[] {1});
             OrtSession.Result r = s.run(Map.of("latents", lat, "time_input", t, "class_ids", cls))) {
            root.put("reloadAndEvaluateSeconds", seconds(t4));
            FloatBuffer x0 = ((OnnxTensor) r.get("x0").orElseThrow()).getFloatBuffer();
            double maxDiff = 0;
            double maxAbs = 0;
            for (int i = 0; i < expected.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(x0.get(i) - expected[i]));
                maxAbs = Math.max(maxAbs, Math.abs(expected[i]));
            }
            root.put("reloadedMaxAbsDifference", maxDiff);
            root.put("outputMaxAbs", maxAbs);
        } finally {
            for (Path p : written) {
                Files.deleteIfExists(p);
            }
            Files.deleteIfExists(dir);
        }
        root.put("peakResidentBytes", peakResidentBytes());
        Files.createDirectories(out.toAbsolutePath().getParent());
        json.writeValue(out.toFile(), root);
        System.out.println(json.writeValueAsString(root));
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    /** @return VmHWM of /proc/self/status in bytes, or -1 where there is none */
    private static long peakResidentBytes() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith("VmHWM:")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (Exception e) {
            return -1;
        }
        return -1;
    }
}

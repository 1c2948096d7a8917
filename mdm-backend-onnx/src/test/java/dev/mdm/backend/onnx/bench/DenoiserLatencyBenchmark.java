package dev.mdm.backend.onnx.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mdm.Device;
import dev.mdm.MdmConfig;
import dev.mdm.Precision;
import dev.mdm.model.Denoiser;
import dev.mdm.model.ParameterInitializer;
import dev.mdm.model.Parameters;
import dev.mdm.spi.Backend;
import dev.mdm.spi.BackendContext;
import dev.mdm.spi.BackendProvider;
import dev.mdm.spi.BackendRegistry;
import dev.mdm.spi.ModelRuntime;
import dev.mdm.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * Latency of one denoiser evaluation (the unit of work of every sampler step) on the backends found on the class
 * path, all measured in this one run: {@code onnx}, the {@code djl} backend when its module is on the class path, and
 * the float64 {@code reference} oracle as the always-present baseline. Not a test: run it as a main class.
 *
 * <p>Arguments: output JSON path (default {@code target/denoiser-latency.json}).
 */
public final class DenoiserLatencyBenchmark {
    private static final int[] BATCHES = {1, 8};

    private DenoiserLatencyBenchmark() {
    }

    /**
     * @param args optional output path
     * @throws Exception if the JSON cannot be written
     */
    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "target/denoiser-latency.json");
        BackendRegistry registry = BackendRegistry.discover();
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = json.createObjectNode();
        root.put("benchmark", "denoiser latency, one network evaluation, FP32 requested");
        root.put("timestamp", Instant.now().toString());
        root.set("machine", machine(json));
        ArrayNode rows = root.putArray("results");
        ArrayNode absent = root.putArray("absent");
        for (String name : List.of("onnx", "djl", "reference")) {
            Optional<BackendProvider> p = registry.find(name);
            if (p.isEmpty() || !BackendRegistry.probe(p.get()).available()) {
                absent.add(name + (p.isEmpty() ? ": not on the class path" : ": " + BackendRegistry.probe(p.get()).reasons()));
                continue;
            }
            try (Backend backend = p.get().create(new BackendContext(Device.cpu(), Precision.FP32))) {
                for (String preset : List.of("tiny", "fashion")) {
                    MdmConfig config = MdmConfig.preset(preset);
                    Parameters params = ParameterInitializer.initialize(config, 1);
                    try (ModelRuntime model = backend.load(config, params)) {
                        for (int batch : BATCHES) {
                            boolean slow = name.equals("reference") && preset.equals("fashion");
                            rows.add(measure(json, backend, model.denoiser(), config, preset, batch, slow ? 1 : 10, slow ? 5 : 15));
                            System.out.println(rows.get(rows.size() - 1));
                        }
                    }
                }
            }
        }
        Files.createDirectories(out.toAbsolutePath().getParent());
        json.writeValue(out.toFile(), root);
        System.out.println("wrote " + out.toAbsolutePath());
    }

    private static ObjectNode measure(ObjectMapper json, Backend backend, Denoiser denoiser, MdmConfig c, String preset,
                                      int batch, int warmup, int repeats) {
        Random r = new Random(batch);
        int n = c.latentTokens();
        double[] z = new double[batch * n * c.latentDim()];
        for (int i = 0; i < z.length; i++) {
            z[i] = r.nextGaussian();
        }
        double[] t = new double[batch];
        long[] cls = new long[batch];
        for (int i = 0; i < batch; i++) {
            t[i] = r.nextInt(c.timesteps());
            cls[i] = r.nextInt(c.classes() + 1);
        }
        Tensor latents = Tensor.ofFloats(Tensor.of(z, z.length).toFloatArray(), batch, n, c.latentDim());
        Tensor time = Tensor.of(t, batch);
        Tensor classes = Tensor.ofLongs(cls, batch);
        for (int i = 0; i < warmup; i++) {
            denoiser.predict(latents, time, classes);
        }
        double[] ms = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long start = System.nanoTime();
            denoiser.predict(latents, time, classes);
            ms[i] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(ms);
        ObjectNode row = json.createObjectNode();
        row.put("backend", backend.name()).put("version", backend.version()).put("precision", backend.precision().name())
                .put("config", preset).put("batch", batch).put("warmup", warmup).put("repeats", repeats)
                .put("median_ms", ms[repeats / 2]).put("min_ms", ms[0]).put("max_ms", ms[repeats - 1]);
        return row;
    }

    static ObjectNode machine(ObjectMapper json) {
        ObjectNode m = json.createObjectNode();
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        m.put("arch", System.getProperty("os.arch"));
        m.put("cpus", Runtime.getRuntime().availableProcessors());
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
            lines.stream().filter(l -> l.startsWith("model name")).findFirst()
                    .ifPresent(l -> m.put("cpu", l.substring(l.indexOf(':') + 1).trim()));
        } catch (Exception e) {
            m.put("cpu", "unknown");
        }
        return m;
    }
}

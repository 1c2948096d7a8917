package dev.mdm.examples.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mdm.Device;
import dev.mdm.MdmConfig;
import dev.mdm.Precision;
import dev.mdm.spi.Backend;
import dev.mdm.spi.BackendContext;
import dev.mdm.spi.BackendProvider;
import dev.mdm.spi.BackendRegistry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collection;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link InferenceLatencyBenchmark} with JMH and writes one JSON document: machine, each backend's version,
 * the presets' configurations, and per backend and preset the median, p90 and sample count of the per-call time.
 * Argument: output path (default {@code target/inference-latency.json}). PyTorch (djl) runs one intra-op thread,
 * as its README advises on small machines; ONNX Runtime uses its defaults.
 */
public final class LatencyReport {
    private LatencyReport() {
    }

    /**
     * @param args optional output path
     * @throws RunnerException if JMH fails
     * @throws IOException if the JSON cannot be written
     */
    public static void main(String[] args) throws RunnerException, IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "target/inference-latency.json");
        Options options = new OptionsBuilder()
                .include(InferenceLatencyBenchmark.class.getName())
                .forks(1)
                .warmupIterations(2).warmupTime(TimeValue.seconds(2))
                .measurementIterations(5).measurementTime(TimeValue.seconds(3))
                .jvmArgsAppend("-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1", "--enable-native-access=ALL-UNNAMED")
                .param("backend", System.getProperty("bench.backends", "onnx,djl,reference").split(","))
                .param("preset", System.getProperty("bench.presets", "tiny,fashion").split(","))
                .build();
        Collection<RunResult> results = new Runner(options).run();

        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = json.createObjectNode();
        root.put("benchmark", "denoiser forward latency, CPU backends (JMH SampleTime, batch " + InferenceLatencyBenchmark.BATCH + ")");
        root.put("timestamp", Instant.now().toString());
        ObjectNode machine = root.putObject("machine");
        machine.put("cpus", Runtime.getRuntime().availableProcessors());
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        machine.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        machine.put("loadAverageAtEnd", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        ObjectNode versions = root.putObject("backends");
        for (BackendProvider p : BackendRegistry.discover().providers()) {
            if (BackendRegistry.probe(p).available() && !p.defaultDevice().isGpu()) {
                Precision precision = p.name().equals("reference") ? Precision.FP64 : Precision.FP32;
                try (Backend b = p.create(new BackendContext(Device.cpu(), precision))) {
                    versions.put(b.name(), b.version() + ", " + b.precision());
                }
            }
        }
        root.put("baseline", "reference: the pure-Java float64 oracle (mdm-tck), same weights and inputs, same run");
        ObjectNode configs = root.putObject("configs");
        for (String preset : new String[] {"tiny", "fashion"}) {
            configs.set(preset, json.readTree(MdmConfig.preset(preset).toJson()));
        }
        ArrayNode rows = root.putArray("results");
        for (RunResult r : results) {
            var stats = r.getPrimaryResult().getStatistics();
            ObjectNode row = rows.addObject();
            row.put("backend", r.getParams().getParam("backend"));
            row.put("preset", r.getParams().getParam("preset"));
            row.put("medianMs", stats.getPercentile(50));
            row.put("p90Ms", stats.getPercentile(90));
            row.put("samples", stats.getN());
        }
        Files.createDirectories(out.toAbsolutePath().getParent());
        json.writeValue(out.toFile(), root);
        System.out.println(json.writeValueAsString(root));
        System.out.println("wrote " + out.toAbsolutePath());
    }
}

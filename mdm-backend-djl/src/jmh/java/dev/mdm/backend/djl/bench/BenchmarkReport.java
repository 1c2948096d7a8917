package dev.mdm.backend.djl.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mdm.Device;
import dev.mdm.MdmConfig;
import dev.mdm.Precision;
import dev.mdm.backend.djl.DjlBackendProvider;
import dev.mdm.spi.Backend;
import dev.mdm.spi.BackendContext;
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
 * Runs {@link ThroughputBenchmark} with JMH and writes one JSON document: machine, backend and version, PyTorch
 * threads, each preset's configuration, and per benchmark the median, p90 and sample count of the per-call time with
 * the derived samples per second. The {@code referenceForward} rows are the baseline.
 *
 * <p>Arguments: output path (default {@code target/djl-throughput.json}). System property {@code bench.threads}
 * (default 1) sets {@code ai.djl.pytorch.num_threads} of the forked JVM.
 */
public final class BenchmarkReport {
    private BenchmarkReport() {
    }

    /**
     * @param args optional output path
     * @throws RunnerException if JMH fails
     * @throws IOException if the JSON cannot be written
     */
    public static void main(String[] args) throws RunnerException, IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "target/djl-throughput.json");
        String threads = System.getProperty("bench.threads", "1");
        Options options = new OptionsBuilder()
                .include(ThroughputBenchmark.class.getName())
                .forks(1)
                .warmupIterations(2).warmupTime(TimeValue.seconds(3))
                .measurementIterations(5).measurementTime(TimeValue.seconds(4))
                .jvmArgsAppend("-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=" + threads)
                .build();
        Collection<RunResult> results = new Runner(options).run();

        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = json.createObjectNode();
        root.put("benchmark", "mdm-backend-djl throughput (JMH SampleTime, per-call times)");
        root.put("timestamp", Instant.now().toString());
        ObjectNode machine = root.putObject("machine");
        machine.put("cpus", Runtime.getRuntime().availableProcessors());
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        machine.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        machine.put("loadAverageAtEnd", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        try (Backend b = new DjlBackendProvider().create(new BackendContext(Device.cpu(), Precision.FP32))) {
            root.put("backend", b.name());
            root.put("version", b.version());
            root.put("precision", b.precision().name());
        }
        root.put("pytorchThreads", Integer.parseInt(threads));
        root.put("batch", ThroughputBenchmark.BATCH);
        root.put("baseline", "referenceForward: the pure-Java float64 oracle (mdm-tck) on the same inputs");
        ObjectNode configs = root.putObject("configs");
        for (String preset : new String[] {"tiny", "fashion"}) {
            configs.set(preset, json.readTree(MdmConfig.preset(preset).toJson()));
        }
        ArrayNode rows = root.putArray("results");
        for (RunResult r : results) {
            var stats = r.getPrimaryResult().getStatistics();
            String name = r.getParams().getBenchmark();
            double median = stats.getPercentile(50);
            ObjectNode row = rows.addObject();
            row.put("benchmark", name.substring(name.lastIndexOf('.') + 1));
            row.put("preset", r.getParams().getParam("preset"));
            row.put("unit", r.getPrimaryResult().getScoreUnit());
            row.put("medianMs", median);
            row.put("p90Ms", stats.getPercentile(90));
            row.put("samples", stats.getN());
            row.put("samplesPerSecond", ThroughputBenchmark.BATCH * 1000.0 / median);
        }
        Files.createDirectories(out.toAbsolutePath().getParent());
        json.writeValue(out.toFile(), root);
        System.out.println(json.writeValueAsString(root));
        System.out.println("wrote " + out.toAbsolutePath());
    }
}

package dev.mdm.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.mdm.MDM;
import dev.mdm.MdmConfig;
import dev.mdm.Precision;
import dev.mdm.examples.report.Charts;
import dev.mdm.model.Denoiser;
import dev.mdm.spi.BackendProvider;
import dev.mdm.spi.BackendRegistry;
import dev.mdm.tensor.Tensor;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code mdm bench}: forward latency of the denoiser per backend and preset. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Time one forward pass of the denoiser (every block, fresh weights) per backend and preset on the "
                + "CPU: the median over --repeats runs after --warmup runs. The reference backend is always measured "
                + "too, as the baseline of the same run. Writes bench.json (machine, backends with versions, configs, "
                + "medians) and bench.png under --out.",
                "With --backend jcuda it runs the jcuda module's own step benchmark (paper preset, CUDA graphs) instead."},
        footer = {"", "Examples:", "  mdm bench", "  mdm bench --backend djl --preset fashion --repeats 20",
                "  mdm bench --backend jcuda --out gpu-bench"})
public final class BenchCommand implements Callable<Integer> {
    static final String JCUDA_BENCHMARK = "dev.mdm.backend.jcuda.bench.StepBenchmark";

    @Spec
    CommandSpec spec;

    @Option(names = "--backend", paramLabel = "NAME",
            description = "Backend to time (repeatable). Default: every backend that can run on the CPU here.")
    List<String> backends = new ArrayList<>();

    @Option(names = "--preset", paramLabel = "NAME", description = "tiny or fashion (repeatable; default both).")
    List<String> presets = new ArrayList<>();

    @Option(names = "--batch", defaultValue = "1", paramLabel = "N", description = "Samples per forward pass (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--repeats", defaultValue = "10", paramLabel = "N", description = "Timed runs (default ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--warmup", defaultValue = "3", paramLabel = "N", description = "Untimed runs first (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--out", defaultValue = "mdm-bench", paramLabel = "DIR", description = "Where to write bench.json and bench.png (default ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws Exception {
        OptionChecks.atLeast("--repeats", repeats, 1);
        OptionChecks.atLeast("--warmup", warmup, 0);
        OptionChecks.atLeast("--batch", batch, 1);
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        if (backends.contains("jcuda")) {
            if (backends.size() > 1) {
                throw new dev.mdm.InvalidInputException("--backend", "jcuda alone (its benchmark is a separate program)",
                        String.join(", ", backends));
            }
            return delegateToJcuda(stdout);
        }
        BackendRegistry registry = BackendRegistry.discover();
        List<String> names = new ArrayList<>(backends);
        if (names.isEmpty()) {
            for (BackendProvider p : registry.providers()) {
                if (!p.defaultDevice().isGpu() && BackendRegistry.probe(p).available()) {
                    names.add(p.name());
                }
            }
        }
        if (!names.contains("reference")) {
            names.add("reference"); // the baseline, measured in the same run
        }
        List<String> sizes = presets.isEmpty() ? List.of("tiny", "fashion") : presets;
        for (String s : sizes) {
            if (!s.equals("tiny") && !s.equals("fashion")) {
                throw new dev.mdm.InvalidInputException("--preset", "tiny or fashion (the paper preset is for GPUs: "
                        + "--backend jcuda)", "'" + s + "'");
            }
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String preset : sizes) {
            MdmConfig config = MdmConfig.preset(preset);
            for (String name : names) {
                try (MDM mdm = MDM.builder().backend(name).config(config).precision(Precision.FP32).build()) {
                    rows.add(time(mdm, preset, err));
                }
            }
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("benchmark", "denoiser forward pass (all blocks), fresh weights, CPU");
        root.put("created", Instant.now().toString());
        root.put("machine", machine());
        root.put("statistic", "median of " + repeats + " runs after " + warmup + " warm-up runs, milliseconds");
        root.put("baseline", "reference (float64 oracle of mdm-tck), same run");
        root.put("batch", batch);
        root.put("rows", rows);
        Files.createDirectories(out);
        Path json = out.resolve("bench.json");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), root);
        Path png = out.resolve("bench.png");
        chart(rows, sizes, names, png);
        stdout.printf("%-10s %-8s %12s %12s %10s%n", "backend", "preset", "median ms", "min ms", "speed-up");
        for (Map<String, Object> r : rows) {
            double ref = rows.stream().filter(o -> o.get("preset").equals(r.get("preset")) && o.get("backend").equals("reference"))
                    .mapToDouble(o -> (double) o.get("medianMs")).findFirst().orElse(Double.NaN);
            stdout.printf("%-10s %-8s %12.3f %12.3f %9.2fx%n", r.get("backend"), r.get("preset"), r.get("medianMs"),
                    r.get("minMs"), ref / (double) r.get("medianMs"));
        }
        stdout.println(json);
        stdout.println(png);
        return ExitCodes.OK;
    }

    private Map<String, Object> time(MDM mdm, String preset, PrintWriter err) {
        MdmConfig c = mdm.config();
        Random random = new Random(1);
        double[] z = new double[batch * c.latentTokens() * c.latentDim()];
        for (int i = 0; i < z.length; i++) {
            z[i] = random.nextGaussian();
        }
        Tensor latents = Tensor.of(z, batch, c.latentTokens(), c.latentDim());
        double[] t = new double[batch];
        Arrays.fill(t, 500);
        long[] classes = new long[batch];
        Arrays.fill(classes, c.classes()); // the null class
        Tensor time = Tensor.of(t, batch);
        Tensor classIds = Tensor.ofLongs(classes, batch);
        Denoiser denoiser = mdm.denoiser();
        ProgressBar bar = new ProgressBar(err, mdm.backend().name() + "/" + preset, warmup + repeats, "runs");
        double[] ms = new double[repeats];
        for (int i = 0; i < warmup + repeats; i++) {
            long start = System.nanoTime();
            denoiser.predict(latents, time, classIds);
            if (i >= warmup) {
                ms[i - warmup] = (System.nanoTime() - start) / 1e6;
            }
            bar.update(i + 1, 1, "");
        }
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("backend", mdm.backend().name());
        row.put("version", mdm.backend().version());
        row.put("device", mdm.backend().device().toString());
        row.put("precision", mdm.backend().precision().toString());
        row.put("preset", preset);
        row.put("sequenceLength", c.sequenceLength());
        row.put("dModel", c.dModel());
        row.put("blocks", c.blocks());
        row.put("medianMs", median(sorted));
        row.put("minMs", sorted[0]);
        row.put("maxMs", sorted[sorted.length - 1]);
        row.put("runsMs", ms);
        return row;
    }

    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        m.put("arch", System.getProperty("os.arch"));
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("cpu", cpuModel());
        m.put("java", Runtime.version().toString() + " (" + System.getProperty("java.vendor") + ")");
        m.put("maxHeapMiB", Runtime.getRuntime().maxMemory() >> 20);
        return m;
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown");
        } catch (IOException | UncheckedIOException e) {
            return "unknown";
        }
    }

    private static void chart(List<Map<String, Object>> rows, List<String> presets, List<String> names, Path png) {
        CategoryChart chart = new CategoryChartBuilder().width(800).height(480)
                .title("Denoiser forward pass, median (lower is better)").xAxisTitle("preset").yAxisTitle("milliseconds")
                .build();
        chart.getStyler().setLabelsVisible(true);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        for (String name : names) {
            List<String> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (String preset : presets) {
                rows.stream().filter(r -> r.get("backend").equals(name) && r.get("preset").equals(preset)).findFirst()
                        .ifPresent(r -> {
                            xs.add(preset);
                            ys.add(Math.round((double) r.get("medianMs") * 10) / 10.0); // one decimal in the bar labels
                        });
            }
            if (!xs.isEmpty()) {
                chart.addSeries(name, xs, ys);
            }
        }
        Charts.save(chart, png);
    }

    private int delegateToJcuda(PrintWriter stdout) throws Exception {
        Class<?> benchmark;
        try {
            benchmark = Class.forName(JCUDA_BENCHMARK);
        } catch (ClassNotFoundException e) {
            throw new UnsupportedOperationException("the jcuda module's step benchmark (" + JCUDA_BENCHMARK
                    + ") is not on the class path; build with mdm-backend-jcuda");
        }
        Files.createDirectories(out);
        Path json = out.resolve("step-benchmark.json");
        try {
            benchmark.getMethod("main", String[].class).invoke(null,
                    (Object) new String[] {"--out", json.toString(), "--repeats", Integer.toString(repeats)});
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception ex ? ex : e;
        }
        stdout.println(json);
        return ExitCodes.OK;
    }
}

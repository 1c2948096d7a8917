package dev.mdm.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mdm.Device;
import dev.mdm.Discretization;
import dev.mdm.MDM;
import dev.mdm.MdmConfig;
import dev.mdm.Precision;
import dev.mdm.checkpoint.Safetensors;
import dev.mdm.checkpoint.SafetensorsFile;
import dev.mdm.model.MambaMixer;
import dev.mdm.model.MambaShape;
import dev.mdm.model.Parameters;
import dev.mdm.model.SsdRequest;
import dev.mdm.spi.Backend;
import dev.mdm.spi.BackendContext;
import dev.mdm.tck.reference.ReferenceBackendProvider;
import dev.mdm.tensor.DType;
import dev.mdm.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.MethodSource;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The conformance runner of SPEC §11, end to end through {@code run(String[])} on the reference backend. */
@DisplayName("The conformance runner")
class ConformanceTest {
    private static final Path VECTORS = Path.of("src/test/resources/vectors");
    private static Backend reference;

    @TempDir
    Path dir;

    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

    @BeforeAll
    static void openReference() {
        reference = new ReferenceBackendProvider().create(new BackendContext(Device.cpu(), Precision.FP64));
    }

    @AfterAll
    static void closeReference() {
        reference.close();
    }

    private int run(String... args) {
        return Conformance.run(args, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(stderr, true, StandardCharsets.UTF_8));
    }

    private String stderr() {
        return stderr.toString(StandardCharsets.UTF_8);
    }

    /** Writes the inputs, runs the case on the reference, and returns the outputs. */
    private SafetensorsFile runCase(String caseName, Map<String, Tensor> inputs, Map<String, String> metadata) {
        Path in = dir.resolve(caseName + "-in.safetensors");
        Path out = dir.resolve(caseName + "-out.safetensors");
        Safetensors.write(in, inputs, metadata);
        int status = run("--backend", "reference", "--case", caseName, "--in", in.toString(), "--out", out.toString());
        assertThat(status).as("exit status; stderr: %s", stderr()).isZero();
        assertThat(stderr()).isEmpty();
        return Safetensors.read(out);
    }

    private static Map<String, Tensor> ssdInputs(RandomInputs in, boolean rawDt, DType dtype) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("x", in.normal(1, 2, 5, 4, 3).to(dtype));
        if (rawDt) {
            m.put("dt_raw", in.normal(1, 2, 5, 4).to(dtype));
            m.put("dt_bias", in.uniform(-2, 0, 4).to(dtype));
        } else {
            m.put("dt", in.uniform(0.01, 0.5, 2, 5, 4).to(dtype));
        }
        m.put("A", in.uniform(-3, -0.5, 4).to(dtype));
        m.put("B", in.normal(1, 2, 5, 2, 3).to(dtype));
        m.put("C", in.normal(1, 2, 5, 2, 3).to(dtype));
        return m;
    }

    private static Tensor f64(Map<String, Tensor> m, String name) {
        Tensor t = m.get(name);
        return t == null ? null : t.to(DType.F64);
    }

    @Nested
    @DisplayName("answers every case of SPEC §11 on the reference backend")
    class Cases {
        @ParameterizedTest(name = "inputs in {0}")
        @EnumSource(value = DType.class, names = {"F64", "F32", "F16", "BF16"})
        @DisplayName("ssd, with every float input dtype converted")
        void ssd(DType dtype) {
            Map<String, Tensor> inputs = ssdInputs(new RandomInputs(1, "ssd"), false, dtype);
            inputs.put("D", Tensor.of(new double[] {1, 0.5, 2, 0}, 4).to(dtype));
            inputs.put("z", new RandomInputs(2, "z").normal(1, 2, 5, 4, 3).to(dtype));
            SafetensorsFile out = runCase("ssd", inputs, Map.of("discretization", "ZOH"));
            Tensor expected = reference.ssd(new SsdRequest(f64(inputs, "x"), f64(inputs, "dt"), null, f64(inputs, "A"),
                    f64(inputs, "B"), f64(inputs, "C"), f64(inputs, "D"), f64(inputs, "z"), Discretization.ZOH));
            Tolerance.FP64.assertClose("y", out.tensors().get("y"), expected);
        }

        @Test
        @DisplayName("ssd_raw_dt, EULER by default, without the optional D and z")
        void ssdRawDt() {
            Map<String, Tensor> inputs = ssdInputs(new RandomInputs(3, "raw"), true, DType.F32);
            SafetensorsFile out = runCase("ssd_raw_dt", inputs, Map.of());
            Tensor expected = reference.ssd(new SsdRequest(f64(inputs, "x"), f64(inputs, "dt_raw"), f64(inputs, "dt_bias"),
                    f64(inputs, "A"), f64(inputs, "B"), f64(inputs, "C"), null, null, Discretization.EULER));
            Tolerance.FP64.assertClose("y", out.tensors().get("y"), expected);
        }

        @Test
        @DisplayName("mamba2, sizes from the metadata and weights under mamba_ssm names")
        void mamba2() {
            MambaShape shape = new MambaShape(16, 4, 4, 2, 8, 2, 256, Discretization.EULER);
            RandomInputs in = new RandomInputs(4, "mamba2");
            Parameters weights = in.mixerWeights(shape);
            Map<String, Tensor> inputs = new LinkedHashMap<>(weights.asMap());
            Tensor u = in.normal(1, 2, 7, 16);
            inputs.put("u", u);
            SafetensorsFile out = runCase("mamba2", inputs,
                    Map.of("d_state", "4", "d_conv", "4", "expand", "2", "headdim", "8", "ngroups", "2", "discretization", "EULER"));
            try (MambaMixer mixer = reference.mambaMixer(shape, weights)) {
                Tolerance.FP64.assertClose("y", out.tensors().get("y"), mixer.forward(u));
            }
        }

        @Test
        @DisplayName("scan_orders, the four image and two text orders as int64")
        void scanOrders() {
            SafetensorsFile out = runCase("scan_orders", Map.of(), Map.of("grid_h", "3", "grid_w", "2", "text_len", "4"));
            assertThat(out.tensors().get("img_order_0").dtype()).isEqualTo(DType.I64);
            assertThat(out.tensors().get("img_order_0").toLongArray()).containsExactly(0, 1, 2, 3, 4, 5);
            assertThat(out.tensors().get("img_order_1").toLongArray()).containsExactly(5, 4, 3, 2, 1, 0);
            assertThat(out.tensors().get("img_order_2").toLongArray()).containsExactly(0, 2, 4, 1, 3, 5);
            assertThat(out.tensors().get("img_order_3").toLongArray()).containsExactly(5, 3, 1, 4, 2, 0);
            assertThat(out.tensors().get("text_order_0").toLongArray()).containsExactly(0, 1, 2, 3);
            assertThat(out.tensors().get("text_order_1").toLongArray()).containsExactly(3, 2, 1, 0);
        }

        @Test
        @DisplayName("dpm_solver with the exact Gaussian ε-model lands near the exact probability-flow solution")
        void dpmSolver() {
            double[] betas = MDM.betas(MdmConfig.tiny());
            Tensor xT = new RandomInputs(5, "dpm").normal(1, 3, 2);
            double s = 0.5;
            DiscreteVpSchedule schedule = new DiscreteVpSchedule(betas);
            // for N(0, s²) data the ODE is linear: x_t = x_T · √(α_t²s² + σ_t²) / √(α_1²s² + σ_1²)
            double end = Math.sqrt(varianceAt(schedule, 1.0 / betas.length, s) / varianceAt(schedule, 1.0, s));
            // time-uniform grids start with a very large step in λ, so they need far more steps for the same accuracy
            for (String[] variant : new String[][] {{"dpmsolver++", "multistep", "time_uniform", "200", "201", "1e-2"},
                    {"dpmsolver++", "multistep", "logSNR", "40", "41", "5e-3"}}) {
                SafetensorsFile out = runCase("dpm_solver", Map.of("x_T", xT, "betas", Tensor.of(betas, betas.length)),
                        Map.of("data_std", "0.5", "algorithm", variant[0], "method", variant[1], "skip", variant[2],
                                "steps", variant[3], "order", "2"));
                Tensor trajectory = out.tensors().get("trajectory");
                Tensor x0 = out.tensors().get("x_0");
                assertThat(trajectory.shape()).as("%s %s trajectory", variant[1], variant[2]).containsExactly(Integer.parseInt(variant[4]), 3, 2);
                double[] last = java.util.Arrays.copyOfRange(trajectory.toDoubleArray(), trajectory.size() - 6, trajectory.size());
                assertThat(last).containsExactly(x0.toDoubleArray());
                double[] x = xT.toDoubleArray();
                double[] got = x0.toDoubleArray();
                for (int i = 0; i < x.length; i++) {
                    assertThat(got[i]).as("%s %s %s steps: x_0[%d]", variant[1], variant[2], variant[3], i).isCloseTo(x[i] * end, org.assertj.core.data.Offset.offset(Double.parseDouble(variant[5])));
                }
            }
        }

        private static double varianceAt(DiscreteVpSchedule schedule, double t, double s) {
            double a2 = Math.exp(2 * schedule.logAlpha(t));
            return a2 * s * s + (1 - a2);
        }

        @Test
        @DisplayName("score_entropy, zero for a single candidate and the oracle's value otherwise")
        void scoreEntropy() {
            RandomInputs in = new RandomInputs(6, "se");
            Tensor zt = in.normal(1, 3, 4);
            Tensor zhat0 = in.normal(1, 3, 4);
            Tensor alphaBar = Tensor.of(new double[] {0.9, 0.5, 0.1}, 3);
            SafetensorsFile single = runCase("score_entropy",
                    Map.of("z_t", zt, "zhat0", zhat0, "candidates", in.normal(1, 3, 1, 4), "alpha_bar", alphaBar), Map.of());
            assertThat(single.tensors().get("se").toDoubleArray()).containsExactly(0, 0, 0);
            Tensor candidates = in.normal(1, 3, 4, 4);
            SafetensorsFile four = runCase("score_entropy",
                    Map.of("z_t", zt, "zhat0", zhat0, "candidates", candidates, "alpha_bar", alphaBar.to(DType.F16)), Map.of());
            Tolerance.FP64.assertClose("se", four.tensors().get("se"),
                    reference.scoreEntropy(zt, zhat0, candidates, alphaBar.to(DType.F16).to(DType.F64)));
        }

        @Test
        @DisplayName("safetensors_roundtrip keeps every tensor, dtype and metadata entry")
        void roundTrip() {
            Map<String, Tensor> inputs = new LinkedHashMap<>();
            inputs.put("half", Tensor.of(new double[] {1.5, -2, 65504}, 3).to(DType.F16));
            inputs.put("brain", Tensor.of(new double[] {1e-3, 3e38}, 2).to(DType.BF16));
            inputs.put("ids", Tensor.ofLongs(new long[] {-1, Long.MAX_VALUE}, 2));
            inputs.put("bytes", Tensor.of(new double[] {0, 255}, 2).to(DType.U8));
            inputs.put("scalar", Tensor.scalar(Math.PI));
            inputs.put("empty", Tensor.zeros(0, 3).to(DType.F32));
            SafetensorsFile out = runCase("safetensors_roundtrip", inputs, Map.of("note", "kept", "format", "pt"));
            assertThat(out.tensors().keySet()).containsExactlyInAnyOrderElementsOf(inputs.keySet());
            inputs.forEach((name, t) -> assertThat(out.tensors().get(name).contentEquals(t)).as(name).isTrue());
            assertThat(out.metadata()).containsEntry("note", "kept").containsEntry("format", "pt");
        }
    }

    static Stream<Path> outsideVectors() throws IOException {
        try (Stream<Path> files = Files.list(VECTORS)) {
            return files.filter(f -> f.toString().endsWith(".safetensors")).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("outsideVectors")
    @DisplayName("reproduces the outside ground truth (mamba_ssm, mamba2-minimal, dpm_solver_pytorch) from its files")
    void outsideGroundTruth(Path vector) {
        SafetensorsFile file = Safetensors.read(vector);
        String caseName = file.metadata().get("case");
        Path out = dir.resolve("out.safetensors");
        int status = run("--backend", "reference", "--case", caseName, "--in", vector.toString(), "--out", out.toString());
        assertThat(status).as("exit status; stderr: %s", stderr()).isZero();
        SafetensorsFile result = Safetensors.read(out);
        // The official DPM-Solver keeps its schedule in float32 and computes σ_t = √(1 − exp(2·log α_t)), which
        // cancels catastrophically where σ is small (σ² = 1e-4 at t = 1/T): its trajectories differ from float64
        // ones by a relative L2 of 3e-7 to 1.3e-5 (measured over these 24 files), not the 1e-8 SPEC §8 expects.
        // The rest is float64 throughout.
        // The dpm64_* files are the same official code run in float64: exact to 1e-10 like the rest.
        boolean float32Schedule = caseName.equals("dpm_solver") && !"f64".equals(file.metadata().get("schedule_dtype"));
        double bound = float32Schedule ? 3e-5 : 1e-10;
        Tolerance tolerance = float32Schedule ? new Tolerance(1e-4, 1e-6, bound, 0) : new Tolerance(bound, bound, bound, 0);
        List<String> expected = file.tensors().keySet().stream().filter(k -> k.startsWith("expected.")).toList();
        assertThat(expected).isNotEmpty();
        for (String name : expected) {
            String output = name.substring("expected.".length());
            tolerance.assertClose(vector.getFileName() + " " + output, result.tensors().get(output), file.tensors().get(name));
        }
    }

    @Nested
    @DisplayName("exits 2 with one line naming the problem")
    class BadInput {
        private Path ssdFile(Map<String, Tensor> inputs, Map<String, String> metadata) {
            Path in = dir.resolve("bad.safetensors");
            Safetensors.write(in, inputs, metadata);
            return in;
        }

        private void assertExit2(String mentions, Path in, String caseName) {
            int status = run("--backend", "reference", "--case", caseName, "--in", in.toString(),
                    "--out", dir.resolve("out.safetensors").toString());
            assertThat(status).as("exit status; stderr: %s", stderr()).isEqualTo(2);
            assertThat(stderr().lines().toList()).as("stderr").hasSize(1);
            assertThat(stderr()).contains(mentions);
            assertThat(dir.resolve("out.safetensors")).doesNotExist();
        }

        @Test
        @DisplayName("for a missing tensor")
        void missingTensor() {
            Map<String, Tensor> inputs = ssdInputs(new RandomInputs(7, "missing"), false, DType.F64);
            inputs.remove("C");
            assertExit2("'C'", ssdFile(inputs, Map.of()), "ssd");
        }

        @Test
        @DisplayName("for a misshaped tensor")
        void misshapedTensor() {
            Map<String, Tensor> inputs = ssdInputs(new RandomInputs(8, "misshaped"), false, DType.F64);
            inputs.put("dt", Tensor.zeros(2, 5));
            assertExit2("'dt'", ssdFile(inputs, Map.of()), "ssd");
        }

        @Test
        @DisplayName("for an integer tensor where floats are needed")
        void integerTensor() {
            Map<String, Tensor> inputs = ssdInputs(new RandomInputs(9, "int"), false, DType.F64);
            inputs.put("A", Tensor.ofLongs(new long[] {-1, -1, -1, -1}, 4));
            assertExit2("'A'", ssdFile(inputs, Map.of()), "ssd");
        }

        @Test
        @DisplayName("for a misshaped mixer weight")
        void misshapedWeight() {
            MambaShape shape = new MambaShape(16, 4, 4, 2, 8, 1, 256, Discretization.EULER);
            Map<String, Tensor> inputs = new LinkedHashMap<>(new RandomInputs(10, "w").mixerWeights(shape).asMap());
            inputs.put("u", Tensor.zeros(1, 3, 16));
            inputs.put("out_proj.weight", Tensor.zeros(16, 31));
            assertExit2("'out_proj.weight'", ssdFile(inputs, Map.of("d_state", "4", "headdim", "8")), "mamba2");
        }

        @Test
        @DisplayName("for bad metadata")
        void badMetadata() {
            assertExit2("'discretization'", ssdFile(ssdInputs(new RandomInputs(11, "meta"), false, DType.F64),
                    Map.of("discretization", "RK4")), "ssd");
        }

        @Test
        @DisplayName("for a non-finite input value")
        void nonFinite() {
            Map<String, Tensor> inputs = ssdInputs(new RandomInputs(12, "nan"), false, DType.F64);
            double[] x = inputs.get("x").toDoubleArray();
            x[4] = Double.NaN;
            inputs.put("x", Tensor.of(x, inputs.get("x").shape()));
            assertExit2("'x'", ssdFile(inputs, Map.of()), "ssd");
        }

        @Test
        @DisplayName("for an input file that does not exist")
        void missingFile() {
            assertExit2("no such file", dir.resolve("absent.safetensors"), "ssd");
        }

        @Test
        @DisplayName("for usage errors, with the usage line")
        void usageErrors() {
            String[][] commands = {{}, {"--backend", "reference"}, {"--backend", "reference", "--case", "nope", "--in", "a", "--out", "b"},
                    {"--backend", "reference", "--case", "ssd", "--in", "a", "--out"}, {"--frobnicate"},
                    {"--case", "ssd", "--case", "ssd"}};
            for (String[] command : commands) {
                stderr.reset();
                assertThat(run(command)).as("%s", String.join(" ", command)).isEqualTo(2);
                assertThat(stderr().lines().toList()).as("stderr of %s", String.join(" ", command)).hasSize(1);
                assertThat(stderr()).contains("usage: conformance --backend NAME --case");
            }
        }

        @Test
        @DisplayName("for an unknown backend, naming --backend as where the name came from and listing those found")
        void unknownBackend() {
            Path in = ssdFile(ssdInputs(new RandomInputs(13, "unknown"), false, DType.F64), Map.of());
            int status = run("--backend", "nosuch", "--case", "ssd", "--in", in.toString(), "--out", dir.resolve("o").toString());
            assertThat(status).isEqualTo(2);
            assertThat(stderr().lines().toList()).hasSize(1);
            assertThat(stderr()).startsWith("conformance: no backend named 'nosuch' (from --backend); backends found: ")
                    .contains("reference");
        }
    }

    @Test
    @DisplayName("exits 1 when the output cannot be written")
    void unwritableOutput() {
        Path in = dir.resolve("in.safetensors");
        Safetensors.write(in, ssdInputs(new RandomInputs(14, "out"), false, DType.F64), Map.of());
        int status = run("--backend", "reference", "--case", "ssd", "--in", in.toString(),
                "--out", dir.resolve("no/such/dir/out.safetensors").toString());
        assertThat(status).isEqualTo(1);
        assertThat(stderr().lines().toList()).hasSize(1);
    }

    @Test
    @DisplayName("prints the usage and exits 0 for --help")
    void help() {
        assertThat(run("--help")).isZero();
    }
}

package dev.mdm.tck.reference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mdm.Device;
import dev.mdm.Discretization;
import dev.mdm.Precision;
import dev.mdm.checkpoint.Safetensors;
import dev.mdm.checkpoint.SafetensorsFile;
import dev.mdm.model.MambaShape;
import dev.mdm.model.Parameters;
import dev.mdm.model.SsdRequest;
import dev.mdm.sampling.DenoisingFunction;
import dev.mdm.sampling.Prediction;
import dev.mdm.sampling.SamplerSettings;
import dev.mdm.sampling.SamplingMethod;
import dev.mdm.sampling.SolverAlgorithm;
import dev.mdm.sampling.StepGrid;
import dev.mdm.sampling.Trajectory;
import dev.mdm.spi.Backend;
import dev.mdm.spi.BackendContext;
import dev.mdm.tensor.Tensor;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The oracle against the official code of state-spaces/mamba, mamba2-minimal and dpm-solver (vectors made by
 * tools/vectors/generate.py; provenance in src/test/resources/vectors/README.md).
 */
@DisplayName("The reference oracle reproduces outside ground truth")
class OutsideGroundTruthTest {
    private static Backend backend;

    @BeforeAll
    static void open() {
        backend = new ReferenceBackendProvider().create(new BackendContext(Device.cpu(), Precision.FP64));
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    static Stream<Path> vectors(String prefix) throws IOException, URISyntaxException {
        Path dir = Path.of(OutsideGroundTruthTest.class.getResource("/vectors/README.md").toURI()).getParent();
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().startsWith(prefix) && p.toString().endsWith(".safetensors"))
                    .sorted().toList();
        }
        assertThat(files).as("vectors %s*", prefix).isNotEmpty();
        return files.stream();
    }

    static Stream<Path> ssdVectors() throws Exception {
        return Stream.concat(vectors("ssd_minimal_"), vectors("recurrence_"));
    }

    static Stream<Path> mambaVectors() throws Exception {
        return vectors("mamba2_minimal_");
    }

    static Stream<Path> dpmVectors() throws Exception {
        return vectors("dpm");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ssdVectors")
    @DisplayName("the SSD scan matches ssd_minimal_discrete and the fp64 recurrence to rel L2 ≤ 1e-10")
    void ssd(Path file) {
        SafetensorsFile f = Safetensors.read(file);
        Map<String, Tensor> t = f.tensors();
        boolean raw = t.containsKey("dt_raw");
        SsdRequest request = new SsdRequest(t.get("x"), raw ? t.get("dt_raw") : t.get("dt"), t.get("dt_bias"), t.get("A"),
                t.get("B"), t.get("C"), t.get("D"), t.get("z"), Discretization.valueOf(f.metadata().get("discretization")));
        assertClose(backend.ssd(request), t.get("expected.y"), 1e-10);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mambaVectors")
    @DisplayName("the Mamba-2 mixer matches mamba2-minimal (EULER, mamba_ssm names) to rel L2 ≤ 1e-10")
    void mamba2(Path file) {
        SafetensorsFile f = Safetensors.read(file);
        Map<String, String> m = f.metadata();
        Tensor u = f.tensors().get("u");
        Map<String, Tensor> weights = new LinkedHashMap<>(f.tensors());
        weights.remove("u");
        weights.remove("expected.y");
        MambaShape shape = new MambaShape(u.dim(2), Integer.parseInt(m.get("d_state")), Integer.parseInt(m.get("d_conv")),
                Integer.parseInt(m.get("expand")), Integer.parseInt(m.get("headdim")), Integer.parseInt(m.get("ngroups")),
                8, Discretization.valueOf(m.get("discretization")));
        try (var mixer = backend.mambaMixer(shape, Parameters.of(weights))) {
            assertClose(mixer.forward(u), f.tensors().get("expected.y"), 1e-10);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dpmVectors")
    @DisplayName("DPM-Solver trajectories match dpm_solver_pytorch: to rel L2 ≤ 1e-10 run in float64, ≤ 3e-5 as shipped (float32 schedule)")
    void dpmSolver(Path file) {
        SafetensorsFile f = Safetensors.read(file);
        Map<String, String> m = f.metadata();
        // As shipped, the official code keeps knots and time grids in float32, and σ_t = sqrt(1 − α_t²) cancels near
        // t = 1/T: measured differences reach 1.6e-5, not the 1e-7 SPEC §8 expected. Run in float64 it is exact.
        double tolerance = "f64".equals(m.get("schedule_dtype")) ? 1e-10 : 3e-5;
        double[] betas = f.tensors().get("betas").toDoubleArray();
        double s = Double.parseDouble(m.get("data_std"));
        ReferenceNoiseSchedule schedule = new ReferenceNoiseSchedule(betas);
        DenoisingFunction exact = new DenoisingFunction() {
            @Override
            public Prediction predicts() {
                return Prediction.NOISE;
            }

            @Override
            public Tensor predict(Tensor x, double t) {
                double a = schedule.alpha(t);
                double sg = schedule.sigma(t);
                double[] v = x.toDoubleArray();
                for (int i = 0; i < v.length; i++) {
                    v[i] = sg * v[i] / (a * a * s * s + sg * sg);
                }
                return Tensor.of(v, x.shape());
            }
        };
        SamplerSettings settings = new SamplerSettings(
                m.get("method").equals("multistep") ? SamplingMethod.DPM_SOLVER_2M : SamplingMethod.DPM_SOLVER_2S,
                SolverAlgorithm.fromOfficialName(m.get("algorithm")), StepGrid.fromOfficialName(m.get("skip")),
                Integer.parseInt(m.get("steps")));
        Trajectory trajectory = backend.sampler(settings, betas).sample(f.tensors().get("x_T"), exact, null, 0);
        Tensor expected = f.tensors().get("expected.trajectory");
        assertThat(trajectory.states()).hasSize(expected.dim(0));
        int per = expected.size() / expected.dim(0);
        double[] all = expected.toDoubleArray();
        for (int i = 0; i < expected.dim(0); i++) {
            double[] state = java.util.Arrays.copyOfRange(all, i * per, (i + 1) * per);
            assertClose(trajectory.states().get(i), Tensor.of(state, expected.dim(1), expected.dim(2)), tolerance);
        }
        assertClose(trajectory.last(), f.tensors().get("expected.x_0"), tolerance);
    }

    private static void assertClose(Tensor actual, Tensor expected, double relL2) {
        assertThat(actual.shape()).isEqualTo(expected.shape());
        double[] a = actual.toDoubleArray();
        double[] e = expected.toDoubleArray();
        double num = 0;
        double den = 0;
        for (int i = 0; i < a.length; i++) {
            num += (a[i] - e[i]) * (a[i] - e[i]);
            den += e[i] * e[i];
        }
        assertThat(Math.sqrt(num / den)).as("relative L2 error").isLessThanOrEqualTo(relL2);
    }
}

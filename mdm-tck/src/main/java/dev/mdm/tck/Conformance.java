package dev.mdm.tck;

import dev.mdm.BackendNotFoundException;
import dev.mdm.BackendUnavailableException;
import dev.mdm.CheckpointException;
import dev.mdm.ConfigurationException;
import dev.mdm.Device;
import dev.mdm.Discretization;
import dev.mdm.InvalidInputException;
import dev.mdm.MdmConfig;
import dev.mdm.Precision;
import dev.mdm.checkpoint.Safetensors;
import dev.mdm.checkpoint.SafetensorsFile;
import dev.mdm.model.MambaMixer;
import dev.mdm.model.MambaShape;
import dev.mdm.model.Parameters;
import dev.mdm.model.ScanSwitch;
import dev.mdm.model.SsdRequest;
import dev.mdm.sampling.SamplerSettings;
import dev.mdm.sampling.SamplingMethod;
import dev.mdm.sampling.SolverAlgorithm;
import dev.mdm.sampling.StepGrid;
import dev.mdm.sampling.Trajectory;
import dev.mdm.spi.Backend;
import dev.mdm.spi.BackendContext;
import dev.mdm.spi.BackendProvider;
import dev.mdm.spi.BackendRegistry;
import dev.mdm.tensor.DType;
import dev.mdm.tensor.Tensor;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The conformance runner of SPEC §11: runs one case on a named backend, from a safetensors file of named inputs
 * (and string metadata) to a safetensors file of named outputs, so that outside tools can check any backend.
 *
 * <pre>
 * bin/conformance --backend reference --case ssd --in in.safetensors --out out.safetensors
 * </pre>
 *
 * <p>Exit status: 0 on success; 2 for a usage error or bad input (a missing or misshaped tensor, bad metadata, an
 * unreadable input file, an unknown backend), with one line on standard error naming the problem; 1 for any other
 * failure. Float inputs may be F64, F32, F16 or BF16; they are converted to F64 before the backend sees them.
 */
public final class Conformance {
    /** The cases of SPEC §11. */
    public static final List<String> CASES = List.of("ssd", "ssd_raw_dt", "mamba2", "scan_orders", "dpm_solver",
            "score_entropy", "safetensors_roundtrip");

    static final String USAGE = "usage: conformance --backend NAME --case {" + String.join("|", CASES)
            + "} --in IN.safetensors --out OUT.safetensors";

    private Conformance() {
    }

    /**
     * Runs the command line and exits with its status.
     *
     * @param args see {@link #run(String[])}
     */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /**
     * @param args {@code --backend NAME --case CASE --in IN --out OUT}
     * @return the exit status: 0 success, 2 usage error or bad input, 1 other failure
     */
    public static int run(String[] args) {
        return run(args, System.out, System.err);
    }

    /**
     * @param args the command line
     * @param out where {@code --help} prints
     * @param err where the one-line diagnosis goes
     * @return the exit status
     */
    static int run(String[] args, PrintStream out, PrintStream err) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                out.println(USAGE);
                return 0;
            }
            if (!List.of("--backend", "--case", "--in", "--out").contains(a)) {
                err.println("conformance: unknown argument '" + a + "'; " + USAGE);
                return 2;
            }
            if (i + 1 >= args.length) {
                err.println("conformance: " + a + " needs a value; " + USAGE);
                return 2;
            }
            if (options.put(a.substring(2), args[++i]) != null) {
                err.println("conformance: " + a + " given twice; " + USAGE);
                return 2;
            }
        }
        for (String required : List.of("backend", "case", "in", "out")) {
            if (!options.containsKey(required)) {
                err.println("conformance: missing --" + required + "; " + USAGE);
                return 2;
            }
        }
        String caseName = options.get("case");
        if (!CASES.contains(caseName)) {
            err.println("conformance: unknown case '" + caseName + "'; " + USAGE);
            return 2;
        }
        try {
            SafetensorsFile input = Safetensors.read(Path.of(options.get("in")));
            Map<String, Tensor> outputs;
            Map<String, String> metadata = Map.of();
            if (caseName.equals("safetensors_roundtrip")) {
                outputs = input.tensors();
                metadata = new LinkedHashMap<>(input.metadata());
                metadata.remove(Safetensors.SHA256_KEY); // recomputed by the writer
            } else {
                try (Backend backend = open(options.get("backend"))) {
                    outputs = runCase(caseName, backend, new Inputs(input));
                }
            }
            Safetensors.write(Path.of(options.get("out")), outputs, metadata);
            return 0;
        } catch (BadInput e) {
            err.println("conformance: " + e.getMessage());
            return 2;
        } catch (InvalidInputException | ConfigurationException | BackendNotFoundException e) {
            err.println("conformance: " + oneLine(e.getMessage()));
            return 2;
        } catch (CheckpointException e) {
            // an unreadable input is bad input; an unwritable output is a failure
            boolean reading = e.getMessage() != null && e.getMessage().startsWith(Path.of(options.get("in")).toString());
            err.println("conformance: " + oneLine(e.getMessage()));
            return reading ? 2 : 1;
        } catch (BackendUnavailableException e) {
            err.println("conformance: " + oneLine(e.getMessage() + ": " + String.join("; ", e.reasons())));
            return 1;
        } catch (RuntimeException | LinkageError e) {
            err.println("conformance: case " + caseName + " failed: " + oneLine(String.valueOf(e)));
            return 1;
        }
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*\\R\\s*", " ");
    }

    private static Backend open(String name) {
        BackendProvider provider = BackendRegistry.discover().select(name, "--backend");
        Precision precision = name.equalsIgnoreCase("reference") ? Precision.FP64 : Precision.FP32;
        Device device = provider.defaultDevice();
        return provider.create(new BackendContext(device, precision));
    }

    private static Map<String, Tensor> runCase(String caseName, Backend backend, Inputs in) {
        return switch (caseName) {
            case "ssd" -> Map.of("y", backend.ssd(ssdRequest(in, false)));
            case "ssd_raw_dt" -> Map.of("y", backend.ssd(ssdRequest(in, true)));
            case "mamba2" -> mamba2(backend, in);
            case "scan_orders" -> scanOrders(backend, in);
            case "dpm_solver" -> dpmSolver(backend, in);
            case "score_entropy" -> scoreEntropy(backend, in);
            default -> throw new IllegalStateException("case " + caseName + " has no implementation");
        };
    }

    private static SsdRequest ssdRequest(Inputs in, boolean rawDt) {
        Tensor x = in.floats("x", "[b, l, h, p]", -1, -1, -1, -1);
        int b = x.dim(0);
        int l = x.dim(1);
        int h = x.dim(2);
        int p = x.dim(3);
        String dtName = rawDt ? "dt_raw" : "dt";
        Tensor dt = in.floats(dtName, "[b, l, h]", b, l, h);
        Tensor dtBias = rawDt ? in.floats("dt_bias", "[h]", h) : null;
        Tensor a = in.floats("A", "[h]", h);
        Tensor bb = in.floats("B", "[b, l, g, n]", b, l, -1, -1);
        int g = bb.dim(2);
        int n = bb.dim(3);
        if (g == 0 || h % g != 0) {
            throw new BadInput("input 'B' has " + g + " groups, which do not divide the " + h + " heads of x");
        }
        Tensor c = in.floats("C", "[b, l, g, n]", b, l, g, n);
        Tensor d = in.optionalFloats("D", "[h]", h);
        Tensor z = in.optionalFloats("z", "[b, l, h, p]", b, l, h, p);
        Discretization disc = in.discretization();
        return new SsdRequest(x, dt, dtBias, a, bb, c, d, z, disc);
    }

    private static Map<String, Tensor> mamba2(Backend backend, Inputs in) {
        Tensor u = in.floats("u", "[b, l, d]", -1, -1, -1);
        MambaShape shape;
        try {
            shape = new MambaShape(u.dim(2), in.intMetadata("d_state", 128), in.intMetadata("d_conv", 4),
                    in.intMetadata("expand", 2), in.intMetadata("headdim", 64), in.intMetadata("ngroups", 1),
                    in.intMetadata("chunk_size", 256), in.discretization());
        } catch (ConfigurationException e) {
            throw new BadInput("the metadata does not give a valid mixer for u of width " + u.dim(2) + ": " + oneLine(e.getMessage()));
        }
        Map<String, Tensor> weights = new LinkedHashMap<>();
        shape.parameterShapes().forEach((name, s) -> weights.put(name, in.floats(name, Arrays.toString(s), s)));
        try (MambaMixer mixer = backend.mambaMixer(shape, Parameters.of(weights))) {
            return Map.of("y", mixer.forward(u));
        }
    }

    private static Map<String, Tensor> scanOrders(Backend backend, Inputs in) {
        int gridH = in.intMetadata("grid_h", -1);
        int gridW = in.intMetadata("grid_w", -1);
        int textLen = in.intMetadata("text_len", -1);
        for (var e : Map.of("grid_h", gridH, "grid_w", gridW, "text_len", textLen).entrySet()) {
            if (e.getValue() <= 0) {
                throw new BadInput("metadata '" + e.getKey() + "' must be a positive integer");
            }
        }
        MdmConfig tiny = MdmConfig.tiny();
        MdmConfig config = tiny.toBuilder().image(1, gridH * tiny.patch(), gridW * tiny.patch()).textLength(textLen).build();
        ScanSwitch scans = backend.scanSwitch(config);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int k = 0; k < 4; k++) {
            out.put("img_order_" + k, longs(scans.imageOrder(k)));
        }
        for (int k = 0; k < 2; k++) {
            out.put("text_order_" + k, longs(scans.textOrder(k)));
        }
        return out;
    }

    private static Tensor longs(int[] order) {
        return Tensor.ofLongs(Arrays.stream(order).asLongStream().toArray(), order.length);
    }

    private static Map<String, Tensor> dpmSolver(Backend backend, Inputs in) {
        Tensor xT = in.floats("x_T", "[b, d]", -1, -1);
        double[] betas = in.floats("betas", "[T]", -1).toDoubleArray();
        double dataStd = in.doubleMetadata("data_std");
        if (!(dataStd > 0) || Double.isInfinite(dataStd)) {
            throw new BadInput("metadata 'data_std' must be a positive number, got " + dataStd);
        }
        SolverAlgorithm algorithm = SolverAlgorithm.fromOfficialName(in.metadata("algorithm", "dpmsolver++"));
        String method = in.metadata("method", "multistep");
        SamplingMethod samplingMethod = switch (method) {
            case "multistep" -> SamplingMethod.DPM_SOLVER_2M;
            case "singlestep" -> SamplingMethod.DPM_SOLVER_2S;
            default -> throw new BadInput("metadata 'method' must be multistep or singlestep, got '" + method + "'");
        };
        StepGrid grid = StepGrid.fromOfficialName(in.metadata("skip", "time_uniform"));
        int steps = in.intMetadata("steps", 20);
        int order = in.intMetadata("order", 2);
        if (order != 2) {
            throw new BadInput("metadata 'order' must be 2 (the orders of SPEC §8), got " + order);
        }
        SamplerSettings settings = new SamplerSettings(samplingMethod, algorithm, grid, steps);
        Trajectory trajectory = backend.sampler(settings, betas).sample(xT, new GaussianEpsilonModel(betas, dataStd), null, 0);
        int states = trajectory.states().size();
        double[] stacked = new double[states * xT.size()];
        for (int i = 0; i < states; i++) {
            System.arraycopy(trajectory.states().get(i).toDoubleArray(), 0, stacked, i * xT.size(), xT.size());
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("x_0", trajectory.last());
        out.put("trajectory", Tensor.of(stacked, states, xT.dim(0), xT.dim(1)));
        return out;
    }

    private static Map<String, Tensor> scoreEntropy(Backend backend, Inputs in) {
        Tensor zt = in.floats("z_t", "[m, dz]", -1, -1);
        int m = zt.dim(0);
        int dz = zt.dim(1);
        Tensor zhat0 = in.floats("zhat0", "[m, dz]", m, dz);
        Tensor candidates = in.floats("candidates", "[m, K, dz]", m, -1, dz);
        Tensor alphaBar = in.floats("alpha_bar", "[m]", m);
        return Map.of("se", backend.scoreEntropy(zt, zhat0, candidates, alphaBar));
    }

    /** A diagnosis of bad input: exit status 2 and this one line. */
    private static final class BadInput extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadInput(String message) {
            super(message);
        }
    }

    /** The named tensors and metadata of the input file, checked and converted on access. */
    private static final class Inputs {
        private final SafetensorsFile file;

        Inputs(SafetensorsFile file) {
            this.file = file;
        }

        Tensor floats(String name, String layout, int... shape) {
            Tensor t = file.tensors().get(name);
            if (t == null) {
                throw new BadInput("input '" + name + "' " + layout + " is missing");
            }
            return checked(name, layout, t, shape);
        }

        Tensor optionalFloats(String name, String layout, int... shape) {
            Tensor t = file.tensors().get(name);
            return t == null ? null : checked(name, layout, t, shape);
        }

        private static Tensor checked(String name, String layout, Tensor t, int[] shape) {
            if (!t.dtype().isFloating()) {
                throw new BadInput("input '" + name + "' has dtype " + t.dtype() + ", expected a float dtype (F64, F32, F16 or BF16)");
            }
            boolean ok = t.rank() == shape.length;
            for (int i = 0; ok && i < shape.length; i++) {
                ok = shape[i] < 0 || shape[i] == t.dim(i);
            }
            if (!ok) {
                String dims = Arrays.toString(Arrays.stream(shape).mapToObj(s -> s < 0 ? "*" : Integer.toString(s)).toArray());
                String expected = layout.equals(dims) || Arrays.stream(shape).allMatch(s -> s < 0) ? layout : layout + " = " + dims;
                throw new BadInput("input '" + name + "' has shape " + Arrays.toString(t.shape()) + ", expected " + expected);
            }
            return t.to(DType.F64);
        }

        String metadata(String key, String fallback) {
            String v = file.metadata().get(key);
            return v == null ? fallback : v.trim();
        }

        int intMetadata(String key, int fallback) {
            String v = file.metadata().get(key);
            if (v == null) {
                return fallback;
            }
            try {
                return Integer.parseInt(v.trim());
            } catch (NumberFormatException e) {
                throw new BadInput("metadata '" + key + "' must be an integer, got '" + v + "'");
            }
        }

        double doubleMetadata(String key) {
            String v = file.metadata().get(key);
            if (v == null) {
                throw new BadInput("metadata '" + key + "' is missing");
            }
            try {
                return Double.parseDouble(v.trim());
            } catch (NumberFormatException e) {
                throw new BadInput("metadata '" + key + "' must be a number, got '" + v + "'");
            }
        }

        Discretization discretization() {
            String v = metadata("discretization", "EULER");
            try {
                return Discretization.valueOf(v.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new BadInput("metadata 'discretization' must be ZOH or EULER, got '" + v + "'");
            }
        }
    }
}

package dev.mdm.backend.jcuda.bench;

import dev.mdm.Device;
import dev.mdm.MDM;
import dev.mdm.MdmConfig;
import dev.mdm.Precision;
import dev.mdm.backend.jcuda.JcudaBackend;
import dev.mdm.backend.jcuda.JcudaBackendProvider;
import dev.mdm.backend.jcuda.cuda.CudaContext;
import dev.mdm.backend.jcuda.cuda.Cublas;
import dev.mdm.backend.jcuda.cuda.Kernels;
import dev.mdm.backend.jcuda.model.DeviceModel;
import dev.mdm.backend.jcuda.model.DeviceSamplingLoop;
import dev.mdm.backend.jcuda.model.Workspace;
import dev.mdm.model.MambaShape;
import dev.mdm.model.ParameterInitializer;
import dev.mdm.model.Parameters;
import dev.mdm.sampling.DenoisingFunction;
import dev.mdm.sampling.DpmSolverSampler;
import dev.mdm.sampling.Prediction;
import dev.mdm.sampling.SamplerSettings;
import dev.mdm.sampling.Sampler;
import dev.mdm.sampling.SamplingRun;
import dev.mdm.spi.BackendContext;
import dev.mdm.spi.ModelRuntime;
import dev.mdm.task.TaskRunner;
import dev.mdm.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Times one denoising step of the {@code paper} preset (49 blocks, d = 2048, bf16, random weights drawn on the
 * device) at the token counts of issue 5, eagerly and as a replayed CUDA graph, and a 20-step DPM-Solver++ joint
 * generation; measures the bf16 GEMM ceiling and the copy bandwidth in the same run and writes JSON. With
 * {@code --task-generation} it also times a task's 20-step joint generation on a whole model (random weights with the
 * VAE, drawn on the host: about a minute for the paper preset), the text clamp and image projection included, as one
 * CUDA graph and with the host sampler.
 *
 * <p>Usage: {@code StepBenchmark [--out FILE] [--repeats N] [--only TOKENSxBATCH,...] [--task-generation]}
 */
public final class StepBenchmark {
    private record Row(int grid, int batch) {
    }

    private static final List<Row> ROWS = List.of(new Row(16, 1), new Row(16, 8), new Row(32, 1), new Row(64, 1),
            new Row(128, 1));

    private StepBenchmark() {
    }

    /**
     * @param args see the class comment
     * @throws IOException when the JSON cannot be written
     */
    public static void main(String[] args) throws IOException {
        Path out = Path.of("step-benchmark.json");
        int repeats = 20;
        String only = null;
        boolean taskGeneration = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--task-generation" -> taskGeneration = true;
                case "--out" -> out = Path.of(args[++i]);
                case "--repeats" -> repeats = Integer.parseInt(args[++i]);
                case "--only" -> only = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        StringBuilder json;
        try (CudaContext cuda = CudaContext.open(0)) {
            cuda.lock().lock();
            try {
                cuda.enter();
                json = run(cuda, repeats, only);
            } finally {
                cuda.lock().unlock();
            }
        }
        if (taskGeneration) {
            json.append(",\n  \"taskGeneration\": ").append(taskGeneration(config(16), 20));
        }
        json.append("\n}\n");
        Files.writeString(out, json.toString());
        System.out.println("wrote " + out);
    }

    /**
     * A task's 20-step joint generation (DPM-Solver++ 2M, the text clamped to tokens and the image projected through
     * the VAE at every step: decisions D15, D16) on a whole BF16 model, as one CUDA graph
     * ({@code ModelRuntime.sampleWhole}) and with the host sampler ({@code TaskRunner.sampleOnHost}), alternating, 5
     * timed runs each after one of each untimed.
     */
    private static String taskGeneration(MdmConfig c, int steps) {
        long t0 = System.nanoTime();
        Parameters weights = ParameterInitializer.initialize(c, 43);
        System.out.printf(Locale.ROOT, "task generation: weights drawn on the host in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        try (JcudaBackend gpu = (JcudaBackend) new JcudaBackendProvider().create(new BackendContext(Device.gpu(0),
                Precision.BF16)); ModelRuntime rt = gpu.load(c, weights)) {
            double[] x = new double[c.latentTokens() * c.latentDim()];
            java.util.Random r = new java.util.Random(5);
            for (int i = 0; i < x.length; i++) {
                x[i] = r.nextGaussian();
            }
            SamplingRun run = new SamplingRun(SamplerSettings.defaults().withSteps(steps), MDM.betas(c),
                    Tensor.of(x, 1, c.latentTokens(), c.latentDim()), null, new long[] {c.classes()}, Double.NaN, null,
                    true, c.vocabSize(), true);
            Sampler sampler = gpu.sampler(run.settings(), run.betas());
            double[] whole = rt.sampleWhole(run).orElseThrow().toDoubleArray();
            double[] host = TaskRunner.sampleOnHost(rt, sampler, run, 0).toDoubleArray();
            boolean same = Arrays.equals(whole, host);
            float[] wholeMs = new float[5];
            float[] hostMs = new float[5];
            for (int i = 0; i < wholeMs.length; i++) {
                long a = System.nanoTime();
                rt.sampleWhole(run).orElseThrow();
                long b = System.nanoTime();
                TaskRunner.sampleOnHost(rt, sampler, run, 0);
                hostMs[i] = (System.nanoTime() - b) / 1e6f;
                wholeMs[i] = (b - a) / 1e6f;
            }
            System.out.printf(Locale.ROOT, "%d-step task joint generation (%d tokens, batch 1, text clamp and image "
                    + "projection, BF16): host sampler %.2f ms; whole run as one graph %.2f ms; same bits: %s%n", steps,
                    c.sequenceLength(), Timings.median(hostMs), Timings.median(wholeMs), same);
            return String.format(Locale.ROOT, "{\"tokens\": %d, \"batch\": 1, \"steps\": %d, \"sampler\": "
                    + "\"DPM-Solver++ 2M\", \"projections\": \"text clamp (D15) and image projection (D16) at every step\", "
                    + "\"precision\": \"BF16\", \"weights\": \"ParameterInitializer, seed 43, with the VAE\", "
                    + "\"baseline\": {\"how\": \"TaskRunner.sampleOnHost: host sampler, a graph replay per step and the "
                    + "VAE calls\", \"wallMsMedian\": %s}, \"wholeLoop\": {\"how\": \"ModelRuntime.sampleWhole: one "
                    + "CUDA graph\", \"wallMsMedian\": %s}, \"sameBits\": %s, \"timing\": \"host clock, median of 5, "
                    + "alternating\"}", c.sequenceLength(), steps, fmt(Timings.median(hostMs)),
                    fmt(Timings.median(wholeMs)), same);
        }
    }

    private static StringBuilder run(CudaContext cuda, int repeats, String only) {
        Kernels k = new Kernels(cuda);
        double copyGBs = DeviceCeilings.copyBandwidthGBps(cuda, k);
        double gemmTflops = DeviceCeilings.gemmTflops(cuda, k, Cublas.R_16BF);
        System.out.printf(Locale.ROOT, "device %s%nceilings: copy %.0f GB/s (read+write), bf16 GEMM 8192^3 %.0f TFLOP/s%n",
                cuda.describe(), copyGBs, gemmTflops);
        StringBuilder json = new StringBuilder();
        json.append("{\n  \"benchmark\": \"denoising step, paper preset, bf16\",\n  \"backend\": \"jcuda ")
                .append(JcudaBackend.VERSION).append("\",\n  \"device\": \"").append(cuda.describe()).append("\",\n  \"library\": \"")
                .append(cuda.gemm().version()).append("\",\n  \"repeats\": ").append(repeats)
                .append(",\n  \"statistic\": \"median of CUDA-event times\",\n  \"baseline\": {\"copyGBps\": ")
                .append(fmt(copyGBs)).append(", \"bf16GemmTflops\": ").append(fmt(gemmTflops)).append("},\n  \"rows\": [\n");
        List<String> rows = new ArrayList<>();
        System.out.println("tokens x batch | eager ms | graph ms | TFLOP/s | GB/s | floor ms | ratio | beyond weights GB");
        for (Row r : ROWS) {
            MdmConfig c = config(r.grid());
            String key = c.sequenceLength() + "x" + r.batch();
            if (only != null && !Arrays.asList(only.split(",")).contains(key)) {
                continue;
            }
            rows.add(step(cuda, k, c, r.batch(), repeats, copyGBs, gemmTflops));
        }
        json.append(String.join(",\n", rows)).append("\n  ],\n");
        json.append("  \"generation\": ").append(generation(cuda, config(16), 20));
        return json;
    }

    private static MdmConfig config(int grid) {
        return MdmConfig.paper().toBuilder().image(4, 2 * grid, 2 * grid).build();
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }

    private static String step(CudaContext cuda, Kernels k, MdmConfig c, int batch, int repeats, double copyGBs,
                               double gemmTflops) {
        long freeBefore = cuda.memoryInfo()[0];
        try (DeviceModel model = DeviceModel.random(cuda, c, true, 42); Workspace ws = new Workspace(cuda)) {
            DeviceModel.DenoiseBuffers buf = model.buffers(ws.ensure(model.buffers(0, batch).used()), batch);
            long nlat = c.latentTokens();
            k.fillUniform(false, buf.latents(), batch * nlat * c.latentDim(), 9, 1.7f, 0);
            float[] times = new float[batch];
            int[] cls = new int[batch];
            for (int i = 0; i < batch; i++) {
                times[i] = 999f - 37 * i;
                cls[i] = (7 * i) % (c.classes() + 1);
            }
            cuda.upload(buf.time(), times);
            cuda.upload(buf.classIds(), cls);
            long used = freeBefore - cuda.memoryInfo()[0];
            float[] eager = new float[repeats];
            float[] graphed = new float[repeats];
            try (CudaContext.Timer timer = cuda.timer()) {
                model.denoise(buf, batch);
                model.denoise(buf, batch);
                for (int i = 0; i < repeats; i++) {
                    timer.start();
                    model.denoise(buf, batch);
                    eager[i] = timer.stopMillis();
                }
                try (CudaContext.Graph g = cuda.capture(() -> model.denoise(buf, batch))) {
                    g.launch();
                    g.launch();
                    for (int i = 0; i < repeats; i++) {
                        timer.start();
                        g.launch();
                        graphed[i] = timer.stopMillis();
                    }
                }
            }
            StringBuilder stagePrint = new StringBuilder();
            String stages = stages(cuda, model, buf, batch, stagePrint);
            float[] y = cuda.downloadFloats(buf.output(), (int) (batch * nlat * c.latentDim()));
            long nonFinite = 0;
            for (float v : y) {
                nonFinite += Float.isFinite(v) ? 0 : 1;
            }
            double flops = flops(c, batch, k);
            double bytes = floorBytes(c, batch, model.weightBytes());
            double ms = Timings.median(graphed);
            double floorMs = Math.max(bytes / (copyGBs * 1e9), flops / (gemmTflops * 1e12)) * 1e3;
            double tflops = flops / (ms * 1e-3) / 1e12;
            double gbs = bytes / (ms * 1e-3) / 1e9;
            long beyond = used - model.weightBytes();
            System.out.printf(Locale.ROOT, "%6d x %d | %8.3f | %8.3f | %7.1f | %6.0f | %8.3f | %5.2f | %.2f%s%n",
                    c.sequenceLength(), batch, Timings.median(eager), ms, tflops, gbs, floorMs, ms / floorMs, beyond / 1e9,
                    nonFinite > 0 ? "  NON-FINITE OUTPUT: " + nonFinite : "");
            System.out.println("    in-graph ms per block (embed, head: per step):" + stagePrint);
            return String.format(Locale.ROOT, "    {\"tokens\": %d, \"batch\": %d, \"blocks\": %d, \"dModel\": %d, "
                            + "\"eagerMs\": %s, \"graphMs\": %s, \"graphMsMin\": %s, \"flops\": %s, \"floorBytes\": %s, "
                            + "\"achievedTflops\": %s, \"achievedGBps\": %s, \"floorMs\": %s, \"ratioToFloor\": %s, "
                            + "\"weightBytes\": %d, \"deviceBytesUsed\": %d, \"bytesBeyondWeights\": %d, \"nonFiniteOutputs\": %d, "
                            + "\"inGraphStageMs\": {%s}}",
                    c.sequenceLength(), batch, c.blocks(), c.dModel(), fmt(Timings.median(eager)), fmt(ms),
                    fmt(Timings.min(graphed)), fmt(flops), fmt(bytes), fmt(tflops), fmt(gbs), fmt(floorMs), fmt(ms / floorMs),
                    model.weightBytes(), used, beyond, nonFinite, stages);
        }
    }

    /**
     * Per-stage GPU time inside the step graph: the step is captured with an event-record node between stages, and the
     * medians over replays of each stage's time summed over the 49 blocks, divided by the block count (block stages),
     * or as is (embed, head). The event nodes cost a little, so "profiledStepMs" (their sum) is reported beside the
     * plain replay.
     */
    private static String stages(CudaContext cuda, DeviceModel model, DeviceModel.DenoiseBuffers buf, int batch,
                                 StringBuilder print) {
        int replays = 7;
        java.util.Map<String, List<Double>> times = new java.util.LinkedHashMap<>();
        try (CudaContext.StageMarks marks = cuda.stageMarks();
             CudaContext.Graph g = cuda.capture(() -> model.denoise(buf, batch, marks::mark))) {
            g.launch();
            g.launch();
            for (int rep = 0; rep < replays; rep++) {
                g.launch();
                marks.millisByStage().forEach((stage, ms) -> times.computeIfAbsent(stage, x -> new ArrayList<>()).add(ms));
            }
        }
        List<String> parts = new ArrayList<>();
        double total = 0;
        int blocks = model.config().blocks();
        for (var e : times.entrySet()) {
            double[] v = e.getValue().stream().mapToDouble(Double::doubleValue).sorted().toArray();
            double med = v[v.length / 2];
            total += med;
            boolean perBlock = !e.getKey().equals("embed") && !e.getKey().equals("head");
            double shown = perBlock ? med / blocks : med;
            parts.add("\"" + e.getKey() + (perBlock ? "" : "Step") + "\": " + fmt(shown));
            print.append(String.format(Locale.ROOT, " %s %.4f", e.getKey(), shown));
        }
        parts.add("\"profiledStepMs\": " + fmt(total));
        print.append(String.format(Locale.ROOT, " | profiled step %.3f", total));
        return String.join(", ", parts);
    }

    /** Useful FLOPs of one step: projections, SSD in its chunked form (chunk Q), time MLP and latent maps. */
    static double flops(MdmConfig c, int batch, Kernels k) {
        MambaShape s = MambaShape.of(c);
        double rows = (double) batch * c.sequenceLength();
        int q = k.ssdShape(batch, c.sequenceLength(), s.heads(), s.headDim(), s.nGroups(), s.dState(), s.chunkSize()).chunk();
        double h = s.heads();
        double block = 2 * rows * c.dModel() * s.inProjRows() + 2 * rows * s.dInner() * c.dModel()
                + 4 * rows * h * s.headDim() * s.dState() + rows * q * h * (s.dState() + s.headDim());
        double small = 2.0 * batch * (256.0 * c.dModel() + (double) c.dModel() * c.dModel())
                + 4.0 * batch * c.latentTokens() * c.latentDim() * c.dModel();
        return c.blocks() * block + small;
    }

    /**
     * Fewest bytes a fused step must move: every weight once, and per block the fp32 residual read and written, the
     * bf16 in_proj output written and read, and the bf16 out_proj input written and read.
     */
    static double floorBytes(MdmConfig c, int batch, long weightBytes) {
        MambaShape s = MambaShape.of(c);
        double rows = (double) batch * c.sequenceLength();
        double block = rows * (8.0 * c.dModel() + 4.0 * s.inProjRows() + 4.0 * s.dInner());
        return weightBytes + c.blocks() * block;
    }

    /**
     * 20-step DPM-Solver++(2M) joint generation, measured both ways in one run: the shared host sampler with a graph
     * replay per step (the baseline), and the whole loop as one CUDA graph ({@link DeviceSamplingLoop}). Random
     * weights carry no VAE, so neither clamps nor projects (decisions D15, D16).
     */
    private static String generation(CudaContext cuda, MdmConfig c, int steps) {
        int batch = 1;
        try (DeviceModel model = DeviceModel.random(cuda, c, true, 43); Workspace ws = new Workspace(cuda)) {
            int n = c.latentTokens() * c.latentDim();
            double[] x0 = new double[n];
            java.util.Random r = new java.util.Random(5);
            for (int i = 0; i < n; i++) {
                x0[i] = r.nextGaussian();
            }
            Tensor xT = Tensor.of(x0, batch, c.latentTokens(), c.latentDim());
            double[] betas = MDM.betas(c);
            SamplingRun run = new SamplingRun(SamplerSettings.defaults().withSteps(steps), betas, xT, null,
                    new long[] {c.classes()}, Double.NaN, null, false, 1, false);
            long base = ws.ensure(new DeviceSamplingLoop(model, 0, run).workspaceBytes());
            DeviceSamplingLoop loop = new DeviceSamplingLoop(model, base, run);
            DeviceModel.DenoiseBuffers buf = model.buffers(base, batch);
            cuda.upload(buf.classIds(), new int[] {c.classes()});
            float[] hostMs = new float[5];
            float[] wholeMs = new float[5];
            float[] wholeGraphMs = new float[5];
            try (CudaContext.Graph g = cuda.capture(() -> model.denoise(buf, batch))) {
                DenoisingFunction f = new DenoisingFunction() {
                    @Override
                    public Prediction predicts() {
                        return Prediction.DATA;
                    }

                    @Override
                    public Tensor predict(Tensor x, double t) {
                        cuda.upload(buf.latents(), x.toFloatArray());
                        cuda.upload(buf.time(), new float[] {(float) ((t - 1.0 / c.timesteps()) * c.timesteps())});
                        g.launch();
                        return Tensor.ofFloats(cuda.downloadFloats(buf.output(), n), x.shape());
                    }
                };
                DpmSolverSampler sampler = new DpmSolverSampler(run.settings(), betas);
                sampler.sample(xT, f, null, 0);
                for (int i = 0; i < hostMs.length; i++) {
                    long t0 = System.nanoTime();
                    sampler.sample(xT, f, null, 0);
                    hostMs[i] = (System.nanoTime() - t0) / 1e6f;
                }
            }
            loop.upload(cuda);
            try (CudaContext.Graph whole = cuda.capture(loop::record); CudaContext.Timer timer = cuda.timer()) {
                whole.launch();
                loop.result(cuda);
                for (int i = 0; i < wholeMs.length; i++) {
                    long t0 = System.nanoTime();
                    loop.upload(cuda);
                    timer.start();
                    whole.launch();
                    wholeGraphMs[i] = timer.stopMillis();
                    loop.result(cuda);
                    wholeMs[i] = (System.nanoTime() - t0) / 1e6f;
                }
            }
            System.out.printf(Locale.ROOT, "%d-step joint generation (%d tokens, batch 1, DPM-Solver++ 2M; random weights, "
                    + "so no VAE projection or text clamp): host sampler, "
                    + "graph per step %.2f ms; whole loop as one graph %.2f ms (graph alone %.2f ms)%n", steps,
                    c.sequenceLength(), Timings.median(hostMs), Timings.median(wholeMs), Timings.median(wholeGraphMs));
            return String.format(Locale.ROOT, "{\"tokens\": %d, \"batch\": 1, \"steps\": %d, \"sampler\": "
                    + "\"DPM-Solver++ 2M\", \"projections\": \"none: random weights carry no VAE (D15, D16 not applied)\", "
                    + "\"baseline\": {\"how\": \"host sampler, one CUDA graph replay per step\", "
                    + "\"wallMsMedian\": %s}, \"wholeLoop\": {\"how\": \"the whole loop as one CUDA graph "
                    + "(DeviceSamplingLoop), uploads and the result's download included\", \"wallMsMedian\": %s, "
                    + "\"graphMsMedian\": %s}, \"timing\": \"host clock (graph: CUDA events), median of 5\"}",
                    c.sequenceLength(), steps, fmt(Timings.median(hostMs)), fmt(Timings.median(wholeMs)),
                    fmt(Timings.median(wholeGraphMs)));
        }
    }
}

package dev.mdm.backend.jcuda.bench;

import dev.mdm.InvalidInputException;
import dev.mdm.MdmConfig;
import dev.mdm.Precision;
import dev.mdm.backend.jcuda.DeviceOutOfMemoryException;
import dev.mdm.backend.jcuda.JcudaBackend;
import dev.mdm.backend.jcuda.JcudaBackendProvider;
import dev.mdm.backend.jcuda.cuda.CudaContext;
import dev.mdm.backend.jcuda.cuda.Cublas;
import dev.mdm.backend.jcuda.cuda.Kernels;
import dev.mdm.backend.jcuda.training.BlockTrainer;
import dev.mdm.backend.jcuda.training.JcudaTrainingSession;
import dev.mdm.model.LossBreakdown;
import dev.mdm.model.MambaShape;
import dev.mdm.model.OptimizerSettings;
import dev.mdm.model.ParameterInitializer;
import dev.mdm.model.ParameterLayout;
import dev.mdm.model.Parameters;
import dev.mdm.model.TrainingBatch;
import dev.mdm.spi.Availability;
import dev.mdm.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;
import java.util.random.RandomGeneratorFactory;

/**
 * Training throughput of the jcuda backend (issue 6): one full optimizer step of {@link JcudaTrainingSession} (zero
 * ∇θ, encode, denoise forward, losses, backward, global-norm clipping, AdamW + EMA) for the {@code fashion} preset at
 * batch 64, 128 and 256 and for the {@code paper} preset (d = 2048, headDim 64, dState 128, expand 2, 324 tokens:
 * a 16×16 latent grid and 64 text tokens) at batch 1 and 8. Each row: a session from {@link ParameterInitializer}'s
 * weights and {@link OptimizerSettings#paper()}, {@code --warmup} untimed steps, then {@code --repeats} steps, each
 * timed with CUDA events around {@link JcudaTrainingSession#step} and waited for (so the time includes the step's host
 * work: batch validation, patchify, uploads, the loss read-back). Then three rounds of
 * {@code --repeats} steps back to back, each round between two events: a training loop's pace per step
 * ({@code loopMsPerStepMedian}, the median round), where a step's host work may overlap the optimizer update the
 * previous step left running on the GPU. The batch is random
 * and finite (images uniform in [−1, 1], token ids and class ids uniform in range, every token noised, timesteps and
 * noises drawn by {@link TrainingBatch#draw}) and the same for every step of a row. The bf16 and fp32 GEMM ceilings
 * ({@link DeviceCeilings}) are measured in the same run. Writes JSON (rewritten after every row) and prints a table.
 *
 * <p>FLOP convention, per step, counted analytically by {@link #flops}:
 * <ul>
 *   <li>GEMM FLOPs are 2·m·n·k for every matrix product the step runs through cuBLAS: the forward pass (VAE
 *       encoders, the two decoder runs of each modality, time MLP, latent_in, in_proj and out_proj of every block,
 *       latent_out), the recomputation in the backward pass where it runs ({@code BlockTrainer} recomputes a block
 *       from its input when its forward did not keep the activations: in_proj again; out_proj's output is not needed)
 *       and the backward pass (dX and dW of every layer; no dX for the first layers, img_enc1 and time_mlp.0).
 *       <b>Hardware</b> FLOPs = forward + recomputation + backward: the work the GPU does; {@code tflopsHardware} and
 *       the ratios to the ceilings use them.</li>
 *   <li><b>Model</b> FLOPs = 3 × the forward GEMM FLOPs (each product's forward once and its backward as two
 *       products of the same size, no recomputation): the 6·N·tokens convention, comparable across frameworks.</li>
 *   <li>The SSD's sequential scan is not a GEMM and is reported apart, as an estimate: 5 FLOPs per state element and
 *       token for a forward scan (decay and input update of H, the output C·H), run twice (forward and recomputation),
 *       the backward counted as two forward scans: 20·blocks·batch·L·d_inner·dState; 15 without the recomputation.</li>
 *   <li>Element-wise work (norms, conv, SiLU, losses, optimizer) is not counted.</li>
 * </ul>
 *
 * <p>Usage: {@code TrainBenchmark [--out FILE] [--repeats N] [--warmup N] [--blocks N] [--only ROW,...]} with rows
 * named {@code fashion:64}, {@code fashion:128}, {@code fashion:256}, {@code paper:1}, {@code paper:8};
 * {@code --blocks} sets the number of blocks of the paper rows (default 49, the full preset).
 */
public final class TrainBenchmark {
    /** Rounds of {@code --repeats} steps back to back, after the steps timed one by one. */
    private static final int LOOP_ROUNDS = 3;

    /** Issue 6's target: hardware TFLOP/s of the {@code paper} step at least this fraction of the bf16 GEMM ceiling. */
    static final double TARGET_BF16_RATIO = 0.4;
    private static final long WEIGHT_SEED = 11;
    private static final long BATCH_SEED = 2025;

    /**
     * One timed configuration; BF16 trains with bf16 GEMM operands (or what {@link JcudaTrainingSession#GEMM_PROPERTY}
     * asks for) and TF32 SSD chunk products, FP32 with exact fp32 throughout (TRAINING.md).
     */
    record Row(String preset, int batch, Precision precision) {
        String key() {
            String suffix = precision == Precision.FP32 ? "" : ":" + precision.name().toLowerCase(Locale.ROOT);
            return preset + ":" + batch + suffix;
        }
    }

    static final List<Row> ROWS = List.of(new Row("fashion", 64, Precision.FP32), new Row("fashion", 128, Precision.FP32),
            new Row("fashion", 256, Precision.FP32), new Row("fashion", 128, Precision.BF16),
            new Row("paper", 1, Precision.FP32), new Row("paper", 8, Precision.FP32), new Row("paper", 8, Precision.BF16));

    /**
     * Parsed command line.
     *
     * @param out the JSON file
     * @param repeats timed steps per row (≥ 1)
     * @param warmup untimed steps before them (≥ 0)
     * @param paperBlocks blocks of the paper rows (≥ 1)
     * @param only the row keys to run, or empty for all
     */
    record Arguments(Path out, int repeats, int warmup, int paperBlocks, Set<String> only) {
        boolean runs(Row row) {
            return only.isEmpty() || only.contains(row.key());
        }
    }

    /**
     * Analytic FLOPs of one training step (see the class comment).
     *
     * @param forward forward-pass GEMM FLOPs
     * @param recompute GEMM FLOPs of the blocks' recomputation in the backward pass
     * @param backward backward-pass GEMM FLOPs (dX and dW)
     * @param scanEstimate the SSD scans' estimated FLOPs (not in the others)
     */
    record Flops(double forward, double recompute, double backward, double scanEstimate) {
        /** @return GEMM FLOPs the GPU runs: forward + recomputation + backward */
        double hardware() {
            return forward + recompute + backward;
        }

        /** @return 3 × forward: the 6·N·tokens convention */
        double model() {
            return 3 * forward;
        }
    }

    private TrainBenchmark() {
    }

    /**
     * @param args see the class comment
     * @throws IOException when the JSON cannot be written
     */
    public static void main(String[] args) throws IOException {
        Arguments a;
        try {
            a = parse(args);
        } catch (InvalidInputException e) {
            System.err.println("TrainBenchmark: " + e.getMessage());
            System.err.println("usage: TrainBenchmark [--out FILE] [--repeats N>=1] [--warmup N>=0] [--blocks N>=1] "
                    + "[--only ROW,...]   rows: " + ROWS.stream().map(Row::key).toList());
            System.exit(2);
            return;
        }
        Availability availability = new JcudaBackendProvider().probe();
        if (!availability.available()) {
            System.err.println("TrainBenchmark needs a usable NVIDIA GPU and the jar's CUDA kernels; here: "
                    + String.join("; ", availability.reasons()));
            System.exit(1);
            return;
        }
        try (CudaContext cuda = CudaContext.open(0)) {
            cuda.lock().lock();
            try {
                cuda.enter();
                run(cuda, a);
            } finally {
                cuda.lock().unlock();
            }
        }
    }

    /**
     * @param args the command line
     * @return the parsed arguments
     * @throws InvalidInputException naming the argument that is unknown, lacks its value or has a bad one
     */
    static Arguments parse(String[] args) {
        Path out = Path.of("train-benchmark.json");
        int repeats = 10;
        int warmup = 2;
        int blocks = MdmConfig.paper().blocks();
        Set<String> only = new LinkedHashSet<>();
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (!List.of("--out", "--repeats", "--warmup", "--blocks", "--only").contains(name)) {
                throw new InvalidInputException("arguments", "one of --out, --repeats, --warmup, --blocks, --only",
                        "'" + name + "'");
            }
            if (i + 1 >= args.length) {
                throw new InvalidInputException(name, "a value after " + name, "the end of the arguments");
            }
            String value = args[++i];
            switch (name) {
                case "--out" -> out = Path.of(value);
                case "--repeats" -> repeats = integer(name, value, 1);
                case "--warmup" -> warmup = integer(name, value, 0);
                case "--blocks" -> blocks = integer(name, value, 1);
                default -> {
                    List<String> known = ROWS.stream().map(Row::key).toList();
                    for (String key : value.split(",")) {
                        if (!known.contains(key.strip())) {
                            throw new InvalidInputException(name, "row names from " + known, "'" + key + "'");
                        }
                        only.add(key.strip());
                    }
                }
            }
        }
        return new Arguments(out, repeats, warmup, blocks, Set.copyOf(only));
    }

    private static int integer(String name, String value, int min) {
        int v;
        try {
            v = Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new InvalidInputException(name, "an integer ≥ " + min, "'" + value + "'");
        }
        if (v < min) {
            throw new InvalidInputException(name, "an integer ≥ " + min, String.valueOf(v));
        }
        return v;
    }

    /**
     * @param preset {@code fashion} or {@code paper}
     * @param paperBlocks blocks of the paper configuration
     * @return the configuration a row trains
     */
    static MdmConfig config(String preset, int paperBlocks) {
        return preset.equals("paper") ? MdmConfig.paper().toBuilder().blocks(paperBlocks).build() : MdmConfig.preset(preset);
    }

    /**
     * GEMM FLOPs of one training step of {@link JcudaTrainingSession} and the scans' estimate (class comment).
     *
     * @param c model sizes
     * @param batch samples per step
     * @param recomputes whether the backward recomputes the blocks' activations
     * @return the counts
     */
    static Flops flops(MdmConfig c, int batch, boolean recomputes) {
        MambaShape s = MambaShape.of(c);
        double b = batch;
        double img = b * c.imageTokens();
        double txt = b * c.textLength();
        double lat = b * c.latentTokens();
        double rows = b * c.sequenceLength();
        int d = c.dModel();
        int dz = c.latentDim();
        int hidden = c.vaeHidden();
        double[] sum = new double[2]; // forward, backward
        // encoders: img_enc1 has no input gradient (its input is the data)
        linear(sum, img, c.patchDim(), hidden, false, 1);
        linear(sum, img, hidden, 2 * dz, true, 1);
        linear(sum, txt, hidden, hidden, true, 1);
        linear(sum, txt, hidden, 2 * dz, true, 1);
        // decoders: once on z0 (autoencoder terms), once on ẑ0 (denoised terms)
        linear(sum, img, dz, hidden, true, 2);
        linear(sum, img, hidden, c.patchDim(), true, 2);
        linear(sum, txt, dz, hidden, true, 2);
        linear(sum, txt, hidden, c.vocabSize(), true, 2);
        // denoiser outside the blocks: time_mlp.0 has no input gradient (its input is the sinusoidal embedding)
        linear(sum, b, ParameterLayout.TIME_FREQUENCIES, d, false, 1);
        linear(sum, b, d, d, true, 1);
        linear(sum, lat, dz, d, true, 1);
        linear(sum, lat, d, dz, true, 1);
        // the blocks
        linear(sum, rows, d, s.inProjRows(), true, c.blocks());
        linear(sum, rows, s.dInner(), d, true, c.blocks());
        double recompute = recomputes ? c.blocks() * 2 * rows * d * s.inProjRows() : 0;
        double scan = (recomputes ? 20.0 : 15.0) * c.blocks() * rows * s.dInner() * s.dState();
        return new Flops(sum[0], recompute, sum[1], scan);
    }

    /** Adds a linear layer's forward (2·rows·in·out) and backward (dW, and dX when the layer has one) FLOPs. */
    private static void linear(double[] sum, double rows, int in, int out, boolean inputGradient, int runs) {
        double f = 2 * rows * in * out;
        sum[0] += runs * f;
        sum[1] += runs * f * (inputGradient ? 2 : 1);
    }

    /**
     * @param c model sizes
     * @param batch samples
     * @param seed seed of the data and noises
     * @return a random, finite batch (class comment)
     */
    static TrainingBatch randomBatch(MdmConfig c, int batch, long seed) {
        return TrainingBatch.random(c, batch, null, RandomGeneratorFactory.of("L64X128MixRandom").create(seed));
    }

    private static void run(CudaContext cuda, Arguments a) throws IOException {
        Kernels k = new Kernels(cuda);
        double bf16 = DeviceCeilings.gemmTflops(cuda, k, Cublas.R_16BF);
        double fp32 = DeviceCeilings.gemmTflops(cuda, k, Cublas.R_32F);
        int n = DeviceCeilings.GEMM_SIZE;
        System.out.printf(Locale.ROOT, "device %s, %s%nceilings: bf16 GEMM %d^3 %.0f TFLOP/s, fp32 GEMM %d^3 %.1f TFLOP/s%n",
                cuda.describe(), cuda.gemm().version(), n, bf16, n, fp32);
        String head = "{\n  \"benchmark\": \"training step (zero grads, encode, denoise, losses, backward, clip, AdamW+EMA), fp32\","
                + "\n  \"backend\": \"jcuda " + JcudaBackend.VERSION + "\",\n  \"device\": \"" + json(cuda.describe())
                + "\",\n  \"library\": \"" + json(cuda.gemm().version()) + "\",\n  \"jvm\": \""
                + json(System.getProperty("java.vm.name") + " " + Runtime.version()) + "\",\n  \"repeats\": " + a.repeats()
                + ",\n  \"warmupSteps\": " + a.warmup()
                + ",\n  \"statistic\": \"median (and min, max) of CUDA-event times of one session.step call\""
                + ",\n  \"optimizer\": \"OptimizerSettings.paper() (AdamW lr 1e-4, clip 1.0, EMA 0.9999)\""
                + ",\n  \"data\": \"random finite batch, every token noised, the same batch every step\""
                + ",\n  \"flopConvention\": \"hardware = GEMM 2mnk of forward + in_proj recomputation + backward (dX, dW);"
                + " model = 3 x forward GEMM; ssdScanEstimate = 20*blocks*batch*L*dInner*dState, not in either\""
                + String.format(Locale.ROOT, ",\n  \"baseline\": {\"gemmSize\": %d, \"bf16GemmTflops\": %s, \"fp32GemmTflops\": %s}",
                n, fmt(bf16), fmt(fp32))
                + String.format(Locale.ROOT, ",\n  \"target\": {\"row\": \"paper\", \"hardwareRatioToBf16Ceiling\": %s}",
                fmt(TARGET_BF16_RATIO))
                + ",\n  \"rows\": [\n";
        List<String> rows = new ArrayList<>();
        write(a.out(), head, rows);
        System.out.println("row          | blocks | params | L x batch | ms median (min-max)     | samples/s | tokens/s"
                + " | TFLOP/s hw | model | hw/bf16 | hw/fp32 | device GB | loop ms/step");
        String preset = null;
        Parameters weights = null;
        double weightSeconds = 0;
        for (Row row : ROWS) {
            if (!a.runs(row)) {
                continue;
            }
            MdmConfig c = config(row.preset(), a.paperBlocks());
            if (!row.preset().equals(preset)) {
                // one host copy of the initial weights per preset: free the last one first
                weights = null;
                long t0 = System.nanoTime();
                weights = ParameterInitializer.initialize(c, WEIGHT_SEED);
                weightSeconds = (System.nanoTime() - t0) / 1e9;
                preset = row.preset();
            }
            rows.add(step(cuda, row, c, weights, weightSeconds, a, bf16, fp32));
            write(a.out(), head, rows);
            weightSeconds = Double.NaN; // reported with the row that paid it
        }
        System.out.println("wrote " + a.out());
    }

    private static void write(Path out, String head, List<String> rows) throws IOException {
        Files.writeString(out, head + String.join(",\n", rows) + "\n  ]\n}\n");
    }

    private static String step(CudaContext cuda, Row row, MdmConfig c, Parameters weights, double weightSeconds,
                               Arguments a, double bf16, double fp32) {
        int b = row.batch();
        MambaShape s = MambaShape.of(c);
        String config = String.format(Locale.ROOT, "\"preset\": \"%s\", \"blocks\": %d, \"fullPresetBlocks\": %d, "
                        + "\"dModel\": %d, \"headDim\": %d, \"dState\": %d, \"expand\": %d, \"tokens\": %d, \"batch\": %d, \"precision\": \"%s\"",
                row.preset(), c.blocks(), MdmConfig.preset(row.preset()).blocks(), c.dModel(), s.headDim(), s.dState(),
                s.expand(), c.sequenceLength(), b, row.precision());
        TrainingBatch batch = randomBatch(c, b, BATCH_SEED + b);
        long freeBefore = cuda.memoryInfo()[0];
        long allocatedBefore = cuda.allocatedBytes();
        long t0 = System.nanoTime();
        try (JcudaTrainingSession session = new JcudaTrainingSession(cuda, c, OptimizerSettings.paper(), weights, null,
                new BenchmarkOwner(cuda), row.precision())) {
            double sessionSeconds = (System.nanoTime() - t0) / 1e9;
            LossBreakdown first = null;
            for (int i = 0; i < a.warmup(); i++) {
                LossBreakdown l = session.step(batch);
                first = first == null ? l : first;
            }
            float[] ms = new float[a.repeats()];
            float[] wall = new float[a.repeats()];
            LossBreakdown last = null;
            try (CudaContext.Timer timer = cuda.timer()) {
                for (int i = 0; i < ms.length; i++) {
                    long w0 = System.nanoTime();
                    timer.start();
                    last = session.step(batch);
                    ms[i] = timer.stopMillis();
                    wall[i] = (System.nanoTime() - w0) / 1e6f;
                    first = first == null ? last : first;
                }
            }
            // a training loop's pace: rounds of --repeats steps back to back, each round between two events, so that
            // a step's host work (the batch's checks and conversions) may overlap what the previous step left queued
            float[] loop = new float[LOOP_ROUNDS];
            try (CudaContext.Timer timer = cuda.timer()) {
                for (int r = 0; r < loop.length; r++) {
                    timer.start();
                    for (int i = 0; i < ms.length; i++) {
                        session.step(batch);  // lossLast stays the last timed step's, comparable with earlier runs
                    }
                    loop[r] = timer.stopMillis() / ms.length;
                }
            }
            double loopMs = Timings.median(loop);
            // every buffer of the session is allocated by its first step and kept: this is the peak
            long used = freeBefore - cuda.memoryInfo()[0];
            long allocated = cuda.allocatedBytes() - allocatedBefore;
            boolean recomputes = !session.keepsActivations();
            Flops f = flops(c, b, recomputes);
            double med = Timings.median(ms);
            double sec = med * 1e-3;
            double hw = f.hardware() / sec / 1e12;
            double model = f.model() / sec / 1e12;
            long params = weights.asMap().values().stream().mapToLong(Tensor::size).sum();
            boolean paper = row.preset().equals("paper");
            System.out.printf(Locale.ROOT, "%-12s | %6d | %5.0fM | %3d x %-3d | %8.2f (%8.2f-%8.2f) | %9.1f | %8.0f | %10.2f"
                            + " | %5.2f | %7.3f | %7.3f | %.2f | %8.2f | %s GEMMs, %s, %s%s%n", row.key(), c.blocks(),
                    params / 1e6, c.sequenceLength(), b, med, Timings.min(ms), Timings.max(ms), b / sec,
                    b * c.sequenceLength() / sec, hw, model, hw / bf16, hw / fp32, used / 1e9, loopMs,
                    session.gemmCompute(),
                    recomputes ? "activations recomputed" : "activations kept",
                    session.tf32ChunkProducts() ? "TF32 chunk products" : "fp32 chunk products",
                    paper ? (hw / bf16 >= TARGET_BF16_RATIO ? "  (meets" : "  (below") + " the 40% target)" : "");
            return String.format(Locale.ROOT, "    {%s, \"trainingGemm\": \"%s\", \"scanBackward\": \"%s\", \"activations\": \"%s\", \"chunkProducts\": \"%s\", \"parameters\": %d, \"msMedian\": %s, \"msMin\": %s, \"msMax\": %s, "
                            + "\"wallMsMedian\": %s, \"loopMsPerStepMedian\": %s, \"loopRounds\": %d, "
                            + "\"loopHardwareRatioToBf16Ceiling\": %s, \"samplesPerSecond\": %s, \"tokensPerSecond\": %s, "
                            + "\"flops\": {\"forwardGemm\": %s, \"recomputeGemm\": %s, \"backwardGemm\": %s, \"hardware\": %s, "
                            + "\"model\": %s, \"ssdScanEstimate\": %s}, \"tflopsHardware\": %s, \"tflopsModel\": %s, "
                            + "\"hardwareRatioToBf16Ceiling\": %s, \"hardwareRatioToFp32Ceiling\": %s, "
                            + "\"modelRatioToBf16Ceiling\": %s, %s\"deviceBytesUsed\": %d, \"sessionAllocatedBytes\": %d, "
                            + "\"hostWeightInitSeconds\": %s, \"sessionSetupSeconds\": %s, \"lossFirst\": %s, \"lossLast\": %s}",
                    config, session.gemmCompute(), System.getProperty(BlockTrainer.SCAN_BACKWARD_PROPERTY, "chunked"),
                    recomputes ? "recomputed" : "kept", session.tf32ChunkProducts() ? "tf32" : "fp32",
                    params, fmt(med), fmt(Timings.min(ms)), fmt(Timings.max(ms)), fmt(Timings.median(wall)),
                    fmt(loopMs), LOOP_ROUNDS, fmt(f.hardware() / (loopMs * 1e-3) / 1e12 / bf16), fmt(b / sec),
                    fmt(b * c.sequenceLength() / sec), fmt(f.forward()), fmt(f.recompute()),
                    fmt(f.backward()), fmt(f.hardware()), fmt(f.model()), fmt(f.scanEstimate()), fmt(hw), fmt(model),
                    fmt(hw / bf16), fmt(hw / fp32), fmt(model / bf16),
                    paper ? "\"meetsTarget\": " + (hw / bf16 >= TARGET_BF16_RATIO) + ", " : "", used, allocated,
                    fmt(weightSeconds), fmt(sessionSeconds), fmt(first.total()), fmt(last.total()));
        } catch (DeviceOutOfMemoryException e) {
            // a smaller GPU: say so in the row and go on with the others
            System.out.printf(Locale.ROOT, "%-12s | out of device memory: %s%n", row.key(), e.getMessage());
            return "    {" + config + ", \"error\": \"" + json(e.getMessage()) + "\"}";
        }
    }

    private static String fmt(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4g", v) : "null";
    }

    private static String json(String text) {
        StringBuilder sb = new StringBuilder();
        for (char ch : text.toCharArray()) {
            switch (ch) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                default -> {
                    if (ch < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) ch));
                    } else {
                        sb.append(ch);
                    }
                }
            }
        }
        return sb.toString();
    }

    /** The session's owner here: no inference copy of the weights to refresh, the benchmark's lock and context. */
    private record BenchmarkOwner(CudaContext cuda) implements JcudaTrainingSession.Owner {
        @Override
        public <T> T lockedForSession(Supplier<T> work) {
            cuda.lock().lock();
            try {
                cuda.enter();
                return work.get();
            } finally {
                cuda.lock().unlock();
            }
        }

        @Override
        public void weightsUpdated(JcudaTrainingSession session) {
            // nothing reads the weights during the benchmark
        }

        @Override
        public void released(JcudaTrainingSession session) {
            // nothing to copy out
        }
    }
}

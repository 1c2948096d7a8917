package dev.mdm.backend.onnx.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mdm.MDM;
import dev.mdm.MdmConfig;
import dev.mdm.model.LatentDistribution;
import dev.mdm.sampling.DenoisingFunction;
import dev.mdm.sampling.Prediction;
import dev.mdm.sampling.Sampler;
import dev.mdm.sampling.SamplerSettings;
import dev.mdm.sampling.SamplingMethod;
import dev.mdm.task.Generation;
import dev.mdm.task.Prompt;
import dev.mdm.tck.NativeMemoryProbe;
import dev.mdm.tensor.DType;
import dev.mdm.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * One {@link MDM} on the onnx backend shared by 8 threads doing mixed inference: every call gives the bytes it gives
 * when the same calls run one after another, and native memory stays flat.
 *
 * <p>Each request is a pure function of its index: its kind (denoiser, encoders, decoders, a block, its mixer, the
 * scan switch, DPM-Solver and DDPM sampler runs, joint generation, captioning, question answering, completion) and
 * its seed, from which it draws its inputs, so the sequential and the concurrent runs ask exactly the same thing.
 * The concurrent run takes the requests in a shuffled order from a shared counter, so neighbouring calls of one
 * thread differ from the sequential run's. The concurrent run happens twice on the same threads; native memory is
 * measured over the second.
 */
@DisplayName("One MDM shared by 8 threads")
class ConcurrentLoadTest {
    /** Calls per run; {@code -Dmdm.reliability.calls=N} changes it. */
    private static final int CALLS = Integer.getInteger("mdm.reliability.calls", 2000);
    private static final int THREADS = 8;
    private static final int KINDS = 13;
    private static final MdmConfig C = TinyModel.CONFIG;
    /** DDPM always takes every step of its schedule: a 10-step one keeps its runs as cheap as the others. */
    private static final double[] SHORT_SCHEDULE = linear(1e-3, 0.2, 10);
    private static final String[] WORDS = {"a", "shirt", "dress", "with", "bag", "boot", "black", "white"};

    private static double[] linear(double from, double to, int n) {
        double[] b = new double[n];
        for (int i = 0; i < n; i++) {
            b[i] = from + (to - from) * i / (n - 1);
        }
        return b;
    }

    /**
     * The denoiser as an x̂0 model of the sampler, for class {@code classId}: t ∈ (0, 1] becomes time input t·T for
     * every sample of the batch.
     */
    private static DenoisingFunction model(MDM mdm, int batch, long classId) {
        long[] ids = new long[batch];
        Arrays.fill(ids, classId);
        Tensor classes = Tensor.ofLongs(ids, batch);
        return new DenoisingFunction() {
            @Override
            public Prediction predicts() {
                return Prediction.DATA;
            }

            @Override
            public Tensor predict(Tensor x, double t) {
                double[] time = new double[batch];
                Arrays.fill(time, t * C.timesteps());
                return mdm.denoiser().predict(x, Tensor.of(time, batch).to(DType.F32), classes);
            }
        };
    }

    private static String words(SplittableRandom r, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : " ").append(WORDS[r.nextInt(WORDS.length)]);
        }
        return sb.toString();
    }

    /** Runs request {@code index} and returns everything it produced, as bytes. */
    private static byte[] run(MDM mdm, Sampler ddpm, int index) {
        long seed = 0x5EED_0000L + index;
        SplittableRandom r = new SplittableRandom(seed);
        int b = 1 + r.nextInt(2);
        Result out = new Result();
        switch (index % KINDS) {
            case 0 -> out.add(mdm.denoiser().predict(TinyModel.normal(r, b, C.latentTokens(), C.latentDim()),
                    TinyModel.times(r, b), TinyModel.classes(r, b)));
            case 1 -> out.add(mdm.encoder().encodeImage(TinyModel.images(r, b)));
            case 2 -> out.add(mdm.encoder().encodeText(TinyModel.tokens(r, b)));
            case 3 -> out.add(mdm.decoder().decodeImage(TinyModel.normal(r, b, C.imageTokens(), C.latentDim())));
            case 4 -> out.add(mdm.decoder().decodeText(TinyModel.normal(r, b, C.textLength(), C.latentDim())));
            case 5 -> out.add(mdm.block(r.nextInt(C.blocks())).forward(TinyModel.normal(r, b, C.sequenceLength(), C.dModel())));
            case 6 -> out.add(mdm.block(r.nextInt(C.blocks())).mixer(TinyModel.normal(r, b, 1 + r.nextInt(24), C.dModel())));
            case 7 -> out.add(mdm.scanSwitch().permute(r.nextInt(C.blocks()), TinyModel.normal(r, b, C.sequenceLength(), C.dModel())));
            case 8 -> out.add(mdm.sampler().sample(TinyModel.normal(r, b, C.latentTokens(), C.latentDim()), model(mdm, b, r.nextInt(C.classes() + 1)), null,
                    r.nextLong()).last());
            case 9 -> out.add(ddpm.sample(TinyModel.normal(r, b, C.latentTokens(), C.latentDim()), model(mdm, b, r.nextInt(C.classes() + 1)), null,
                    r.nextLong()).last());
            case 10 -> {
                for (Generation g : mdm.generate(Prompt.joint(r.nextInt(C.classes())).withSeed(r.nextLong()), b)) {
                    out.add(g.image()).add(g.caption().orElseThrow()).add(Arrays.toString(g.tokens()));
                }
            }
            case 11 -> out.add(String.join("|", mdm.captions(TinyModel.images(r, b))));
            default -> out.add(r.nextBoolean() ? mdm.answer(TinyModel.images(r, 1).reshape(C.imageChannels(), C.imageHeight(),
                    C.imageWidth()), words(r, 1)) : mdm.complete(words(r, 1)));
        }
        return out.bytes.toByteArray();
    }

    /** Everything a request returned, dtype and shape included, as one byte string to compare exactly. */
    private static final class Result {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        Result add(Tensor t) {
            add(t.dtype() + Arrays.toString(t.shape()));
            bytes.writeBytes(t.toBytes());
            return this;
        }

        Result add(LatentDistribution d) {
            return add(d.mean()).add(d.logVar());
        }

        Result add(String s) {
            bytes.writeBytes((s + "\n").getBytes(StandardCharsets.UTF_8));
            return this;
        }
    }

    @Test
    @DisplayName("8 threads doing mixed inference calls get the bytes of a sequential run, and native memory stays within 5 %")
    void concurrentEqualsSequentialAndMemoryIsFlat() throws Exception {
        try (MDM mdm = TinyModel.open()) {
            Sampler ddpm = mdm.backend().sampler(SamplerSettings.defaults().withMethod(SamplingMethod.DDPM), SHORT_SCHEDULE);
            long t0 = System.nanoTime();
            byte[][] sequential = new byte[CALLS][];
            for (int i = 0; i < CALLS; i++) {
                sequential[i] = run(mdm, ddpm, i);
            }
            long t1 = System.nanoTime();
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < CALLS; i++) {
                order.add(i);
            }
            Collections.shuffle(order, new Random(17));
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            byte[][] warmUp;
            byte[][] concurrent;
            long t2;
            long t3;
            NativeMemoryProbe.Snapshot before = null;
            boolean probe = NativeMemoryProbe.available();
            try {
                warmUp = runConcurrently(mdm, ddpm, order, pool);
                t2 = System.nanoTime();
                // measured only now, after the sequential and a first concurrent run: every graph is built, every code path
                // compiled, and the pool's threads hold their per-thread native state (glibc adds malloc arenas as threads
                // contend, more on a busy machine), which a first run counted as growth and failed CI under load
                before = probe ? NativeMemoryProbe.snapshot() : null;
                concurrent = runConcurrently(mdm, ddpm, order, pool);
                t3 = System.nanoTime();
            } finally {
                pool.shutdownNow();
            }

            int[] perKind = new int[KINDS];
            for (int i = 0; i < CALLS; i++) {
                assertThat(warmUp[i]).as("request %d (kind %d): first concurrent result equals the sequential one", i, i % KINDS)
                        .isEqualTo(sequential[i]);
                assertThat(concurrent[i]).as("request %d (kind %d): second concurrent result equals the sequential one", i, i % KINDS)
                        .isEqualTo(sequential[i]);
                perKind[i % KINDS]++;
            }
            String timing = String.format(Locale.ROOT, "%d calls: sequential %.1f s, %d threads %.1f s then %.1f s; per kind %s",
                    CALLS, (t1 - t0) / 1e9, THREADS, (t2 - t1) / 1e9, (t3 - t2) / 1e9, Arrays.toString(perKind));
            System.out.println("[ConcurrentLoadTest] " + timing);
            if (probe) {
                NativeMemoryProbe.Snapshot after = NativeMemoryProbe.snapshot();
                long growth = NativeMemoryProbe.nativeGrowth(before, after);
                System.out.printf(Locale.ROOT, "[ConcurrentLoadTest] RSS %.1f MiB -> %.1f MiB; native growth bound %.1f MiB%n",
                        before.resident() / 1048576.0, after.resident() / 1048576.0, growth / 1048576.0);
                assertThat(growth).as("growth of native memory over the concurrent run, bytes; before %s, after %s", before, after)
                        .isLessThanOrEqualTo(before.resident() / 20);
            }
        }
    }

    /** Runs every request once on the pool's threads, taking them in {@code order} from a shared counter. */
    private static byte[][] runConcurrently(MDM mdm, Sampler ddpm, List<Integer> order, ExecutorService pool) throws Exception {
        byte[][] results = new byte[CALLS][];
        AtomicInteger next = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> workers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            workers.add(pool.submit(() -> {
                start.await();
                int done = 0;
                for (int k = next.getAndIncrement(); k < CALLS; k = next.getAndIncrement()) {
                    int i = order.get(k);
                    results[i] = run(mdm, ddpm, i);
                    done++;
                }
                return done;
            }));
        }
        start.countDown();
        int total = 0;
        for (Future<Integer> w : workers) {
            int done = w.get(5, TimeUnit.MINUTES);
            assertThat(done).as("calls done by one thread").isPositive();
            total += done;
        }
        assertThat(total).isEqualTo(CALLS);
        return results;
    }
}

package dev.mdm.backend.jcuda.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mdm.MdmConfig;
import dev.mdm.backend.jcuda.cuda.Cublas;
import dev.mdm.model.LossBreakdown;
import dev.mdm.model.ParameterInitializer;
import dev.mdm.model.Parameters;
import dev.mdm.model.TrainingBatch;
import dev.mdm.tck.reference.ReferenceLatentLoss;
import dev.mdm.tensor.DType;
import dev.mdm.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The VAE/loss trainer against the float64 reference loss of mdm-tck with ẑ0 given: every loss term, and directional
 * derivatives w.r.t. each {@code vae.*} tensor and ẑ0 against central differences of that loss (plus ⟨z_t, R⟩ for the
 * gradient arriving from the denoiser). Skipped, with the probe's reasons, where no usable GPU is present.
 */
class VaeLossTrainerTest extends DeviceTest {

    private static MdmConfig config(String name) {
        return name.equals("tiny") ? MdmConfig.tiny() : MdmConfig.fashion();
    }

    /** Weights rounded to fp32 (both sides see the same values), biases moved off zero so their gradients matter. */
    private static Parameters weights(MdmConfig c, SplittableRandom random) {
        Parameters p = ParameterInitializer.initialize(c, random.nextLong());
        var m = new LinkedHashMap<String, Tensor>();
        for (String name : p.names()) {
            Tensor t = p.get(name);
            if (name.startsWith("vae.") && name.endsWith(".bias")) {
                t = gaussian(random, 0.1, t.shape());
            }
            m.put(name, t.to(DType.F32));
        }
        return Parameters.of(m);
    }

    private static Tensor gaussian(SplittableRandom random, double scale, int... shape) {
        double[] v = new double[Math.toIntExact(Tensor.elementCount(shape))];
        for (int i = 0; i < v.length; i++) {
            v[i] = scale * gauss(random);
        }
        return Tensor.of(v, shape);
    }

    private static double gauss(SplittableRandom random) {
        double u = random.nextDouble(1e-12, 1);
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
    }

    /** Two samples; about a third of the tokens given clean; t in the upper three quarters (fp32-friendly 1 − ᾱ). */
    private static TrainingBatch batch(MdmConfig c, SplittableRandom random) {
        int b = 2;
        int n = c.latentTokens();
        double[] images = new double[b * c.imageChannels() * c.imageHeight() * c.imageWidth()];
        for (int i = 0; i < images.length; i++) {
            images[i] = random.nextDouble(-1, 1);
        }
        long[] tokens = new long[b * c.textLength()];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = random.nextInt(Math.min(c.vocabSize(), 5 + tokens.length)); // repeated ids: shared embedding rows
        }
        double[] noised = new double[b * n];
        for (int i = 0; i < noised.length; i++) {
            noised[i] = random.nextDouble() < 0.35 ? 0 : 1;
        }
        long[] t = new long[b];
        for (int i = 0; i < b; i++) {
            t[i] = c.timesteps() / 4 + 1 + random.nextInt(c.timesteps() - c.timesteps() / 4);
        }
        return new TrainingBatch(Tensor.of(images, b, c.imageChannels(), c.imageHeight(), c.imageWidth()).to(DType.F32),
                Tensor.ofLongs(tokens, b, c.textLength()), Tensor.ofLongs(new long[] {0, c.classes()}, b),
                Tensor.ofLongs(t, b), gaussian(random, 1, b, n, c.latentDim()).to(DType.F32),
                gaussian(random, 1, b, n, c.latentDim()).to(DType.F32), Tensor.of(noised, b, n)).validate(c);
    }

    /** One GPU pass: losses, ∂L/∂ẑ0 and every parameter gradient. */
    private record GpuResult(LossBreakdown loss, float[] zt, float[] dZhat0, Parameters grads) {
    }

    private GpuResult gpu(MdmConfig c, Parameters p, TrainingBatch batch, Tensor zhat0, Tensor dZt) {
        int b = batch.images().dim(0);
        long bytes = (long) b * c.latentTokens() * c.latentDim() * Float.BYTES;
        try (ParameterArena arena = ParameterArena.allocate(cuda, c);
             VaeLossTrainer trainer = new VaeLossTrainer(cuda, c, arena, b, Cublas.Compute.FP32)) {
            arena.upload(arena.weights(), p);
            long zt = cuda.alloc(bytes);
            long zh = cuda.alloc(bytes);
            long dzh = cuda.alloc(bytes);
            long dzt = cuda.alloc(bytes);
            try {
                cuda.upload(zh, zhat0.toFloatArray());
                cuda.upload(dzt, dZt.toFloatArray());
                arena.zeroGrads();
                trainer.encode(batch, zt);
                trainer.lossAndGradient(zh, dzh);
                trainer.backwardEncoder(dzt);
                LossBreakdown loss = trainer.losses();
                int n = (int) (bytes / Float.BYTES);
                return new GpuResult(loss, cuda.downloadFloats(zt, n), cuda.downloadFloats(dzh, n), arena.download(arena.grads()));
            } finally {
                for (long a : new long[] {zt, zh, dzh, dzt}) {
                    cuda.free(a, bytes);
                }
            }
        }
    }

    /** The functional whose gradient the trainer computes: total + ⟨z_t, R⟩, in float64. */
    private static double functional(MdmConfig c, Parameters p, TrainingBatch batch, Tensor zhat0, double[] r) {
        var e = ReferenceLatentLoss.evaluate(c, p, batch, zhat0);
        double[] zt = e.zt().toDoubleArray();
        double s = e.loss().total();
        for (int i = 0; i < zt.length; i++) {
            s += zt[i] * r[i];
        }
        return s;
    }

    private static Parameters shifted(Parameters p, String name, double[] direction, double h) {
        var m = new LinkedHashMap<>(p.asMap());
        double[] v = p.get(name).toDoubleArray();
        for (int i = 0; i < v.length; i++) {
            v[i] += h * direction[i];
        }
        m.put(name, Tensor.of(v, p.get(name).shape()));
        return Parameters.of(m);
    }

    private static void assertDirectional(String what, double analytic, double numeric, double gradNorm, double dirNorm) {
        double tol = 2e-3 * Math.max(Math.abs(numeric), 1e-2 * gradNorm * dirNorm) + 1e-6;
        assertThat(Math.abs(analytic - numeric)).as("%s: analytic %s vs central difference %s", what, analytic, numeric)
                .isLessThanOrEqualTo(tol);
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static double norm(double[] a) {
        return Math.sqrt(dot(a, a));
    }

    private static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    @ParameterizedTest(name = "{0}, random dZt = {1}")
    @org.junit.jupiter.params.provider.CsvSource({"tiny,false", "tiny,true", "fashion,false", "fashion,true"})
    @DisplayName("loss terms equal the float64 reference, and gradients w.r.t. every vae.* tensor and ẑ0 match its central differences")
    void matchesReferenceLossAndItsGradients(String preset, boolean randomDzt) {
        MdmConfig c = config(preset);
        SplittableRandom random = new SplittableRandom(preset.hashCode() * 31L + (randomDzt ? 1 : 0));
        Parameters p = weights(c, random);
        TrainingBatch batch = batch(c, random);
        int b = batch.images().dim(0);
        int[] latentShape = {b, c.latentTokens(), c.latentDim()};
        Tensor zt0 = ReferenceLatentLoss.evaluate(c, p, batch, Tensor.of(new double[b * c.latentTokens() * c.latentDim()], latentShape)).zt();
        double[] zh = zt0.toDoubleArray();
        for (int i = 0; i < zh.length; i++) {
            zh[i] += 0.3 * gauss(random);
        }
        Tensor zhat0 = Tensor.of(zh, latentShape).to(DType.F32);
        double[] r = randomDzt ? gaussian(random, 0.1, latentShape).to(DType.F32).toDoubleArray() : new double[zh.length];

        GpuResult g = gpu(c, p, batch, zhat0, Tensor.of(r, latentShape));
        var expected = ReferenceLatentLoss.evaluate(c, p, batch, zhat0);
        LossBreakdown e = expected.loss();
        LossBreakdown a = g.loss();
        double[][] terms = {{a.total(), e.total()}, {a.imageReconstruction(), e.imageReconstruction()},
            {a.imageDenoised(), e.imageDenoised()}, {a.textReconstruction(), e.textReconstruction()},
            {a.textDenoised(), e.textDenoised()}, {a.kl(), e.kl()}, {a.scoreEntropy(), e.scoreEntropy()}};
        String[] names = {"total", "imageReconstruction", "imageDenoised", "textReconstruction", "textDenoised", "kl", "scoreEntropy"};
        for (int i = 0; i < terms.length; i++) {
            assertThat(terms[i][0]).as("%s (%s)", names[i], preset).isCloseTo(terms[i][1],
                    org.assertj.core.api.Assertions.within(1e-4 * Math.abs(terms[i][1]) + 1e-5));
        }
        assertThat(e.imageDenoised()).as("the batch noises some image tokens").isPositive();
        assertThat(e.scoreEntropy()).as("score entropy is exercised").isPositive();
        double[] ztRef = expected.zt().toDoubleArray();
        for (int i = 0; i < ztRef.length; i++) {
            assertThat((double) g.zt()[i]).as("z_t[%d]", i).isCloseTo(ztRef[i], org.assertj.core.api.Assertions.within(1e-4 * (1 + Math.abs(ztRef[i]))));
        }

        double h = 1e-5;
        for (String name : p.names()) {
            if (!name.startsWith("vae.")) {
                continue;
            }
            double[] grad = g.grads().get(name).toDoubleArray();
            double[] d = gaussian(random, 1, p.get(name).shape()).toDoubleArray();
            double numeric = (functional(c, shifted(p, name, d, h), batch, zhat0, r)
                    - functional(c, shifted(p, name, d, -h), batch, zhat0, r)) / (2 * h);
            assertDirectional(name + " (" + preset + ")", dot(grad, d), numeric, norm(grad), norm(d));
        }
        double[] d = gaussian(random, 1, latentShape).toDoubleArray();
        double[] plus = zhat0.toDoubleArray();
        double[] minus = zhat0.toDoubleArray();
        for (int i = 0; i < plus.length; i++) {
            plus[i] += h * d[i];
            minus[i] -= h * d[i];
        }
        double numeric = (functional(c, p, batch, Tensor.of(plus, latentShape), r)
                - functional(c, p, batch, Tensor.of(minus, latentShape), r)) / (2 * h);
        double[] dzh = toDouble(g.dZhat0());
        assertDirectional("ẑ0 (" + preset + ")", dot(dzh, d), numeric, norm(dzh), norm(d));
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny", "fashion"})
    @DisplayName("two runs on the same inputs give bit-identical losses and gradients")
    void isDeterministic(String preset) {
        MdmConfig c = config(preset);
        SplittableRandom random = new SplittableRandom(7);
        Parameters p = weights(c, random);
        TrainingBatch batch = batch(c, random);
        int[] latentShape = {batch.images().dim(0), c.latentTokens(), c.latentDim()};
        Tensor zhat0 = gaussian(random, 1, latentShape).to(DType.F32);
        Tensor dZt = gaussian(random, 0.1, latentShape).to(DType.F32);
        GpuResult first = gpu(c, p, batch, zhat0, dZt);
        GpuResult second = gpu(c, p, batch, zhat0, dZt);
        assertThat(second.loss()).isEqualTo(first.loss());
        assertThat(second.dZhat0()).isEqualTo(first.dZhat0());
        for (String name : p.names()) {
            assertThat(second.grads().get(name).toFloatArray()).as(name).isEqualTo(first.grads().get(name).toFloatArray());
        }
    }

    @Test
    @DisplayName("lossAndGradient before encode is refused, naming the order")
    void refusesOutOfOrderCalls() {
        MdmConfig c = MdmConfig.tiny();
        try (ParameterArena arena = ParameterArena.allocate(cuda, c);
             VaeLossTrainer trainer = new VaeLossTrainer(cuda, c, arena, 1, Cublas.Compute.FP32)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> trainer.lossAndGradient(0, 0))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("before encode");
        }
    }
}

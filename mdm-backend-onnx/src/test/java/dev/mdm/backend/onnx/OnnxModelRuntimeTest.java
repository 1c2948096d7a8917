package dev.mdm.backend.onnx;

import static dev.mdm.backend.onnx.Float32Tolerance.assertClose;
import static dev.mdm.backend.onnx.Float32Tolerance.gaussian;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.mdm.Device;
import dev.mdm.InvalidInputException;
import dev.mdm.MdmConfig;
import dev.mdm.Precision;
import dev.mdm.model.LatentDistribution;
import dev.mdm.model.LossBreakdown;
import dev.mdm.model.OptimizerSettings;
import dev.mdm.model.ParameterInitializer;
import dev.mdm.model.Parameters;
import dev.mdm.model.TrainingBatch;
import dev.mdm.spi.Backend;
import dev.mdm.spi.BackendContext;
import dev.mdm.spi.ModelRuntime;
import dev.mdm.tck.reference.ReferenceBackendProvider;
import dev.mdm.tensor.Tensor;
import java.util.Random;
import java.util.random.RandomGeneratorFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A tiny model on the ONNX backend computes SPEC §2-§7 like the float64 reference oracle")
class OnnxModelRuntimeTest {
    private static final MdmConfig TINY = MdmConfig.tiny();
    private static OnnxBackend backend;
    private static ModelRuntime model;
    private static Backend referenceBackend;
    private static ModelRuntime reference;

    @BeforeAll
    static void load() {
        backend = new OnnxBackend(new BackendContext(Device.cpu(), Precision.FP32));
        Parameters p = perturbed(ParameterInitializer.initialize(TINY, 42), 7);
        model = backend.load(TINY, p);
        referenceBackend = new ReferenceBackendProvider().create(new BackendContext(Device.cpu(), Precision.FP64));
        reference = referenceBackend.load(TINY, p);
    }

    @AfterAll
    static void close() {
        backend.close();
        referenceBackend.close();
    }

    /** The initializer's 0.02-scale embeddings would hide mistakes in the positional and class terms: scale them up. */
    static Parameters perturbed(Parameters p, long seed) {
        Random r = new Random(seed);
        Parameters out = p;
        for (String name : new String[] {"pos", "modality", "boi", "bot", "class_embed"}) {
            Tensor t = p.get(name);
            out = out.with(name, Tensor.of(gaussian(r, t.size(), 0.5), t.shape()));
        }
        return out;
    }

    @Test
    @DisplayName("the encoders give μ and log σ² per patch and per text token")
    void encoders() {
        int b = 3;
        double[] images = uniform(new Random(1), b * 64);
        LatentDistribution img = model.encoder().encodeImage(Tensor.of(images, b, 1, 8, 8));
        LatentDistribution expected = reference.encoder().encodeImage(Tensor.of(images, b, 1, 8, 8));
        assertClose("image mean", img.mean(), expected.mean().toDoubleArray(), b, 16, 4);
        assertClose("image log var", img.logVar(), expected.logVar().toDoubleArray(), b, 16, 4);
        Tensor tokens = Tensor.ofLongs(tokens(new Random(2), b), b, 8);
        LatentDistribution txt = model.encoder().encodeText(tokens);
        LatentDistribution te = reference.encoder().encodeText(tokens);
        assertClose("text mean", txt.mean(), te.mean().toDoubleArray(), b, 8, 4);
        assertClose("text log var", txt.logVar(), te.logVar().toDoubleArray(), b, 8, 4);
    }

    @Test
    @DisplayName("the decoders give unpatchified images and token logits")
    void decoders() {
        Tensor zi = Tensor.of(gaussian(new Random(3), 2 * 16 * 4, 1), 2, 16, 4);
        assertClose("images", model.decoder().decodeImage(zi), reference.decoder().decodeImage(zi).toDoubleArray(), 2, 1, 8, 8);
        Tensor zt = Tensor.of(gaussian(new Random(4), 2 * 8 * 4, 1), 2, 8, 4);
        assertClose("logits", model.decoder().decodeText(zt), reference.decoder().decodeText(zt).toDoubleArray(), 2, 8, 64);
    }

    @Test
    @DisplayName("every block applies pre-norm, its scan order, the mixer and the residual")
    void blocks() {
        int len = TINY.sequenceLength();
        Tensor x = Tensor.of(gaussian(new Random(5), 2 * len * 32, 1), 2, len, 32);
        for (int i = 0; i < TINY.blocks(); i++) {
            assertClose("block " + i, model.block(i).forward(x), reference.block(i).forward(x).toDoubleArray(), 2, len, 32);
        }
        Tensor u = Tensor.of(gaussian(new Random(6), 11 * 32, 1), 1, 11, 32);
        assertClose("block mixer", model.block(1).mixer(u), reference.block(1).mixer(u).toDoubleArray(), 1, 11, 32);
    }

    @Test
    @DisplayName("the denoiser predicts x̂0 for a batch, with real-valued times and the null class")
    void denoiser() {
        int b = 3;
        int n = TINY.latentTokens();
        double[] z = gaussian(new Random(7), b * n * 4, 1);
        double[] t = {0, 417.25, 999};
        long[] classes = {0, 3, 4};
        Tensor out = model.denoiser().predict(Tensor.of(z, b, n, 4), Tensor.of(t, b), Tensor.ofLongs(classes, b));
        assertClose("x0", out, reference.denoiser().predict(Tensor.of(z, b, n, 4), Tensor.of(t, b), Tensor.ofLongs(classes, b))
                .toDoubleArray(), b, n, 4);
        Tensor one = model.denoiser().predict(Tensor.of(java.util.Arrays.copyOf(z, n * 4), 1, n, 4), Tensor.of(new double[] {0}, 1),
                Tensor.ofLongs(new long[] {0}, 1));
        assertClose("batch of one", one, java.util.Arrays.copyOf(out.toDoubleArray(), n * 4), 1, n, 4);
    }

    @Test
    @DisplayName("the fashion denoiser (8 blocks, 212 positions padded to chunks of 64) stays within float32 tolerance")
    void fashionDenoiser() {
        MdmConfig fashion = MdmConfig.fashion();
        Parameters p = perturbed(ParameterInitializer.initialize(fashion, 5), 6);
        int n = fashion.latentTokens();
        int dz = fashion.latentDim();
        Tensor z = Tensor.of(gaussian(new Random(9), 2 * n * dz, 1), 2, n, dz);
        Tensor t = Tensor.of(new double[] {10, 870.5}, 2);
        Tensor c = Tensor.ofLongs(new long[] {3, 10}, 2);
        try (ModelRuntime onnx = backend.load(fashion, p); ModelRuntime ref = referenceBackend.load(fashion, p)) {
            assertClose("fashion x0", onnx.denoiser().predict(z, t, c), ref.denoiser().predict(z, t, c).toDoubleArray(), 2, n, dz);
        }
    }

    @Test
    @DisplayName("the loss reports every term of SPEC §7 with the masks of decision D2")
    void loss() {
        int b = 3;
        int n = TINY.latentTokens();
        double[] noised = new double[b * n];
        Random r = new Random(8);
        for (int i = 0; i < noised.length; i++) {
            noised[i] = r.nextDouble() < 0.6 ? 1 : 0;
        }
        TrainingBatch batch = TrainingBatch.draw(TINY, Tensor.of(uniform(r, b * 64), b, 1, 8, 8),
                Tensor.ofLongs(tokens(r, b), b, 8), Tensor.ofLongs(new long[] {1, 4, 2}, b), Tensor.of(noised, b, n),
                RandomGeneratorFactory.of("L64X128MixRandom").create(3));
        LossBreakdown loss = model.loss().compute(batch);
        LossBreakdown ref = reference.loss().compute(batch);
        double[] e = {ref.total(), ref.imageReconstruction(), ref.imageDenoised(), ref.textReconstruction(),
                ref.textDenoised(), ref.kl(), ref.scoreEntropy()};
        double[] got = {loss.total(), loss.imageReconstruction(), loss.imageDenoised(), loss.textReconstruction(),
                loss.textDenoised(), loss.kl(), loss.scoreEntropy()};
        for (int i = 0; i < e.length; i++) {
            assertThat(got[i]).as("term %d", i).isCloseTo(e[i], within(1e-5 + 1e-4 * Math.abs(e[i])));
        }
        assertThat(loss.scoreEntropy()).isPositive();
    }

    @Test
    @DisplayName("bad inputs are refused with the argument named, training is refused with the backend named")
    void refusals() {
        int n = TINY.latentTokens();
        assertThatThrownBy(() -> model.denoiser().predict(Tensor.zeros(1, n, 4), Tensor.zeros(1), Tensor.ofLongs(new long[] {5}, 1)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("classIds");
        assertThatThrownBy(() -> model.denoiser().predict(Tensor.zeros(1, n - 1, 4), Tensor.zeros(1), Tensor.ofLongs(new long[] {0}, 1)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("latents");
        assertThatThrownBy(() -> model.denoiser().predict(Tensor.zeros(2, n, 4), Tensor.zeros(1), Tensor.ofLongs(new long[] {0, 0}, 2)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("timeInput");
        assertThatThrownBy(() -> model.encoder().encodeText(Tensor.ofLongs(new long[] {0, 1, 2, 3, 4, 5, 6, 64}, 1, 8)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("tokens");
        assertThatThrownBy(() -> model.encoder().encodeImage(Tensor.of(new double[] {Double.NaN}, 1, 1, 1, 1)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("images");
        assertThatThrownBy(() -> model.block(2)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> model.train(OptimizerSettings.paper(), null))
                .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("onnx").hasMessageContaining("TRAINING");
    }

    @Test
    @DisplayName("closing is idempotent, use after close names the object, and closing the backend closes its models")
    void closeSemantics() {
        try (OnnxBackend other = new OnnxBackend(new BackendContext(Device.cpu(), Precision.FP32))) {
            ModelRuntime m = other.load(TINY, ParameterInitializer.initialize(TINY, 1));
            m.decoder().decodeText(Tensor.zeros(1, 8, 4));
            m.close();
            m.close();
            assertThatThrownBy(m::denoiser).isInstanceOf(IllegalStateException.class).hasMessageContaining("ModelRuntime");
            ModelRuntime m2 = other.load(TINY, ParameterInitializer.initialize(TINY, 1));
            other.close();
            assertThatThrownBy(m2::encoder).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> other.scanSwitch(TINY)).isInstanceOf(IllegalStateException.class).hasMessageContaining("onnx backend");
        }
    }

    static double[] uniform(Random r, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = 2 * r.nextDouble() - 1;
        }
        return v;
    }

    static long[] tokens(Random r, int b) {
        long[] t = new long[b * 8];
        for (int i = 0; i < t.length; i++) {
            t[i] = r.nextInt(64);
        }
        return t;
    }
}

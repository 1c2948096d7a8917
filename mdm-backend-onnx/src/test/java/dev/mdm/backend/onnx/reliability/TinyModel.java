package dev.mdm.backend.onnx.reliability;

import dev.mdm.MDM;
import dev.mdm.MdmConfig;
import dev.mdm.sampling.SamplerSettings;
import dev.mdm.tensor.Tensor;
import dev.mdm.text.SentencePieceTokenizer;
import java.nio.file.Path;
import java.util.SplittableRandom;

/** The model the reliability tests share: {@code tiny} sizes on the onnx backend, with the committed tokenizer. */
final class TinyModel {
    /** Surefire runs in the module directory; the tokenizer is committed in mdm-examples. */
    static final Path TOKENIZER = Path.of("..", "mdm-examples", "src", "main", "resources", "dev", "mdm", "examples",
            "tokenizer", "fashion.model");
    /** {@code tiny} with room for the committed tokenizer's 213 pieces (tiny's own vocabulary has 64). */
    static final MdmConfig CONFIG = MdmConfig.builder().vocabSize(256).build();
    /** Few solver steps: the tests are about robustness, not sample quality. */
    static final int STEPS = 2;

    private TinyModel() {
    }

    /** @return a new model; the caller closes it (the tokenizer is closed with the JVM) */
    static MDM open() {
        return MDM.builder().backend("onnx").config(CONFIG).seed(11).tokenizer(SentencePieceTokenizer.load(TOKENIZER))
                .sampler(SamplerSettings.defaults().withSteps(STEPS)).build();
    }

    static Tensor normal(SplittableRandom r, int... shape) {
        double[] v = new double[(int) Tensor.elementCount(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = gaussian(r);
        }
        return Tensor.of(v, shape).to(dev.mdm.tensor.DType.F32);
    }

    static Tensor images(SplittableRandom r, int b) {
        int[] shape = {b, CONFIG.imageChannels(), CONFIG.imageHeight(), CONFIG.imageWidth()};
        double[] v = new double[(int) Tensor.elementCount(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextDouble(-1, 1);
        }
        return Tensor.of(v, shape).to(dev.mdm.tensor.DType.F32);
    }

    static Tensor tokens(SplittableRandom r, int b) {
        long[] v = new long[b * CONFIG.textLength()];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextInt(CONFIG.vocabSize());
        }
        return Tensor.ofLongs(v, b, CONFIG.textLength());
    }

    static Tensor times(SplittableRandom r, int b) {
        double[] v = new double[b];
        for (int i = 0; i < b; i++) {
            v[i] = r.nextInt(CONFIG.timesteps());
        }
        return Tensor.of(v, b).to(dev.mdm.tensor.DType.F32);
    }

    static Tensor classes(SplittableRandom r, int b) {
        long[] v = new long[b];
        for (int i = 0; i < b; i++) {
            v[i] = r.nextInt(CONFIG.classes() + 1); // the null class included
        }
        return Tensor.ofLongs(v, b);
    }

    /** @param r a generator; the Box–Muller pair's second half is dropped to keep calls independent of history */
    private static double gaussian(SplittableRandom r) {
        double u = 1 - r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble());
    }
}

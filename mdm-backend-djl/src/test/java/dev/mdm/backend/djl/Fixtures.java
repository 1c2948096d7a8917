package dev.mdm.backend.djl;

import dev.mdm.Device;
import dev.mdm.MdmConfig;
import dev.mdm.Precision;
import dev.mdm.model.TrainingBatch;
import dev.mdm.spi.BackendContext;
import dev.mdm.tensor.Tensor;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/** Backends, seeded inputs and batches shared by the tests. */
final class Fixtures {
    private Fixtures() {
    }

    static DjlBackend backend(Precision precision) {
        return (DjlBackend) new DjlBackendProvider().create(new BackendContext(Device.cpu(), precision));
    }

    static RandomGenerator random(long seed) {
        return RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
    }

    static Tensor gaussian(RandomGenerator r, double scale, int... shape) {
        double[] v = new double[Math.toIntExact(Tensor.elementCount(shape))];
        for (int i = 0; i < v.length; i++) {
            v[i] = scale * r.nextGaussian();
        }
        return Tensor.of(v, shape);
    }

    /** A batch with images in [-1, 1], random tokens and classes, and the given noised mask (null = all noised). */
    static TrainingBatch batch(MdmConfig c, int b, long seed, double[] noisedMask) {
        RandomGenerator r = random(seed);
        double[] img = new double[b * c.imageChannels() * c.imageHeight() * c.imageWidth()];
        for (int i = 0; i < img.length; i++) {
            img[i] = 2 * r.nextDouble() - 1;
        }
        long[] tok = new long[b * c.textLength()];
        for (int i = 0; i < tok.length; i++) {
            tok[i] = r.nextInt(c.vocabSize());
        }
        long[] cls = new long[b];
        for (int i = 0; i < b; i++) {
            cls[i] = r.nextInt(c.classes() + 1);
        }
        double[] mask = noisedMask;
        if (mask == null) {
            mask = new double[b * c.latentTokens()];
            java.util.Arrays.fill(mask, 1);
        }
        return TrainingBatch.draw(c, Tensor.of(img, b, c.imageChannels(), c.imageHeight(), c.imageWidth()),
                Tensor.ofLongs(tok, b, c.textLength()), Tensor.ofLongs(cls, b), Tensor.of(mask, b, c.latentTokens()), r);
    }
}

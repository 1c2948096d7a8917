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
        return TrainingBatch.random(c, b, noisedMask == null ? null : Tensor.of(noisedMask, b, c.latentTokens()), random(seed));
    }
}

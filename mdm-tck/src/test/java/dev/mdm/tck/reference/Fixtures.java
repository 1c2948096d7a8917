package dev.mdm.tck.reference;

import dev.mdm.Device;
import dev.mdm.MdmConfig;
import dev.mdm.Precision;
import dev.mdm.spi.BackendContext;
import dev.mdm.tensor.Tensor;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/** Shared inputs of the oracle's own tests. */
final class Fixtures {
    private Fixtures() {
    }

    static ReferenceBackend backend() {
        return (ReferenceBackend) new ReferenceBackendProvider().create(new BackendContext(Device.cpu(), Precision.FP64));
    }

    static RandomGenerator random(long seed) {
        return RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
    }

    static double[] gaussian(RandomGenerator r, int n, double scale) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = scale * r.nextGaussian();
        }
        return v;
    }

    static double[] uniform(RandomGenerator r, int n, double lo, double hi) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = lo + (hi - lo) * r.nextDouble();
        }
        return v;
    }

    static Tensor gaussianTensor(RandomGenerator r, double scale, int... shape) {
        return Tensor.of(gaussian(r, Math.toIntExact(Tensor.elementCount(shape)), scale), shape);
    }

    /** A one-sample-sized model: 1×4×4 images (4 tokens), 3 text tokens, d = 8, 2 blocks, 10 diffusion steps. */
    static MdmConfig micro() {
        return MdmConfig.builder().image(1, 4, 4).patch(2).vocabSize(8).textLength(3).latentDim(2).vaeHidden(4)
                .dModel(8).blocks(2).dState(4).dConv(3).expand(2).headDim(4).nGroups(2).chunkSize(2).classes(2)
                .timesteps(10).betas(0.01, 0.2).seCandidates(3).build();
    }

    /** Linear β from start to end over T values, as the model's schedule. */
    static double[] linearBetas(int steps, double start, double end) {
        double[] b = new double[steps];
        for (int k = 0; k < steps; k++) {
            b[k] = start + (end - start) * k / (steps - 1);
        }
        return b;
    }

    static double maxAbsDiff(double[] a, double[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}

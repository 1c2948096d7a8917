package dev.mdm.tck;

import dev.mdm.MdmConfig;
import dev.mdm.model.MambaShape;
import dev.mdm.model.Parameters;
import dev.mdm.model.TrainingBatch;
import dev.mdm.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * Seeded random inputs for one rule. Each rule draws from its own generator, seeded from the kit seed and the rule
 * id, so inputs are fresh per rule yet identical on every run and every backend.
 */
public final class RandomInputs {
    private final RandomGenerator random;

    /**
     * @param seed the kit seed
     * @param ruleId the rule the inputs are for
     */
    public RandomInputs(long seed, String ruleId) {
        this.random = RandomGeneratorFactory.of("L64X128MixRandom").create(seed * 1_000_003L + ruleId.hashCode());
    }

    /** @return the generator, for draws not covered here */
    public RandomGenerator generator() {
        return random;
    }

    /**
     * @param scale standard deviation
     * @param shape dimensions
     * @return N(0, scale²) values as F64
     */
    public Tensor normal(double scale, int... shape) {
        double[] v = new double[Math.toIntExact(Tensor.elementCount(shape))];
        for (int i = 0; i < v.length; i++) {
            v[i] = scale * random.nextGaussian();
        }
        return Tensor.of(v, shape);
    }

    /**
     * @param lo lower bound
     * @param hi upper bound
     * @param shape dimensions
     * @return U(lo, hi) values as F64
     */
    public Tensor uniform(double lo, double hi, int... shape) {
        double[] v = new double[Math.toIntExact(Tensor.elementCount(shape))];
        for (int i = 0; i < v.length; i++) {
            v[i] = lo + (hi - lo) * random.nextDouble();
        }
        return Tensor.of(v, shape);
    }

    /**
     * @param bound exclusive upper bound
     * @param shape dimensions
     * @return integers in [0, bound) as I64
     */
    public Tensor ids(int bound, int... shape) {
        long[] v = new long[Math.toIntExact(Tensor.elementCount(shape))];
        for (int i = 0; i < v.length; i++) {
            v[i] = random.nextInt(bound);
        }
        return Tensor.ofLongs(v, shape);
    }

    /**
     * Random mixer weights under mamba_ssm names, drawn like mamba_ssm's initialization but with the norm weight,
     * D and conv bias perturbed so that no term is trivially 1 or 0.
     *
     * @param shape mixer sizes
     * @return the weights
     */
    public Parameters mixerWeights(MambaShape shape) {
        Map<String, Tensor> w = new LinkedHashMap<>();
        int d = shape.dModel();
        int h = shape.heads();
        w.put("in_proj.weight", uniform(-1 / Math.sqrt(d), 1 / Math.sqrt(d), shape.inProjRows(), d));
        w.put("conv1d.weight", uniform(-0.5, 0.5, shape.convChannels(), 1, shape.dConv()));
        w.put("conv1d.bias", uniform(-0.5, 0.5, shape.convChannels()));
        double[] dtBias = new double[h];
        double[] aLog = new double[h];
        for (int i = 0; i < h; i++) {
            double dt = Math.exp(Math.log(1e-3) + random.nextDouble() * (Math.log(0.1) - Math.log(1e-3)));
            dtBias[i] = dt + Math.log(-Math.expm1(-dt));
            aLog[i] = Math.log(1 + 15 * random.nextDouble());
        }
        w.put("dt_bias", Tensor.of(dtBias, h));
        w.put("A_log", Tensor.of(aLog, h));
        w.put("D", uniform(0.5, 1.5, h));
        w.put("norm.weight", uniform(0.5, 1.5, shape.dInner()));
        w.put("out_proj.weight", uniform(-1 / Math.sqrt(shape.dInner()), 1 / Math.sqrt(shape.dInner()), d, shape.dInner()));
        return Parameters.of(w);
    }

    /**
     * A training batch with its noise drawn.
     *
     * @param config model sizes
     * @param batch samples
     * @param noisedFraction probability that a token is noised (1 noises all)
     * @return the batch
     */
    public TrainingBatch trainingBatch(MdmConfig config, int batch, double noisedFraction) {
        Tensor images = uniform(-1, 1, batch, config.imageChannels(), config.imageHeight(), config.imageWidth());
        Tensor tokens = ids(config.vocabSize(), batch, config.textLength());
        Tensor classes = ids(config.classes() + 1, batch);
        double[] mask = new double[batch * config.latentTokens()];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = random.nextDouble() < noisedFraction ? 1 : 0;
        }
        // every sample keeps at least one noised token of each modality so that no term is empty by accident
        for (int s = 0; s < batch; s++) {
            mask[s * config.latentTokens()] = 1;
            mask[s * config.latentTokens() + config.imageTokens()] = 1;
        }
        return TrainingBatch.draw(config, images, tokens, classes, Tensor.of(mask, batch, config.latentTokens()), random);
    }
}

package dev.mdm.model;

import dev.mdm.InvalidInputException;
import dev.mdm.MdmConfig;
import dev.mdm.tensor.DType;
import dev.mdm.tensor.Tensor;
import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * One training batch with all of its randomness drawn up front, so that every backend computes the same loss for it
 * (SPEC §4, §7).
 *
 * @param images [b, C, H, W] in [-1, 1]
 * @param tokens [b, Lt] token ids
 * @param classIds [b], {@code classes} for the null class
 * @param timesteps [b] diffusion step t ∈ [1, T]
 * @param vaeNoise ε of the reparameterization [b, n_img + Lt, dz]
 * @param diffusionNoise ε of the forward process [b, n_img + Lt, dz]
 * @param noised [b, n_img + Lt], 1 where the token is noised and scored, 0 where it is given clean (conditioning)
 */
public record TrainingBatch(Tensor images, Tensor tokens, Tensor classIds, Tensor timesteps, Tensor vaeNoise,
                            Tensor diffusionNoise, Tensor noised) {

    /**
     * Checks every tensor against the configuration.
     *
     * @param config model sizes
     * @return this batch
     */
    public TrainingBatch validate(MdmConfig config) {
        int b = images.requireShape("images", -1, config.imageChannels(), config.imageHeight(), config.imageWidth()).dim(0);
        images.requireFinite("images");
        tokens.requireShape("tokens", b, config.textLength());
        classIds.requireShape("classIds", b);
        timesteps.requireShape("timesteps", b);
        int n = config.latentTokens();
        vaeNoise.requireShape("vaeNoise", b, n, config.latentDim()).requireFinite("vaeNoise");
        diffusionNoise.requireShape("diffusionNoise", b, n, config.latentDim()).requireFinite("diffusionNoise");
        noised.requireShape("noised", b, n);
        for (long id : tokens.toLongArray()) {
            if (id < 0 || id >= config.vocabSize()) {
                throw new InvalidInputException("tokens", "ids in [0, " + config.vocabSize() + ")", String.valueOf(id));
            }
        }
        for (long c : classIds.toLongArray()) {
            if (c < 0 || c > config.classes()) {
                throw new InvalidInputException("classIds", "ids in [0, " + config.classes() + "] (" + config.classes() + " = null class)", String.valueOf(c));
            }
        }
        for (long t : timesteps.toLongArray()) {
            if (t < 1 || t > config.timesteps()) {
                throw new InvalidInputException("timesteps", "steps in [1, " + config.timesteps() + "]", String.valueOf(t));
            }
        }
        return this;
    }

    /**
     * Draws the random parts of a batch: each sample's t uniform in [1, T], then the reparameterization noise, then the
     * forward-process noise, in that order from {@code random}.
     *
     * @param config model sizes
     * @param images [b, C, H, W]
     * @param tokens [b, Lt]
     * @param classIds [b]
     * @param noised [b, n_img + Lt] mask of noised tokens
     * @param random source of t and both noises
     * @return the batch
     */
    public static TrainingBatch draw(MdmConfig config, Tensor images, Tensor tokens, Tensor classIds, Tensor noised,
                                     RandomGenerator random) {
        return draw(config, images, tokens, classIds, noised, null, random);
    }

    /**
     * Draws the random parts of a batch, each sample's t uniform in [{@code earliestTimesteps[i]}, T] instead of [1, T].
     * Where every earliest step is 1 this draws exactly what {@link #draw(MdmConfig, Tensor, Tensor, Tensor, Tensor,
     * RandomGenerator)} draws from the same generator.
     *
     * @param config model sizes
     * @param images [b, C, H, W]
     * @param tokens [b, Lt]
     * @param classIds [b]
     * @param noised [b, n_img + Lt] mask of noised tokens
     * @param earliestTimesteps [b] the smallest t each sample may draw, each in [1, T]; null for 1 everywhere. Only
     *     read during the call
     * @param random source of t and both noises; nothing is drawn from it when an argument is refused
     * @return the batch
     * @throws InvalidInputException naming {@code earliestTimesteps} when it does not hold one step per sample, or
     *     {@code earliestTimesteps[i]} when a step lies outside [1, T]
     */
    public static TrainingBatch draw(MdmConfig config, Tensor images, Tensor tokens, Tensor classIds, Tensor noised,
                                     int[] earliestTimesteps, RandomGenerator random) {
        int b = images.dim(0);
        int steps = config.timesteps();
        if (earliestTimesteps != null && earliestTimesteps.length != b) {
            throw new InvalidInputException("earliestTimesteps", "one step per sample (" + b + ")",
                    earliestTimesteps.length + " steps");
        }
        // every step is checked before the first draw, so that a refused call leaves the generator where it was
        for (int i = 0; earliestTimesteps != null && i < b; i++) {
            if (earliestTimesteps[i] < 1 || earliestTimesteps[i] > steps) {
                throw new InvalidInputException("earliestTimesteps[" + i + "]", "a step in [1, " + steps + "]",
                        String.valueOf(earliestTimesteps[i]));
            }
        }
        long[] t = new long[b];
        for (int i = 0; i < b; i++) {
            int earliest = earliestTimesteps == null ? 1 : earliestTimesteps[i];
            t[i] = earliest + random.nextInt(steps - earliest + 1);
        }
        int n = b * config.latentTokens() * config.latentDim();
        double[] e1 = new double[n];
        double[] e2 = new double[n];
        for (int i = 0; i < n; i++) {
            e1[i] = random.nextGaussian();
        }
        for (int i = 0; i < n; i++) {
            e2[i] = random.nextGaussian();
        }
        int[] shape = {b, config.latentTokens(), config.latentDim()};
        return new TrainingBatch(images, tokens.to(DType.I64), classIds.to(DType.I64), Tensor.ofLongs(t, b),
                Tensor.of(e1, shape), Tensor.of(e2, shape), noised).validate(config);
    }

    /**
     * A synthetic batch for tests and benchmarks: pixels uniform in [−1, 1], token ids uniform over the vocabulary,
     * classes uniform over the real ones and the null class, drawn in that order from {@code random}, then
     * {@link #draw} with the same generator.
     *
     * @param config model sizes
     * @param batch samples, ≥ 1
     * @param noised [batch, n_img + Lt] mask of noised tokens, or null for every token noised
     * @param random source of every value
     * @return the batch
     */
    public static TrainingBatch random(MdmConfig config, int batch, Tensor noised, RandomGenerator random) {
        if (batch < 1) {
            throw new InvalidInputException("batch", "≥ 1", Integer.toString(batch));
        }
        double[] img = new double[batch * config.imageChannels() * config.imageHeight() * config.imageWidth()];
        for (int i = 0; i < img.length; i++) {
            img[i] = 2 * random.nextDouble() - 1;
        }
        long[] tokens = new long[batch * config.textLength()];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = random.nextInt(config.vocabSize());
        }
        long[] classes = new long[batch];
        for (int i = 0; i < batch; i++) {
            classes[i] = random.nextInt(config.classes() + 1);
        }
        Tensor mask = noised;
        if (mask == null) {
            double[] all = new double[batch * config.latentTokens()];
            Arrays.fill(all, 1);
            mask = Tensor.of(all, batch, config.latentTokens());
        }
        return draw(config, Tensor.of(img, batch, config.imageChannels(), config.imageHeight(), config.imageWidth()),
                Tensor.ofLongs(tokens, batch, config.textLength()), Tensor.ofLongs(classes, batch), mask, random);
    }
}

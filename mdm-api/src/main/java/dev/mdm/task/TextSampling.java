package dev.mdm.task;

import dev.mdm.InvalidInputException;

/**
 * How a task that writes text about a given image (captioning, VQA) samples that text.
 *
 * <pre>{@code
 * mdm.captions(images);                                                  // TextSampling.DEFAULT: mode-seeking captions
 * mdm.captions(images, TextSampling.DEFAULT.withTemperature(1));          // a sample from the model's captions
 * mdm.answers(images, questions, TextSampling.DEFAULT.withImageGuidance(1.5));
 * for (long s = 1; s <= 5; s++) {                                       // five samples for one image
 *     mdm.caption(image, TextSampling.SAMPLE.withSeed(s));
 * }
 * }</pre>
 *
 * @param imageGuidance w ≥ 1 of decision D17: each step also predicts the text with the image noised to the step's
 *     level and takes x̂₀(noised) + w·(x̂₀(image) − x̂₀(noised)) at the text positions, at the cost of one denoiser call
 *     of twice the batch; 1 is no guidance
 * @param temperature τ in [0, 1] of decision D18: the text positions start from τ·x_T, x_T ~ N(0, I); 1 samples the
 *     model's distribution of texts, 0 starts every text at the prior's mean, a deterministic path towards the mode
 *     of the model's texts, as greedy decoding is for an autoregressive captioner (no search over texts)
 * @param seed the seed of every text's draws (its x_T, and with image guidance the noise of its noised image); each
 *     text of a batch draws from this seed alone, so that a text does not depend on its batch and the same image and
 *     settings give the same text. At temperature 0 without image guidance and with a deterministic sampler (not
 *     DDPM, whose per-step noise is drawn from it too) nothing is drawn and the seed changes nothing. 0 unless set
 */
public record TextSampling(double imageGuidance, double temperature, long seed) {
    /**
     * Temperature 0, no image guidance: on a trained {@code fashion} model the most accurate setting found on training
     * images, and the cheapest (decision D18 in docs/DECISIONS.md).
     */
    public static final TextSampling DEFAULT = new TextSampling(1, 0);

    /**
     * Plain sampling of SPEC §9: no image guidance, temperature 1. The tasks that sample an image or continue a prompt
     * always use it.
     */
    public static final TextSampling SAMPLE = new TextSampling(1, 1);

    /** Checks both ranges. */
    public TextSampling {
        requireImageGuidance("imageGuidance", imageGuidance);
        requireTemperature("temperature", temperature);
    }

    /**
     * Settings with seed 0, the seed every text task used before the seed could be set.
     *
     * @param imageGuidance w ≥ 1 of decision D17
     * @param temperature τ in [0, 1] of decision D18
     */
    public TextSampling(double imageGuidance, double temperature) {
        this(imageGuidance, temperature, 0);
    }

    /**
     * @param w w ≥ 1 of decision D17; 1 is no guidance
     * @return these settings with that image guidance
     */
    public TextSampling withImageGuidance(double w) {
        return new TextSampling(w, temperature, seed);
    }

    /**
     * @param tau τ in [0, 1] of decision D18
     * @return these settings with that temperature
     */
    public TextSampling withTemperature(double tau) {
        return new TextSampling(imageGuidance, tau, seed);
    }

    /**
     * @param s the seed of the texts' draws; another seed gives another sample at temperature &gt; 0, another
     *     image-guidance noise, and other DDPM noise
     * @return these settings with that seed
     */
    public TextSampling withSeed(long s) {
        return new TextSampling(imageGuidance, temperature, s);
    }

    /**
     * Checks a weight of decision D17's guidance, so that every place that takes one (this record, the CLI's options,
     * an evaluation budget) rejects the same values with the same words.
     *
     * @param argument the name to report, e.g. {@code imageGuidance} or {@code --image-guidance}
     * @param w the weight
     * @return w, when finite and ≥ 1
     * @throws InvalidInputException otherwise
     */
    public static double requireImageGuidance(String argument, double w) {
        if (!(w >= 1) || Double.isInfinite(w)) {
            throw new InvalidInputException(argument, "a finite weight ≥ 1 (1: no guidance)", String.valueOf(w));
        }
        return w;
    }

    /**
     * Checks a temperature of decision D18. Above 1 the starting noise would be wider than the N(0, I) the network
     * saw at t = T in training.
     *
     * @param argument the name to report, e.g. {@code temperature} or {@code --temperature}
     * @param tau the temperature
     * @return tau, when in [0, 1]
     * @throws InvalidInputException otherwise
     */
    public static double requireTemperature(String argument, double tau) {
        if (!(tau >= 0 && tau <= 1)) {
            throw new InvalidInputException(argument, "a temperature in [0, 1] (0: mode-seeking, 1: a sample)",
                    String.valueOf(tau));
        }
        return tau;
    }
}

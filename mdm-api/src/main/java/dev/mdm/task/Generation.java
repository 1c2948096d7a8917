package dev.mdm.task;

import dev.mdm.tensor.Tensor;
import java.util.Objects;
import java.util.Optional;

/**
 * One generated sample.
 *
 * @param image [C, H, W] in [-1, 1] (decoded and clamped)
 * @param caption the generated text read up to the first pad or eos, for tasks that generate text and models with a
 *     tokenizer; else empty
 * @param tokens the Lt text ids after sampling (given ones as given, generated ones as the argmax of the text decoder)
 * @param seed the seed of the sampler run that drew this sample, shared by every sample of one batch: the same prompt
 *     {@link Prompt#withSeed(long) with this seed} and the same count draw the batch again on the same backend. x_T is
 *     drawn for the whole batch at once, so the i-th sample of a batch of n is not the sample that one seed draws
 *     alone; to regenerate single samples later, generate them one per call
 */
public record Generation(Tensor image, Optional<String> caption, long[] tokens, long seed) {
    /** Checks for nulls and copies the ids. */
    public Generation {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(caption, "caption");
        tokens = tokens.clone();
    }

    /** @return a copy of the ids */
    @Override
    public long[] tokens() {
        return tokens.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Generation g && g.seed == seed && g.image.contentEquals(image) && g.caption.equals(caption)
                && java.util.Arrays.equals(g.tokens, tokens);
    }

    @Override
    public int hashCode() {
        return Objects.hash(caption, seed, java.util.Arrays.hashCode(tokens));
    }

    @Override
    public String toString() {
        return "Generation{image " + image + caption.map(c -> ", caption '" + c + "'").orElse("") + ", seed " + seed + "}";
    }
}

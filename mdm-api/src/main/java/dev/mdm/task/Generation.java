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
 * @param seed the seed of this sample's noise: the prompt {@link Prompt#withSeed(long) with this seed} draws it again
 *     alone (the i-th sample of {@code generate(prompt.withSeed(s), n)} has seed s + i, wrapping as Java {@code long}s
 *     add), the same up to the float rounding of another batch size; with DDPM, which draws noise for the whole
 *     batch, only in a batch of one
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

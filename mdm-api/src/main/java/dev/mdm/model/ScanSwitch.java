package dev.mdm.model;

import dev.mdm.tensor.Tensor;

/**
 * The image/text scan switch of SPEC §5. Image orders: 0 row-major, 1 row-major reversed, 2 column-major,
 * 3 column-major reversed. Text orders: 0 forward, 1 reversed. Block i uses image order {@code i mod imageScans} and
 * text order {@code i mod textScans}.
 *
 * <p>Decision D13 (docs/DECISIONS.md): odd blocks also scan the text span before the image span,
 * {@code [TIME, CLASS, BOT, text…, BOI, image…]}, even blocks {@code [TIME, CLASS, BOI, image…, BOT, text…]}. With
 * SPEC §5 alone the causal scan never lets an image token read a text token, so text-to-image could not work.
 */
public interface ScanSwitch {
    /**
     * @param order 0..3
     * @return {@code perm} with {@code permuted[j] = canonical[perm[j]]} over the image tokens
     */
    int[] imageOrder(int order);

    /**
     * @param order 0..1
     * @return {@code perm} with {@code permuted[j] = canonical[perm[j]]} over the text tokens
     */
    int[] textOrder(int order);

    /**
     * @param block block index
     * @return {@code perm} of length L with {@code blockOrder[j] = canonical[perm[j]]}: P_i as one index array
     */
    int[] sequenceOrder(int block);

    /**
     * @param block block index
     * @param x the full sequence [b, L, d] in canonical order
     * @return the sequence as block {@code block}'s mixer reads it
     */
    Tensor permute(int block, Tensor x);

    /**
     * @param block block index
     * @param y the mixer output [b, L, d] in block order
     * @return the output back in canonical order
     */
    Tensor unpermute(int block, Tensor y);
}

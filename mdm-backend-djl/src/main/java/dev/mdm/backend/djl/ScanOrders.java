package dev.mdm.backend.djl;

import dev.mdm.InvalidInputException;
import dev.mdm.MdmConfig;

/**
 * The permutations of the scan switch (SPEC §5) as index arrays: image orders 0 row-major, 1 row-major reversed,
 * 2 column-major, 3 column-major reversed; text orders 0 forward, 1 reversed; and, per block, the permutation of
 * the whole sequence (TIME and CLASS fixed, the text span first in odd blocks: decision D13). Immutable.
 */
final class ScanOrders {
    private final MdmConfig config;
    private final int gridH;
    private final int gridW;

    ScanOrders(MdmConfig config) {
        this.config = config;
        this.gridH = config.imageHeight() / config.patch();
        this.gridW = config.imageWidth() / config.patch();
    }

    /** @return {@code perm} with permuted[j] = canonical[perm[j]] over the image tokens */
    int[] image(int order) {
        int n = gridH * gridW;
        int[] p = new int[n];
        switch (order) {
            case 0, 1 -> {
                for (int j = 0; j < n; j++) {
                    p[j] = j;
                }
            }
            case 2, 3 -> {
                int j = 0;
                for (int c = 0; c < gridW; c++) {
                    for (int r = 0; r < gridH; r++) {
                        p[j++] = r * gridW + c;
                    }
                }
            }
            default -> throw new InvalidInputException("order", "an image scan order in 0..3", String.valueOf(order));
        }
        return order % 2 == 1 ? reversed(p) : p;
    }

    /** @return {@code perm} with permuted[j] = canonical[perm[j]] over the text tokens */
    int[] text(int order) {
        int n = config.textLength();
        int[] p = new int[n];
        for (int j = 0; j < n; j++) {
            p[j] = j;
        }
        return switch (order) {
            case 0 -> p;
            case 1 -> reversed(p);
            default -> throw new InvalidInputException("order", "a text scan order in 0..1", String.valueOf(order));
        };
    }

    /**
     * @return P_block as one index array, blockOrder[j] = canonical[perm[j]]: even blocks
     *     [TIME, CLASS, BOI, image(order), BOT, text(order)], odd blocks [TIME, CLASS, BOT, text(order), BOI,
     *     image(order)] (decision D13, so that image tokens can read text in a causal scan)
     */
    int[] sequence(int block) {
        if (block < 0) {
            throw new InvalidInputException("block", "a block index >= 0", String.valueOf(block));
        }
        int[] img = image(block % config.imageScans());
        int[] txt = text(block % config.textScans());
        int io = config.imageOffset();
        int to = config.textOffset();
        int[] p = new int[config.sequenceLength()];
        int j = 0;
        p[j++] = 0;
        p[j++] = 1;
        boolean textFirst = block % 2 == 1;
        for (int span = 0; span < 2; span++) {
            if ((span == 0) != textFirst) {
                p[j++] = io - 1;
                for (int k : img) {
                    p[j++] = io + k;
                }
            } else {
                p[j++] = to - 1;
                for (int k : txt) {
                    p[j++] = to + k;
                }
            }
        }
        return p;
    }

    /** @return the inverse of {@link #sequence(int)} */
    int[] inverseSequence(int block) {
        int[] p = sequence(block);
        int[] inv = new int[p.length];
        for (int j = 0; j < p.length; j++) {
            inv[p[j]] = j;
        }
        return inv;
    }

    private static int[] reversed(int[] p) {
        int[] r = new int[p.length];
        for (int j = 0; j < p.length; j++) {
            r[j] = p[p.length - 1 - j];
        }
        return r;
    }
}

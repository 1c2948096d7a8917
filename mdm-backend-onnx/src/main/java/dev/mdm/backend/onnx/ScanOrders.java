package dev.mdm.backend.onnx;

import dev.mdm.InvalidInputException;
import dev.mdm.MdmConfig;

/**
 * The scan-switch permutations of SPEC §5 as index arrays: {@code permuted[j] = canonical[perm[j]]}. The graphs use
 * them as constant Gather indices; prefix tokens and separators never move.
 */
final class ScanOrders {
    private final MdmConfig config;

    ScanOrders(MdmConfig config) {
        this.config = config;
    }

    /**
     * @param order 0 row-major, 1 row-major reversed, 2 column-major, 3 column-major reversed
     * @return the image-token permutation
     */
    int[] image(int order) {
        if (order < 0 || order > 3) {
            throw new InvalidInputException("order", "an image order in [0, 3]", String.valueOf(order));
        }
        int h = config.gridHeight();
        int w = config.gridWidth();
        int n = h * w;
        int[] perm = new int[n];
        for (int j = 0; j < n; j++) {
            perm[j] = order < 2 ? j : (j % h) * w + j / h; // column-major: j walks rows fastest
        }
        return order % 2 == 1 ? reversed(perm) : perm;
    }

    /**
     * @param order 0 forward, 1 reversed
     * @return the text-token permutation
     */
    int[] text(int order) {
        if (order < 0 || order > 1) {
            throw new InvalidInputException("order", "a text order in [0, 1]", String.valueOf(order));
        }
        int[] perm = new int[config.textLength()];
        for (int j = 0; j < perm.length; j++) {
            perm[j] = j;
        }
        return order == 1 ? reversed(perm) : perm;
    }

    /**
     * @param block block index ≥ 0
     * @return the permutation of the whole sequence that block reads in (image order {@code block mod imageScans},
     *     text order {@code block mod textScans})
     */
    int[] sequence(int block) {
        if (block < 0) {
            throw new InvalidInputException("block", "a block index >= 0", String.valueOf(block));
        }
        int[] perm = new int[config.sequenceLength()];
        for (int i = 0; i < perm.length; i++) {
            perm[i] = i;
        }
        int[] img = image(block % config.imageScans());
        int[] txt = text(block % config.textScans());
        for (int j = 0; j < img.length; j++) {
            perm[config.imageOffset() + j] = config.imageOffset() + img[j];
        }
        for (int j = 0; j < txt.length; j++) {
            perm[config.textOffset() + j] = config.textOffset() + txt[j];
        }
        return perm;
    }

    /**
     * @param perm a permutation
     * @return its inverse
     */
    static int[] inverse(int[] perm) {
        int[] inv = new int[perm.length];
        for (int j = 0; j < perm.length; j++) {
            inv[perm[j]] = j;
        }
        return inv;
    }

    private static int[] reversed(int[] perm) {
        int[] r = new int[perm.length];
        for (int j = 0; j < perm.length; j++) {
            r[j] = perm[perm.length - 1 - j];
        }
        return r;
    }
}

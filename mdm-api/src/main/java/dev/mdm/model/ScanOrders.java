package dev.mdm.model;

import dev.mdm.InvalidInputException;
import dev.mdm.MdmConfig;

/**
 * The index arithmetic of the scan switch (SPEC §5 with decision D13), for backends to build their gathers from.
 * Every permutation {@code perm} reads {@code permuted[j] = canonical[perm[j]]}.
 */
public final class ScanOrders {
    private ScanOrders() {
    }

    /**
     * @param rows patch-grid rows h'
     * @param cols patch-grid columns w'
     * @param order 0 row-major, 1 row-major reversed, 2 column-major, 3 column-major reversed
     * @return the image-token permutation (canonical index r·w' + c)
     */
    public static int[] image(int rows, int cols, int order) {
        if (order < 0 || order > 3) {
            throw new InvalidInputException("order", "an image order in 0..3", String.valueOf(order));
        }
        int n = rows * cols;
        int[] perm = new int[n];
        for (int j = 0; j < n; j++) {
            perm[j] = order < 2 ? j : (j % rows) * cols + j / rows; // column-major: rows change fastest
        }
        return order % 2 == 1 ? reversed(perm) : perm;
    }

    /**
     * @param length text tokens Lt
     * @param order 0 forward, 1 reversed
     * @return the text-token permutation
     */
    public static int[] text(int length, int order) {
        if (order < 0 || order > 1) {
            throw new InvalidInputException("order", "a text order in 0..1", String.valueOf(order));
        }
        int[] perm = new int[length];
        for (int j = 0; j < length; j++) {
            perm[j] = j;
        }
        return order == 1 ? reversed(perm) : perm;
    }

    /**
     * P_i as one index array over the whole sequence: even blocks {@code [TIME, CLASS, BOI, image…, BOT, text…]},
     * odd blocks {@code [TIME, CLASS, BOT, text…, BOI, image…]} (D13), with image order {@code block mod imageScans}
     * and text order {@code block mod textScans}.
     *
     * @param config model sizes
     * @param block block index ≥ 0
     * @return the sequence permutation, length L
     */
    public static int[] sequence(MdmConfig config, int block) {
        if (block < 0) {
            throw new InvalidInputException("block", "a block index >= 0", String.valueOf(block));
        }
        int[] img = image(config.gridHeight(), config.gridWidth(), block % config.imageScans());
        int[] txt = text(config.textLength(), block % config.textScans());
        int[] perm = new int[config.sequenceLength()];
        int j = 0;
        perm[j++] = 0;
        perm[j++] = 1;
        for (int span = 0; span < 2; span++) {
            boolean image = (span == 0) == (block % 2 == 0);
            if (image) {
                perm[j++] = config.imageOffset() - 1;
                for (int k : img) {
                    perm[j++] = config.imageOffset() + k;
                }
            } else {
                perm[j++] = config.textOffset() - 1;
                for (int k : txt) {
                    perm[j++] = config.textOffset() + k;
                }
            }
        }
        return perm;
    }

    /**
     * @param perm a permutation
     * @return its inverse
     */
    public static int[] inverse(int[] perm) {
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

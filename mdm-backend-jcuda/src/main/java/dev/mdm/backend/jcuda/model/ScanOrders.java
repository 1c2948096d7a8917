package dev.mdm.backend.jcuda.model;

import dev.mdm.MdmConfig;

/** The scan-switch permutations of SPEC §5 over the whole sequence: prefix tokens and separators never move. */
public final class ScanOrders {
    private ScanOrders() {
    }

    /**
     * @param gridH patch-grid rows
     * @param gridW patch-grid columns
     * @param order 0 row-major, 1 reversed, 2 column-major, 3 column-major reversed
     * @return perm with permuted[j] = canonical[perm[j]]
     */
    public static int[] image(int gridH, int gridW, int order) {
        int n = gridH * gridW;
        int[] p = new int[n];
        for (int j = 0; j < n; j++) {
            int k = (order == 1 || order == 3) ? n - 1 - j : j;
            p[j] = order >= 2 ? (k % gridH) * gridW + k / gridH : k;
        }
        return p;
    }

    /**
     * @param length text tokens
     * @param order 0 forward, 1 reversed
     * @return perm with permuted[j] = canonical[perm[j]]
     */
    public static int[] text(int length, int order) {
        int[] p = new int[length];
        for (int j = 0; j < length; j++) {
            p[j] = order == 1 ? length - 1 - j : j;
        }
        return p;
    }

    /**
     * @param c sizes
     * @param block block index
     * @return the permutation block {@code block} applies to the full sequence of length L
     */
    public static int[] sequence(MdmConfig c, int block) {
        int[] img = image(c.gridHeight(), c.gridWidth(), block % c.imageScans());
        int[] txt = text(c.textLength(), block % c.textScans());
        int[] p = new int[c.sequenceLength()];
        for (int i = 0; i < p.length; i++) {
            p[i] = i;
        }
        for (int j = 0; j < img.length; j++) {
            p[c.imageOffset() + j] = c.imageOffset() + img[j];
        }
        for (int j = 0; j < txt.length; j++) {
            p[c.textOffset() + j] = c.textOffset() + txt[j];
        }
        return p;
    }

    /**
     * @param p a permutation
     * @return its inverse
     */
    public static int[] inverse(int[] p) {
        int[] inv = new int[p.length];
        for (int j = 0; j < p.length; j++) {
            inv[p[j]] = j;
        }
        return inv;
    }
}

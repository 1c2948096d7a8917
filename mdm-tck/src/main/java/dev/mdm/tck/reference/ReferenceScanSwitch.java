package dev.mdm.tck.reference;

import dev.mdm.InvalidInputException;
import dev.mdm.MdmConfig;
import dev.mdm.model.ScanSwitch;
import dev.mdm.tensor.Tensor;

/**
 * The scan switch of SPEC §5. Image orders over the h'×w' patch grid (canonical index r·w' + c): 0 row-major,
 * 1 row-major reversed, 2 column-major, 3 column-major reversed; text orders: 0 forward, 1 reversed. Block i uses
 * image order {@code i mod imageScans} and text order {@code i mod textScans}. Decision D13: odd blocks also put the
 * text span (BOT first) before the image span (BOI first), so that in a causal scan image tokens can read text;
 * TIME and CLASS never move. Block order of an odd block: {@code [TIME, CLASS, BOT, text…, BOI, image…]}.
 */
final class ReferenceScanSwitch implements ScanSwitch {
    private final MdmConfig config;
    private final ReferenceLifecycle lifecycle;

    ReferenceScanSwitch(MdmConfig config, ReferenceLifecycle lifecycle) {
        this.config = config;
        this.lifecycle = lifecycle;
    }

    @Override
    public int[] imageOrder(int order) {
        lifecycle.requireOpen();
        if (order < 0 || order > 3) {
            throw new InvalidInputException("order", "an image order in 0..3", String.valueOf(order));
        }
        return imageOrder(config.gridHeight(), config.gridWidth(), order);
    }

    /**
     * @param rows h'
     * @param cols w'
     * @param order 0..3
     * @return perm with permuted[j] = canonical[perm[j]]
     */
    static int[] imageOrder(int rows, int cols, int order) {
        int n = rows * cols;
        int[] perm = new int[n];
        int j = 0;
        if (order < 2) {
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    perm[j++] = r * cols + c;
                }
            }
        } else {
            for (int c = 0; c < cols; c++) {
                for (int r = 0; r < rows; r++) {
                    perm[j++] = r * cols + c;
                }
            }
        }
        return order % 2 == 1 ? reversed(perm) : perm;
    }

    @Override
    public int[] textOrder(int order) {
        lifecycle.requireOpen();
        if (order < 0 || order > 1) {
            throw new InvalidInputException("order", "a text order in 0..1", String.valueOf(order));
        }
        return textOrder(config.textLength(), order);
    }

    /**
     * @param length Lt
     * @param order 0 forward, 1 reversed
     * @return perm with permuted[j] = canonical[perm[j]]
     */
    static int[] textOrder(int length, int order) {
        int[] perm = new int[length];
        for (int i = 0; i < length; i++) {
            perm[i] = i;
        }
        return order == 1 ? reversed(perm) : perm;
    }

    private static int[] reversed(int[] a) {
        int[] r = new int[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[a.length - 1 - i];
        }
        return r;
    }

    @Override
    public int[] sequenceOrder(int block) {
        lifecycle.requireOpen();
        if (block < 0) {
            throw new InvalidInputException("block", "a block index >= 0", String.valueOf(block));
        }
        int nImg = config.imageTokens();
        int lt = config.textLength();
        int boi = config.imageOffset() - 1;
        int bot = config.textOffset() - 1;
        int[] img = imageOrder(config.gridHeight(), config.gridWidth(), block % config.imageScans());
        int[] txt = textOrder(lt, block % config.textScans());
        int[] order = new int[config.sequenceLength()];
        int j = 0;
        order[j++] = 0; // TIME
        order[j++] = 1; // CLASS
        boolean textFirst = block % 2 == 1;
        for (int span = 0; span < 2; span++) {
            if ((span == 0) != textFirst) {
                order[j++] = boi;
                for (int k = 0; k < nImg; k++) {
                    order[j++] = config.imageOffset() + img[k];
                }
            } else {
                order[j++] = bot;
                for (int k = 0; k < lt; k++) {
                    order[j++] = config.textOffset() + txt[k];
                }
            }
        }
        return order;
    }

    @Override
    public Tensor permute(int block, Tensor x) {
        return move(block, x, "x", true);
    }

    @Override
    public Tensor unpermute(int block, Tensor y) {
        return move(block, y, "y", false);
    }

    private Tensor move(int block, Tensor t, String argument, boolean forward) {
        lifecycle.requireOpen();
        if (block < 0) {
            throw new InvalidInputException("block", "a block index >= 0", String.valueOf(block));
        }
        t.requireShape(argument, -1, config.sequenceLength(), -1).requireFinite(argument);
        double[] out = apply(block, t.toDoubleArray(), t.dim(0), t.dim(2), forward);
        return Tensor.of(out, t.shape());
    }

    /**
     * @param block block index
     * @param x [b, L, d] values
     * @param forward true for P_i (canonical to block order), false for P_i⁻¹
     * @return the moved sequence
     */
    double[] apply(int block, double[] x, int b, int d, boolean forward) {
        int len = config.sequenceLength();
        int[] order = sequenceOrder(block);
        int[] source = new int[len]; // out position i reads in position source[i]
        for (int i = 0; i < len; i++) {
            if (forward) {
                source[i] = order[i];
            } else {
                source[order[i]] = i;
            }
        }
        double[] out = new double[x.length];
        for (int bi = 0; bi < b; bi++) {
            for (int i = 0; i < len; i++) {
                System.arraycopy(x, (bi * len + source[i]) * d, out, (bi * len + i) * d, d);
            }
        }
        return out;
    }
}

package dev.mdm.backend.jcuda;

import dev.mdm.InvalidInputException;
import dev.mdm.MdmConfig;
import dev.mdm.model.ScanOrders;
import dev.mdm.model.ScanSwitch;
import dev.mdm.tensor.Tensor;

/**
 * The scan switch of SPEC §5 on host tensors. On the GPU the permutation is never materialized: the fused
 * residual-add + RMSNorm kernel reads and writes through the same indices.
 */
final class HostScanSwitch implements ScanSwitch {
    private final MdmConfig config;

    HostScanSwitch(MdmConfig config) {
        this.config = config;
    }

    @Override
    public int[] imageOrder(int order) {
        if (order < 0 || order > 3) {
            throw new InvalidInputException("order", "an image order in 0..3", String.valueOf(order));
        }
        return ScanOrders.image(config.gridHeight(), config.gridWidth(), order);
    }

    @Override
    public int[] textOrder(int order) {
        if (order < 0 || order > 1) {
            throw new InvalidInputException("order", "a text order in 0..1", String.valueOf(order));
        }
        return ScanOrders.text(config.textLength(), order);
    }

    @Override
    public int[] sequenceOrder(int block) {
        return ScanOrders.sequence(config, block);
    }

    @Override
    public Tensor permute(int block, Tensor x) {
        return gather(block, x, false);
    }

    @Override
    public Tensor unpermute(int block, Tensor y) {
        return gather(block, y, true);
    }

    private Tensor gather(int block, Tensor x, boolean inverse) {
        if (block < 0) {
            throw new InvalidInputException("block", "a block index >= 0", String.valueOf(block));
        }
        int seqLen = config.sequenceLength();
        x.requireShape(inverse ? "y" : "x", -1, seqLen, -1);
        int[] p = ScanOrders.sequence(config, block);
        if (inverse) {
            p = ScanOrders.inverse(p);
        }
        int b = x.dim(0);
        int d = x.dim(2);
        int es = x.dtype().byteSize();
        byte[] src = x.toBytes();
        byte[] dst = new byte[src.length];
        int row = d * es;
        for (int s = 0; s < b; s++) {
            for (int j = 0; j < seqLen; j++) {
                System.arraycopy(src, (s * seqLen + p[j]) * row, dst, (s * seqLen + j) * row, row);
            }
        }
        return Tensor.fromBytes(x.dtype(), x.shape(), dst);
    }
}

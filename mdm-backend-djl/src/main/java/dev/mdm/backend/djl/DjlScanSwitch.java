package dev.mdm.backend.djl;

import dev.mdm.MdmConfig;
import dev.mdm.model.ScanOrders;
import dev.mdm.model.ScanSwitch;
import dev.mdm.tensor.Tensor;

/** The scan switch of SPEC §5 and decision D13: permutations applied with an NDArray gather along the sequence axis. Thread-safe. */
final class DjlScanSwitch implements ScanSwitch {
    private final MdmConfig config;
    private final ComputeScope scope;
    private final Lifecycle owner;

    DjlScanSwitch(MdmConfig config, ComputeScope scope, Lifecycle owner) {
        this.config = config;
        this.scope = scope;
        this.owner = owner;
    }

    @Override
    public int[] imageOrder(int order) {
        return ScanOrders.image(config.gridHeight(), config.gridWidth(), order);
    }

    @Override
    public int[] textOrder(int order) {
        return ScanOrders.text(config.textLength(), order);
    }

    @Override
    public int[] sequenceOrder(int block) {
        owner.ensureOpen();
        return ScanOrders.sequence(config, block);
    }

    @Override
    public Tensor permute(int block, Tensor x) {
        return apply(block, x, false);
    }

    @Override
    public Tensor unpermute(int block, Tensor y) {
        return apply(block, y, true);
    }

    private Tensor apply(int block, Tensor x, boolean inverse) {
        owner.ensureOpen();
        String name = inverse ? "y" : "x";
        Inputs.floats(name, x, -1, config.sequenceLength(), -1);
        int[] perm = inverse ? ScanOrders.inverse(ScanOrders.sequence(config, block)) : ScanOrders.sequence(config, block);
        return owner.read(() -> scope.call(m -> HostTransfer.toHost(
                Layers.positions(HostTransfer.floats(m, x, scope.type()), HostTransfer.longs(m, perm)))));
    }
}

package dev.mdm.backend.onnx;

import dev.mdm.MdmConfig;
import dev.mdm.backend.onnx.GraphBuilder.Type;
import dev.mdm.model.ScanOrders;
import dev.mdm.model.ScanSwitch;
import dev.mdm.tensor.DType;
import dev.mdm.tensor.Tensor;
import java.util.Map;

/** The scan switch of SPEC §5 with D13: permutations run as Gather graphs with constant indices, in the input's float type. */
final class OnnxScanSwitch implements ScanSwitch {
    private final OnnxBackend backend;
    private final MdmConfig config;

    OnnxScanSwitch(OnnxBackend backend, MdmConfig config) {
        this.backend = backend;
        this.config = config;
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
        return ScanOrders.sequence(config, block);
    }

    @Override
    public Tensor permute(int block, Tensor x) {
        return apply(ScanOrders.sequence(config, block), "x", x);
    }

    @Override
    public Tensor unpermute(int block, Tensor y) {
        return apply(ScanOrders.inverse(ScanOrders.sequence(config, block)), "y", y);
    }

    private Tensor apply(int[] perm, String name, Tensor x) {
        Inputs.require(name, x, -1, config.sequenceLength(), -1);
        Inputs.nonEmpty(name, x);
        // a gather would carry NaN and ∞ through unharmed, but no non-finite input reaches ONNX Runtime
        x.requireFinite(name);
        // a permutation is exact: keep float64 input in float64
        Type type = x.dtype() == DType.F64 ? Type.DOUBLE : Type.FLOAT;
        return backend.permutation(perm, type).run(Map.of("x", x)).get("y");
    }
}

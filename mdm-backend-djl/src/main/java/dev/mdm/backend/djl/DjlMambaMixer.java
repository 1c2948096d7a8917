package dev.mdm.backend.djl;

import ai.djl.ndarray.NDArray;
import dev.mdm.model.MambaMixer;
import dev.mdm.model.MambaShape;
import dev.mdm.model.Parameters;
import dev.mdm.tensor.Tensor;
import java.util.Map;

/** A Mamba-2 mixer whose weights live in their own NDManager. Thread-safe. */
final class DjlMambaMixer implements MambaMixer {
    private final MambaShape shape;
    private final ComputeScope scope;
    private final Lifecycle parent;
    private final Lifecycle lifecycle = new Lifecycle("DJL Mamba-2 mixer");
    private final Weights weights;

    DjlMambaMixer(MambaShape shape, Parameters parameters, ComputeScope scope, Lifecycle parent) {
        this.shape = shape;
        this.scope = scope;
        this.parent = parent;
        Map<String, NDArray> arrays = DjlBackend.upload(scope, parameters);
        this.weights = Weights.of(arrays);
    }

    @Override
    public MambaShape shape() {
        return shape;
    }

    @Override
    public Tensor forward(Tensor u) {
        lifecycle.ensureOpen();
        Inputs.floats("u", u, -1, -1, shape.dModel());
        return lifecycle.read(() -> scope.call(m ->
                HostTransfer.toHost(Mamba2.forward(weights, shape, HostTransfer.floats(m, u, scope.type())))));
    }

    @Override
    public void close() {
        parent.release(this);
        lifecycle.close(scope::close);
    }
}

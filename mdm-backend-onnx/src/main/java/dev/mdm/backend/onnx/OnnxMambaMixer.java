package dev.mdm.backend.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.mdm.model.MambaMixer;
import dev.mdm.model.MambaShape;
import dev.mdm.tensor.Tensor;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/** A Mamba-2 mixer graph with its weights embedded, and the session that runs it. */
final class OnnxMambaMixer implements MambaMixer {
    private final OnnxBackend backend;
    private final MambaShape shape;
    private final GraphSession session;
    private final AtomicBoolean closed = new AtomicBoolean();

    OnnxMambaMixer(OnnxBackend backend, MambaShape shape, ModelProto graph) {
        this.backend = backend;
        this.shape = shape;
        this.session = backend.open(graph);
    }

    @Override
    public MambaShape shape() {
        return shape;
    }

    @Override
    public Tensor forward(Tensor u) {
        if (closed.get()) {
            throw new IllegalStateException("this onnx MambaMixer is closed");
        }
        Inputs.sequence("u", u, -1, shape.dModel());
        return session.run(Map.of("u", u)).get("y");
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            backend.released(this);
            session.close();
        }
    }
}

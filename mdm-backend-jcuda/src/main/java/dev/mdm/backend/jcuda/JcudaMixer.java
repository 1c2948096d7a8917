package dev.mdm.backend.jcuda;

import dev.mdm.backend.jcuda.model.DeviceMemory;
import dev.mdm.backend.jcuda.model.DeviceMixer;
import dev.mdm.backend.jcuda.model.Workspace;
import dev.mdm.model.MambaMixer;
import dev.mdm.model.MambaShape;
import dev.mdm.tensor.Tensor;

/** A stand-alone Mamba-2 mixer with its weights and workspace on the GPU. */
final class JcudaMixer implements MambaMixer {
    private final JcudaBackend backend;
    private final DeviceMixer mixer;
    private final DeviceMemory memory;
    private final Workspace workspace;
    private boolean closed;

    JcudaMixer(JcudaBackend backend, DeviceMixer mixer, DeviceMemory memory, Workspace workspace) {
        this.backend = backend;
        this.mixer = mixer;
        this.memory = memory;
        this.workspace = workspace;
    }

    @Override
    public MambaShape shape() {
        return mixer.shape();
    }

    @Override
    public Tensor forward(Tensor u) {
        return backend.locked(() -> {
            if (closed) {
                throw new IllegalStateException("JcudaMixer " + mixer.shape() + " is closed");
            }
            return backend.runMixer(mixer, u, workspace);
        });
    }

    @Override
    public void close() {
        backend.cuda().lock().lock();
        try {
            if (!closed) {
                closed = true;
                memory.close();
                workspace.close();
            }
        } finally {
            backend.cuda().lock().unlock();
        }
    }
}

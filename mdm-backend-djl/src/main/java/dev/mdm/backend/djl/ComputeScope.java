package dev.mdm.backend.djl;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import java.util.function.Function;

/**
 * Where native memory lives: one root NDManager per owner (backend, model, mixer) and, per call, a sub-manager plus
 * an {@link NDScope} that closes every intermediate array the call created, whichever manager it landed on (an op
 * on a weight puts its result on the weight's manager). Results leave a call only as host tensors, so repeated
 * calls do not grow native memory.
 */
final class ComputeScope implements AutoCloseable {
    private final NDManager manager;
    private final DataType type;

    private ComputeScope(NDManager manager, DataType type) {
        this.manager = manager;
        this.type = type;
    }

    /** @return a scope with a fresh root manager on the CPU */
    static ComputeScope root(DataType type) {
        return new ComputeScope(NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch"), type);
    }

    /** @return a child scope whose arrays close with it or with this scope */
    ComputeScope child() {
        return new ComputeScope(manager.newSubManager(), type);
    }

    /** @return the manager that owns long-lived arrays (weights, optimizer state) */
    NDManager manager() {
        return manager;
    }

    /** @return FLOAT32 or FLOAT64 */
    DataType type() {
        return type;
    }

    /**
     * Runs one call: the body gets a fresh sub-manager for its inputs; everything it creates is closed afterwards.
     *
     * @param body computes and returns host values
     * @param <T> the result type, which must not hold NDArrays
     * @return the body's result
     */
    <T> T call(Function<NDManager, T> body) {
        try (NDManager local = manager.newSubManager(); NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            return body.apply(local);
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}

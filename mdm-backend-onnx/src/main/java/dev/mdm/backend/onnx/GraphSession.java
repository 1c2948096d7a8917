package dev.mdm.backend.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxTensorLike;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.mdm.MdmException;
import dev.mdm.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One ONNX Runtime session of one graph, with {@link Tensor}s in and out. Inputs are converted to the element type the
 * graph declares; every {@link OnnxTensor} and {@link OrtSession.Result} is closed before {@link #run} returns.
 * Thread-safe (ORT sessions are); {@link #close()} is idempotent.
 */
final class GraphSession implements AutoCloseable {
    private final String name;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final Map<String, OnnxJavaType> inputTypes = new LinkedHashMap<>();
    /** The values of a graph's external initializers, which ONNX Runtime reads in place: they live as long as it. */
    private final List<OnnxTensor> externalData;
    /** Options of this session's own (a graph with external data), closed with it; else null. */
    private final OrtSession.SessionOptions ownOptions;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ReentrantReadWriteLock lifetime = new ReentrantReadWriteLock();

    /**
     * @param env the process-wide environment
     * @param model the graph
     * @param options session options (execution provider, threads)
     */
    GraphSession(OrtEnvironment env, ModelProto model, OrtSession.SessionOptions options) {
        this(env, OnnxGraph.inline(model), options);
    }

    /**
     * @param env the process-wide environment
     * @param graph the graph; its external initializers are handed to ONNX Runtime from memory
     * @param options session options (execution provider, threads); for a graph with external data, options of its
     *     own, which this session is given the initializers through and closes
     */
    GraphSession(OrtEnvironment env, OnnxGraph graph, OrtSession.SessionOptions options) {
        this.name = graph.name();
        this.env = env;
        this.ownOptions = graph.hasExternalData() ? options : null;
        List<OnnxTensor> data = new ArrayList<>();
        OrtSession created = null;
        boolean opened = false;
        try {
            if (graph.hasExternalData()) {
                Map<String, OnnxTensorLike> initializers = new LinkedHashMap<>();
                for (OnnxGraph.ExternalTensor e : graph.external()) {
                    OnnxTensor t = direct(e.value());
                    data.add(t);
                    initializers.put(e.name(), t);
                }
                options.addExternalInitializers(initializers);
            }
            created = env.createSession(graph.model().toByteArray(), options);
            for (Map.Entry<String, NodeInfo> e : created.getInputInfo().entrySet()) {
                inputTypes.put(e.getKey(), ((TensorInfo) e.getValue().getInfo()).type);
            }
            opened = true;
        } catch (OrtException e) {
            throw new MdmException("ONNX Runtime rejected the " + name + " graph: " + e.getMessage(), e);
        } finally {
            if (!opened) {  // also when native memory for the weights ran out
                closeQuietly(created);
                data.forEach(OnnxTensor::close);
                if (ownOptions != null) {
                    ownOptions.close();
                }
            }
        }
        this.session = created;
        this.externalData = List.copyOf(data);
    }

    /** @return the graph name */
    String name() {
        return name;
    }

    /**
     * @param inputs one tensor per graph input, by name
     * @return every graph output, by name, as F32, F64 or I64 tensors
     */
    Map<String, Tensor> run(Map<String, Tensor> inputs) {
        // runs share the read lock; close takes the write lock and so waits for them: ORT's OrtSession.close frees
        // the native session without waiting for runs in progress
        lifetime.readLock().lock();
        try {
            if (closed.get()) {
                throw new IllegalStateException("the ONNX session of graph " + name + " is closed");
            }
            return runOpen(inputs);
        } finally {
            lifetime.readLock().unlock();
        }
    }

    private Map<String, Tensor> runOpen(Map<String, Tensor> inputs) {
        Map<String, OnnxTensor> ort = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
                OnnxJavaType type = inputTypes.get(e.getKey());
                if (type == null) {
                    throw new IllegalArgumentException("graph " + name + " has no input " + e.getKey() + "; inputs: " + inputTypes.keySet());
                }
                ort.put(e.getKey(), toOrt(e.getValue(), type));
            }
            try (OrtSession.Result result = session.run(ort)) {
                Map<String, Tensor> out = new LinkedHashMap<>();
                for (Map.Entry<String, OnnxValue> e : result) {
                    out.put(e.getKey(), fromOrt((OnnxTensor) e.getValue()));
                }
                return out;
            }
        } catch (OrtException e) {
            throw new MdmException("ONNX Runtime failed running graph " + name + ": " + e.getMessage(), e);
        } finally {
            ort.values().forEach(OnnxTensor::close);
        }
    }

    private OnnxTensor toOrt(Tensor t, OnnxJavaType type) throws OrtException {
        long[] shape = new long[t.rank()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = t.dim(i);
        }
        return switch (type) {
            case FLOAT -> OnnxTensor.createTensor(env, FloatBuffer.wrap(t.toFloatArray()), shape);
            case DOUBLE -> OnnxTensor.createTensor(env, DoubleBuffer.wrap(t.toDoubleArray()), shape);
            case INT64 -> OnnxTensor.createTensor(env, LongBuffer.wrap(t.toLongArray()), shape);
            default -> throw new IllegalStateException("graph " + name + " declares an input of type " + type);
        };
    }

    private Tensor fromOrt(OnnxTensor t) {
        long[] s = t.getInfo().getShape();
        int[] shape = new int[s.length];
        for (int i = 0; i < s.length; i++) {
            shape[i] = Math.toIntExact(s[i]);
        }
        return switch (t.getInfo().type) {
            case FLOAT -> {
                FloatBuffer b = t.getFloatBuffer();
                float[] v = new float[b.remaining()];
                b.get(v);
                yield Tensor.ofFloats(v, shape);
            }
            case DOUBLE -> {
                DoubleBuffer b = t.getDoubleBuffer();
                double[] v = new double[b.remaining()];
                b.get(v);
                yield Tensor.of(v, shape);
            }
            case INT64 -> {
                LongBuffer b = t.getLongBuffer();
                long[] v = new long[b.remaining()];
                b.get(v);
                yield Tensor.ofLongs(v, shape);
            }
            default -> throw new IllegalStateException("graph " + name + " produced an output of type " + t.getInfo().type);
        };
    }

    private static void closeQuietly(OrtSession s) {
        if (s != null) {
            try {
                s.close();
            } catch (OrtException e) {
                // the failure that got us here is the one to report
            }
        }
    }

    /** An initializer's values in native memory, which ONNX Runtime uses without a copy. */
    private OnnxTensor direct(Tensor t) throws OrtException {
        long[] shape = new long[t.rank()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = t.dim(i);
        }
        // the tensor's bytes are little-endian, as the buffer's order must say
        ByteBuffer bytes = ByteBuffer.allocateDirect(t.byteSize()).order(ByteOrder.LITTLE_ENDIAN).put(t.toBytes()).flip();
        return switch (t.dtype()) {
            case F32 -> OnnxTensor.createTensor(env, bytes.asFloatBuffer(), shape);
            case F64 -> OnnxTensor.createTensor(env, bytes.asDoubleBuffer(), shape);
            case I64 -> OnnxTensor.createTensor(env, bytes.asLongBuffer(), shape);
            default -> throw new IllegalStateException("graph " + name + " stores an initializer of type " + t.dtype());
        };
    }

    @Override
    public void close() {
        lifetime.writeLock().lock();
        try {
            closeOnce();
        } finally {
            lifetime.writeLock().unlock();
        }
    }

    private void closeOnce() {
        if (closed.compareAndSet(false, true)) {
            try {
                session.close();
            } catch (OrtException e) {
                throw new MdmException("closing the ONNX session of graph " + name + " failed", e);
            } finally {
                externalData.forEach(OnnxTensor::close);
                if (ownOptions != null) {
                    ownOptions.close();
                }
            }
        }
    }
}

package dev.mdm.backend.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mdm.tensor.Tensor;

/** Copies between host {@link Tensor}s and NDArrays in the backend's compute type. */
final class HostTransfer {
    private HostTransfer() {
    }

    /**
     * @param manager where the array lives
     * @param t a floating tensor of any dtype
     * @param type FLOAT32 or FLOAT64
     * @return the values as an NDArray of that type
     */
    static NDArray floats(NDManager manager, Tensor t, DataType type) {
        return floats(manager, t.toDoubleArray(), shape(t.shape()), type);
    }

    static NDArray floats(NDManager manager, double[] values, Shape shape, DataType type) {
        if (type == DataType.FLOAT64) {
            return manager.create(values, shape);
        }
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) values[i];
        }
        return manager.create(f, shape);
    }

    static NDArray longs(NDManager manager, long[] values, Shape shape) {
        return manager.create(values, shape);
    }

    static NDArray longs(NDManager manager, int[] values) {
        long[] l = new long[values.length];
        for (int i = 0; i < l.length; i++) {
            l[i] = values[i];
        }
        return manager.create(l, new Shape(l.length));
    }

    /**
     * @param a a FLOAT32 or FLOAT64 array
     * @return an F32 or F64 host tensor with its values
     */
    static Tensor toHost(NDArray a) {
        int[] shape = intShape(a.getShape());
        if (a.getDataType() == DataType.FLOAT64) {
            return Tensor.of(a.toDoubleArray(), shape);
        }
        if (a.getDataType() == DataType.FLOAT32) {
            return Tensor.ofFloats(a.toFloatArray(), shape);
        }
        if (a.getDataType() == DataType.INT64) {
            return Tensor.ofLongs(a.toLongArray(), shape);
        }
        throw new IllegalStateException("unexpected result dtype " + a.getDataType());
    }

    static Shape shape(int[] dims) {
        long[] s = new long[dims.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = dims[i];
        }
        return new Shape(s);
    }

    static int[] intShape(Shape s) {
        int[] out = new int[s.dimension()];
        for (int i = 0; i < out.length; i++) {
            out[i] = Math.toIntExact(s.get(i));
        }
        return out;
    }
}

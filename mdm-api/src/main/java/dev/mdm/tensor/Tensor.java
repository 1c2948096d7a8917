package dev.mdm.tensor;

import dev.mdm.InvalidInputException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * An immutable host tensor: a dtype, a row-major shape and little-endian element bytes (the safetensors layout).
 * It is the currency of the API and the SPI; backends copy it to their own memory. A tensor needs no closing.
 *
 * <p>Floating tensors of any dtype read as doubles ({@link #toDoubleArray()}), so callers never care whether a
 * value arrived as F16 or F64.
 */
public final class Tensor {
    private final DType dtype;
    private final int[] shape;
    private final byte[] data;

    private Tensor(DType dtype, int[] shape, byte[] data) {
        this.dtype = dtype;
        this.shape = shape;
        this.data = data;
    }

    /**
     * Wraps raw little-endian bytes.
     *
     * @param dtype element type
     * @param shape dimensions, each >= 0 (an empty array is a 0-d scalar)
     * @param bytes exactly {@code elements * dtype.byteSize()} bytes; copied
     * @return the tensor
     */
    public static Tensor fromBytes(DType dtype, int[] shape, byte[] bytes) {
        Objects.requireNonNull(dtype, "dtype");
        long n = elementCount(shape);
        long expected = n * dtype.byteSize();
        if (bytes == null || bytes.length != expected) {
            throw new InvalidInputException("bytes", expected + " bytes for " + dtype + Arrays.toString(shape),
                    bytes == null ? "null" : bytes.length + " bytes");
        }
        return new Tensor(dtype, shape.clone(), bytes.clone());
    }

    /**
     * @param data values, row-major; copied
     * @param shape dimensions whose product is {@code data.length}
     * @return an F64 tensor
     */
    public static Tensor of(double[] data, int... shape) {
        checkLength("data", data.length, shape);
        ByteBuffer b = allocate(data.length * 8L);
        b.asDoubleBuffer().put(data);
        return new Tensor(DType.F64, shape.clone(), b.array());
    }

    /**
     * @param data values, row-major; copied
     * @param shape dimensions whose product is {@code data.length}
     * @return an F32 tensor
     */
    public static Tensor ofFloats(float[] data, int... shape) {
        checkLength("data", data.length, shape);
        ByteBuffer b = allocate(data.length * 4L);
        b.asFloatBuffer().put(data);
        return new Tensor(DType.F32, shape.clone(), b.array());
    }

    /**
     * @param data values, row-major; copied
     * @param shape dimensions whose product is {@code data.length}
     * @return an I64 tensor
     */
    public static Tensor ofLongs(long[] data, int... shape) {
        checkLength("data", data.length, shape);
        ByteBuffer b = allocate(data.length * 8L);
        b.asLongBuffer().put(data);
        return new Tensor(DType.I64, shape.clone(), b.array());
    }

    /**
     * @param data values, row-major; copied
     * @param shape dimensions whose product is {@code data.length}
     * @return an I32 tensor
     */
    public static Tensor ofInts(int[] data, int... shape) {
        checkLength("data", data.length, shape);
        ByteBuffer b = allocate(data.length * 4L);
        b.asIntBuffer().put(data);
        return new Tensor(DType.I32, shape.clone(), b.array());
    }

    /**
     * @param value the value
     * @return a 0-d F64 tensor
     */
    public static Tensor scalar(double value) {
        return of(new double[] {value});
    }

    /**
     * @param shape dimensions
     * @return an F64 tensor of zeros
     */
    public static Tensor zeros(int... shape) {
        return of(new double[Math.toIntExact(elementCount(shape))], shape);
    }

    /** @return the element type */
    public DType dtype() {
        return dtype;
    }

    /** @return a copy of the dimensions */
    public int[] shape() {
        return shape.clone();
    }

    /**
     * @param axis dimension index; negative counts from the end
     * @return the size of that dimension
     */
    public int dim(int axis) {
        return shape[axis < 0 ? shape.length + axis : axis];
    }

    /** @return number of dimensions */
    public int rank() {
        return shape.length;
    }

    /** @return number of elements */
    public int size() {
        return data.length / dtype.byteSize();
    }

    /** @return a copy of the little-endian element bytes */
    public byte[] toBytes() {
        return data.clone();
    }

    /** @return number of bytes of element data */
    public int byteSize() {
        return data.length;
    }

    /**
     * @param index flat row-major index
     * @return the element as a double (integers and booleans convert exactly up to 2^53)
     */
    public double getDouble(int index) {
        int s = dtype.byteSize();
        int o = index * s;
        ByteBuffer b = ByteBuffer.wrap(data, o, s).order(ByteOrder.LITTLE_ENDIAN);
        return switch (dtype) {
            case F64 -> b.getDouble(o);
            case F32 -> b.getFloat(o);
            case F16 -> Float.float16ToFloat(b.getShort(o));
            case BF16 -> Float.intBitsToFloat((b.getShort(o) & 0xFFFF) << 16);
            case I64 -> b.getLong(o);
            case I32 -> b.getInt(o);
            case I8 -> data[o];
            case U8, BOOL -> data[o] & 0xFF;
        };
    }

    /**
     * @param index flat row-major index
     * @return the element as a long; floating values must be integral
     */
    public long getLong(int index) {
        if (dtype == DType.I64) {
            return ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).getLong(index * 8);
        }
        double v = getDouble(index);
        if (v != Math.rint(v) || v < -0x1p63 || v >= 0x1p63) {
            throw new InvalidInputException("tensor[" + index + "]", "an integral value within the range of a long", String.valueOf(v));
        }
        return (long) v;
    }

    /** @return every element as a double, row-major */
    public double[] toDoubleArray() {
        int n = size();
        double[] out = new double[n];
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case F64 -> b.asDoubleBuffer().get(out);
            case F32 -> {
                var fb = b.asFloatBuffer();
                for (int i = 0; i < n; i++) {
                    out[i] = fb.get(i);
                }
            }
            default -> {
                for (int i = 0; i < n; i++) {
                    out[i] = getDouble(i);
                }
            }
        }
        return out;
    }

    /** @return every element as a float, row-major */
    public float[] toFloatArray() {
        int n = size();
        float[] out = new float[n];
        if (dtype == DType.F32) {
            ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            return out;
        }
        if (dtype == DType.F64) {  // without toDoubleArray's intermediate copy
            var f = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer();
            for (int i = 0; i < n; i++) {
                out[i] = (float) f.get(i);
            }
            return out;
        }
        double[] d = toDoubleArray();
        for (int i = 0; i < n; i++) {
            out[i] = (float) d[i];
        }
        return out;
    }

    /** @return every element as a long, row-major (floating values must be integral) */
    public long[] toLongArray() {
        int n = size();
        long[] out = new long[n];
        if (dtype == DType.I64) {
            ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out);
            return out;
        }
        for (int i = 0; i < n; i++) {
            out[i] = getLong(i);
        }
        return out;
    }

    /** @return every element as an int, row-major (values must fit) */
    public int[] toIntArray() {
        long[] l = toLongArray();
        int[] out = new int[l.length];
        for (int i = 0; i < l.length; i++) {
            out[i] = (int) checkedRange(l[i], Integer.MIN_VALUE, Integer.MAX_VALUE);
        }
        return out;
    }

    /**
     * @param target the dtype to convert to (floats round to nearest even; integers must be integral and in range)
     * @return this tensor if it already has that dtype, else a converted copy
     */
    public Tensor to(DType target) {
        if (target == dtype) {
            return this;
        }
        int n = size();
        ByteBuffer b = allocate((long) n * target.byteSize());
        if (target.isFloating()) {
            double[] d = toDoubleArray();
            for (int i = 0; i < n; i++) {
                switch (target) {
                    case F64 -> b.putDouble(d[i]);
                    case F32 -> b.putFloat((float) d[i]);
                    case F16 -> b.putShort(Float.floatToFloat16((float) d[i]));
                    case BF16 -> b.putShort(floatToBf16((float) d[i]));
                    default -> throw new AssertionError(target);
                }
            }
        } else {
            long[] l = toLongArray();
            for (int i = 0; i < n; i++) {
                long v = l[i];
                switch (target) {
                    case I64 -> b.putLong(v);
                    case I32 -> b.putInt((int) checkedRange(v, Integer.MIN_VALUE, Integer.MAX_VALUE));
                    case I8 -> b.put(checkedByte(v, -128, 127));
                    case U8 -> b.put(checkedByte(v, 0, 255));
                    case BOOL -> b.put(checkedByte(v, 0, 1));
                    default -> throw new AssertionError(target);
                }
            }
        }
        return new Tensor(target, shape.clone(), b.array());
    }

    /**
     * @param newShape dimensions with the same element count
     * @return a tensor sharing nothing mutable with this one (the data are immutable) in the new shape
     */
    public Tensor reshape(int... newShape) {
        checkLength("newShape", size(), newShape);
        return new Tensor(dtype, newShape.clone(), data);
    }

    /**
     * Checks the shape, {@code -1} matching any size.
     *
     * @param argument the argument name used in the error
     * @param expected expected dimensions, -1 for any
     * @return this tensor
     * @throws InvalidInputException naming the argument, expected and actual shape
     */
    public Tensor requireShape(String argument, int... expected) {
        boolean ok = expected.length == shape.length;
        for (int i = 0; ok && i < expected.length; i++) {
            ok = expected[i] < 0 || expected[i] == shape[i];
        }
        if (!ok) {
            StringJoiner j = new StringJoiner(", ", "[", "]");
            for (int e : expected) {
                j.add(e < 0 ? "*" : Integer.toString(e));
            }
            throw new InvalidInputException(argument, "shape " + j, "shape " + Arrays.toString(shape));
        }
        return this;
    }

    /**
     * Checks that every element is finite.
     *
     * @param argument the argument name used in the error
     * @return this tensor
     * @throws InvalidInputException naming the first non-finite element and its index
     */
    public Tensor requireFinite(String argument) {
        if (!dtype.isFloating()) {
            return this;
        }
        // F32 and F64 read in place: a training step checks every batch tensor, and a copy per check was a visible
        // share of the host's time in a fashion step (a flight recording on the GPU machine, session 26)
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        int n = size();
        switch (dtype) {
            case F32 -> {
                var f = b.asFloatBuffer();
                for (int i = 0; i < n; i++) {
                    requireFinite(argument, f.get(i), i);
                }
            }
            case F64 -> {
                var f = b.asDoubleBuffer();
                for (int i = 0; i < n; i++) {
                    requireFinite(argument, f.get(i), i);
                }
            }
            default -> {
                double[] d = toDoubleArray();
                for (int i = 0; i < n; i++) {
                    requireFinite(argument, d[i], i);
                }
            }
        }
        return this;
    }

    private static void requireFinite(String argument, double value, int index) {
        if (!Double.isFinite(value)) {
            throw new InvalidInputException(argument, "finite values", value + " at flat index " + index);
        }
    }

    /**
     * @param other another tensor
     * @return true when dtype, shape and bytes are identical
     */
    public boolean contentEquals(Tensor other) {
        return other != null && dtype == other.dtype && Arrays.equals(shape, other.shape) && Arrays.equals(data, other.data);
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape) + " " + dtype;
    }

    /**
     * @param shape dimensions
     * @return their product
     * @throws InvalidInputException for a negative dimension or a product beyond what a Java array can hold
     */
    public static long elementCount(int[] shape) {
        Objects.requireNonNull(shape, "shape");
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new InvalidInputException("shape", "dimensions >= 0", Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
            if (n > Integer.MAX_VALUE) {
                throw new InvalidInputException("shape", "at most 2^31-1 elements", Arrays.toString(shape));
            }
        }
        return n;
    }

    /**
     * Rounds a float to bfloat16 bits, nearest even, keeping NaN a NaN.
     *
     * @param f the value
     * @return the 16 bfloat16 bits
     */
    public static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    private static byte checkedByte(long v, int lo, int hi) {
        return (byte) checkedRange(v, lo, hi);
    }

    private static long checkedRange(long v, long lo, long hi) {
        if (v < lo || v > hi) {
            throw new InvalidInputException("value", "a value in [" + lo + ", " + hi + "]", String.valueOf(v));
        }
        return v;
    }

    private static void checkLength(String argument, int length, int[] shape) {
        long n = elementCount(shape);
        if (n != length) {
            throw new InvalidInputException(argument, n + " elements for shape " + Arrays.toString(shape), length + " elements");
        }
    }

    private static ByteBuffer allocate(long bytes) {
        if (bytes > Integer.MAX_VALUE) {
            throw new InvalidInputException("tensor", "at most 2^31-1 bytes", bytes + " bytes");
        }
        return ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
    }
}

package dev.mdm.data;

import java.util.Arrays;

/**
 * The content of an IDX file of unsigned bytes: its dimensions and its elements in row-major order. Immutable.
 */
public final class IdxArray {
    private final int[] dimensions;
    private final byte[] data;

    IdxArray(int[] dimensions, byte[] data) {
        this.dimensions = dimensions;
        this.data = data;
    }

    /** @return number of dimensions */
    public int rank() {
        return dimensions.length;
    }

    /**
     * @param axis 0 ≤ axis &lt; rank()
     * @return the size of that dimension
     */
    public int dimension(int axis) {
        return dimensions[axis];
    }

    /** @return a copy of all dimensions */
    public int[] dimensions() {
        return dimensions.clone();
    }

    /** @return number of elements, the product of the dimensions */
    public int length() {
        return data.length;
    }

    /**
     * @param index flat row-major index, 0 ≤ index &lt; length()
     * @return the element as an unsigned value in [0, 255]
     */
    public int get(int index) {
        return Byte.toUnsignedInt(data[index]);
    }

    /**
     * @param from first flat index
     * @param count number of elements
     * @return those elements as unsigned values in [0, 255]
     */
    public int[] slice(int from, int count) {
        if (from < 0 || count < 0 || from > data.length - count) {
            throw new IndexOutOfBoundsException("slice [" + from + ", " + from + "+" + count + ") of " + data.length);
        }
        int[] out = new int[count];
        for (int i = 0; i < count; i++) {
            out[i] = Byte.toUnsignedInt(data[from + i]);
        }
        return out;
    }

    @Override
    public String toString() {
        return "IdxArray" + Arrays.toString(dimensions);
    }
}

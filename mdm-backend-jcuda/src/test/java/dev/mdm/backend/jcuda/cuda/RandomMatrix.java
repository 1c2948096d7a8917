package dev.mdm.backend.jcuda.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

/**
 * A matrix of U(−1, 1) values as the device stores it (little-endian fp32 or bf16 bytes) and as a float64 reference
 * reads it (the stored values exactly), for the kernel tests of this package.
 *
 * @param bytes what to upload
 * @param values the same values, widened
 */
record RandomMatrix(byte[] bytes, double[] values) {
    /**
     * @param n elements
     * @param bf16 store bf16 (rounded to nearest even) instead of fp32
     * @param seed the values' seed
     * @return the matrix
     */
    static RandomMatrix of(int n, boolean bf16, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        ByteBuffer b = ByteBuffer.allocate((bf16 ? 2 : 4) * n).order(ByteOrder.LITTLE_ENDIAN);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            int bits = Float.floatToRawIntBits((float) random.nextDouble(-1, 1));
            if (bf16) {
                short half = (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);  // round to nearest even
                b.putShort(half);
                v[i] = Float.intBitsToFloat(half << 16);
            } else {
                b.putInt(bits);
                v[i] = Float.intBitsToFloat(bits);
            }
        }
        return new RandomMatrix(b.array(), v);
    }
}

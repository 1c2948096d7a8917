package dev.mdm.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mdm.InvalidInputException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("Tensor")
class TensorTest {
    @Nested
    @DisplayName("floating conversions")
    class Floating {
        @Test
        @DisplayName("F16 rounds to nearest, ties to even, and overflows to infinity past 65504")
        void f16() {
            double ulp = 0x1p-10; // F16 spacing just above 1
            Tensor t = Tensor.of(new double[] {1 + ulp / 2, 1 + 3 * ulp / 2, 1 + 0.6 * ulp, 65504, 65520, -0.0, 1e-8}, 7).to(DType.F16);
            assertThat(t.dtype()).isEqualTo(DType.F16);
            assertThat(t.byteSize()).isEqualTo(14);
            double[] back = t.toDoubleArray();
            assertThat(back[0]).as("tie goes to the even 1.0").isEqualTo(1.0);
            assertThat(back[1]).as("tie goes to the even 1 + 2 ulp").isEqualTo(1 + 2 * ulp);
            assertThat(back[2]).isEqualTo(1 + ulp);
            assertThat(back[3]).isEqualTo(65504);
            assertThat(back[4]).isEqualTo(Double.POSITIVE_INFINITY);
            assertThat(Double.doubleToRawLongBits(back[5])).isEqualTo(Double.doubleToRawLongBits(-0.0));
            assertThat(back[6]).as("below the smallest subnormal").isZero();
        }

        @Test
        @DisplayName("BF16 keeps the upper 16 bits of a float, rounding to nearest even, and keeps NaN a NaN")
        void bf16() {
            double ulp = 0x1p-7; // BF16 spacing just above 1
            Tensor t = Tensor.of(new double[] {1 + ulp / 2, 1 + 3 * ulp / 2, 1 + 0.49 * ulp, Double.NaN, -2.5, Float.MAX_VALUE}, 6).to(DType.BF16);
            double[] back = t.toDoubleArray();
            assertThat(back[0]).isEqualTo(1.0);
            assertThat(back[1]).isEqualTo(1 + 2 * ulp);
            assertThat(back[2]).isEqualTo(1.0);
            assertThat(back[3]).isNaN();
            assertThat(back[4]).isEqualTo(-2.5);
            assertThat(back[5]).as("rounds up past the largest bf16").isEqualTo(Double.POSITIVE_INFINITY);
            assertThat(Tensor.floatToBf16(1.0f)).isEqualTo((short) 0x3F80);
            assertThat(t.toBytes()).hasSize(12);
        }

        @Test
        @DisplayName("F32 rounds from F64 and every dtype reads back as doubles")
        void f32() {
            Tensor t = Tensor.of(new double[] {0.1, 1e40}, 2).to(DType.F32);
            assertThat(t.toFloatArray()).containsExactly(0.1f, Float.POSITIVE_INFINITY);
            assertThat(t.toDoubleArray()[0]).isEqualTo((double) 0.1f);
            assertThat(t.to(DType.F32)).isSameAs(t);
            assertThat(Tensor.of(new double[] {0.1, 1e40, -3}, 3).toFloatArray()).as("from F64")
                    .containsExactly(0.1f, Float.POSITIVE_INFINITY, -3f);
        }
    }

    @Nested
    @DisplayName("integer conversions")
    class Integers {
        @Test
        @DisplayName("each integer dtype accepts exactly its range")
        void ranges() {
            assertThat(Tensor.ofLongs(new long[] {-128, 127}, 2).to(DType.I8).toLongArray()).containsExactly(-128, 127);
            assertThat(Tensor.ofLongs(new long[] {0, 255}, 2).to(DType.U8).toLongArray()).containsExactly(0, 255);
            assertThat(Tensor.ofLongs(new long[] {0, 1}, 2).to(DType.BOOL).toLongArray()).containsExactly(0, 1);
            assertThat(Tensor.ofLongs(new long[] {Integer.MIN_VALUE, Integer.MAX_VALUE}, 2).to(DType.I32).toIntArray())
                    .containsExactly(Integer.MIN_VALUE, Integer.MAX_VALUE);
            assertThatThrownBy(() -> Tensor.ofLongs(new long[] {128}, 1).to(DType.I8))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("[-128, 127]").hasMessageContaining("got 128");
            assertThatThrownBy(() -> Tensor.ofLongs(new long[] {-1}, 1).to(DType.U8))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("[0, 255]");
            assertThatThrownBy(() -> Tensor.ofLongs(new long[] {2}, 1).to(DType.BOOL))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("[0, 1]");
            assertThatThrownBy(() -> Tensor.ofLongs(new long[] {1L << 31}, 1).to(DType.I32))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("2147483648");
            assertThatThrownBy(() -> Tensor.ofLongs(new long[] {1L << 31}, 1).toIntArray())
                    .isInstanceOf(InvalidInputException.class);
        }

        @Test
        @DisplayName("floating values convert to integers only when integral and within range")
        void fromFloating() {
            assertThat(Tensor.of(new double[] {-3, 4}, 2).to(DType.I32).toIntArray()).containsExactly(-3, 4);
            assertThatThrownBy(() -> Tensor.of(new double[] {1.5}, 1).to(DType.I64))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("tensor[0]").hasMessageContaining("1.5");
            assertThatThrownBy(() -> Tensor.of(new double[] {Double.NaN}, 1).toLongArray()).isInstanceOf(InvalidInputException.class);
            assertThatThrownBy(() -> Tensor.of(new double[] {1e30}, 1).toLongArray()).isInstanceOf(InvalidInputException.class);
            assertThat(Tensor.ofLongs(new long[] {Long.MAX_VALUE}, 1).toLongArray()).containsExactly(Long.MAX_VALUE);
        }
    }

    @Nested
    @DisplayName("shapes and checks")
    class Checks {
        @Test
        @DisplayName("requireShape names the argument and shows expected (with * for any) and actual shapes")
        void requireShape() {
            Tensor t = Tensor.zeros(3, 4);
            assertThat(t.requireShape("image", -1, 4)).isSameAs(t);
            assertThatThrownBy(() -> t.requireShape("image", 2, -1, 4))
                    .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.argument()).isEqualTo("image"))
                    .hasMessage("invalid argument 'image': expected shape [2, *, 4], got shape [3, 4]");
        }

        @Test
        @DisplayName("requireFinite names the first non-finite value and its index; integers always pass")
        void requireFinite() {
            assertThatThrownBy(() -> Tensor.of(new double[] {0, 1, Double.NaN, Double.POSITIVE_INFINITY}, 4).requireFinite("x"))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessage("invalid argument 'x': expected finite values, got NaN at flat index 2");
            assertThatThrownBy(() -> Tensor.ofFloats(new float[] {1, 2, 3, Float.POSITIVE_INFINITY}, 2, 2).requireFinite("w"))
                    .hasMessage("invalid argument 'w': expected finite values, got Infinity at flat index 3");
            Tensor floats = Tensor.ofFloats(new float[] {-1, 0, Float.MAX_VALUE}, 3);
            assertThat(floats.requireFinite("v")).isSameAs(floats);
            assertThatThrownBy(() -> Tensor.ofFloats(new float[] {Float.NEGATIVE_INFINITY}, 1).to(DType.BF16).requireFinite("y"))
                    .hasMessageContaining("-Infinity at flat index 0");
            Tensor ints = Tensor.ofInts(new int[] {1}, 1);
            assertThat(ints.requireFinite("z")).isSameAs(ints);
        }

        @Test
        @DisplayName("construction checks that the data fit the shape")
        void construction() {
            assertThatThrownBy(() -> Tensor.of(new double[3], 2, 2)).isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("4 elements for shape [2, 2]").hasMessageContaining("got 3 elements");
            assertThatThrownBy(() -> Tensor.fromBytes(DType.F32, new int[] {2}, new byte[7])).isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("8 bytes");
            assertThatThrownBy(() -> Tensor.zeros(-1, 2)).isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("dimensions >= 0");
            assertThatThrownBy(() -> Tensor.elementCount(new int[] {65536, 65536})).isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("2^31-1");
            assertThatThrownBy(() -> Tensor.zeros(2, 3).reshape(4, 2)).isInstanceOf(InvalidInputException.class);
        }

        @Test
        @DisplayName("a 0-d tensor holds one element and an empty one none")
        void scalarsAndEmpty() {
            Tensor s = Tensor.scalar(2.5);
            assertThat(s.rank()).isZero();
            assertThat(s.size()).isEqualTo(1);
            assertThat(s.getDouble(0)).isEqualTo(2.5);
            Tensor e = Tensor.zeros(3, 0);
            assertThat(e.size()).isZero();
            assertThat(e.to(DType.BF16).byteSize()).isZero();
        }

        @Test
        @DisplayName("is immutable: shapes and bytes handed out are copies")
        void immutable() {
            byte[] raw = {1, 2};
            Tensor t = Tensor.fromBytes(DType.U8, new int[] {2}, raw);
            raw[0] = 9;
            t.toBytes()[1] = 9;
            t.shape()[0] = 7;
            assertThat(t.toLongArray()).containsExactly(1, 2);
            assertThat(t.shape()).containsExactly(2);
            assertThat(t.reshape(1, 2).contentEquals(Tensor.fromBytes(DType.U8, new int[] {1, 2}, new byte[] {1, 2}))).isTrue();
            assertThat(t.contentEquals(t.reshape(1, 2))).isFalse();
            assertThat(t.dim(-1)).isEqualTo(2);
        }
    }
}

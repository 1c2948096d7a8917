package dev.mdm.backend.jcuda.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mdm.InvalidInputException;
import dev.mdm.backend.jcuda.cuda.Cublas;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ChunkLengthTest {
    /** An H100's opt-in shared memory per block. */
    private static final int H100_SHARED = 227 * 1024;

    @Test
    @DisplayName("the trainer picks the chunk measured for the heads, else the longest whose kernel leaves room for two"
            + " blocks per SM")
    void longestChunkWithTwoBlocksPerSm() {
        // paper heads, rows padded by a float: 171 KB at Q 64 is more than half of 227 KB, 94 KB at Q 32 is not
        assertThat(BlockTrainer.chunkSharedBytes(64, 64, 128, false)).isEqualTo(4 * (2 * 64 * 65 + 2 * 64 * 129
                + 2 * 64 * 65 + 64 * 129 + 4 * 64 + 64 * 33));
        assertThat(BlockTrainer.chunkLength(BlockTrainer.AUTO_CHUNK, 64, 128, H100_SHARED, false)).isEqualTo(32);
        // fashion's heads: 32 as measured, where 64 would leave room for two blocks too; heads not measured: the longest
        assertThat(BlockTrainer.chunkLength(BlockTrainer.AUTO_CHUNK, 32, 64, H100_SHARED, false)).isEqualTo(32);
        assertThat(2 * BlockTrainer.chunkSharedBytes(64, 32, 64, false)).isLessThanOrEqualTo(H100_SHARED);
        assertThat(BlockTrainer.chunkLength(BlockTrainer.AUTO_CHUNK, 32, 32, H100_SHARED, false)).isEqualTo(64);
        // one block per SM when nothing leaves room for two; the sweep when nothing fits at all
        assertThat(BlockTrainer.chunkLength(BlockTrainer.AUTO_CHUNK, 128, 128, 110 * 1024, false)).isEqualTo(16);
        assertThat(BlockTrainer.chunkLength(BlockTrainer.AUTO_CHUNK, 128, 128, 48 * 1024, false)).isZero();
    }

    @Test
    @DisplayName("heads whose sizes are not multiples of 4, and an explicit 0, take the sequential sweep")
    void sweepWhereTheChunkKernelsDoNotApply() {
        assertThat(BlockTrainer.chunkLength(BlockTrainer.AUTO_CHUNK, 8, 12 + 2, H100_SHARED, false)).isZero();
        assertThat(BlockTrainer.chunkLength(BlockTrainer.AUTO_CHUNK, 6, 16, H100_SHARED, false)).isZero();
        // N over the threads
        assertThat(BlockTrainer.chunkLength(BlockTrainer.AUTO_CHUNK, 4, 512, H100_SHARED, false)).isZero();
        assertThat(BlockTrainer.chunkLength(0, 64, 128, H100_SHARED, false)).isZero();
    }

    @Test
    @DisplayName("a requested chunk length is kept when it fits and refused with the reason when it does not")
    void requestedLengths() {
        assertThat(BlockTrainer.chunkLength(8, 64, 128, H100_SHARED, false)).isEqualTo(8);
        assertThatThrownBy(() -> BlockTrainer.chunkLength(6, 64, 128, H100_SHARED, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multiple of 4 up to 64");
        assertThatThrownBy(() -> BlockTrainer.chunkLength(128, 8, 8, H100_SHARED, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("chunk length 128");
    }

    @Test
    @DisplayName("the property takes chunked, chunked:Q or sequential in any case and refuses anything else naming itself")
    void property() {
        assertThat(BlockTrainer.requestedChunk(null)).isEqualTo(BlockTrainer.AUTO_CHUNK);
        assertThat(BlockTrainer.requestedChunk(" Chunked")).isEqualTo(BlockTrainer.AUTO_CHUNK);
        assertThat(BlockTrainer.requestedChunk("SEQUENTIAL")).isZero();
        assertThat(BlockTrainer.requestedChunk("chunked: 16")).isEqualTo(16);
        assertThatThrownBy(() -> BlockTrainer.requestedChunk("parallel")).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(BlockTrainer.SCAN_BACKWARD_PROPERTY)
                .hasMessageContaining("chunked, chunked:Q with Q a multiple of 4 up to 64, or sequential")
                .hasMessageContaining("'parallel'");
        assertThatThrownBy(() -> BlockTrainer.requestedChunk("chunked:x")).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("'chunked:x'");
    }

    @Test
    @DisplayName("the tensor-core kernel takes chunks, P and N in multiples of 16, its rows padded by 4 floats, and the"
            + " chunk lengths measured for the paper's and fashion's heads")
    void tensorCoreKernel() {
        assertThat(BlockTrainer.tensorCoreShape(32, 64, 128)).isTrue();
        assertThat(BlockTrainer.tensorCoreShape(8, 64, 128)).isFalse();
        assertThat(BlockTrainer.tensorCoreShape(32, 8, 16)).isFalse();
        assertThat(BlockTrainer.chunkSharedBytes(32, 64, 128, true)).isEqualTo(4 * (2 * 32 * 68 + 2 * 32 * 132
                + 2 * 32 * 36 + 64 * 132 + 4 * 32 + 32 * 33));
        assertThat(BlockTrainer.chunkSharedBytes(8, 64, 128, true))
                .isEqualTo(BlockTrainer.chunkSharedBytes(8, 64, 128, false));
        assertThat(BlockTrainer.chunkLength(BlockTrainer.AUTO_CHUNK, 64, 128, H100_SHARED, true)).isEqualTo(32);
        assertThat(BlockTrainer.chunkLength(BlockTrainer.AUTO_CHUNK, 32, 64, H100_SHARED, true)).isEqualTo(32);
        // a measured length that would not leave room for two blocks gives way to the longest that does
        int fashion32 = BlockTrainer.chunkSharedBytes(32, 32, 64, true);
        assertThat(BlockTrainer.chunkLength(BlockTrainer.AUTO_CHUNK, 32, 64, 2 * fashion32 - 1, true)).isEqualTo(16);
        // the chunked forward keeps the state in 8 warps × 8 tiles of 16×8: the paper's heads fit, P 128 N 128 not
        assertThat(BlockTrainer.tensorCoreForwardShape(64, 128)).isTrue();
        assertThat(BlockTrainer.tensorCoreForwardShape(32, 64)).isTrue();
        assertThat(BlockTrainer.tensorCoreForwardShape(128, 128)).isFalse();
    }

    @Test
    @DisplayName("the chunk products are TF32 by default unless the GEMMs are exact fp32, and the property names itself"
            + " when it is neither tf32 nor fp32")
    void chunkProductsProperty() {
        assertThat(BlockTrainer.tf32ChunkProducts(null, Cublas.Compute.BF16)).isTrue();
        assertThat(BlockTrainer.tf32ChunkProducts(null, Cublas.Compute.TF32)).isTrue();
        assertThat(BlockTrainer.tf32ChunkProducts(null, Cublas.Compute.FP32)).isFalse();
        assertThat(BlockTrainer.tf32ChunkProducts(" FP32", Cublas.Compute.BF16)).isFalse();
        assertThat(BlockTrainer.tf32ChunkProducts("tf32", Cublas.Compute.FP32)).isTrue();
        assertThatThrownBy(() -> BlockTrainer.tf32ChunkProducts("bf16", Cublas.Compute.BF16))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining(BlockTrainer.CHUNK_PRODUCTS_PROPERTY)
                .hasMessageContaining("tf32 or fp32").hasMessageContaining("'bf16'");
    }

    @Test
    @DisplayName("the paper's and fashion's heads at their automatic chunk lengths name the kernels compiled for them,"
            + " and other shapes the generic kernels")
    void specializedKernelNames() {
        assertThat(BlockTrainer.specializedSuffix(BlockTrainer.chunkLength(BlockTrainer.AUTO_CHUNK, 64, 128,
                H100_SHARED, true), 64, 128)).isEqualTo("_q32p64n128");
        assertThat(BlockTrainer.specializedSuffix(BlockTrainer.chunkLength(BlockTrainer.AUTO_CHUNK, 32, 64,
                H100_SHARED, true), 32, 64)).isEqualTo("_q32p32n64");
        assertThat(BlockTrainer.specializedSuffix(BlockTrainer.chunkLength(BlockTrainer.AUTO_CHUNK, 32, 64,
                H100_SHARED, false), 32, 64)).isEqualTo("_q32p32n64");
        assertThat(BlockTrainer.specializedSuffix(64, 32, 64)).isEmpty();
        assertThat(BlockTrainer.specializedSuffix(16, 64, 128)).isEmpty();
        assertThat(BlockTrainer.specializedSuffix(32, 64, 64)).isEmpty();
        assertThat(BlockTrainer.specializedSuffix(64, 32, 128)).isEmpty();
    }

    @Test
    @DisplayName("the specialized kernels run unless the property says false, and the property names itself when it is"
            + " neither true nor false")
    void specializedKernelsProperty() {
        assertThat(BlockTrainer.specializedKernels(null)).isTrue();
        assertThat(BlockTrainer.specializedKernels("true")).isTrue();
        assertThat(BlockTrainer.specializedKernels(" False")).isFalse();
        assertThatThrownBy(() -> BlockTrainer.specializedKernels("no"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(BlockTrainer.SPECIALIZED_KERNELS_PROPERTY).hasMessageContaining("true or false")
                .hasMessageContaining("'no'");
    }
}

package dev.mdm.backend.jcuda;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mdm.MdmException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class JcudaDeviceOutOfMemoryExceptionTest {
    @Test
    @DisplayName("the message says what was asked for, what is free of the total, and what to do")
    void messageSaysAskedFreeAndWhatToDo() {
        var cause = new IllegalStateException("CUDA_ERROR_OUT_OF_MEMORY");
        var e = new DeviceOutOfMemoryException("GPU 0 (NVIDIA H100 80GB HBM3)", "the denoiser's workspace for a batch of 9000",
                3L << 30, 512L << 20, 80L << 30, cause);
        assertThat(e).isInstanceOf(MdmException.class).hasCause(cause);
        assertThat(e.getMessage()).isEqualTo("out of GPU memory on GPU 0 (NVIDIA H100 80GB HBM3): the denoiser's workspace"
                + " for a batch of 9000 needs 3.00 GiB (3221225472 bytes); 512.00 MiB (536870912 bytes) of 80.00 GiB"
                + " (85899345920 bytes) is free. Nothing was computed and the model is still usable: retry with a smaller"
                + " batch (fewer samples per call) or fewer tokens, or close other models and processes using this GPU.");
        assertThat(new long[] {e.requestedBytes(), e.freeBytes(), e.totalBytes()})
                .containsExactly(3L << 30, 512L << 20, 80L << 30);
    }

    @Test
    @DisplayName("a request beyond the whole GPU says so; a library that did not say how much is reported as such")
    void beyondTheGpuAndUnknownSize() {
        var beyond = new DeviceOutOfMemoryException("GPU 1 (x)", "a VAE call on 5 tokens", 100L << 30, 70L << 30,
                80L << 30, null);
        assertThat(beyond.getMessage()).contains("needs 100.00 GiB", "(more than the whole GPU)");
        var unknown = new DeviceOutOfMemoryException("GPU 1 (x)", "cuBLAS's internal memory for cublasGemmEx", 0, 1000,
                80L << 30, null);
        assertThat(unknown.getMessage()).contains("needs more than is free; 1000 bytes of 80.00 GiB")
                .doesNotContain("whole GPU");
    }
}

package dev.mdm.backend.jcuda.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mdm.InvalidInputException;
import dev.mdm.Precision;
import dev.mdm.backend.jcuda.cuda.Cublas;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class TrainingGemmComputeTest {
    @Test
    @DisplayName("a BF16 runtime trains with bf16 GEMM operands and an FP32 runtime with exact fp32 GEMMs")
    void computeTypeFollowsThePrecision() {
        assertThat(JcudaTrainingSession.gemmCompute(Precision.BF16, null)).isEqualTo(Cublas.Compute.BF16);
        assertThat(JcudaTrainingSession.gemmCompute(Precision.FP32, null)).isEqualTo(Cublas.Compute.FP32);
    }

    @Test
    @DisplayName("the property picks a BF16 runtime's GEMMs in any case but leaves an FP32 runtime exact")
    void propertyPicksTheBf16RuntimesGemms() {
        assertThat(JcudaTrainingSession.gemmCompute(Precision.BF16, "tf32")).isEqualTo(Cublas.Compute.TF32);
        assertThat(JcudaTrainingSession.gemmCompute(Precision.BF16, " FP32 ")).isEqualTo(Cublas.Compute.FP32);
        assertThat(JcudaTrainingSession.gemmCompute(Precision.BF16, "Bf16")).isEqualTo(Cublas.Compute.BF16);
        assertThat(JcudaTrainingSession.gemmCompute(Precision.FP32, "bf16")).isEqualTo(Cublas.Compute.FP32);
    }

    @Test
    @DisplayName("an unknown value of the property is refused naming the property and the values it takes")
    void unknownValueIsRefused() {
        assertThatThrownBy(() -> JcudaTrainingSession.gemmCompute(Precision.BF16, "fp16"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(JcudaTrainingSession.GEMM_PROPERTY)
                .hasMessageContaining("bf16, tf32 or fp32")
                .hasMessageContaining("'fp16'");
    }
}

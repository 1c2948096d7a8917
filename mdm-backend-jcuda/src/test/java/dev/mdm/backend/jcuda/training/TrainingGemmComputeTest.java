package dev.mdm.backend.jcuda.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mdm.Precision;
import dev.mdm.backend.jcuda.cuda.Cublas;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class TrainingGemmComputeTest {
    @Test
    @DisplayName("a BF16 runtime trains with TF32 GEMMs and an FP32 runtime with exact fp32 GEMMs")
    void computeTypeFollowsThePrecision() {
        assertThat(JcudaTrainingSession.gemmCompute(Precision.BF16)).isEqualTo(Cublas.Compute.TF32);
        assertThat(JcudaTrainingSession.gemmCompute(Precision.FP32)).isEqualTo(Cublas.Compute.FP32);
    }
}

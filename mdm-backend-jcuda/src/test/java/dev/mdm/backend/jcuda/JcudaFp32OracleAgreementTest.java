package dev.mdm.backend.jcuda;

import dev.mdm.Precision;
import org.junit.jupiter.api.DisplayName;

@DisplayName("jcuda at FP32 agrees with the float64 oracle at the float32 tolerance")
class JcudaFp32OracleAgreementTest extends OracleAgreementTest {
    @Override
    Precision precision() {
        return Precision.FP32;
    }
}

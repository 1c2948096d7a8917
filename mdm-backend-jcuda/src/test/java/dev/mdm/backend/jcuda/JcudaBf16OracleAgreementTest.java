package dev.mdm.backend.jcuda;

import dev.mdm.Precision;
import org.junit.jupiter.api.DisplayName;

@DisplayName("jcuda at BF16 agrees with the float64 oracle at the bf16 tolerance")
class JcudaBf16OracleAgreementTest extends OracleAgreementTest {
    @Override
    Precision precision() {
        return Precision.BF16;
    }
}

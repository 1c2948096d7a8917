package dev.mdm.backend.jcuda.training;

import dev.mdm.backend.jcuda.JcudaAvailable;
import dev.mdm.backend.jcuda.cuda.CudaContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The device context the training kernels' tests share: one context per test class on GPU 0, made current on the
 * thread of every test, closed after the class. Skipped, with the probe's reasons, where no usable GPU is present.
 */
@ExtendWith(JcudaAvailable.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DeviceTest {
    /** The device, open for the class's tests. */
    protected CudaContext cuda;

    @BeforeAll
    void openDevice() {
        cuda = CudaContext.open(0);
    }

    /** JUnit may run each test on another thread: make the context current on it. */
    @BeforeEach
    void enterContext() {
        cuda.enter();
    }

    @AfterAll
    void closeDevice() {
        if (cuda != null) {
            cuda.close();
        }
    }
}

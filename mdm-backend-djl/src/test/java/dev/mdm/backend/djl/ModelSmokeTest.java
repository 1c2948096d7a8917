package dev.mdm.backend.djl;

import dev.mdm.MdmConfig;
import dev.mdm.Precision;
import dev.mdm.model.OptimizerSettings;
import dev.mdm.model.ParameterInitializer;
import dev.mdm.spi.ModelRuntime;
import org.junit.jupiter.api.Test;

class ModelSmokeTest {
    @Test
    void runs() {
        MdmConfig c = MdmConfig.tiny();
        try (DjlBackend be = Fixtures.backend(Precision.FP32); ModelRuntime rt = be.load(c, ParameterInitializer.initialize(c, 1))) {
            var batch = Fixtures.batch(c, 4, 3, null);
            for (int r = 0; r < 3; r++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < 10; i++) rt.loss().compute(batch);
                long t1 = System.nanoTime();
                try (var s = rt.train(OptimizerSettings.paper().withLearningRate(1e-3), null)) {
                    for (int i = 0; i < 10; i++) s.gradients(batch);
                    long t2 = System.nanoTime();
                    for (int i = 0; i < 10; i++) s.step(batch);
                    long t3 = System.nanoTime();
                    System.out.printf("loss %.1f ms, grad %.1f ms, step %.1f ms%n", (t1 - t0) / 1e7, (t2 - t1) / 1e7, (t3 - t2) / 1e7);
                }
            }
        }
    }
}

package dev.mdm.examples.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mdm.Precision;
import dev.mdm.MdmConfig;
import dev.mdm.checkpoint.Checkpoint;
import dev.mdm.model.Parameters;
import dev.mdm.spi.Backend;
import dev.mdm.spi.BackendContext;
import dev.mdm.spi.BackendProvider;
import dev.mdm.spi.BackendRegistry;
import dev.mdm.spi.ModelRuntime;
import dev.mdm.tck.Tolerance;
import dev.mdm.tck.reference.ReferenceBackendProvider;
import dev.mdm.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The shipped {@code fashion} model on every CPU backend: the kit runs on small random weights, and trained weights
 * reach values those do not (the ONNX graph's expm1 turned NaN at ΔA below −178 until session 20).
 */
@DisplayName("The shipped fashion model")
class ShippedModelOnEveryBackendTest {
    @Test
    @DisplayName("gives the oracle's x̂0 on every CPU backend, from clean to pure noise, every class and the null class")
    void denoiserAgreesWithTheOracleOnEveryCpuBackend() {
        Checkpoint checkpoint = Checkpoint.load(ShippedModel.checkpoint().orElseThrow());
        MdmConfig c = checkpoint.config();
        Parameters weights = checkpoint.parameters();
        int b = 4;
        SplittableRandom r = new SplittableRandom(20);
        double[] z = new double[b * c.latentTokens() * c.latentDim()];
        for (int i = 0; i < z.length; i++) {
            z[i] = Math.sqrt(-2 * Math.log(r.nextDouble(1e-12, 1))) * Math.cos(2 * Math.PI * r.nextDouble());
        }
        Tensor latents = Tensor.of(z, b, c.latentTokens(), c.latentDim()).to(dev.mdm.tensor.DType.F32);
        Tensor times = Tensor.of(new double[] {0, 120.5, 600, c.timesteps() - 1}, b);
        Tensor classes = Tensor.ofLongs(new long[] {0, 4, 9, c.classes()}, b);
        Tensor expected;
        try (Backend oracle = new ReferenceBackendProvider().create(new BackendContext(
                new ReferenceBackendProvider().defaultDevice(), Precision.FP64)); ModelRuntime m = oracle.load(c, weights)) {
            expected = m.denoiser().predict(latents, times, classes);
        }
        List<BackendProvider> cpu = BackendRegistry.discover().providers().stream()
                .filter(p -> !p.defaultDevice().isGpu() && !p.name().equals("reference") && BackendRegistry.probe(p).available())
                .toList();
        assertThat(cpu).as("CPU backends available here").isNotEmpty();
        for (BackendProvider p : cpu) {
            try (Backend backend = p.create(new BackendContext(p.defaultDevice(), Precision.FP32));
                 ModelRuntime m = backend.load(c, weights)) {
                Tolerance.FP32.assertClose(p.name() + ": x̂0 of the shipped model", m.denoiser().predict(latents, times,
                        classes), expected);
            }
        }
    }
}

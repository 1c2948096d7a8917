package dev.mdm.backend.onnx.stack;

import dev.mdm.Device;
import dev.mdm.MdmConfig;
import dev.mdm.Precision;
import dev.mdm.model.ParameterInitializer;
import dev.mdm.spi.Backend;
import dev.mdm.spi.BackendContext;
import dev.mdm.spi.BackendRegistry;
import dev.mdm.spi.ModelRuntime;
import dev.mdm.tensor.Tensor;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * The workload {@link DefaultThreadStackTest} runs in a forked JVM: opens the {@code onnx} backend the way an
 * embedder does and, for {@code tiny} and {@code fashion}, opens the denoiser session (the largest graph) and
 * evaluates it on a batch of 4. Prints one line per preset and exits 0; a crash of ONNX Runtime kills the JVM instead.
 */
public final class DefaultStackWorkload {
    /** Printed last, after every evaluation. */
    static final String DONE = "onnx workload done";

    private DefaultStackWorkload() {
    }

    /**
     * @param args preset names
     */
    public static void main(String[] args) {
        try (Backend backend = BackendRegistry.discover().find("onnx").orElseThrow()
                .create(new BackendContext(Device.cpu(), Precision.FP32))) {
            for (String preset : args) {
                MdmConfig config = MdmConfig.preset(preset);
                try (ModelRuntime model = backend.load(config, ParameterInitializer.initialize(config, 1))) {
                    int batch = 4;
                    RandomGenerator r = RandomGeneratorFactory.of("L64X128MixRandom").create(3);
                    float[] z = new float[batch * config.latentTokens() * config.latentDim()];
                    for (int i = 0; i < z.length; i++) {
                        z[i] = (float) r.nextGaussian();
                    }
                    double[] t = new double[batch];
                    long[] c = new long[batch];
                    for (int i = 0; i < batch; i++) {
                        t[i] = r.nextInt(config.timesteps());
                        c[i] = r.nextInt(config.classes() + 1);
                    }
                    Tensor x0 = model.denoiser().predict(Tensor.ofFloats(z, batch, config.latentTokens(), config.latentDim()),
                            Tensor.of(t, batch), Tensor.ofLongs(c, batch));
                    x0.requireFinite("x0");
                    System.out.println(preset + ": denoiser output " + java.util.Arrays.toString(x0.shape()));
                }
            }
        }
        System.out.println(DONE);
    }
}

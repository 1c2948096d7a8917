package dev.mdm.examples.bench;

import dev.mdm.Device;
import dev.mdm.MdmConfig;
import dev.mdm.Precision;
import dev.mdm.model.ParameterInitializer;
import dev.mdm.spi.Backend;
import dev.mdm.spi.BackendContext;
import dev.mdm.spi.BackendRegistry;
import dev.mdm.spi.ModelRuntime;
import dev.mdm.tensor.Tensor;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Inference latency of one denoiser evaluation (the unit of work of a sampler step) on every CPU backend, same
 * weights and inputs, in one JMH run: onnx against djl, with the float64 {@code reference} oracle as the baseline.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class InferenceLatencyBenchmark {
    /** Samples per call. */
    public static final int BATCH = 4;

    @Param({"onnx", "djl", "reference"})
    public String backend;

    @Param({"tiny", "fashion"})
    public String preset;

    private Backend opened;
    private ModelRuntime model;
    private Tensor latents;
    private Tensor timeInput;
    private Tensor classIds;

    @Setup(Level.Trial)
    public void open() {
        MdmConfig config = MdmConfig.preset(preset);
        opened = BackendRegistry.discover().find(backend).orElseThrow()
                .create(new BackendContext(Device.cpu(), backend.equals("reference") ? Precision.FP64 : Precision.FP32));
        model = opened.load(config, ParameterInitializer.initialize(config, 1));
        RandomGenerator r = RandomGeneratorFactory.of("L64X128MixRandom").create(7);
        float[] z = new float[BATCH * config.latentTokens() * config.latentDim()];
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) r.nextGaussian();
        }
        latents = Tensor.ofFloats(z, BATCH, config.latentTokens(), config.latentDim());
        double[] t = new double[BATCH];
        long[] c = new long[BATCH];
        for (int i = 0; i < BATCH; i++) {
            t[i] = r.nextInt(config.timesteps());
            c[i] = r.nextInt(config.classes() + 1);
        }
        timeInput = Tensor.of(t, BATCH);
        classIds = Tensor.ofLongs(c, BATCH);
    }

    @TearDown(Level.Trial)
    public void close() {
        model.close();
        opened.close();
    }

    @Benchmark
    public Tensor denoiserForward() {
        return model.denoiser().predict(latents, timeInput, classIds);
    }
}

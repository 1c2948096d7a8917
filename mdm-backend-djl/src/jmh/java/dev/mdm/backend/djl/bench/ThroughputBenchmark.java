package dev.mdm.backend.djl.bench;

import dev.mdm.Device;
import dev.mdm.MdmConfig;
import dev.mdm.Precision;
import dev.mdm.backend.djl.DjlBackendProvider;
import dev.mdm.model.OptimizerSettings;
import dev.mdm.model.ParameterInitializer;
import dev.mdm.model.Parameters;
import dev.mdm.model.TrainingBatch;
import dev.mdm.model.TrainingSession;
import dev.mdm.spi.Backend;
import dev.mdm.spi.BackendContext;
import dev.mdm.spi.ModelRuntime;
import dev.mdm.tck.reference.ReferenceBackendProvider;
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
 * Forward (one denoiser evaluation, the unit of work of a sampler step) and training-step throughput of the DJL
 * backend on the {@code tiny} and {@code fashion} presets, with the float64 {@code reference} oracle's forward pass
 * as the baseline measured in the same run. Per-invocation times are sampled, so medians are reported.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ThroughputBenchmark {
    /** Samples per call. */
    public static final int BATCH = 4;

    @Param({"tiny", "fashion"})
    public String preset;

    private Backend djl;
    private Backend reference;
    private ModelRuntime model;
    private ModelRuntime referenceModel;
    private TrainingSession session;
    private Tensor latents;
    private Tensor timeInput;
    private Tensor classIds;
    private TrainingBatch batch;

    @Setup(Level.Trial)
    public void open() {
        MdmConfig config = MdmConfig.preset(preset);
        Parameters weights = ParameterInitializer.initialize(config, 1);
        djl = new DjlBackendProvider().create(new BackendContext(Device.cpu(), Precision.FP32));
        reference = new ReferenceBackendProvider().create(new BackendContext(Device.cpu(), Precision.FP64));
        model = djl.load(config, weights);
        referenceModel = reference.load(config, weights);
        session = model.train(OptimizerSettings.paper(), null);
        RandomGenerator r = RandomGeneratorFactory.of("L64X128MixRandom").create(7);
        double[] z = new double[BATCH * config.latentTokens() * config.latentDim()];
        for (int i = 0; i < z.length; i++) {
            z[i] = r.nextGaussian();
        }
        latents = Tensor.of(z, BATCH, config.latentTokens(), config.latentDim());
        double[] t = new double[BATCH];
        long[] c = new long[BATCH];
        for (int i = 0; i < BATCH; i++) {
            t[i] = r.nextInt(config.timesteps());
            c[i] = r.nextInt(config.classes() + 1);
        }
        timeInput = Tensor.of(t, BATCH);
        classIds = Tensor.ofLongs(c, BATCH);
        batch = TrainingBatch.random(config, BATCH, null, r);
    }

    @TearDown(Level.Trial)
    public void close() {
        session.close();
        referenceModel.close();
        model.close();
        reference.close();
        djl.close();
    }

    /** @return x̂0 of one batch from the DJL backend */
    @Benchmark
    public Tensor djlForward() {
        return model.denoiser().predict(latents, timeInput, classIds);
    }

    /** @return the loss of one forward, backward, clip, AdamW and EMA step on the DJL backend */
    @Benchmark
    public Object djlTrainStep() {
        return session.step(batch);
    }

    /** @return x̂0 of one batch from the float64 reference oracle: the baseline */
    @Benchmark
    public Tensor referenceForward() {
        return referenceModel.denoiser().predict(latents, timeInput, classIds);
    }
}

package dev.mdm.tck;

import dev.mdm.MdmConfig;
import dev.mdm.model.Denoiser;
import dev.mdm.model.GradientResult;
import dev.mdm.model.LossBreakdown;
import dev.mdm.model.LossFunction;
import dev.mdm.model.MambaBlock;
import dev.mdm.model.MambaMixer;
import dev.mdm.model.MambaShape;
import dev.mdm.model.OptimizerSettings;
import dev.mdm.model.Parameters;
import dev.mdm.model.ScanSwitch;
import dev.mdm.model.SsdRequest;
import dev.mdm.model.TrainingBatch;
import dev.mdm.model.TrainingSession;
import dev.mdm.sampling.Sampler;
import dev.mdm.sampling.SamplerSettings;
import dev.mdm.sampling.SamplingMethod;
import dev.mdm.spi.Availability;
import dev.mdm.spi.Backend;
import dev.mdm.spi.BackendContext;
import dev.mdm.spi.BackendProvider;
import dev.mdm.spi.Capability;
import dev.mdm.spi.ModelRuntime;
import dev.mdm.tck.reference.ReferenceBackendProvider;
import dev.mdm.tensor.Tensor;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Backends that are the reference with exactly one defect each, and a kit class per defect, for {@link KitSelfTest}.
 * The kits run only when the self-test launches them (a run of the whole test directory skips them).
 */
final class BrokenBackends {
    /** The launcher configuration parameter that enables the broken kits. */
    static final String ENABLED = "mdm.tck.selftest";

    private BrokenBackends() {
    }

    /** Disables a broken kit unless {@link KitSelfTest} launched it. */
    static final class OnlyInSelfTest implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return context.getConfigurationParameter(ENABLED).map(Boolean::parseBoolean).orElse(false)
                    ? ConditionEvaluationResult.enabled("launched by the self-test")
                    : ConditionEvaluationResult.disabled("a deliberately broken backend: run it through KitSelfTest");
        }
    }

    /**
     * A provider whose backends are the reference with a defect; with {@code only} set, it opens that precision alone
     * and refuses the others as a real backend does ({@code BackendUnavailableException}); its probe answers as
     * {@code answer} does (ready, unless made with {@link #probed}).
     */
    record BrokenProvider(UnaryOperator<Backend> breaker, dev.mdm.Precision only, Supplier<Availability> answer)
            implements BackendProvider {
        BrokenProvider(UnaryOperator<Backend> breaker) {
            this(breaker, null);
        }

        BrokenProvider(UnaryOperator<Backend> breaker, dev.mdm.Precision only) {
            this(breaker, only, Availability::ready);
        }

        /** @return the reference under the name 'broken', with a probe that answers (or throws) as given */
        static BrokenProvider probed(Supplier<Availability> answer) {
            return new BrokenProvider(UnaryOperator.identity(), null, answer);
        }

        @Override
        public String name() {
            return "broken";
        }

        @Override
        public int priority() {
            return -1;
        }

        @Override
        public Availability probe() {
            return answer.get();
        }

        @Override
        public Backend create(BackendContext context) {
            if (only != null && context.precision() != only) {
                throw new dev.mdm.BackendUnavailableException("backend 'broken' computes in " + only + " only",
                        List.of("asked for " + context.precision()));
            }
            return breaker.apply(new ReferenceBackendProvider().create(context));
        }
    }

    /** The kit run against one broken backend, at the float32 tolerances a real backend gets. */
    @ExtendWith(OnlyInSelfTest.class)
    abstract static class BrokenKit extends BackendCompatibilityKit {
        abstract UnaryOperator<Backend> breaker();

        @Override
        protected BackendProvider provider() {
            return new BrokenProvider(breaker());
        }
    }

    /** A backend that offers FP32 alone, under a kit class that asks for BF16: every rule must be skipped. */
    static final class Bf16NotOffered extends BrokenKit {
        @Override
        UnaryOperator<Backend> breaker() {
            return UnaryOperator.identity();
        }

        @Override
        protected dev.mdm.Precision precision() {
            return dev.mdm.Precision.BF16;
        }

        @Override
        protected BackendProvider provider() {
            return new BrokenProvider(breaker(), dev.mdm.Precision.FP32);
        }
    }

    /** The reference, unbroken, behind a probe that answers (or throws) as {@link #answer} does. */
    abstract static class ProbedKit extends BrokenKit {
        abstract Supplier<Availability> answer();

        @Override
        UnaryOperator<Backend> breaker() {
            return UnaryOperator.identity();
        }

        @Override
        protected BackendProvider provider() {
            return BrokenProvider.probed(answer());
        }
    }

    /** A backend whose probe says it cannot run here, as a GPU backend's does on a machine without a GPU. */
    static final class CannotRunHere extends ProbedKit {
        static final String REASON = "no device of this kind on this machine";

        @Override
        Supplier<Availability> answer() {
            return () -> Availability.unavailable(REASON);
        }
    }

    /** A backend whose probe throws instead of reporting why it cannot run. */
    static final class ProbeThrows extends ProbedKit {
        @Override
        Supplier<Availability> answer() {
            return () -> {
                throw new IllegalStateException("driver query failed");
            };
        }
    }

    /** A provider whose probe answers null, which the SPI does not allow. */
    static final class ProbeReturnsNull extends ProbedKit {
        @Override
        Supplier<Availability> answer() {
            return () -> null;
        }
    }

    /** A backend whose probe passes but which cannot open the kit's defaults (FP32 on its default device). */
    static final class DefaultsRefused extends BrokenKit {
        @Override
        UnaryOperator<Backend> breaker() {
            return UnaryOperator.identity();
        }

        @Override
        protected BackendProvider provider() {
            return new BrokenProvider(breaker(), dev.mdm.Precision.BF16);
        }
    }

    private static Tensor scaled(Tensor t, double factor) {
        double[] v = t.toDoubleArray();
        for (int i = 0; i < v.length; i++) {
            v[i] *= factor;
        }
        return Tensor.of(v, t.shape());
    }

    /** The SSD output is 0.1 % too large. */
    static final class SsdOffByFactor extends BrokenKit {
        @Override
        UnaryOperator<Backend> breaker() {
            return b -> new ForwardingBackend(b) {
                @Override
                public Tensor ssd(SsdRequest request) {
                    return scaled(delegate.ssd(request), 1.001);
                }
            };
        }
    }

    /**
     * ZOH's expm1 as 2·sinh(u/2)·e^{u/2} in float32, as the onnx graph had it until session 20: NaN for every head and
     * token whose ΔA is below −178, where sinh overflows and the exponential underflows.
     */
    static final class ExpM1NanAtStrongDecay extends BrokenKit {
        @Override
        UnaryOperator<Backend> breaker() {
            return b -> new ForwardingBackend(b) {
                @Override
                public Tensor ssd(SsdRequest request) {
                    Tensor y = delegate.ssd(request);
                    if (request.discretization() != dev.mdm.Discretization.ZOH || request.dtBias() != null) {
                        return y;
                    }
                    int[] shape = y.shape();   // [b, l, h, p]
                    double[] v = y.toDoubleArray();
                    double[] dt = request.dt().toDoubleArray();
                    double[] a = request.a().toDoubleArray();
                    int h = shape[2];
                    int p = shape[3];
                    for (int r = 0; r < shape[0] * shape[1]; r++) {
                        for (int head = 0; head < h; head++) {
                            float u = (float) (dt[r * h + head] * a[head]);
                            float expm1 = 2 * (float) Math.sinh(u / 2f) * (float) Math.exp(u / 2f);
                            if (Float.isNaN(expm1)) {
                                java.util.Arrays.fill(v, (r * h + head) * p, (r * h + head + 1) * p, Double.NaN);
                            }
                        }
                    }
                    return Tensor.of(v, shape);
                }
            };
        }
    }

    /** Image scan orders 2 and 3 (column-major and its reverse) are swapped. */
    static final class SwappedScanOrders extends BrokenKit {
        @Override
        UnaryOperator<Backend> breaker() {
            return b -> new ForwardingBackend(b) {
                @Override
                public ScanSwitch scanSwitch(MdmConfig config) {
                    ScanSwitch s = delegate.scanSwitch(config);
                    return new ScanSwitch() {
                        @Override
                        public int[] imageOrder(int order) {
                            return s.imageOrder(order == 2 ? 3 : order == 3 ? 2 : order);
                        }

                        @Override
                        public int[] textOrder(int order) {
                            return s.textOrder(order);
                        }

                        @Override
                        public int[] sequenceOrder(int block) {
                            return s.sequenceOrder(block);
                        }

                        @Override
                        public Tensor permute(int block, Tensor x) {
                            return s.permute(block, x);
                        }

                        @Override
                        public Tensor unpermute(int block, Tensor y) {
                            return s.unpermute(block, y);
                        }
                    };
                }
            };
        }
    }

    /** DPM-Solver skips the second-order correction. */
    static final class FirstOrderDpmSolver extends BrokenKit {
        @Override
        UnaryOperator<Backend> breaker() {
            return b -> new ForwardingBackend(b) {
                @Override
                public Sampler sampler(SamplerSettings settings, double[] betas) {
                    return settings.method() == SamplingMethod.DDPM ? delegate.sampler(settings, betas)
                            : new FirstOrderSampler(settings, betas);
                }
            };
        }
    }

    /** DDPM ignores the seed it is given. */
    static final class SeedIgnored extends BrokenKit {
        @Override
        UnaryOperator<Backend> breaker() {
            return b -> new ForwardingBackend(b) {
                @Override
                public Sampler sampler(SamplerSettings settings, double[] betas) {
                    Sampler s = delegate.sampler(settings, betas);
                    return new Sampler() {
                        @Override
                        public SamplerSettings settings() {
                            return s.settings();
                        }

                        @Override
                        public dev.mdm.sampling.Trajectory sample(Tensor xT, dev.mdm.sampling.DenoisingFunction model,
                                                                  dev.mdm.sampling.Infill infill, long seed) {
                            return s.sample(xT, model, infill, 0);
                        }
                    };
                }
            };
        }
    }

    /** The second close() throws. */
    static final class CloseNotIdempotent extends BrokenKit {
        @Override
        UnaryOperator<Backend> breaker() {
            return b -> new ForwardingBackend(b) {
                private final AtomicBoolean closed = new AtomicBoolean();

                @Override
                public void close() {
                    if (closed.getAndSet(true)) {
                        throw new IllegalStateException("already closed");
                    }
                    delegate.close();
                }
            };
        }
    }

    /** Closing the backend leaves its mixers usable: they belong to a backend nobody closes. */
    static final class CloseDoesNotCascade extends BrokenKit {
        @Override
        UnaryOperator<Backend> breaker() {
            return b -> new ForwardingBackend(b) {
                @Override
                public MambaMixer mambaMixer(MambaShape shape, Parameters weights) {
                    return new ReferenceBackendProvider().create(new BackendContext(device(), precision())).mambaMixer(shape, weights);
                }
            };
        }
    }

    /** NaN in the SSD input gives zeros instead of an error. */
    static final class AcceptsNaN extends BrokenKit {
        @Override
        UnaryOperator<Backend> breaker() {
            return b -> new ForwardingBackend(b) {
                @Override
                public Tensor ssd(SsdRequest request) {
                    for (Tensor t : new Tensor[] {request.x(), request.dt()}) {
                        for (double v : t.toDoubleArray()) {
                            if (!Double.isFinite(v)) {
                                return Tensor.zeros(request.x().shape());
                            }
                        }
                    }
                    return delegate.ssd(request);
                }
            };
        }
    }

    /** Refuses too many sampler steps, but names another argument than steps. */
    static final class StepsNamedOtherwise extends BrokenKit {
        @Override
        UnaryOperator<Backend> breaker() {
            return b -> new ForwardingBackend(b) {
                @Override
                public dev.mdm.sampling.Sampler sampler(dev.mdm.sampling.SamplerSettings settings, double[] betas) {
                    if (settings.steps() > betas.length) {
                        throw new dev.mdm.InvalidInputException("settings", "fewer steps", String.valueOf(settings.steps()));
                    }
                    return delegate.sampler(settings, betas);
                }
            };
        }
    }

    /** SSD outputs carry a little noise that changes from call to call. */
    static final class NonDeterministic extends BrokenKit {
        @Override
        UnaryOperator<Backend> breaker() {
            return b -> new ForwardingBackend(b) {
                private final RandomGenerator noise = RandomGeneratorFactory.of("L64X128MixRandom").create(System.nanoTime());

                @Override
                public Tensor ssd(SsdRequest request) {
                    double[] v = delegate.ssd(request).toDoubleArray();
                    synchronized (noise) {
                        for (int i = 0; i < v.length; i++) {
                            v[i] += 1e-9 * noise.nextGaussian();
                        }
                    }
                    return Tensor.of(v, request.x().shape());
                }
            };
        }
    }

    /** A model whose wrapper breaks one thing; the rest is the reference model. */
    private static UnaryOperator<Backend> withModel(UnaryOperator<ModelRuntime> modelBreaker) {
        return b -> new ForwardingBackend(b) {
            @Override
            public ModelRuntime load(MdmConfig config, Parameters parameters) {
                return modelBreaker.apply(delegate.load(config, parameters));
            }
        };
    }

    /** Runs whole sampling loops on the host, as TaskRunner would: the reference for MDM-SMP-004. */
    static final class WholeRunOnHost extends BrokenKit {
        @Override
        UnaryOperator<Backend> breaker() {
            return wholeRunsOnHost(run -> run);
        }
    }

    /** Runs whole sampling loops that forget the text clamp (decision D15). */
    static final class WholeRunWithoutTextClamp extends BrokenKit {
        @Override
        UnaryOperator<Backend> breaker() {
            return wholeRunsOnHost(run -> new dev.mdm.sampling.SamplingRun(run.settings(), run.betas(), run.xT(),
                    run.infill(), run.classIds(), run.classGuidance(), run.imageGuidance(), false, run.textChoices(),
                    run.projectImage()));
        }
    }

    /** A model that answers every whole sampling run with the host's run of {@code change(run)}. */
    private static UnaryOperator<Backend> wholeRunsOnHost(UnaryOperator<dev.mdm.sampling.SamplingRun> change) {
        return withModel(m -> new ForwardingModelRuntime(m) {
            @Override
            public java.util.Optional<Tensor> sampleWhole(dev.mdm.sampling.SamplingRun run) {
                return java.util.Optional.of(dev.mdm.task.TaskRunner.sampleOnHost(delegate,
                        new dev.mdm.sampling.DpmSolverSampler(run.settings(), run.betas()), change.apply(run), 0));
            }
        });
    }

    /** block(i) indexes an array without checking. */
    static final class UncheckedBlockIndex extends BrokenKit {
        @Override
        UnaryOperator<Backend> breaker() {
            return withModel(m -> new ForwardingModelRuntime(m) {
                private final List<MambaBlock> blocks = new ArrayList<>();

                @Override
                public MambaBlock block(int index) {
                    synchronized (blocks) {
                        if (blocks.isEmpty()) {
                            for (int i = 0; i < delegate.config().blocks(); i++) {
                                blocks.add(delegate.block(i));
                            }
                        }
                        return blocks.get(index);
                    }
                }
            });
        }
    }

    /** The KL term is reported 1 % too large. */
    static final class WrongKlTerm extends BrokenKit {
        @Override
        UnaryOperator<Backend> breaker() {
            return withModel(m -> new ForwardingModelRuntime(m) {
                @Override
                public LossFunction loss() {
                    LossFunction l = delegate.loss();
                    return new LossFunction() {
                        @Override
                        public LossBreakdown compute(TrainingBatch batch) {
                            LossBreakdown r = l.compute(batch);
                            return new LossBreakdown(r.total(), r.imageReconstruction(), r.imageDenoised(), r.textReconstruction(),
                                    r.textDenoised(), r.kl() * 1.01, r.scoreEntropy());
                        }

                        @Override
                        public Tensor scoreEntropy(Tensor zt, Tensor zhat0, Tensor candidates, Tensor alphaBar) {
                            return l.scoreEntropy(zt, zhat0, candidates, alphaBar);
                        }
                    };
                }
            });
        }
    }

    /** parameters() returns latent_out.weight scaled, as a backend that stores it transformed might. */
    static final class CorruptSavedParameters extends BrokenKit {
        @Override
        UnaryOperator<Backend> breaker() {
            return withModel(m -> new ForwardingModelRuntime(m) {
                @Override
                public Parameters parameters() {
                    Parameters p = delegate.parameters();
                    return p.with("latent_out.weight", scaled(p.get("latent_out.weight"), 1.05));
                }
            });
        }
    }

    /** Every denoiser call leaves 1 MiB of native memory behind. */
    static final class LeaksNativeMemory extends BrokenKit {
        private static final List<ByteBuffer> LEAKED = new ArrayList<>();

        @Override
        UnaryOperator<Backend> breaker() {
            return withModel(m -> new ForwardingModelRuntime(m) {
                @Override
                public Denoiser denoiser() {
                    Denoiser d = delegate.denoiser();
                    return (latents, timeInput, classIds) -> {
                        synchronized (LEAKED) {
                            LEAKED.add(ByteBuffer.allocateDirect(1 << 20));
                        }
                        return d.predict(latents, timeInput, classIds);
                    };
                }

                @Override
                public void close() {
                    synchronized (LEAKED) {
                        LEAKED.clear();
                    }
                    delegate.close();
                }
            });
        }
    }

    /** The denoiser keeps its input in a field shared by all threads, as a reused scratch buffer would. */
    static final class SharedScratchBuffer extends BrokenKit {
        @Override
        UnaryOperator<Backend> breaker() {
            return withModel(m -> new ForwardingModelRuntime(m) {
                private volatile Tensor scratch;

                @Override
                public Denoiser denoiser() {
                    Denoiser d = delegate.denoiser();
                    return (latents, timeInput, classIds) -> {
                        scratch = latents;
                        Thread.onSpinWait();
                        try {
                            Thread.sleep(2);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return d.predict(scratch, timeInput, classIds);
                    };
                }
            });
        }
    }

    /** Declares TRAINING but returns zero gradients. */
    static final class ZeroGradients extends BrokenKit {
        @Override
        UnaryOperator<Backend> breaker() {
            return b -> new ForwardingBackend(b) {
                @Override
                public Set<Capability> capabilities() {
                    Set<Capability> c = EnumSet.of(Capability.TRAINING);
                    c.addAll(delegate.capabilities());
                    return c;
                }

                @Override
                public ModelRuntime load(MdmConfig config, Parameters parameters) {
                    return new ForwardingModelRuntime(delegate.load(config, parameters)) {
                        @Override
                        public TrainingSession train(OptimizerSettings settings, Parameters resumeState) {
                            ModelRuntime model = delegate;
                            return new TrainingSession() {
                                private long steps;

                                @Override
                                public GradientResult gradients(TrainingBatch batch) {
                                    Map<String, Tensor> zeros = new LinkedHashMap<>();
                                    model.parameters().asMap().forEach((k, v) -> zeros.put(k, Tensor.zeros(v.shape())));
                                    return new GradientResult(model.loss().compute(batch), Parameters.of(zeros));
                                }

                                @Override
                                public LossBreakdown step(TrainingBatch batch) {
                                    steps++;
                                    return model.loss().compute(batch); // and never updates the weights
                                }

                                @Override
                                public long steps() {
                                    return steps;
                                }

                                @Override
                                public Parameters emaParameters() {
                                    return model.parameters();
                                }

                                @Override
                                public Parameters optimizerState() {
                                    return Parameters.empty();
                                }

                                @Override
                                public void close() {
                                }
                            };
                        }
                    };
                }
            };
        }
    }
}

package dev.mdm.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.mdm.BackendUnavailableException;
import dev.mdm.Device;
import dev.mdm.Discretization;
import dev.mdm.InvalidInputException;
import dev.mdm.MDM;
import dev.mdm.MdmConfig;
import dev.mdm.Precision;
import dev.mdm.checkpoint.Safetensors;
import dev.mdm.checkpoint.SafetensorsFile;
import dev.mdm.model.GradientResult;
import dev.mdm.model.LatentDistribution;
import dev.mdm.model.LossBreakdown;
import dev.mdm.model.MambaMixer;
import dev.mdm.model.MambaShape;
import dev.mdm.model.OptimizerSettings;
import dev.mdm.model.ParameterInitializer;
import dev.mdm.model.ParameterLayout;
import dev.mdm.model.Parameters;
import dev.mdm.model.ScanSwitch;
import dev.mdm.model.SsdRequest;
import dev.mdm.model.TrainingBatch;
import dev.mdm.model.TrainingSession;
import dev.mdm.sampling.DenoisingFunction;
import dev.mdm.sampling.Infill;
import dev.mdm.sampling.Prediction;
import dev.mdm.sampling.SamplerSettings;
import dev.mdm.sampling.SamplingRun;
import dev.mdm.sampling.SamplingMethod;
import dev.mdm.sampling.SolverAlgorithm;
import dev.mdm.sampling.StepGrid;
import dev.mdm.sampling.Trajectory;
import dev.mdm.task.TaskRunner;
import dev.mdm.spi.Availability;
import dev.mdm.spi.Backend;
import dev.mdm.spi.BackendContext;
import dev.mdm.spi.BackendProvider;
import dev.mdm.spi.Capability;
import dev.mdm.spi.ModelRuntime;
import dev.mdm.tck.reference.ReferenceAdamW;
import dev.mdm.tck.reference.ReferenceBackendProvider;
import dev.mdm.tensor.DType;
import dev.mdm.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The technology compatibility kit: proves that a backend computes the function of SPEC.md by running every
 * component on it and on the float64 reference oracle with the same seeded random inputs, and comparing with the
 * tolerances of SPEC §10 for the precision under test. A backend module proves itself with a few lines:
 *
 * <pre>{@code
 * class DjlBackendCompatibilityTest extends BackendCompatibilityKit {
 *     @Override protected BackendProvider provider() { return new DjlBackendProvider(); }
 * }
 * }</pre>
 *
 * <p>Every test carries a rule id of {@link Rules} as its tag and at the start of its display name; the catalogue
 * ({@code mdm-tck/RULES.md}) says what each rule checks and where to look when it fails, and a failed assertion's
 * message starts with the rule id, the kit class and the precision and ends with that note. A rule that needs a
 * capability the backend lacks is skipped with the reason. Inputs are rounded to the precision under test before both
 * backends see them, so the comparison measures computation, not input rounding.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
@ExtendWith(RuleFailureContext.class)
public abstract class BackendCompatibilityKit {
    private static final long SEED = 20_250_611L;

    private final MdmConfig config = MdmConfig.tiny();
    private Backend backend;
    private Backend reference;
    private Tolerance tolerance;
    private Parameters weights;
    private ModelRuntime model;
    private ModelRuntime referenceModel;
    /** Why the backend under test did not open, or null when it did. */
    private String cannotOpen;

    /** @return the provider of the backend under test */
    protected abstract BackendProvider provider();

    /** @return the precision to test in; tolerances follow it (SPEC §10). FP32 unless overridden */
    protected Precision precision() {
        return Precision.FP32;
    }

    /** @return the device to test on; the provider's default unless overridden */
    protected Device device() {
        return provider().defaultDevice();
    }

    @BeforeAll
    final void openBackends() {
        BackendProvider provider = provider();
        Availability availability = probe(provider);
        if (!availability.available()) {
            cannotOpen = "backend '" + provider.name() + "' cannot run here: " + String.join("; ", availability.reasons());
            return;
        }
        try {
            backend = provider.create(new BackendContext(device(), precision()));
        } catch (BackendUnavailableException e) {
            // a precision or device this backend does not offer (a BF16 class on an FP32-only backend): its rules do
            // not apply, which is a skip with the reason. At the defaults, a backend whose probe passed must open:
            // that failure is the backend's, and fails the class
            if (precision() == Precision.FP32 && device().equals(provider.defaultDevice())) {
                throw e;
            }
            cannotOpen = "backend '" + provider.name() + "' cannot open " + precision() + " on " + device() + ": "
                    + e.getMessage() + (e.reasons().isEmpty() ? "" : " (" + String.join("; ", e.reasons()) + ")");
            return;
        }
        reference = new ReferenceBackendProvider().create(new BackendContext(Device.cpu(), Precision.FP64));
        tolerance = Tolerance.of(precision());
    }

    /**
     * A probe that throws breaks the SPI's contract (it reports every reason it cannot run in its answer): that is a
     * defect of the provider, which fails the class, not a machine without the backend's hardware, which would skip
     * every rule and so hide the defect. ({@link dev.mdm.spi.BackendRegistry#probe} turns it into a reason instead,
     * so that one broken provider cannot stop an application choosing another.)
     */
    private static Availability probe(BackendProvider provider) {
        Availability availability;
        try {
            availability = provider.probe();
        } catch (RuntimeException | LinkageError e) {
            throw new AssertionError("probe() of backend '" + provider.name() + "' must report why it cannot run in its "
                    + "Availability, but it threw " + e, e);
        }
        if (availability == null) {
            throw new AssertionError("probe() of backend '" + provider.name() + "' must return an Availability, but "
                    + "returned null");
        }
        return availability;
    }

    /**
     * Skips each rule when the backend did not open. Surefire reports a class aborted in {@code @BeforeAll} as
     * "Tests run: 0" with no reason anywhere, a silent pass; aborting each test instead reports every rule skipped
     * with the reason. It runs before the tests of the nested rule classes too, as an enclosing class's
     * {@code @BeforeEach} does.
     */
    @BeforeEach
    final void skipUnlessOpened() {
        if (cannotOpen != null) {
            Assumptions.abort(cannotOpen);
        }
    }

    @AfterAll
    final void closeBackends() {
        for (AutoCloseable c : new AutoCloseable[] {model, referenceModel, backend, reference}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    // closing is checked by its own rules; here it must not hide the results of the others
                }
            }
        }
    }

    // ---------------------------------------------------------------- shared fixtures

    /** Rounds a float tensor to the grid of the precision under test (kept as F64), so both sides see one input. */
    private Tensor fit(Tensor t) {
        return switch (precision()) {
            case FP64 -> t;
            case FP32 -> t.to(DType.F32).to(DType.F64);
            case BF16 -> t.to(DType.BF16).to(DType.F64);
        };
    }

    private Parameters fit(Parameters p) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        p.asMap().forEach((k, v) -> out.put(k, fit(v.to(DType.F64))));
        return Parameters.of(out);
    }

    private RandomInputs inputs(String rule) {
        return new RandomInputs(SEED, rule);
    }

    /** Initial weights with the norm weights and D perturbed, so that a backend ignoring them cannot pass. */
    private Parameters weights() {
        if (weights == null) {
            RandomInputs in = inputs("weights");
            Parameters p = ParameterInitializer.initialize(config, SEED);
            for (String name : p.names()) {
                if (name.endsWith("norm.weight") || name.endsWith("mixer.D")) {
                    p = p.with(name, in.uniform(0.5, 1.5, p.get(name).shape()));
                }
            }
            weights = fit(p);
        }
        return weights;
    }

    private ModelRuntime model() {
        if (model == null) {
            model = backend.load(config, weights());
        }
        return model;
    }

    private ModelRuntime referenceModel() {
        if (referenceModel == null) {
            referenceModel = reference.load(config, weights());
        }
        return referenceModel;
    }

    private Tensor latents(RandomInputs in, int batch) {
        return fit(in.normal(1, batch, config.latentTokens(), config.latentDim()));
    }

    private Tensor timeInputs(RandomInputs in, int batch) {
        return fit(in.uniform(0, config.timesteps() - 1, batch));
    }

    private Tensor classIds(int batch) {
        long[] ids = new long[batch];
        for (int i = 0; i < batch; i++) {
            ids[i] = i % (config.classes() + 1) == 0 ? config.classes() : i % (config.classes() + 1) - 1;
        }
        return Tensor.ofLongs(ids, batch);
    }

    private void requireCapability(Capability capability, String rule) {
        Assumptions.assumeTrue(backend.capabilities().contains(capability),
                () -> rule + " needs Capability." + capability + ", which backend '" + backend.name() + "' does not declare");
    }

    // ---------------------------------------------------------------- SSD scan

    /** Sizes of one SSD request. */
    private record SsdCase(int batch, int length, int heads, int headDim, int groups, int state, Discretization discretization,
                           boolean withD, boolean withZ, boolean rawDt) {
    }

    private SsdRequest ssdRequest(RandomInputs in, SsdCase c) {
        Tensor x = fit(in.normal(1, c.batch, c.length, c.heads, c.headDim));
        Tensor dt;
        Tensor dtBias = null;
        if (c.rawDt) {
            double[] raw = in.normal(2, c.batch, c.length, c.heads).toDoubleArray();
            raw[0] = 25; // softplus(v) = v above 20
            raw[raw.length - 1] = 21.5;
            dt = fit(Tensor.of(raw, c.batch, c.length, c.heads));
            dtBias = fit(in.uniform(-2, 0.5, c.heads));
        } else {
            dt = fit(in.uniform(0.01, 0.5, c.batch, c.length, c.heads));
        }
        Tensor a = fit(in.uniform(-4, -0.5, c.heads));
        Tensor b = fit(in.normal(1, c.batch, c.length, c.groups, c.state));
        Tensor cc = fit(in.normal(1, c.batch, c.length, c.groups, c.state));
        Tensor d = c.withD ? fit(in.uniform(0.5, 1.5, c.heads)) : null;
        Tensor z = c.withZ ? fit(in.normal(1, c.batch, c.length, c.heads, c.headDim)) : null;
        return new SsdRequest(x, dt, dtBias, a, b, cc, d, z, c.discretization);
    }

    private void assertSsdMatches(String rule, SsdCase c) {
        SsdRequest request = ssdRequest(inputs(rule), c);
        tolerance.assertClose("ssd y for " + c, backend.ssd(request), reference.ssd(request));
    }

    @Nested
    @DisplayName("SSD scan (SPEC §6 step 5)")
    class Ssd {
        @Test
        @Tag(Rules.SSD_RANDOM)
        @DisplayName(Rules.SSD_RANDOM + " the SSD scan matches the oracle on random inputs")
        void randomInputs() {
            assertSsdMatches(Rules.SSD_RANDOM, new SsdCase(2, 16, 4, 8, 1, 8, Discretization.ZOH, true, true, false));
        }

        @Test
        @Tag(Rules.SSD_LENGTH_ONE)
        @DisplayName(Rules.SSD_LENGTH_ONE + " a sequence of length 1 matches the oracle")
        void lengthOne() {
            assertSsdMatches(Rules.SSD_LENGTH_ONE, new SsdCase(2, 1, 4, 8, 1, 8, Discretization.ZOH, true, true, false));
        }

        @Test
        @Tag(Rules.SSD_RAGGED_CHUNK)
        @DisplayName(Rules.SSD_RAGGED_CHUNK + " lengths that are not a multiple of the chunk match the oracle")
        void raggedChunks() {
            assertSsdMatches(Rules.SSD_RAGGED_CHUNK, new SsdCase(2, 13, 4, 8, 1, 8, Discretization.ZOH, true, true, false));
            assertSsdMatches(Rules.SSD_RAGGED_CHUNK + "/37", new SsdCase(1, 37, 2, 4, 1, 4, Discretization.ZOH, true, false, false));
        }

        @Test
        @Tag(Rules.SSD_BATCH_ONE)
        @DisplayName(Rules.SSD_BATCH_ONE + " batch 1 matches the oracle")
        void batchOne() {
            assertSsdMatches(Rules.SSD_BATCH_ONE, new SsdCase(1, 16, 4, 8, 1, 8, Discretization.ZOH, true, true, false));
        }

        @Test
        @Tag(Rules.SSD_GROUPS)
        @DisplayName(Rules.SSD_GROUPS + " several B/C groups shared by consecutive heads match the oracle")
        void groups() {
            assertSsdMatches(Rules.SSD_GROUPS, new SsdCase(2, 12, 6, 4, 3, 4, Discretization.ZOH, true, true, false));
        }

        @Test
        @Tag(Rules.SSD_EULER)
        @DisplayName(Rules.SSD_EULER + " the EULER discretization matches the oracle")
        void euler() {
            assertSsdMatches(Rules.SSD_EULER, new SsdCase(2, 16, 4, 8, 2, 8, Discretization.EULER, true, true, false));
        }

        @Test
        @Tag(Rules.SSD_RAW_DT)
        @DisplayName(Rules.SSD_RAW_DT + " raw dt with dt_bias goes through softplus as the oracle does")
        void rawDt() {
            assertSsdMatches(Rules.SSD_RAW_DT, new SsdCase(2, 10, 4, 8, 1, 8, Discretization.ZOH, true, true, true));
            assertSsdMatches(Rules.SSD_RAW_DT + "/euler", new SsdCase(1, 9, 2, 4, 1, 4, Discretization.EULER, false, false, true));
        }

        @Test
        @Tag(Rules.SSD_OPTIONAL_TERMS)
        @DisplayName(Rules.SSD_OPTIONAL_TERMS + " the D skip and the z gate are each optional")
        void optionalTerms() {
            for (boolean withD : new boolean[] {false, true}) {
                for (boolean withZ : new boolean[] {false, true}) {
                    assertSsdMatches(Rules.SSD_OPTIONAL_TERMS + withD + withZ,
                            new SsdCase(2, 9, 2, 4, 1, 4, Discretization.ZOH, withD, withZ, false));
                }
            }
        }

        @Test
        @Tag(Rules.SSD_LONG)
        @DisplayName(Rules.SSD_LONG + " a long sequence over many chunks with fast and slow decay stays accurate")
        void longSequence() {
            RandomInputs in = inputs(Rules.SSD_LONG);
            int l = 200;
            Tensor x = fit(in.normal(1, 1, l, 4, 4));
            Tensor dt = fit(in.uniform(0.1, 1.0, 1, l, 4));
            Tensor a = Tensor.of(new double[] {-0.01, -0.1, -2, -8}, 4);
            Tensor b = fit(in.normal(1, 1, l, 1, 4));
            Tensor c = fit(in.normal(1, 1, l, 1, 4));
            SsdRequest request = new SsdRequest(x, dt, null, a, b, c, null, null, Discretization.ZOH);
            tolerance.assertClose("ssd y over 200 steps", backend.ssd(request), reference.ssd(request));
        }

        @Test
        @Tag(Rules.SSD_STRONG_DECAY)
        @DisplayName(Rules.SSD_STRONG_DECAY + " very strong decay (ΔA down to −1 200) stays finite and matches the oracle")
        void strongDecay() {
            RandomInputs in = inputs(Rules.SSD_STRONG_DECAY);
            int l = 70;
            Tensor x = fit(in.normal(1, 2, l, 4, 4));
            Tensor dt = fit(in.uniform(0.1, 2.0, 2, l, 4));
            // the shipped fashion model's A reaches −23 with Δ of several units: ΔA of −100 and below
            Tensor a = Tensor.of(new double[] {-0.5, -30, -300, -600}, 4);
            Tensor b = fit(in.normal(1, 2, l, 1, 4));
            Tensor c = fit(in.normal(1, 2, l, 1, 4));
            SsdRequest request = new SsdRequest(x, dt, null, a, b, c, null, null, Discretization.ZOH);
            tolerance.assertClose("ssd y at strong decay", backend.ssd(request), reference.ssd(request));
        }

        @ParameterizedTest(name = Rules.SSD_MIXED_DECAY + " strong then weak decay, {0}")
        @EnumSource(Discretization.class)
        @Tag(Rules.SSD_MIXED_DECAY)
        @DisplayName(Rules.SSD_MIXED_DECAY + " strong then weak decay within a chunk carries an accurate state to the next")
        void mixedDecay(Discretization discretization) {
            RandomInputs in = inputs(Rules.SSD_MIXED_DECAY);
            int l = 128;
            Tensor x = fit(in.normal(1, 1, l, 2, 4));
            double[] dt = new double[l * 2];
            for (int t = 0; t < l; t++) {
                // ΔA = −1 200 for the first 32 tokens, then −0.14 (ZOH); the shipped model's |A| ≤ 23, dt_bias −7…−2
                dt[2 * t] = t < 32 ? 60 : 0.007;
                dt[2 * t + 1] = t < 32 ? 30 : 0.02;
            }
            Tensor a = Tensor.of(new double[] {-20, -5}, 2);
            Tensor b = fit(in.normal(1, 1, l, 1, 4));
            Tensor c = fit(in.normal(1, 1, l, 1, 4));
            SsdRequest request = new SsdRequest(x, fit(Tensor.of(dt, 1, l, 2)), null, a, b, c, null, null, discretization);
            tolerance.assertClose("ssd y, strong then weak decay, " + discretization, backend.ssd(request),
                    reference.ssd(request));
        }
    }

    // ---------------------------------------------------------------- Mamba-2 mixer

    private void assertMixerMatches(String rule, MambaShape shape, int... lengths) {
        RandomInputs in = inputs(rule);
        Parameters w = fit(in.mixerWeights(shape));
        try (MambaMixer tested = backend.mambaMixer(shape, w); MambaMixer oracle = reference.mambaMixer(shape, w)) {
            for (int l : lengths) {
                Tensor u = fit(in.normal(1, 2, l, shape.dModel()));
                tolerance.assertClose("mixer output for length " + l + " and " + shape, tested.forward(u), oracle.forward(u));
            }
        }
    }

    @Nested
    @DisplayName("Mamba-2 mixer (SPEC §6)")
    class Mixer {
        @Test
        @Tag(Rules.MIXER_RANDOM)
        @DisplayName(Rules.MIXER_RANDOM + " the mixer matches the oracle on random weights and inputs")
        void randomWeights() {
            assertMixerMatches(Rules.MIXER_RANDOM, new MambaShape(32, 8, 4, 2, 8, 1, 8, Discretization.ZOH), 16);
        }

        @Test
        @Tag(Rules.MIXER_EULER_GROUPS)
        @DisplayName(Rules.MIXER_EULER_GROUPS + " the mixer with EULER discretization and two groups matches the oracle")
        void eulerAndGroups() {
            assertMixerMatches(Rules.MIXER_EULER_GROUPS, new MambaShape(16, 4, 4, 2, 4, 2, 4, Discretization.EULER), 10);
        }

        @Test
        @Tag(Rules.MIXER_LENGTHS)
        @DisplayName(Rules.MIXER_LENGTHS + " the mixer on lengths 1, 3 and 11 matches the oracle")
        void lengths() {
            assertMixerMatches(Rules.MIXER_LENGTHS, new MambaShape(16, 4, 4, 2, 8, 1, 4, Discretization.ZOH), 1, 3, 11);
        }
    }

    // ---------------------------------------------------------------- scan switch

    @Nested
    @DisplayName("Scan switch (SPEC §5)")
    class Scans {
        private final MdmConfig fourBlocks = config.toBuilder().blocks(4).build();

        @Test
        @Tag(Rules.SCAN_IMAGE_ORDERS)
        @DisplayName(Rules.SCAN_IMAGE_ORDERS + " the four image scan orders equal the oracle's")
        void imageOrders() {
            for (ScanSwitch tested : List.of(backend.scanSwitch(config), model().scanSwitch())) {
                ScanSwitch oracle = reference.scanSwitch(config);
                for (int k = 0; k < 4; k++) {
                    assertThat(tested.imageOrder(k)).as("image order %d", k).containsExactly(oracle.imageOrder(k));
                }
            }
        }

        @Test
        @Tag(Rules.SCAN_TEXT_ORDERS)
        @DisplayName(Rules.SCAN_TEXT_ORDERS + " the two text scan orders equal the oracle's")
        void textOrders() {
            ScanSwitch tested = backend.scanSwitch(config);
            ScanSwitch oracle = reference.scanSwitch(config);
            for (int k = 0; k < 2; k++) {
                assertThat(tested.textOrder(k)).as("text order %d", k).containsExactly(oracle.textOrder(k));
            }
        }

        @Test
        @Tag(Rules.SCAN_PERMUTE)
        @DisplayName(Rules.SCAN_PERMUTE + " the sequence order, permute and unpermute of every block match the oracle and invert each other")
        void permuteAndUnpermute() {
            RandomInputs in = inputs(Rules.SCAN_PERMUTE);
            ScanSwitch tested = backend.scanSwitch(fourBlocks);
            ScanSwitch oracle = reference.scanSwitch(fourBlocks);
            Tensor x = fit(in.normal(1, 2, fourBlocks.sequenceLength(), fourBlocks.dModel()));
            for (int block = 0; block < fourBlocks.blocks(); block++) {
                assertThat(tested.sequenceOrder(block)).as("sequenceOrder(%d) (D13: text span first in odd blocks)", block)
                        .containsExactly(oracle.sequenceOrder(block));
                Tensor permuted = tested.permute(block, x);
                tolerance.assertClose("permute(block " + block + ")", permuted, oracle.permute(block, x));
                tolerance.assertClose("unpermute(block " + block + ")", tested.unpermute(block, x), oracle.unpermute(block, x));
                tolerance.assertClose("unpermute(permute(x)) for block " + block, tested.unpermute(block, permuted), x);
            }
        }

        @Test
        @Tag(Rules.SCAN_NON_SQUARE)
        @DisplayName(Rules.SCAN_NON_SQUARE + " the orders on a non-square patch grid equal the oracle's")
        void nonSquareGrid() {
            MdmConfig tall = config.toBuilder().image(1, 8, 4).build();
            ScanSwitch tested = backend.scanSwitch(tall);
            ScanSwitch oracle = reference.scanSwitch(tall);
            for (int k = 0; k < 4; k++) {
                assertThat(tested.imageOrder(k)).as("image order %d on a 4 × 2 grid", k).containsExactly(oracle.imageOrder(k));
            }
        }
    }

    // ---------------------------------------------------------------- encoder and decoder

    @Nested
    @DisplayName("Encoder and decoder (SPEC §3)")
    class Vae {
        @Test
        @Tag(Rules.ENCODER_IMAGE)
        @DisplayName(Rules.ENCODER_IMAGE + " the image encoder matches the oracle")
        void imageEncoder() {
            RandomInputs in = inputs(Rules.ENCODER_IMAGE);
            Tensor images = fit(in.uniform(-1, 1, 2, config.imageChannels(), config.imageHeight(), config.imageWidth()));
            LatentDistribution tested = model().encoder().encodeImage(images);
            LatentDistribution oracle = referenceModel().encoder().encodeImage(images);
            tolerance.assertClose("image μ", tested.mean(), oracle.mean());
            tolerance.assertClose("image log σ²", tested.logVar(), oracle.logVar());
        }

        @Test
        @Tag(Rules.ENCODER_TEXT)
        @DisplayName(Rules.ENCODER_TEXT + " the text encoder matches the oracle")
        void textEncoder() {
            Tensor tokens = inputs(Rules.ENCODER_TEXT).ids(config.vocabSize(), 2, config.textLength());
            LatentDistribution tested = model().encoder().encodeText(tokens);
            LatentDistribution oracle = referenceModel().encoder().encodeText(tokens);
            tolerance.assertClose("text μ", tested.mean(), oracle.mean());
            tolerance.assertClose("text log σ²", tested.logVar(), oracle.logVar());
        }

        @Test
        @Tag(Rules.DECODER_IMAGE)
        @DisplayName(Rules.DECODER_IMAGE + " the image decoder matches the oracle")
        void imageDecoder() {
            Tensor z = fit(inputs(Rules.DECODER_IMAGE).normal(1, 2, config.imageTokens(), config.latentDim()));
            tolerance.assertClose("decoded image", model().decoder().decodeImage(z), referenceModel().decoder().decodeImage(z));
        }

        @Test
        @Tag(Rules.DECODER_TEXT)
        @DisplayName(Rules.DECODER_TEXT + " the text decoder matches the oracle")
        void textDecoder() {
            Tensor z = fit(inputs(Rules.DECODER_TEXT).normal(1, 2, config.textLength(), config.latentDim()));
            tolerance.assertClose("text logits", model().decoder().decodeText(z), referenceModel().decoder().decodeText(z));
        }
    }

    // ---------------------------------------------------------------- block and denoiser

    @Nested
    @DisplayName("Block and denoiser (SPEC §2, §5)")
    class Network {
        @Test
        @Tag(Rules.BLOCK_FORWARD)
        @DisplayName(Rules.BLOCK_FORWARD + " every block's forward pass matches the oracle")
        void blockForward() {
            Tensor x = fit(inputs(Rules.BLOCK_FORWARD).normal(1, 2, config.sequenceLength(), config.dModel()));
            for (int i = 0; i < config.blocks(); i++) {
                tolerance.assertClose("block " + i + " forward", model().block(i).forward(x), referenceModel().block(i).forward(x));
            }
        }

        @Test
        @Tag(Rules.BLOCK_MIXER)
        @DisplayName(Rules.BLOCK_MIXER + " every block's bare mixer matches the oracle")
        void blockMixer() {
            Tensor u = fit(inputs(Rules.BLOCK_MIXER).normal(1, 2, 9, config.dModel()));
            for (int i = 0; i < config.blocks(); i++) {
                tolerance.assertClose("block " + i + " mixer", model().block(i).mixer(u), referenceModel().block(i).mixer(u));
            }
        }

        @Test
        @Tag(Rules.DENOISER_RANDOM)
        @DisplayName(Rules.DENOISER_RANDOM + " the whole denoiser matches the oracle on random latents, times and classes")
        void denoiser() {
            RandomInputs in = inputs(Rules.DENOISER_RANDOM);
            Tensor z = latents(in, 3);
            Tensor t = timeInputs(in, 3);
            Tensor c = classIds(3);
            tolerance.assertClose("x̂0", model().denoiser().predict(z, t, c), referenceModel().denoiser().predict(z, t, c));
        }

        @Test
        @Tag(Rules.DENOISER_BATCH_ONE)
        @DisplayName(Rules.DENOISER_BATCH_ONE + " the denoiser on a batch of one matches the oracle")
        void denoiserBatchOne() {
            RandomInputs in = inputs(Rules.DENOISER_BATCH_ONE);
            Tensor z = latents(in, 1);
            Tensor t = timeInputs(in, 1);
            Tensor c = Tensor.ofLongs(new long[] {1}, 1);
            tolerance.assertClose("x̂0", model().denoiser().predict(z, t, c), referenceModel().denoiser().predict(z, t, c));
        }
    }

    // ---------------------------------------------------------------- losses

    private TrainingBatch trainingBatch(String rule, double noisedFraction) {
        TrainingBatch b = inputs(rule).trainingBatch(config, 2, noisedFraction);
        return new TrainingBatch(fit(b.images()), b.tokens(), b.classIds(), b.timesteps(), fit(b.vaeNoise()),
                fit(b.diffusionNoise()), b.noised());
    }

    private void assertLossMatches(LossBreakdown tested, LossBreakdown oracle) {
        tolerance.assertClose("total", tested.total(), oracle.total());
        tolerance.assertClose("imageReconstruction", tested.imageReconstruction(), oracle.imageReconstruction());
        tolerance.assertClose("imageDenoised", tested.imageDenoised(), oracle.imageDenoised());
        tolerance.assertClose("textReconstruction", tested.textReconstruction(), oracle.textReconstruction());
        tolerance.assertClose("textDenoised", tested.textDenoised(), oracle.textDenoised());
        tolerance.assertClose("kl", tested.kl(), oracle.kl());
        tolerance.assertClose("scoreEntropy", tested.scoreEntropy(), oracle.scoreEntropy());
    }

    @Nested
    @DisplayName("Losses (SPEC §7)")
    class Losses {
        @Test
        @Tag(Rules.LOSS_TERMS)
        @DisplayName(Rules.LOSS_TERMS + " every loss term matches the oracle when all tokens are noised")
        void allNoised() {
            TrainingBatch batch = trainingBatch(Rules.LOSS_TERMS, 1.0);
            assertLossMatches(model().loss().compute(batch), referenceModel().loss().compute(batch));
        }

        @Test
        @Tag(Rules.LOSS_CONDITIONED)
        @DisplayName(Rules.LOSS_CONDITIONED + " every loss term matches the oracle when only some tokens are noised")
        void partlyNoised() {
            TrainingBatch batch = trainingBatch(Rules.LOSS_CONDITIONED, 0.5);
            assertLossMatches(model().loss().compute(batch), referenceModel().loss().compute(batch));
        }

        @Test
        @Tag(Rules.SCORE_ENTROPY)
        @DisplayName(Rules.SCORE_ENTROPY + " score entropy per token matches the oracle, far-apart candidates included")
        void scoreEntropy() {
            RandomInputs in = inputs(Rules.SCORE_ENTROPY);
            int m = 6;
            int k = config.seCandidates();
            int dz = config.latentDim();
            Tensor zt = fit(in.normal(1, m, dz));
            Tensor zhat0 = fit(in.normal(1, m, dz));
            double[] cand = in.normal(1, m, k, dz).toDoubleArray();
            for (int i = 0; i < k * dz; i++) {
                cand[i] *= 40; // the first token's candidates are far apart: log-softmax must not overflow
            }
            Tensor candidates = fit(Tensor.of(cand, m, k, dz));
            // ᾱ is a schedule value, not an activation: on the float32 grid in every precision below FP64 (the
            // bf16 grid would round 0.9999 to 1, outside (0, 1))
            Tensor alphaBarValues = Tensor.of(new double[] {0.9999, 0.99, 0.7, 0.5, 0.1, 0.001}, m);
            Tensor alphaBar = precision() == Precision.FP64 ? alphaBarValues : alphaBarValues.to(DType.F32).to(DType.F64);
            Tensor oracle = reference.scoreEntropy(zt, zhat0, candidates, alphaBar);
            tolerance.assertClose("se from Backend.scoreEntropy", backend.scoreEntropy(zt, zhat0, candidates, alphaBar), oracle);
            tolerance.assertClose("se from LossFunction.scoreEntropy", model().loss().scoreEntropy(zt, zhat0, candidates, alphaBar), oracle);
        }
    }

    // ---------------------------------------------------------------- samplers

    /**
     * A closed-form denoising function, so that sampler rules test the sampler alone: a smooth, nonlinear,
     * time-dependent map of the state.
     */
    private record AnalyticModel(Prediction predicts) implements DenoisingFunction {
        @Override
        public Tensor predict(Tensor x, double t) {
            double[] v = x.toDoubleArray();
            double[] out = new double[v.length];
            for (int i = 0; i < v.length; i++) {
                out[i] = predicts == Prediction.DATA
                        ? v[i] / (1 + 2 * t) + 0.1 * Math.sin(3 * v[i])
                        : v[i] * t / (1 + t * t) + 0.05 * Math.cos(v[i]);
            }
            return Tensor.of(out, x.shape());
        }
    }

    static Stream<Arguments> dpmSolverCases() {
        List<Arguments> cases = new ArrayList<>();
        for (SamplingMethod method : List.of(SamplingMethod.DPM_SOLVER_2M, SamplingMethod.DPM_SOLVER_2S)) {
            for (SolverAlgorithm algorithm : SolverAlgorithm.values()) {
                for (StepGrid grid : StepGrid.values()) {
                    for (int steps : new int[] {5, 12}) {
                        Prediction p = steps == 5 ? Prediction.DATA : Prediction.NOISE;
                        cases.add(Arguments.of(method, algorithm, grid, steps, p));
                    }
                }
            }
        }
        return cases.stream();
    }

    private void assertTrajectoriesMatch(String what, Trajectory tested, Trajectory oracle) {
        assertThat(tested.states()).as("%s: number of states", what).hasSameSizeAs(oracle.states());
        for (int i = 0; i < oracle.states().size(); i++) {
            Tolerance.FP64.assertClose(what + ": time of state " + i, tested.times().get(i), oracle.times().get(i));
            tolerance.assertClose(what + ": state " + i, tested.states().get(i), oracle.states().get(i));
        }
    }

    @Nested
    @DisplayName("Samplers (SPEC §8)")
    class Samplers {
        private final double[] betas = MDM.betas(config);

        @ParameterizedTest(name = Rules.SAMPLER_DPM + " {0} {1} {2}, {3} steps, {4}-predicting model")
        @MethodSource("dev.mdm.tck.BackendCompatibilityKit#dpmSolverCases")
        @Tag(Rules.SAMPLER_DPM)
        @DisplayName(Rules.SAMPLER_DPM + " DPM-Solver trajectories match the oracle with an analytic model")
        void dpmSolver(SamplingMethod method, SolverAlgorithm algorithm, StepGrid grid, int steps, Prediction predicts) {
            SamplerSettings settings = new SamplerSettings(method, algorithm, grid, steps);
            Tensor xT = fit(inputs(Rules.SAMPLER_DPM).normal(1, 2, 6));
            AnalyticModel m = new AnalyticModel(predicts);
            assertTrajectoriesMatch(settings.toString(), backend.sampler(settings, betas).sample(xT, m, null, 0),
                    reference.sampler(settings, betas).sample(xT, m, null, 0));
        }

        @Test
        @Tag(Rules.SAMPLER_DDPM)
        @DisplayName(Rules.SAMPLER_DDPM + " DDPM with a seed matches the oracle")
        void ddpm() {
            SamplerSettings settings = SamplerSettings.defaults().withMethod(SamplingMethod.DDPM);
            Tensor xT = fit(inputs(Rules.SAMPLER_DDPM).normal(1, 2, 3));
            for (Prediction p : Prediction.values()) {
                AnalyticModel m = new AnalyticModel(p);
                assertTrajectoriesMatch("DDPM, " + p + "-predicting model", backend.sampler(settings, betas).sample(xT, m, null, 77),
                        reference.sampler(settings, betas).sample(xT, m, null, 77));
            }
        }

        @Test
        @Tag(Rules.SAMPLER_INFILL)
        @DisplayName(Rules.SAMPLER_INFILL + " infilling holds the given elements at every step and matches the oracle")
        void infill() {
            RandomInputs in = inputs(Rules.SAMPLER_INFILL);
            Tensor xT = fit(in.normal(1, 2, 6));
            double[] mask = new double[12];
            for (int i = 0; i < mask.length; i += 3) {
                mask[i] = 1;
            }
            Infill infill = new Infill(Tensor.of(mask, 2, 6), fit(in.normal(1, 2, 6)));
            double[] held = infill.values().toDoubleArray();
            for (SamplingMethod method : SamplingMethod.values()) {
                SamplerSettings settings = SamplerSettings.defaults().withMethod(method).withSteps(6);
                AnalyticModel m = new AnalyticModel(Prediction.DATA);
                Trajectory tested = backend.sampler(settings, betas).sample(xT, m, infill, 5);
                for (int s = 0; s < tested.states().size(); s++) {
                    double[] state = tested.states().get(s).toDoubleArray();
                    for (int i = 0; i < mask.length; i += 3) {
                        tolerance.assertClose(method + ": held element " + i + " of state " + s, state[i], held[i]);
                    }
                }
                assertTrajectoriesMatch(method + " with infilling", tested, reference.sampler(settings, betas).sample(xT, m, infill, 5));
            }
        }

        @Test
        @Tag(Rules.SAMPLER_WHOLE_RUN)
        @DisplayName(Rules.SAMPLER_WHOLE_RUN + " a whole sampling run the runtime runs itself gives the host sampler's result over the same model")
        void wholeRun() {
            RandomInputs in = inputs(Rules.SAMPLER_WHOLE_RUN);
            int b = 2;
            int n = config.latentTokens();
            int dz = config.latentDim();
            int imageValues = config.imageTokens() * dz;
            Tensor xT = fit(in.normal(1, b, n, dz));
            Tensor given = fit(in.normal(1, b, n, dz));
            double[] heldImage = new double[b * n * dz];
            for (int i = 0; i < b; i++) {
                java.util.Arrays.fill(heldImage, i * n * dz, i * n * dz + imageValues, 1);
            }
            Infill imageHeld = new Infill(Tensor.of(heldImage, b, n, dz), given);
            double[] noise = fit(in.normal(1, b, config.imageTokens(), dz)).toDoubleArray();
            int none = config.classes();
            List<SamplingRun> runs = List.of(
                    // joint generation: both projections, 8 steps (first order last)
                    new SamplingRun(SamplerSettings.defaults().withSteps(8), betas, xT, null, new long[] {1, none},
                            Double.NaN, null, true, config.vocabSize(), true),
                    // class-conditional images with guidance, in the noise form on the log-SNR grid
                    new SamplingRun(new SamplerSettings(SamplingMethod.DPM_SOLVER_2M, SolverAlgorithm.DPM_SOLVER,
                            StepGrid.LOG_SNR, 12), betas, xT, null, new long[] {0, 2}, 2.5, null, false, 0, true),
                    // captioning: the image held, the text guided on it and clamped among fewer ids than the vocabulary
                    new SamplingRun(SamplerSettings.defaults().withSteps(6), betas, xT, imageHeld, new long[] {none, none},
                            Double.NaN, new SamplingRun.ImageGuidance(1.5, given.toDoubleArray(), noise), true,
                            config.vocabSize() - 3, false));
            int answered = 0;
            for (SamplingRun run : runs) {
                java.util.Optional<Tensor> whole = model().sampleWhole(run);
                if (whole.isPresent()) {
                    answered++;
                    Tensor host = TaskRunner.sampleOnHost(model(), backend.sampler(run.settings(), betas), run, 0);
                    tolerance.assertClose("final state of " + run.settings() + (run.guided() ? ", guided" : ""),
                            whole.get(), host);
                }
            }
            Assumptions.assumeTrue(answered > 0, "the runtime runs no sampling loop itself (ModelRuntime.sampleWhole "
                    + "answered none of " + runs.size() + " runs): tasks run the host sampler");
        }
    }

    // ---------------------------------------------------------------- training

    private double referenceLoss(Parameters p, TrainingBatch batch) {
        try (ModelRuntime m = reference.load(config, p)) {
            return m.loss().compute(batch).total();
        }
    }

    /** θ + s·v over every tensor, in float64. */
    private static Parameters shifted(Parameters theta, Map<String, double[]> direction, double s) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        theta.asMap().forEach((name, t) -> {
            double[] v = t.toDoubleArray();
            double[] d = direction.get(name);
            if (d != null) {
                for (int i = 0; i < v.length; i++) {
                    v[i] += s * d[i];
                }
            }
            out.put(name, Tensor.of(v, t.shape()));
        });
        return Parameters.of(out);
    }

    /** Compares ⟨∇L, v⟩ with the central difference of the reference loss along v. */
    private void assertDirectionalDerivative(String what, Map<String, double[]> gradient, TrainingBatch batch,
                                             Map<String, double[]> direction) {
        double dot = GradientDirections.dot(gradient, direction);
        double eps = 1e-4;
        double central = (referenceLoss(shifted(weights(), direction, eps), batch)
                - referenceLoss(shifted(weights(), direction, -eps), batch)) / (2 * eps);
        double allowed = tolerance.gradient() * Math.max(Math.abs(central), Math.abs(dot)) + 1e-9;
        assertThat(Math.abs(dot - central))
                .as("%s: ⟨∇L, v⟩ = %.12g from the backend, central difference of the reference loss = %.12g", what, dot, central)
                .isLessThanOrEqualTo(allowed);
    }

    /** Random unit-norm direction over the given parameters, informative for the backend's gradient (D19). */
    private Map<String, double[]> direction(RandomInputs in, List<String> names, Map<String, double[]> gradient) {
        return GradientDirections.draw(in.generator(), names, gradient);
    }

    /** The backend's gradient, flat per parameter, after checking that it names every parameter in its shape. */
    private Map<String, double[]> flatGradient(Parameters gradients) {
        assertThat(gradients.names()).as("gradient names").containsExactlyInAnyOrderElementsOf(weights().names());
        Map<String, double[]> m = new LinkedHashMap<>();
        for (String name : weights().names()) {
            assertThat(gradients.get(name).shape()).as("shape of the gradient of '%s'", name)
                    .containsExactly(weights().get(name).shape());
            m.put(name, gradients.get(name).toDoubleArray());
        }
        return m;
    }

    private GradientResult backendGradients(TrainingBatch batch) {
        try (ModelRuntime m = backend.load(config, weights());
             TrainingSession session = m.train(OptimizerSettings.paper(), null)) {
            return session.gradients(batch);
        }
    }

    @Nested
    @DisplayName("Training (needs Capability.TRAINING)")
    class Training {
        @Test
        @Tag(Rules.GRADIENT_DIRECTIONAL)
        @DisplayName(Rules.GRADIENT_DIRECTIONAL + " directional derivatives of the loss match central differences of the reference loss")
        void directionalDerivatives() {
            requireCapability(Capability.TRAINING, Rules.GRADIENT_DIRECTIONAL);
            TrainingBatch batch = trainingBatch(Rules.GRADIENT_DIRECTIONAL, 0.7);
            GradientResult result = backendGradients(batch);
            Map<String, double[]> gradient = flatGradient(result.gradients());
            tolerance.assertClose("loss reported with the gradient", result.loss().total(), referenceLoss(weights(), batch));
            RandomInputs in = inputs(Rules.GRADIENT_DIRECTIONAL);
            for (int k = 0; k < 3; k++) {
                assertDirectionalDerivative("random direction " + k, gradient, batch,
                        direction(in, new ArrayList<>(weights().names()), gradient));
            }
        }

        @Test
        @Tag(Rules.GRADIENT_PER_PARAMETER)
        @DisplayName(Rules.GRADIENT_PER_PARAMETER + " the gradient of every parameter tensor matches central differences")
        void perParameter() {
            requireCapability(Capability.TRAINING, Rules.GRADIENT_PER_PARAMETER);
            TrainingBatch batch = trainingBatch(Rules.GRADIENT_PER_PARAMETER, 0.7);
            GradientResult result = backendGradients(batch);
            RandomInputs in = inputs(Rules.GRADIENT_PER_PARAMETER);
            Map<String, double[]> gradient = flatGradient(result.gradients());
            for (String name : weights().names()) {
                assertDirectionalDerivative("gradient of '" + name + "'", gradient, batch,
                        direction(in, List.of(name), gradient));
            }
        }

        @Test
        @Tag(Rules.OPTIMIZER_STEP)
        @DisplayName(Rules.OPTIMIZER_STEP + " one AdamW step with clipping, decay and EMA matches ReferenceAdamW")
        void optimizerStep() {
            requireCapability(Capability.TRAINING, Rules.OPTIMIZER_STEP);
            TrainingBatch batch = trainingBatch(Rules.OPTIMIZER_STEP, 0.7);
            // ε = 1e-4 keeps the first Adam step (≈ lr·sign(g)) well conditioned for gradients near zero
            OptimizerSettings settings = new OptimizerSettings(1e-3, 0.9, 0.999, 1e-4, 0.1, 0.05, 0.9);
            try (ModelRuntime m = backend.load(config, weights());
                 TrainingSession session = m.train(settings, null)) {
                Parameters gradient = session.gradients(batch).gradients();
                session.step(batch);
                ReferenceAdamW.Step expected = new ReferenceAdamW(settings).step(weights(), gradient, null);
                assertThat(session.steps()).as("steps after one step").isEqualTo(1);
                Parameters updated = m.parameters();
                Parameters ema = session.emaParameters();
                for (String name : weights().names()) {
                    tolerance.assertClose("'" + name + "' after one step", updated.get(name), expected.parameters().get(name));
                    tolerance.assertClose("EMA of '" + name + "'", ema.get(name), expected.ema().get(name));
                }
            }
        }
    }

    // ---------------------------------------------------------------- checkpoints

    @Nested
    @DisplayName("Checkpoints (SPEC §12)")
    class Checkpoints {
        @Test
        @Tag(Rules.CHECKPOINT_ROUND_TRIP)
        @DisplayName(Rules.CHECKPOINT_ROUND_TRIP + " weights saved from the backend load into the reference and give the same outputs")
        void roundTrip(@TempDir Path dir) {
            Path file = dir.resolve("backend.safetensors");
            Safetensors.write(file, model().parameters().asMap(), Map.of("mdm.backend", backend.name()));
            SafetensorsFile read = Safetensors.read(file);
            RandomInputs in = inputs(Rules.CHECKPOINT_ROUND_TRIP);
            Tensor z = latents(in, 2);
            Tensor t = timeInputs(in, 2);
            Tensor c = classIds(2);
            try (ModelRuntime reloaded = reference.load(config, Parameters.of(read.tensors()))) {
                tolerance.assertClose("x̂0 of the reference with the saved weights", model().denoiser().predict(z, t, c),
                        reloaded.denoiser().predict(z, t, c));
            }
        }

        @Test
        @Tag(Rules.CHECKPOINT_PARAMETERS)
        @DisplayName(Rules.CHECKPOINT_PARAMETERS + " parameters() returns the loaded weights under their SPEC names")
        void parameters() {
            Parameters p = model().parameters();
            assertThat(p.names()).as("parameter names").containsExactlyInAnyOrderElementsOf(ParameterLayout.of(config).keySet());
            for (String name : p.names()) {
                tolerance.assertClose("parameter '" + name + "'", p.get(name), weights().get(name));
            }
        }
    }

    // ---------------------------------------------------------------- determinism

    @Nested
    @DisplayName("Determinism")
    class Determinism {
        @Test
        @Tag(Rules.DETERMINISM_MODEL)
        @DisplayName(Rules.DETERMINISM_MODEL + " the same input gives bit-identical outputs twice")
        void sameOutputs() {
            RandomInputs in = inputs(Rules.DETERMINISM_MODEL);
            SsdRequest request = ssdRequest(in, new SsdCase(2, 11, 4, 8, 1, 8, Discretization.ZOH, true, true, false));
            assertThat(backend.ssd(request).contentEquals(backend.ssd(request))).as("ssd twice").isTrue();
            Tensor u = fit(in.normal(1, 2, 7, config.dModel()));
            assertThat(model().block(0).mixer(u).contentEquals(model().block(0).mixer(u))).as("mixer twice").isTrue();
            Tensor z = latents(in, 2);
            Tensor t = timeInputs(in, 2);
            Tensor c = classIds(2);
            assertThat(model().denoiser().predict(z, t, c).contentEquals(model().denoiser().predict(z, t, c)))
                    .as("denoiser twice").isTrue();
        }

        @Test
        @Tag(Rules.DETERMINISM_SAMPLER)
        @DisplayName(Rules.DETERMINISM_SAMPLER + " a sampler with the same seed repeats itself and another seed does not")
        void sameSeed() {
            double[] betas = MDM.betas(config);
            Tensor xT = fit(inputs(Rules.DETERMINISM_SAMPLER).normal(1, 2, 3));
            AnalyticModel m = new AnalyticModel(Prediction.DATA);
            var ddpm = backend.sampler(SamplerSettings.defaults().withMethod(SamplingMethod.DDPM), betas);
            assertThat(ddpm.sample(xT, m, null, 9).last().contentEquals(ddpm.sample(xT, m, null, 9).last()))
                    .as("DDPM twice with seed 9").isTrue();
            assertThat(ddpm.sample(xT, m, null, 9).last().contentEquals(ddpm.sample(xT, m, null, 10).last()))
                    .as("DDPM with seeds 9 and 10 gives the same sample").isFalse();
            var dpm = backend.sampler(SamplerSettings.defaults().withSteps(8), betas);
            assertThat(dpm.sample(xT, m, null, 1).last().contentEquals(dpm.sample(xT, m, null, 2).last()))
                    .as("DPM-Solver twice").isTrue();
        }
    }

    // ---------------------------------------------------------------- bad input

    private static void assertRejected(String what, Runnable call) {
        // not assertThatThrownBy: it fails before its description applies when nothing is thrown, and then the
        // message would not say which input the backend accepted
        assertThat(catchThrowable(call::run)).as("%s must throw InvalidInputException", what).isInstanceOf(InvalidInputException.class);
    }

    private static Tensor withValue(Tensor t, int index, double value) {
        double[] v = t.toDoubleArray();
        v[index] = value;
        return Tensor.of(v, t.shape());
    }

    @Nested
    @DisplayName("Bad input")
    class BadInput {
        @Test
        @Tag(Rules.BAD_SHAPES)
        @DisplayName(Rules.BAD_SHAPES + " wrong shapes get InvalidInputException")
        void wrongShapes() {
            RandomInputs in = inputs(Rules.BAD_SHAPES);
            MambaShape shape = MambaShape.of(config);
            try (MambaMixer mixer = backend.mambaMixer(shape, fit(in.mixerWeights(shape)))) {
                assertRejected("mixer input of width d − 1", () -> mixer.forward(in.normal(1, 1, 4, config.dModel() - 1)));
                assertRejected("mixer input of rank 2", () -> mixer.forward(in.normal(1, 4, config.dModel())));
            }
            assertRejected("an image one pixel narrow", () -> model().encoder().encodeImage(
                    in.uniform(-1, 1, 1, config.imageChannels(), config.imageHeight(), config.imageWidth() - 1)));
            assertRejected("one token too many", () -> model().encoder().encodeText(in.ids(config.vocabSize(), 1, config.textLength() + 1)));
            assertRejected("latents with one image token too many", () -> model().decoder().decodeImage(
                    in.normal(1, 1, config.imageTokens() + 1, config.latentDim())));
            assertRejected("latents of the wrong width", () -> model().denoiser().predict(
                    in.normal(1, 2, config.latentTokens(), config.latentDim() + 1), timeInputs(in, 2), classIds(2)));
            assertRejected("time inputs for another batch size", () -> model().denoiser().predict(
                    latents(in, 2), timeInputs(in, 3), classIds(2)));
            assertRejected("a block input one token short", () -> model().block(0).forward(
                    in.normal(1, 1, config.sequenceLength() - 1, config.dModel())));
            int dz = config.latentDim();
            assertRejected("score entropy with mismatched token counts", () -> backend.scoreEntropy(
                    in.normal(1, 3, dz), in.normal(1, 2, dz), in.normal(1, 3, 4, dz), Tensor.of(new double[] {0.5, 0.5, 0.5}, 3)));
        }

        @Test
        @Tag(Rules.BAD_NON_FINITE)
        @DisplayName(Rules.BAD_NON_FINITE + " NaN and infinite inputs get InvalidInputException")
        void nonFinite() {
            RandomInputs in = inputs(Rules.BAD_NON_FINITE);
            SsdRequest good = ssdRequest(in, new SsdCase(1, 4, 2, 4, 1, 4, Discretization.ZOH, true, true, false));
            assertRejected("an SSD x with NaN", () -> backend.ssd(new SsdRequest(withValue(good.x(), 3, Double.NaN), good.dt(),
                    null, good.a(), good.b(), good.c(), good.d(), good.z(), good.discretization())));
            assertRejected("an SSD dt with +∞", () -> backend.ssd(new SsdRequest(good.x(), withValue(good.dt(), 1, Double.POSITIVE_INFINITY),
                    null, good.a(), good.b(), good.c(), good.d(), good.z(), good.discretization())));
            MambaShape shape = MambaShape.of(config);
            try (MambaMixer mixer = backend.mambaMixer(shape, fit(in.mixerWeights(shape)))) {
                assertRejected("a mixer input with NaN", () -> mixer.forward(withValue(in.normal(1, 1, 4, config.dModel()), 5, Double.NaN)));
            }
            Tensor image = in.uniform(-1, 1, 1, config.imageChannels(), config.imageHeight(), config.imageWidth());
            assertRejected("an image with NaN", () -> model().encoder().encodeImage(withValue(image, 7, Double.NaN)));
            assertRejected("latents with −∞", () -> model().denoiser().predict(
                    withValue(latents(in, 2), 11, Double.NEGATIVE_INFINITY), timeInputs(in, 2), classIds(2)));
            assertRejected("a time input with NaN", () -> model().denoiser().predict(
                    latents(in, 2), withValue(timeInputs(in, 2), 1, Double.NaN), classIds(2)));
            assertRejected("a sampler start with NaN", () -> backend.sampler(SamplerSettings.defaults().withSteps(3), MDM.betas(config))
                    .sample(withValue(in.normal(1, 2, 3), 2, Double.NaN), new AnalyticModel(Prediction.DATA), null, 0));
        }

        @Test
        @Tag(Rules.BAD_IDS)
        @DisplayName(Rules.BAD_IDS + " token and class ids out of range get InvalidInputException")
        void idsOutOfRange() {
            RandomInputs in = inputs(Rules.BAD_IDS);
            Tensor tokens = in.ids(config.vocabSize(), 1, config.textLength());
            assertRejected("token id V", () -> model().encoder().encodeText(withValue(tokens, 2, config.vocabSize()).to(DType.I64)));
            assertRejected("token id −1", () -> model().encoder().encodeText(withValue(tokens, 0, -1).to(DType.I64)));
            assertRejected("class id classes + 1", () -> model().denoiser().predict(latents(in, 1), timeInputs(in, 1),
                    Tensor.ofLongs(new long[] {config.classes() + 1}, 1)));
            assertRejected("class id −1", () -> model().denoiser().predict(latents(in, 1), timeInputs(in, 1),
                    Tensor.ofLongs(new long[] {-1}, 1)));
            TrainingBatch b = trainingBatch(Rules.BAD_IDS, 1.0);
            TrainingBatch badTokens = new TrainingBatch(b.images(), withValue(b.tokens(), 0, config.vocabSize()).to(DType.I64),
                    b.classIds(), b.timesteps(), b.vaeNoise(), b.diffusionNoise(), b.noised());
            assertRejected("a training batch with token id V", () -> model().loss().compute(badTokens));
        }

        @Test
        @Tag(Rules.BAD_BLOCK_INDEX)
        @DisplayName(Rules.BAD_BLOCK_INDEX + " a block index out of range gets InvalidInputException")
        void blockIndex() {
            assertRejected("block(blocks)", () -> model().block(config.blocks()));
            assertRejected("block(−1)", () -> model().block(-1));
        }

        @Test
        @Tag(Rules.BAD_PARAMETERS)
        @DisplayName(Rules.BAD_PARAMETERS + " missing, extra or misshaped parameters get InvalidInputException")
        void badParameters() {
            Map<String, Tensor> missing = new LinkedHashMap<>(weights().asMap());
            missing.remove("latent_in.weight");
            assertRejected("parameters without latent_in.weight", () -> backend.load(config, Parameters.of(missing)).close());
            assertRejected("parameters with an extra tensor",
                    () -> backend.load(config, weights().with("extra", Tensor.zeros(2))).close());
            assertRejected("a misshaped norm_f.weight",
                    () -> backend.load(config, weights().with("norm_f.weight", Tensor.zeros(config.dModel() + 1))).close());
            MambaShape shape = MambaShape.of(config);
            Parameters mixer = inputs(Rules.BAD_PARAMETERS).mixerWeights(shape);
            Map<String, Tensor> noD = new LinkedHashMap<>(mixer.asMap());
            noD.remove("D");
            assertRejected("mixer weights without D", () -> backend.mambaMixer(shape, Parameters.of(noD)).close());
        }

        @Test
        @Tag(Rules.BAD_SAMPLER_STEPS)
        @DisplayName(Rules.BAD_SAMPLER_STEPS + " more DPM-Solver steps than T get InvalidInputException naming steps")
        void samplerSteps() {
            double[] betas = MDM.betas(config);
            for (SamplingMethod method : List.of(SamplingMethod.DPM_SOLVER_2M, SamplingMethod.DPM_SOLVER_2S)) {
                SamplerSettings tooMany = SamplerSettings.defaults().withMethod(method).withSteps(betas.length + 1);
                Throwable thrown = catchThrowable(() -> backend.sampler(tooMany, betas));
                assertThat(thrown).as("%s with T + 1 steps must throw InvalidInputException", method)
                        .isInstanceOf(InvalidInputException.class);
                assertThat(((InvalidInputException) thrown).argument()).as("the argument %s names", method).isEqualTo("steps");
                assertThat(backend.sampler(tooMany.withSteps(betas.length), betas).settings().steps())
                        .as("%s with T steps", method).isEqualTo(betas.length);
            }
        }
    }

    // ---------------------------------------------------------------- resources and threads

    private Backend freshBackend() {
        return provider().create(new BackendContext(device(), precision()));
    }

    @Nested
    @DisplayName("Resources and threads")
    class Resources {
        @Test
        @Tag(Rules.CLOSE_IDEMPOTENT)
        @DisplayName(Rules.CLOSE_IDEMPOTENT + " close() can be called twice on a backend, a model and a mixer")
        void closeTwice() {
            Backend b = freshBackend();
            ModelRuntime m = b.load(config, weights());
            MambaShape shape = MambaShape.of(config);
            MambaMixer mixer = b.mambaMixer(shape, fit(inputs(Rules.CLOSE_IDEMPOTENT).mixerWeights(shape)));
            assertThatCode(() -> {
                mixer.close();
                mixer.close();
            }).as("closing a mixer twice").doesNotThrowAnyException();
            assertThatCode(() -> {
                m.close();
                m.close();
            }).as("closing a model twice").doesNotThrowAnyException();
            assertThatCode(() -> {
                b.close();
                b.close();
            }).as("closing a backend twice").doesNotThrowAnyException();
        }

        @Test
        @Tag(Rules.USE_AFTER_CLOSE)
        @DisplayName(Rules.USE_AFTER_CLOSE + " using a closed backend, model or mixer throws IllegalStateException")
        void useAfterClose() {
            RandomInputs in = inputs(Rules.USE_AFTER_CLOSE);
            Backend b = freshBackend();
            ModelRuntime m = b.load(config, weights());
            MambaShape shape = MambaShape.of(config);
            MambaMixer mixer = b.mambaMixer(shape, fit(in.mixerWeights(shape)));
            mixer.close();
            assertThatThrownBy(() -> mixer.forward(in.normal(1, 1, 3, config.dModel())))
                    .as("a closed mixer").isInstanceOf(IllegalStateException.class).hasMessageMatching("(?s).*\\S.*");
            m.close();
            assertThatThrownBy(() -> m.denoiser().predict(latents(in, 1), timeInputs(in, 1), classIds(1)))
                    .as("a closed model").isInstanceOf(IllegalStateException.class).hasMessageMatching("(?s).*\\S.*");
            b.close();
            SsdRequest request = ssdRequest(in, new SsdCase(1, 3, 2, 4, 1, 4, Discretization.ZOH, false, false, false));
            assertThatThrownBy(() -> b.ssd(request))
                    .as("a closed backend").isInstanceOf(IllegalStateException.class).hasMessageMatching("(?s).*\\S.*");
        }

        @Test
        @Tag(Rules.CLOSE_CASCADES)
        @DisplayName(Rules.CLOSE_CASCADES + " closing a backend closes the models and mixers it created")
        void closeCascades() {
            RandomInputs in = inputs(Rules.CLOSE_CASCADES);
            Backend b = freshBackend();
            ModelRuntime m = b.load(config, weights());
            MambaShape shape = MambaShape.of(config);
            MambaMixer mixer = b.mambaMixer(shape, fit(in.mixerWeights(shape)));
            b.close();
            assertThatThrownBy(() -> m.denoiser().predict(latents(in, 1), timeInputs(in, 1), classIds(1)))
                    .as("a model of a closed backend").isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> mixer.forward(in.normal(1, 1, 3, config.dModel())))
                    .as("a mixer of a closed backend").isInstanceOf(IllegalStateException.class);
        }

        @Test
        @Tag(Rules.NATIVE_MEMORY)
        @DisplayName(Rules.NATIVE_MEMORY + " native memory does not grow over 200 repeated forward passes")
        void noNativeGrowth() {
            Assumptions.assumeTrue(NativeMemoryProbe.available(), Rules.NATIVE_MEMORY + " reads /proc/self/statm, which this OS lacks");
            RandomInputs in = inputs(Rules.NATIVE_MEMORY);
            Tensor z = latents(in, 4);
            Tensor t = timeInputs(in, 4);
            Tensor c = classIds(4);
            // long enough that the leaked activations of one pass (≈ 1 MB in float32) adds up to far more than the slack
            Tensor u = fit(in.normal(1, 2, 256, config.dModel()));
            Runnable pass = () -> {
                model().denoiser().predict(z, t, c);
                model().block(1).mixer(u);
            };
            for (int i = 0; i < 50; i++) {
                pass.run();
            }
            // two windows of 200 passes: a leak grows the RSS in both, a one-time step of a native allocator (a new
            // arena, a grown pool) in one at most; the smaller growth is the one that must stay within the slack
            NativeMemoryProbe.Snapshot before = NativeMemoryProbe.snapshot();
            for (int i = 0; i < 200; i++) {
                pass.run();
            }
            NativeMemoryProbe.Snapshot middle = NativeMemoryProbe.snapshot();
            for (int i = 0; i < 200; i++) {
                pass.run();
            }
            NativeMemoryProbe.Snapshot after = NativeMemoryProbe.snapshot();
            long first = NativeMemoryProbe.nativeGrowth(before, middle);
            long second = NativeMemoryProbe.nativeGrowth(middle, after);
            assertThat(Math.min(first, second))
                    .as("growth of resident memory outside the Java heap in the smaller of two windows of 200 passes, "
                            + "bytes (allowed: %d MiB); snapshots %s, %s, %s", NativeMemoryProbe.SLACK_MIB, before, middle,
                            after)
                    .isLessThanOrEqualTo(NativeMemoryProbe.SLACK_MIB * 1024L * 1024L);
        }

        @Test
        @Tag(Rules.CONCURRENT_INFERENCE)
        @DisplayName(Rules.CONCURRENT_INFERENCE + " inference from 4 threads gives the results of sequential calls")
        void concurrentInference() throws Exception {
            RandomInputs in = inputs(Rules.CONCURRENT_INFERENCE);
            int calls = 6;
            List<Function<Integer, Tensor>> work = new ArrayList<>();
            List<Tensor> sequential = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                Tensor z = latents(in, 2);
                Tensor t = timeInputs(in, 2);
                SsdRequest request = ssdRequest(in, new SsdCase(1, 9, 2, 4, 1, 4, Discretization.ZOH, true, true, false));
                work.add(k -> model().denoiser().predict(z, t, classIds(2)));
                work.add(k -> backend.ssd(request));
            }
            for (Function<Integer, Tensor> w : work) {
                sequential.add(w.apply(0));
            }
            int threads = 4;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<List<Tensor>>> futures = new ArrayList<>();
                for (int th = 0; th < threads; th++) {
                    int offset = th;
                    futures.add(pool.submit(() -> {
                        start.await();
                        List<Tensor> out = new ArrayList<>();
                        for (int i = 0; i < work.size(); i++) {
                            out.add(work.get((i + offset) % work.size()).apply(i));
                        }
                        return out;
                    }));
                }
                start.countDown();
                for (int th = 0; th < threads; th++) {
                    List<Tensor> out = futures.get(th).get(2, TimeUnit.MINUTES);
                    for (int i = 0; i < work.size(); i++) {
                        int call = (i + th) % work.size();
                        tolerance.assertClose("thread " + th + ", call " + call, out.get(i), sequential.get(call));
                    }
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }
}

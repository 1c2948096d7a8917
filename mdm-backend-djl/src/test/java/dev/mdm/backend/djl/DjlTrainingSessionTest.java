package dev.mdm.backend.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mdm.InvalidInputException;
import dev.mdm.MdmConfig;
import dev.mdm.Precision;
import dev.mdm.model.OptimizerSettings;
import dev.mdm.model.ParameterInitializer;
import dev.mdm.model.Parameters;
import dev.mdm.model.TrainingBatch;
import dev.mdm.model.TrainingSession;
import dev.mdm.spi.ModelRuntime;
import dev.mdm.tensor.DType;
import dev.mdm.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A DJL training session")
class DjlTrainingSessionTest {
    private static final MdmConfig CONFIG = MdmConfig.tiny();
    private static final Parameters WEIGHTS = ParameterInitializer.initialize(CONFIG, 5);
    /** Clipping active (the gradient norm is far above 0.05) and weight decay on. */
    private static final OptimizerSettings SETTINGS = new OptimizerSettings(1e-3, 0.9, 0.999, 1e-6, 0.1, 0.05, 0.9);
    private static DjlBackend fp32;
    private static DjlBackend fp64;

    @BeforeAll
    static void open() {
        fp32 = Fixtures.backend(Precision.FP32);
        fp64 = Fixtures.backend(Precision.FP64);
    }

    @AfterAll
    static void close() {
        fp32.close();
        fp64.close();
    }

    private static TrainingBatch batch(long seed) {
        double[] mask = new double[2 * CONFIG.latentTokens()];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = i % 3 == 0 ? 0 : 1;
        }
        return Fixtures.batch(CONFIG, 2, seed, mask);
    }

    @Test
    @DisplayName("takes two AdamW steps exactly as PyTorch's formula computed by hand (clip, decay for rank >= 2, bias correction, EMA)")
    void twoStepsMatchTheFormula() {
        try (ModelRuntime model = fp64.load(CONFIG, WEIGHTS); TrainingSession session = model.train(SETTINGS, null)) {
            Map<String, double[]> theta = doubles(WEIGHTS);
            Map<String, double[]> ema = doubles(WEIGHTS);
            Map<String, double[]> m = zeros(WEIGHTS);
            Map<String, double[]> v = zeros(WEIGHTS);
            for (int t = 1; t <= 2; t++) {
                TrainingBatch b = batch(t);
                Parameters g = session.gradients(b).gradients();
                if (t == 1) {
                    assertThat(doubles(model.parameters())).as("gradients() leaves the weights alone")
                            .allSatisfy((k, x) -> assertThat(x).containsExactly(theta.get(k)));
                }
                double norm = 0;
                for (Tensor x : g.asMap().values()) {
                    for (double d : x.toDoubleArray()) {
                        norm += d * d;
                    }
                }
                double scale = Math.min(1, SETTINGS.gradClipNorm() / (Math.sqrt(norm) + 1e-6));
                assertThat(scale).as("clipping is active").isLessThan(1);
                for (String name : WEIGHTS.names()) {
                    double[] th = theta.get(name);
                    double[] gr = g.get(name).toDoubleArray();
                    boolean decays = WEIGHTS.get(name).rank() >= 2;
                    for (int i = 0; i < th.length; i++) {
                        double gi = gr[i] * scale;
                        if (decays) {
                            th[i] *= 1 - SETTINGS.learningRate() * SETTINGS.weightDecay();
                        }
                        m.get(name)[i] = 0.9 * m.get(name)[i] + 0.1 * gi;
                        v.get(name)[i] = 0.999 * v.get(name)[i] + 0.001 * gi * gi;
                        double mHat = m.get(name)[i] / (1 - Math.pow(0.9, t));
                        double vHat = v.get(name)[i] / (1 - Math.pow(0.999, t));
                        th[i] -= SETTINGS.learningRate() * mHat / (Math.sqrt(vHat) + SETTINGS.epsilon());
                        ema.get(name)[i] = 0.9 * ema.get(name)[i] + 0.1 * th[i];
                    }
                }
                session.step(b);
            }
            assertThat(session.steps()).isEqualTo(2);
            assertClose(doubles(model.parameters()), theta);
            assertClose(doubles(session.emaParameters()), ema);
            Parameters state = session.optimizerState();
            assertClose(doubles(state.withPrefixRemoved("adam.m.")), m);
            assertClose(doubles(state.withPrefixRemoved("adam.v.")), v);
        }
    }

    @Test
    @DisplayName("resumes from its optimizer state and continues bit-identically to an uninterrupted run")
    void resumesExactly() {
        Parameters afterThree;
        Parameters state;
        Parameters uninterrupted;
        Parameters uninterruptedEma;
        try (ModelRuntime model = fp32.load(CONFIG, WEIGHTS); TrainingSession session = model.train(SETTINGS, null)) {
            for (int s = 0; s < 3; s++) {
                session.step(batch(10 + s));
            }
            afterThree = model.parameters();
            state = session.optimizerState();
            for (int s = 3; s < 5; s++) {
                session.step(batch(10 + s));
            }
            uninterrupted = model.parameters();
            uninterruptedEma = session.emaParameters();
        }
        assertThat(state.get("adam.step").dtype()).isEqualTo(DType.I64);
        assertThat(state.get("adam.step").rank()).isZero();
        assertThat(state.get("adam.step").getLong(0)).isEqualTo(3);
        assertThat(state.size()).isEqualTo(3 * WEIGHTS.size() + 1);
        try (ModelRuntime model = fp32.load(CONFIG, afterThree); TrainingSession session = model.train(SETTINGS, state)) {
            assertThat(session.steps()).isEqualTo(3);
            for (int s = 3; s < 5; s++) {
                session.step(batch(10 + s));
            }
            assertThat(session.steps()).isEqualTo(5);
            Parameters resumed = model.parameters();
            Parameters resumedEma = session.emaParameters();
            for (String name : WEIGHTS.names()) {
                assertThat(resumed.get(name).contentEquals(uninterrupted.get(name))).as("weights of %s", name).isTrue();
                assertThat(resumedEma.get(name).contentEquals(uninterruptedEma.get(name))).as("EMA of %s", name).isTrue();
            }
        }
    }

    @Test
    @DisplayName("rejects an optimizer state with a missing or misshaped entry, naming it")
    void rejectsBadResumeState() {
        try (ModelRuntime model = fp32.load(CONFIG, WEIGHTS)) {
            Parameters state;
            try (TrainingSession s = model.train(SETTINGS, null)) {
                state = s.optimizerState();
            }
            Map<String, Tensor> missing = new LinkedHashMap<>(state.asMap());
            missing.remove("adam.v.boi");
            assertThatThrownBy(() -> model.train(SETTINGS, Parameters.of(missing)))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("adam.v.boi");
            Parameters misshaped = state.with("ema.pos", Tensor.zeros(2, 2));
            assertThatThrownBy(() -> model.train(SETTINGS, misshaped))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("ema.pos");
        }
    }

    @Test
    @DisplayName("closes idempotently and then refuses to be used, naming itself")
    void closeSemantics() {
        try (ModelRuntime model = fp32.load(CONFIG, WEIGHTS)) {
            TrainingSession s = model.train(SETTINGS, null);
            s.close();
            s.close();
            assertThatThrownBy(() -> s.step(batch(1))).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("training session");
        }
    }

    private static Map<String, double[]> doubles(Parameters p) {
        Map<String, double[]> out = new LinkedHashMap<>();
        p.asMap().forEach((k, t) -> out.put(k, t.toDoubleArray()));
        return out;
    }

    private static Map<String, double[]> zeros(Parameters p) {
        Map<String, double[]> out = new LinkedHashMap<>();
        p.asMap().forEach((k, t) -> out.put(k, new double[t.size()]));
        return out;
    }

    private static void assertClose(Map<String, double[]> actual, Map<String, double[]> expected) {
        assertThat(actual.keySet()).containsExactlyElementsOf(expected.keySet());
        expected.forEach((name, e) -> TensorAssert.assertClose(Tensor.of(actual.get(name), actual.get(name).length), e,
                1e-9, 1e-12, 1e-9));
    }
}

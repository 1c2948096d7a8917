package dev.mdm.backend.jcuda.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.mdm.MdmConfig;
import dev.mdm.model.OptimizerSettings;
import dev.mdm.model.ParameterInitializer;
import dev.mdm.model.Parameters;
import java.util.Arrays;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link ParameterArena}'s layout and its bf16 weight copy, which the bf16 GEMMs read in place of rounding the
 * weights at every use: it must hold exactly the weights rounded to nearest even after an upload and after every
 * optimizer step. Skipped, with the probe's reasons, where no usable GPU is present.
 */
class ParameterArenaTest extends DeviceTest {
    private static final OptimizerSettings SETTINGS = new OptimizerSettings(1e-3, 0.9, 0.999, 1e-8, 0.01, 1.0, 0.999);
    private final SplittableRandom random = new SplittableRandom(20261123);

    @Test
    @DisplayName("every parameter starts 32 bytes aligned in fp32 and 16 in bf16, the padding between them zero, and"
            + " its bf16 copy is found by its fp32 address")
    void parametersAreAligned() {
        MdmConfig c = MdmConfig.tiny();
        try (ParameterArena arena = ParameterArena.allocate(cuda, c, true, Set.of())) {
            long elements = 0;
            for (var e : arena.layout().entrySet()) {
                assertThat((arena.weight(e.getKey()) - arena.weights()) % 32).as(e.getKey()).isZero();
                assertThat(arena.weightBf16At(arena.weight(e.getKey())) % 16).as(e.getKey()).isZero();
                long n = 1;
                for (int s : e.getValue()) {
                    n *= s;
                }
                elements += n;
            }
            assertThat(arena.count()).isGreaterThanOrEqualTo(elements).isLessThan(elements + 8L * arena.layout().size());
            arena.upload(arena.weights(), ParameterInitializer.initialize(c, 1));
            float[] all = cuda.downloadFloats(arena.weights(), (int) arena.count());
            double stored = sumOfMagnitudes(all);
            double named = 0;
            for (var t : arena.download(arena.weights()).asMap().values()) {
                for (double v : t.toDoubleArray()) {
                    named += Math.abs(v);
                }
            }
            assertThat(stored).as("the flat buffer holds the named weights and zeros").isEqualTo(named);
            // the copy of a weight found by its fp32 address (TrainingOps' GEMMs), and none outside the weights
            for (String name : arena.layout().keySet()) {
                long copy = arena.weightsBf16() + (arena.weight(name) - arena.weights()) / 2;
                assertThat(arena.weightBf16At(arena.weight(name))).as(name).isEqualTo(copy);
                assertThat(arena.weightBf16At(arena.weight(name) + 4)).as(name + ", second element").isEqualTo(copy + 2);
            }
            assertThat(arena.weightBf16At(arena.weights() - 4)).as("before the weights").isZero();
            assertThat(arena.weightBf16At(arena.weights() + 4 * arena.count())).as("past the weights").isZero();
            assertThat(arena.weightBf16At(arena.grad("pos"))).as("a gradient").isZero();
        }
        try (ParameterArena arena = ParameterArena.allocate(cuda, c)) {
            assertThat(arena.weightsBf16()).as("no bf16 copy unless asked").isZero();
            assertThat(arena.weightBf16At(arena.weight("pos"))).isZero();
        }
    }

    @Test
    @DisplayName("an upload of the weights and an AdamW step leave the bf16 copy equal to the weights rounded to nearest"
            + " even")
    void bf16CopyFollowsTheWeights() {
        MdmConfig c = MdmConfig.tiny();
        try (ParameterArena arena = ParameterArena.allocate(cuda, c, true, Set.of())) {
            Parameters w = ParameterInitializer.initialize(c, random.nextLong());
            arena.upload(arena.weights(), w);
            assertCopyIsRounded(arena, "after the upload");
            int n = (int) arena.count();
            float[] g = uploadRandomGradients(arena);
            arena.adamwEmaStep(SETTINGS, 1, 1);
            float[] before = toFloats(w, arena);
            float[] after = cuda.downloadFloats(arena.weights(), n);
            assertThat(after).as("the step moved the weights").isNotEqualTo(before);
            assertCopyIsRounded(arena, "after an AdamW step");
        }
    }

    @Test
    @DisplayName("an AdamW step decays the tensors of rank two and more, and only them, and the padding stays zero")
    void weightDecayReachesMatricesOnly() {
        MdmConfig c = MdmConfig.tiny();
        try (ParameterArena arena = ParameterArena.allocate(cuda, c)) {
            Parameters w = ParameterInitializer.initialize(c, random.nextLong());
            arena.upload(arena.weights(), w);
            // zero gradients: m and v stay zero, so the step is the decay alone
            arena.adamwEmaStep(new OptimizerSettings(0.01, 0.9, 0.999, 1e-8, 0.1, 1.0, 0.999), 1, 1);
            Parameters after = arena.download(arena.weights());
            int decayed = 0;
            for (var e : arena.layout().entrySet()) {
                double[] before = w.get(e.getKey()).toDoubleArray();
                double[] now = after.get(e.getKey()).toDoubleArray();
                boolean matrix = e.getValue().length >= 2;
                decayed += matrix ? 1 : 0;
                for (int i = 0; i < before.length; i++) {
                    if (matrix) {
                        assertThat(now[i]).as("%s[%d]", e.getKey(), i).isCloseTo(before[i] * (1 - 0.01 * 0.1),
                                within(1e-7 * Math.abs(before[i]) + 1e-12));
                    } else {
                        assertThat(now[i]).as("%s[%d]", e.getKey(), i).isEqualTo(before[i]);
                    }
                }
            }
            assertThat(decayed).as("decayed tensors").isPositive().isLessThan(arena.layout().size());
            assertThat(sumOfMagnitudes(cuda.downloadFloats(arena.weights(), (int) arena.count())))
                    .as("the flat buffer holds the named weights and zero padding")
                    .isEqualTo(sumOfMagnitudes(toFloats(after, arena)));
        }
    }

    @Test
    @DisplayName("an AdamW step clears every gradient, padding included, but those the backward writes whole")
    void updateClearsTheAccumulatedGradients() {
        MdmConfig c = MdmConfig.tiny();
        // the first parameter, two adjacent in the layout (in_proj, then conv1d) and the last
        Set<String> whole = Set.of("vae.img_enc1.weight", "blocks.0.mixer.in_proj.weight", "blocks.0.mixer.conv1d.weight",
                "norm_f.weight");
        try (ParameterArena arena = ParameterArena.allocate(cuda, c, false, whole)) {
            int n = (int) arena.count();
            float[] g = uploadRandomGradients(arena);
            arena.adamwEmaStep(SETTINGS, 1, 1);
            float[] after = cuda.downloadFloats(arena.grads(), n);
            boolean[] kept = new boolean[n];
            for (String name : whole) {  // a tensor's padding shares its last group of ALIGN, and its flags
                int first = (int) ((arena.grad(name) - arena.grads()) / Float.BYTES);
                int size = 1;
                for (int d : arena.layout().get(name)) {
                    size *= d;
                }
                int groups = (size + ParameterArena.ALIGN - 1) / ParameterArena.ALIGN;
                Arrays.fill(kept, first, first + groups * ParameterArena.ALIGN, true);
            }
            for (int i = 0; i < n; i++) {
                assertThat(after[i]).as("element %d", i).isEqualTo(kept[i] ? g[i] : 0f);
            }
        }
        assertThatThrownBy(() -> ParameterArena.allocate(cuda, c, false, Set.of("blocks.0.nope")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'blocks.0.nope'");
    }

    /** @return standard normal gradients, padding included, now in the arena's gradient buffer */
    private float[] uploadRandomGradients(ParameterArena arena) {
        float[] g = new float[(int) arena.count()];
        for (int i = 0; i < g.length; i++) {
            g[i] = (float) random.nextGaussian();
        }
        cuda.upload(arena.grads(), g);
        return g;
    }

    private static double sumOfMagnitudes(float[] values) {
        double s = 0;
        for (float f : values) {
            s += Math.abs(f);
        }
        return s;
    }

    private float[] toFloats(Parameters w, ParameterArena arena) {
        arena.upload(arena.ema(), w);  // the EMA buffer as scratch: the layout's offsets, padding zero
        return cuda.downloadFloats(arena.ema(), (int) arena.count());
    }

    private void assertCopyIsRounded(ParameterArena arena, String when) {
        int n = (int) arena.count();
        float[] w = cuda.downloadFloats(arena.weights(), n);
        float[] packed = cuda.downloadFloats(arena.weightsBf16(), n / 2);  // two bf16 per float, low half first
        for (int i = 0; i < n; i++) {
            int bits = Float.floatToRawIntBits(packed[i / 2]);
            int bf16 = i % 2 == 0 ? bits & 0xffff : bits >>> 16;
            assertThat(bf16).as("%s: element %d (%s)", when, i, w[i]).isEqualTo(roundToNearestEven(w[i]));
        }
    }

    /** The bf16 bits of x, rounded to nearest even (x finite). */
    private static int roundToNearestEven(float x) {
        int bits = Float.floatToRawIntBits(x);
        return (bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16;
    }
}

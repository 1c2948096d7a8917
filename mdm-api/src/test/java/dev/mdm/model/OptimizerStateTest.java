package dev.mdm.model;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mdm.InvalidInputException;
import dev.mdm.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("OptimizerState.requireResumable")
class OptimizerStateTest {
    private static final Map<String, int[]> SHAPES = Map.of("w", new int[] {2, 3}, "b", new int[] {3});

    private static Map<String, Tensor> valid() {
        var m = new LinkedHashMap<String, Tensor>();
        SHAPES.forEach((name, shape) -> {
            m.put("adam.m." + name, Tensor.zeros(shape));
            m.put("adam.v." + name, Tensor.zeros(shape));
            m.put("ema." + name, Tensor.zeros(shape));
        });
        m.put("adam.step", Tensor.ofLongs(new long[] {4}));
        return m;
    }

    @Test
    @DisplayName("accepts a complete state with a 0-d step")
    void acceptsCompleteState() {
        assertThatCode(() -> OptimizerState.requireResumable(SHAPES, Parameters.of(valid()))).doesNotThrowAnyException();
    }

    @Test
    @DisplayName("lists every problem at once: missing, misshapen, negative second moment, extra and a bad step")
    void listsEveryProblem() {
        var m = valid();
        m.remove("ema.b");
        m.put("adam.m.w", Tensor.zeros(3, 2));
        m.put("adam.v.b", Tensor.of(new double[] {0, -1, 0}, 3));
        m.put("stray", Tensor.zeros(1));
        m.put("adam.step", Tensor.ofLongs(new long[] {1, 2}, 2));
        assertThatThrownBy(() -> OptimizerState.requireResumable(SHAPES, Parameters.of(m)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("resumeState")
                .hasMessageContaining("missing 'ema.b'")
                .hasMessageContaining("'adam.m.w' has shape [3, 2], expected [2, 3]")
                .hasMessageContaining("'adam.v.b' has -1.0 at flat index 1")
                .hasMessageContaining("unexpected 'stray'")
                .hasMessageContaining("'adam.step' must be a 0-d integer");
    }
}

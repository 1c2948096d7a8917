package dev.mdm.examples.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mdm.InvalidInputException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("EvaluationBudget")
class EvaluationBudgetTest {
    @Test
    @DisplayName("the standard budget guides captions at the default weight and leaves answers unguided (D17)")
    void standardGuidance() {
        EvaluationBudget b = EvaluationBudget.standard();
        assertThat(b.captionGuidance()).isEqualTo(dev.mdm.task.TaskRunner.DEFAULT_CAPTION_IMAGE_GUIDANCE);
        assertThat(b.answerGuidance()).isEqualTo(1.0);
    }

    @Test
    @DisplayName("an image guidance below 1, NaN or infinite is rejected, naming the field")
    void rejectsBadGuidance() {
        for (double w : new double[] {0.99, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> new EvaluationBudget(1, 1, 0, 1, 2.0, w, 1.0, 10, 0, false))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("captionGuidance");
            assertThatThrownBy(() -> new EvaluationBudget(1, 1, 0, 1, 2.0, 1.0, w, 10, 0, false))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("answerGuidance");
        }
    }
}

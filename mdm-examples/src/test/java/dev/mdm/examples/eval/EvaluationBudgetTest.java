package dev.mdm.examples.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mdm.InvalidInputException;
import dev.mdm.data.FashionMnist;
import dev.mdm.task.TextSampling;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("EvaluationBudget")
class EvaluationBudgetTest {
    @Test
    @DisplayName("the standard budget takes captions and answers at the API's default text sampling (D18)")
    void standardTextSampling() {
        EvaluationBudget b = EvaluationBudget.standard();
        assertThat(b.captionSampling()).isEqualTo(TextSampling.DEFAULT).isEqualTo(new TextSampling(1, 0));
        assertThat(b.answerSampling()).isEqualTo(TextSampling.DEFAULT);
        assertThat(b.textSplit()).as("the reported figures are on held-out images").isEqualTo(FashionMnist.Split.TEST);
    }

    @Test
    @DisplayName("missing text sampling settings are rejected, naming the fields")
    void rejectsMissingTextSampling() {
        assertThatThrownBy(() -> new EvaluationBudget(1, 1, FashionMnist.Split.TEST, 0, 1, 2.0, null, TextSampling.DEFAULT, 10, 0, false))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("captionSampling");
        assertThatThrownBy(() -> new EvaluationBudget(1, 1, FashionMnist.Split.TEST, 0, 1, 2.0, TextSampling.DEFAULT, null, 10, 0, false))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("answerSampling");
        assertThatThrownBy(() -> new EvaluationBudget(1, 1, null, 0, 1, 2.0, TextSampling.DEFAULT, TextSampling.DEFAULT, 10, 0, false))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("textSplit");
    }

    @Test
    @DisplayName("a held-out part is of the training split and not negative")
    void heldOutIsOfTheTrainingSplit() {
        assertThat(new EvaluationBudget(1, 1, FashionMnist.Split.TRAIN, 0, 1, 2.0, TextSampling.DEFAULT, TextSampling.DEFAULT, 10, 0,
                false, 500).textHeldOut()).isEqualTo(500);
        assertThat(EvaluationBudget.standard().textHeldOut()).isZero();
        assertThatThrownBy(() -> new EvaluationBudget(1, 1, FashionMnist.Split.TEST, 0, 1, 2.0, TextSampling.DEFAULT,
                TextSampling.DEFAULT, 10, 0, false, 500))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("textHeldOut").hasMessageContaining("TEST");
        assertThatThrownBy(() -> new EvaluationBudget(1, 1, FashionMnist.Split.TRAIN, 0, 1, 2.0, TextSampling.DEFAULT,
                TextSampling.DEFAULT, 10, 0, false, -1))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("textHeldOut").hasMessageContaining("-1");
    }
}

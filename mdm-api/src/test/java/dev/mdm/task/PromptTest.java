package dev.mdm.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mdm.InvalidInputException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Prompt")
class PromptTest {
    @Test
    @DisplayName("factories set the task, class and text; options are copies")
    void factories() {
        Prompt p = Prompt.classConditional(3, 4.0).withSteps(12).withSeed(5);
        assertThat(p.task()).isEqualTo(Task.CLASS_TO_IMAGE);
        assertThat(p.classId()).hasValue(3);
        assertThat(p.guidance()).isEqualTo(4.0);
        assertThat(p.steps()).hasValue(12);
        assertThat(p.seed()).hasValue(5);
        assertThat(Prompt.joint().classId()).isEmpty();
        assertThat(Prompt.joint(2).withGuidance(0).guidance()).isZero();
        assertThat(Prompt.textToImage("a shoe").text()).isEqualTo("a shoe");
        assertThat(Prompt.joint(1).seed()).isEmpty();
        assertThat(p).isEqualTo(Prompt.classConditional(3, 4.0).withSteps(12).withSeed(5));
    }

    @Test
    @DisplayName("options are validated, naming the argument")
    void validation() {
        assertThatThrownBy(() -> Prompt.joint(1).withSteps(0)).isInstanceOf(InvalidInputException.class).hasMessageContaining("'steps'");
        assertThatThrownBy(() -> Prompt.classConditional(1, -0.5)).isInstanceOf(InvalidInputException.class).hasMessageContaining("'guidance'");
        assertThatThrownBy(() -> Prompt.classConditional(1, Double.NaN)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> Prompt.classConditional(1, Double.POSITIVE_INFINITY)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> Prompt.joint(-1)).isInstanceOf(InvalidInputException.class).hasMessageContaining("'classId'");
        assertThatThrownBy(() -> Prompt.textToImage(" ")).isInstanceOf(InvalidInputException.class).hasMessageContaining("'text'");
        assertThatThrownBy(() -> Prompt.textToImage(null)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> Prompt.textToImage("a shoe").withGuidance(2)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("class");
        assertThatThrownBy(() -> Prompt.joint().withGuidance(2)).isInstanceOf(InvalidInputException.class);
    }
}

package dev.mdm.examples.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mdm.InvalidInputException;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Text metrics")
class TextMetricsTest {
    @Test
    @DisplayName("a caption is right when it names exactly one class, the true one")
    void captionAccuracy() {
        List<String> captions = List.of("a photo of a sneaker", "an ankle boot, seen from the side", "a t-shirt and a shirt",
                "a picture of a coat", "something unknown");
        int[] classes = {7, 9, 0, 3, 1};
        // right: sneaker, ankle boot; wrong: two classes named, coat for a dress, nothing named
        assertThat(TextMetrics.captionAccuracy(captions, classes)).isEqualTo(2.0 / 5);
        assertThat(TextMetrics.captionAccuracy(List.of("a pair of trousers"), new int[] {1})).isEqualTo(1.0);
        assertThat(TextMetrics.captionMisses(captions, classes)).containsExactly(2, 3, 4);
        assertThat(TextMetrics.captionMisses(List.of("a pair of trousers"), new int[] {1})).isEmpty();
        assertThat(TextMetrics.namesExactly("a t-shirt and a shirt", 0)).as("two classes named").isFalse();
        assertThat(TextMetrics.namesExactly("an ankle boot, seen from the side", 9)).isTrue();
    }

    @Test
    @DisplayName("per class, a caption counts as it does overall, and a class without images is null")
    void captionAccuracyPerClass() {
        List<String> captions = List.of("a photo of a sneaker", "a coat", "a photo of a sneaker", "a dress", "a coat");
        int[] classes = {7, 3, 7, 3, 4};
        List<Double> perClass = TextMetrics.captionAccuracyPerClass(captions, classes, 10);
        assertThat(perClass).hasSize(10);
        assertThat(perClass.get(7)).isEqualTo(1.0);
        assertThat(perClass.get(3)).isEqualTo(0.5);
        assertThat(perClass.get(4)).isEqualTo(1.0);
        assertThat(perClass.get(0)).isNull();
        assertThatThrownBy(() -> TextMetrics.captionAccuracyPerClass(captions, new int[] {7, 3, 7, 3, 10}, 10))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("classes[4]");
    }

    @Test
    @DisplayName("answers match after normalization of case, punctuation, articles and spaces")
    void vqaAccuracy() {
        assertThat(TextMetrics.normalize("  The Ankle   boot. ")).isEqualTo("ankle boot");
        assertThat(TextMetrics.normalize("T-Shirt!")).isEqualTo("t-shirt");
        assertThat(TextMetrics.normalize("an upper body")).isEqualTo("upper body");
        assertThat(TextMetrics.normalize("theme")).isEqualTo("theme");
        List<String> answers = List.of("Yes.", "ankle  boot", "upper body", "no", "sandal");
        List<String> expected = List.of("yes", "ankle boot", "feet", "yes", "sandal");
        assertThat(TextMetrics.vqaAccuracy(answers, expected)).isEqualTo(3.0 / 5);
        assertThat(TextMetrics.vqaMisses(answers, expected)).containsExactly(2, 3);
        assertThat(TextMetrics.isCorrectAnswer("shirt", "t-shirt")).isFalse();
    }

    @Test
    @DisplayName("mismatched or empty inputs are rejected")
    void badInputs() {
        assertThatThrownBy(() -> TextMetrics.captionAccuracy(List.of("a"), new int[] {1, 2}))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("classes");
        assertThatThrownBy(() -> TextMetrics.vqaAccuracy(List.of(), List.of())).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> TextMetrics.captionMisses(List.of("a", "b"), new int[] {1}))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("classes");
        assertThatThrownBy(() -> TextMetrics.vqaMisses(List.of("yes"), null))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("expected");
        assertThatThrownBy(() -> TextMetrics.captionAccuracy(List.of("a"), null))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("classes");
        assertThatThrownBy(() -> TextMetrics.vqaAccuracy(null, List.of("yes"))).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> TextMetrics.normalize(null)).isInstanceOf(InvalidInputException.class);
    }
}

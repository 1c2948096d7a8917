package dev.mdm.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mdm.InvalidInputException;
import dev.mdm.data.FashionCaptions.QuestionKind;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("FashionCaptions")
class FashionCaptionsTest {
    private static final List<String> NAMES = FashionCaptions.CLASS_NAMES;

    @Test
    @DisplayName("gives every class ten distinct captions, each naming that class and no other")
    void everyClassHasCaptions() {
        for (int c = 0; c < NAMES.size(); c++) {
            List<String> captions = FashionCaptions.allCaptions(c);
            assertThat(captions).hasSize(10).doesNotHaveDuplicates();
            for (String caption : captions) {
                assertThat(FashionCaptions.classNamed(caption)).as(caption).hasValue(c);
            }
        }
        assertThat(FashionCaptions.allCaptions(9)).contains("a photo of an ankle boot", "an ankle boot, seen from the side",
                "an ankle boot, a kind of footwear");
        assertThat(FashionCaptions.allCaptions(4)).contains("a coat, seen from the front", "a coat, a kind of clothing");
        assertThat(FashionCaptions.allCaptions(8)).contains("a bag, a kind of accessory");
    }

    @Test
    @DisplayName("asks every kind of question about every class, with the correct answer")
    void everyQuestionKindHasCorrectAnswers() {
        List<String> footwear = List.of("sandal", "sneaker", "ankle boot");
        Map<String, String> bodyPart = Map.of("t-shirt", "upper body", "trousers", "legs", "pullover", "upper body",
                "dress", "whole body", "coat", "upper body", "sandal", "feet", "shirt", "upper body", "sneaker", "feet",
                "bag", "shoulder", "ankle boot", "feet");
        for (int c = 0; c < NAMES.size(); c++) {
            String name = NAMES.get(c);
            for (QuestionAnswer qa : FashionCaptions.allQuestions(QuestionKind.WHAT, c)) {
                assertThat(qa.answer()).isEqualTo(name);
            }
            for (QuestionAnswer qa : FashionCaptions.allQuestions(QuestionKind.FOOTWEAR, c)) {
                assertThat(qa.question()).contains("footwear");
                assertThat(qa.answer()).isEqualTo(footwear.contains(name) ? "yes" : "no");
            }
            for (QuestionAnswer qa : FashionCaptions.allQuestions(QuestionKind.BODY_PART, c)) {
                assertThat(qa.answer()).isEqualTo(bodyPart.get(name));
            }
            List<QuestionAnswer> isClass = FashionCaptions.allQuestions(QuestionKind.IS_CLASS, c);
            assertThat(isClass).hasSize(20);
            for (QuestionAnswer qa : isClass) {
                int asked = FashionCaptions.classNamed(qa.question()).orElseThrow();
                assertThat(qa.answer()).as(qa.question()).isEqualTo(asked == c ? "yes" : "no");
            }
            for (QuestionKind kind : QuestionKind.values()) {
                assertThat(FashionCaptions.allQuestions(kind, c)).isNotEmpty()
                        .allSatisfy(qa -> assertThat(qa.question()).endsWith("?"));
            }
        }
        assertThat(FashionCaptions.allQuestions(QuestionKind.WHAT, 0)).contains(new QuestionAnswer("what is shown?",
                "t-shirt"));
        assertThat(FashionCaptions.allQuestions(QuestionKind.BODY_PART, 1)).contains(new QuestionAnswer(
                "what would you wear it on?", "legs"));
    }

    @Test
    @DisplayName("chooses captions and questions from seed and index alone, using every template and kind")
    void choicesAreDeterministicAndVaried() {
        FashionCaptions a = new FashionCaptions(42);
        FashionCaptions b = new FashionCaptions(42);
        FashionCaptions other = new FashionCaptions(43);
        Set<String> captions = new HashSet<>();
        Map<QuestionKind, Integer> kinds = new EnumMap<>(QuestionKind.class);
        int differ = 0;
        int yes = 0;
        int isClass = 0;
        for (int i = 0; i < 4000; i++) {
            int c = i % 10;
            assertThat(a.caption(i, c)).isEqualTo(b.caption(i, c)).isIn(FashionCaptions.allCaptions(c));
            assertThat(a.question(i, c)).isEqualTo(b.question(i, c));
            differ += a.caption(i, c).equals(other.caption(i, c)) ? 0 : 1;
            if (c == 3) {
                captions.add(a.caption(i, c));
            }
            QuestionAnswer qa = a.question(i, c);
            QuestionKind kind = kindOf(qa, c);
            kinds.merge(kind, 1, Integer::sum);
            if (kind == QuestionKind.IS_CLASS) {
                isClass++;
                yes += qa.answer().equals("yes") ? 1 : 0;
            }
        }
        assertThat(captions).hasSize(10);
        assertThat(differ).isGreaterThan(3000);
        assertThat(kinds.keySet()).containsExactlyInAnyOrder(QuestionKind.values());
        assertThat(kinds.values()).allSatisfy(n -> assertThat(n).isBetween(800, 1200));
        assertThat((double) yes / isClass).isBetween(0.4, 0.6);
    }

    private static QuestionKind kindOf(QuestionAnswer qa, int c) {
        for (QuestionKind kind : QuestionKind.values()) {
            if (FashionCaptions.allQuestions(kind, c).contains(qa)) {
                return kind;
            }
        }
        throw new AssertionError("not a known question: " + qa);
    }

    @Test
    @DisplayName("finds the class a text names as whole words, and no class when two or none are named")
    void classNamedMatchesWholeWords() {
        assertThat(FashionCaptions.classNamed("A T-Shirt on a black background")).hasValue(0);
        assertThat(FashionCaptions.classNamed("a shirt")).hasValue(6);
        assertThat(FashionCaptions.classNamed("one trouser")).hasValue(1);
        assertThat(FashionCaptions.classNamed("an ankle boot.")).hasValue(9);
        assertThat(FashionCaptions.classNamed("a boot")).isEmpty();
        assertThat(FashionCaptions.classNamed("a shirt and a coat")).isEmpty();
        assertThat(FashionCaptions.classNamed("")).isEmpty();
    }

    @Test
    @DisplayName("rejects classes out of range, negative indices and null")
    void rejectsBadArguments() {
        FashionCaptions captions = new FashionCaptions(0);
        assertThatThrownBy(() -> captions.caption(0, 10)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("classId").hasMessageContaining("[0, 10)");
        assertThatThrownBy(() -> captions.question(-1, 0)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("index");
        assertThatThrownBy(() -> FashionCaptions.allQuestions(null, 0)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> FashionCaptions.classNamed(null)).isInstanceOf(InvalidInputException.class);
    }
}

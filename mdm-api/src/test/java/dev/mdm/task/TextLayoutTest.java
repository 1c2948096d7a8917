package dev.mdm.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mdm.InvalidInputException;
import dev.mdm.MdmConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("TextLayout and task masks")
class TextLayoutTest {
    private final TextLayout layout = new TextLayout(6, 0, 2);

    @Test
    @DisplayName("a caption is followed by eos then pad, and is cut at Lt (no eos when full)")
    void captionPacking() {
        assertThat(layout.caption(new int[] {5, 6}).ids()).containsExactly(5, 6, 2, 0, 0, 0);
        assertThat(layout.caption(new int[] {5, 6}).givenLength()).isZero();
        assertThat(layout.caption(new int[] {1, 3, 4, 5, 6, 7, 8}).ids()).containsExactly(1, 3, 4, 5, 6, 7);
        assertThat(layout.empty().ids()).containsExactly(0, 0, 0, 0, 0, 0);
        assertThat(new TextLayout(4, 1, -1).caption(new int[] {5}).ids()).containsExactly(5, 1, 1, 1);
    }

    @Test
    @DisplayName("question and answer share the positions, the question given; a too-long question is rejected")
    void questionAnswerPacking() {
        PackedText p = layout.questionAnswer(new int[] {7, 8}, new int[] {9});
        assertThat(p.ids()).containsExactly(7, 8, 9, 2, 0, 0);
        assertThat(p.givenLength()).isEqualTo(2);
        assertThat(layout.questionAnswer(new int[] {7, 8, 9, 10, 11}, new int[] {12, 13}).ids()).containsExactly(7, 8, 9, 10, 11, 12);
        assertThatThrownBy(() -> layout.questionAnswer(new int[] {1, 3, 4, 5, 6, 7}, new int[] {9}))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("'question'").hasMessageContaining("at most 5 tokens");
        assertThatThrownBy(() -> layout.givenPrefix("prompt", new int[6])).hasMessageContaining("'prompt'");
        PackedText c = layout.promptContinuation(new int[] {4}, new int[] {5, 6});
        assertThat(c.ids()).containsExactly(4, 5, 6, 2, 0, 0);
        assertThat(c.givenLength()).isEqualTo(1);
    }

    @Test
    @DisplayName("generated text is read up to the first pad or eos")
    void generatedSpan() {
        assertThat(layout.generatedSpan(new long[] {7, 8, 9, 2, 5, 5}, 2)).containsExactly(9);
        assertThat(layout.generatedSpan(new long[] {7, 8, 9, 4, 0, 5}, 0)).containsExactly(7, 8, 9, 4);
        assertThat(layout.generatedSpan(new long[] {2, 8, 9, 4, 0, 5}, 0)).isEmpty();
        assertThat(layout.generatedSpan(new long[] {3, 8, 9, 4, 6, 5}, 1)).containsExactly(8, 9, 4, 6, 5);
    }

    @Test
    @DisplayName("each task noises the tokens of SPEC §9")
    void noisedMasks() {
        MdmConfig c = MdmConfig.tiny();
        int n = c.imageTokens();
        double[] joint = Task.JOINT.noisedMask(c, 0);
        assertThat(joint).containsOnly(1.0).hasSize(n + 8);
        double[] cls = Task.CLASS_TO_IMAGE.noisedMask(c, 0);
        assertThat(java.util.Arrays.copyOfRange(cls, 0, n)).containsOnly(1.0);
        assertThat(java.util.Arrays.copyOfRange(cls, n, n + 8)).containsOnly(0.0);
        assertThat(Task.TEXT_TO_IMAGE.noisedMask(c, 0)).containsExactly(cls);
        double[] cap = Task.CAPTION.noisedMask(c, 0);
        assertThat(java.util.Arrays.copyOfRange(cap, 0, n)).containsOnly(0.0);
        assertThat(java.util.Arrays.copyOfRange(cap, n, n + 8)).containsOnly(1.0);
        double[] vqa = Task.VQA.noisedMask(c, 3);
        assertThat(java.util.Arrays.copyOfRange(vqa, 0, n + 3)).containsOnly(0.0);
        assertThat(java.util.Arrays.copyOfRange(vqa, n + 3, n + 8)).containsOnly(1.0);
        double[] t2t = Task.TEXT_TO_TEXT.noisedMask(c, 2);
        assertThat(java.util.Arrays.copyOfRange(t2t, 0, n)).containsOnly(1.0);
        assertThat(java.util.Arrays.copyOfRange(t2t, n, n + 2)).containsOnly(0.0);
        assertThat(java.util.Arrays.copyOfRange(t2t, n + 2, n + 8)).containsOnly(1.0);
        assertThatThrownBy(() -> Task.VQA.noisedMask(c, 8)).isInstanceOf(InvalidInputException.class);
    }

    @Test
    @DisplayName("a layout needs a pad id")
    void needsPad() {
        assertThatThrownBy(() -> new TextLayout(8, -1, 2)).isInstanceOf(InvalidInputException.class).hasMessageContaining("padId");
    }
}

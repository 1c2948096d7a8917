package dev.mdm.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mdm.InvalidInputException;
import dev.mdm.MdmConfig;
import dev.mdm.data.CaptionCorpus;
import dev.mdm.data.FashionCaptions;
import dev.mdm.data.QuestionAnswer;
import dev.mdm.data.scenes.ScenePalette;
import dev.mdm.data.scenes.SyntheticScenes;
import dev.mdm.testing.CommittedModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("SentencePieceTokenizer on the committed fashion model")
class SentencePieceTokenizerTest {
    private static SentencePieceTokenizer tokenizer;

    @BeforeAll
    static void load() {
        tokenizer = SentencePieceTokenizer.load(CommittedModel.MODEL);
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    /** Texts the data sets produce, plus text they never do (other words, capitals, digits, accents, symbols). */
    private static List<String> parityTexts() {
        List<String> lines = new ArrayList<>(CaptionCorpus.lines(300, 200, 3));
        lines.addAll(List.of("A Photo Of A Jacket", "hello, world!", "12 sneakers cost 99.50 euros", "  extra   spaces  ",
                "naïve café déjà vu", "ａｂｃ full-width", "emoji 👟 and ankle boots", "t-shirt/top", "x"));
        return lines;
    }

    @Test
    @DisplayName("gives the same ids as Debian's spm_encode on the same model")
    void idsMatchSpmEncode(@TempDir Path dir) throws Exception {
        Optional<Path> spmEncode = CommittedModel.onPath("spm_encode");
        assumeTrue(spmEncode.isPresent(), "spm_encode is not on the PATH: install the Debian package sentencepiece");
        List<String> texts = parityTexts();
        List<int[]> expected = CommittedModel.spmEncode(spmEncode.get(), CommittedModel.MODEL, texts, dir);
        assertThat(expected).hasSameSizeAs(texts);
        for (int i = 0; i < texts.size(); i++) {
            assertThat(tokenizer.encode(texts.get(i))).as("ids of '%s'", texts.get(i)).containsExactly(expected.get(i));
        }
    }

    @Test
    @DisplayName("maps unknown characters to unk and knows its special ids")
    void specialIds() {
        assertThat(tokenizer.padId()).isEqualTo(SentencePieceTrainer.PAD_ID);
        assertThat(tokenizer.eosId()).isEqualTo(SentencePieceTrainer.EOS_ID);
        assertThat(tokenizer.unkId()).isEqualTo(SentencePieceTrainer.UNK_ID);
        assertThat(tokenizer.vocabSize()).isEqualTo(213).isLessThanOrEqualTo(MdmConfig.fashion().vocabSize());
        assertThat(tokenizer.piece(0)).isEqualTo("<pad>");
        assertThat(tokenizer.piece(1)).isEqualTo("</s>");
        assertThat(tokenizer.encode("👟")).contains(tokenizer.unkId());
        assertThat(tokenizer.encode("")).isEmpty();
    }

    @Test
    @DisplayName("decodes what it encodes, also when laid out with eos and padding")
    void roundTrip() {
        List<String> texts = new ArrayList<>();
        for (int c = 0; c < FashionCaptions.CLASS_NAMES.size(); c++) {
            texts.addAll(FashionCaptions.allCaptions(c));
        }
        SyntheticScenes scenes = new SyntheticScenes(ScenePalette.RGB, 100, 5);
        for (int i = 0; i < scenes.size(); i++) {
            texts.add(scenes.caption(i));
        }
        for (String text : texts) {
            int[] ids = tokenizer.encode(text);
            assertThat(ids).isNotEmpty().doesNotContain(tokenizer.unkId(), tokenizer.padId(), tokenizer.eosId());
            assertThat(tokenizer.decode(ids)).isEqualTo(text);
            int[] fixed = tokenizer.encodeToLength(text, 12);
            assertThat(fixed).hasSize(12);
            assertThat(Arrays.copyOf(fixed, ids.length)).containsExactly(ids);
            assertThat(fixed[ids.length]).isEqualTo(tokenizer.eosId());
            assertThat(Arrays.copyOfRange(fixed, ids.length + 1, 12)).containsOnly(tokenizer.padId());
            assertThat(tokenizer.decode(fixed)).isEqualTo(text);
        }
        assertThat(String.join(" ", tokenizer.pieces("an ankle boot"))).isEqualTo("▁an ▁ankle ▁boot");
    }

    @Test
    @DisplayName("encodes every text of the data sets without unk, in the fashion preset's text length with an eos, and"
            + " decodes it back")
    void everyTextFitsTheFashionPreset() {
        int room = MdmConfig.fashion().textLength() - 1;
        List<String> texts = new ArrayList<>();
        for (int c = 0; c < FashionCaptions.CLASS_NAMES.size(); c++) {
            texts.addAll(FashionCaptions.allCaptions(c));
            for (FashionCaptions.QuestionKind kind : FashionCaptions.QuestionKind.values()) {
                for (QuestionAnswer qa : FashionCaptions.allQuestions(kind, c)) {
                    texts.add(qa.question() + " " + qa.answer());
                }
            }
        }
        for (ScenePalette palette : ScenePalette.values()) {
            SyntheticScenes scenes = new SyntheticScenes(palette, 1000, 11);
            for (int i = 0; i < scenes.size(); i++) {
                texts.add(scenes.caption(i));
                for (SyntheticScenes.QuestionKind kind : SyntheticScenes.QuestionKind.values()) {
                    QuestionAnswer qa = scenes.question(kind, i);
                    texts.add(qa.question() + " " + qa.answer());
                }
            }
        }
        for (String text : texts) {
            int[] ids = tokenizer.encode(text);
            assertThat(ids.length).as("tokens of '%s'", text).isLessThanOrEqualTo(room);
            assertThat(ids).as("ids of '%s'", text).doesNotContain(tokenizer.unkId());
            assertThat(tokenizer.decode(ids)).isEqualTo(text);
        }
    }

    @Test
    @DisplayName("stops decoding at the first pad or eos and rejects ids outside the vocabulary before native code")
    void decodeChecksIds() {
        int[] coat = tokenizer.encode("a coat");
        int[] withTail = Arrays.copyOf(coat, coat.length + 3);
        withTail[coat.length] = tokenizer.eosId();
        withTail[coat.length + 1] = 17;
        assertThat(tokenizer.decode(withTail)).isEqualTo("a coat");
        assertThat(tokenizer.decode(new int[] {tokenizer.padId(), 17})).isEmpty();
        assertThatThrownBy(() -> tokenizer.decode(new int[] {coat[0], 213}))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("ids[1]").hasMessageContaining("[0, 213)");
        assertThatThrownBy(() -> tokenizer.decode(new int[] {-5})).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> tokenizer.encode(null)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("'text'");
        assertThatThrownBy(() -> tokenizer.encodeToLength("a photo of an ankle boot", 3))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("at most 3 tokens");
    }

    @Test
    @DisplayName("closes idempotently and refuses use after close, naming itself")
    void closeIsIdempotent() {
        SentencePieceTokenizer t = SentencePieceTokenizer.load(CommittedModel.MODEL);
        assertThat(t.encode("a bag")).isNotEmpty();
        t.close();
        t.close();
        assertThatThrownBy(() -> t.encode("a bag")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("SentencePieceTokenizer[").hasMessageContaining("closed");
        assertThatThrownBy(() -> t.decode(new int[] {3})).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(t::vocabSize).isInstanceOf(IllegalStateException.class);
    }

    @Test
    @DisplayName("rejects bytes that are not a SentencePiece model without handing them to native code")
    void rejectsNonModels(@TempDir Path dir) throws Exception {
        byte[] model = Files.readAllBytes(CommittedModel.MODEL);
        assertThatThrownBy(() -> SentencePieceTokenizer.fromBytes(Arrays.copyOf(model, 1000), "cut.model"))
                .isInstanceOf(TokenizerException.class).hasMessageContaining("cut.model is not a SentencePiece model");
        assertThatThrownBy(() -> SentencePieceTokenizer.fromBytes("hello".getBytes(), "text.model"))
                .isInstanceOf(TokenizerException.class).hasMessageContaining("text.model");
        assertThatThrownBy(() -> SentencePieceTokenizer.load(dir.resolve("absent.model")))
                .isInstanceOf(TokenizerException.class).hasMessageContaining("absent.model");
    }
}

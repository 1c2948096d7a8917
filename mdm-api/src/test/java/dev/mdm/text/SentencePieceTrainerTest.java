package dev.mdm.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mdm.InvalidInputException;
import dev.mdm.data.CaptionCorpus;
import dev.mdm.testing.CommittedModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("SentencePieceTrainer running spm_train")
class SentencePieceTrainerTest {

    @Test
    @DisplayName("passes the paper's options and the project's special ids to spm_train")
    void commandHasThePapersOptions() {
        List<String> command = new SentencePieceTrainer().withVocabSize(300).withRandomSeed(9)
                .command(Path.of("c.txt"), Path.of("out/m"));
        assertThat(command).startsWith("spm_train").contains("--input=c.txt", "--model_prefix=out/m",
                "--model_type=unigram", "--vocab_size=300", "--character_coverage=0.9995",
                "--input_sentence_size=1000000", "--shuffle_input_sentence=true", "--pad_id=0", "--eos_id=1",
                "--unk_id=2", "--bos_id=-1", "--random_seed=9");
    }

    @Test
    @DisplayName("trains a model the tokenizer loads, with pad 0, eos 1, unk 2 and at most the vocabulary asked for")
    void trainsALoadableModel(@TempDir Path dir) throws Exception {
        assumeTrue(CommittedModel.onPath("spm_train").isPresent(),
                "spm_train is not on the PATH: install the Debian package sentencepiece");
        Path corpus = dir.resolve("corpus.txt");
        Files.write(corpus, CaptionCorpus.lines(2000, 500, 4));
        Path model = new SentencePieceTrainer().withVocabSize(100).train(corpus, dir.resolve("m"));
        assertThat(model).isEqualTo(dir.resolve("m.model")).isRegularFile();
        try (SentencePieceTokenizer t = SentencePieceTokenizer.load(model)) {
            assertThat(t.vocabSize()).isBetween(50, 100);
            assertThat(t.padId()).isZero();
            assertThat(t.eosId()).isEqualTo(1);
            assertThat(t.unkId()).isEqualTo(2);
            assertThat(t.decode(t.encode("what is shown? ankle boot"))).isEqualTo("what is shown? ankle boot");
        }
    }

    @Test
    @DisplayName("names the Debian package when spm_train is missing")
    void missingExecutableNamesThePackage(@TempDir Path dir) throws Exception {
        Path corpus = Files.writeString(dir.resolve("c.txt"), "a photo of a coat\n");
        assertThatThrownBy(() -> new SentencePieceTrainer().withExecutable("spm_train_not_installed")
                .train(corpus, dir.resolve("m")))
                .isInstanceOf(TokenizerException.class)
                .hasMessageContaining("spm_train_not_installed is not on the PATH")
                .hasMessageContaining("install the Debian package 'sentencepiece'");
        assertThatThrownBy(() -> new SentencePieceTrainer().withExecutable(dir.resolve("spm_train").toString())
                .train(corpus, dir.resolve("m")))
                .isInstanceOf(TokenizerException.class).hasMessageContaining("apt-get install sentencepiece");
    }

    @Test
    @DisplayName("reports spm_train's exit code and output when it fails")
    void failureQuotesTheOutput(@TempDir Path dir) throws Exception {
        assumeTrue(CommittedModel.onPath("spm_train").isPresent(),
                "spm_train is not on the PATH: install the Debian package sentencepiece");
        Path corpus = Files.writeString(dir.resolve("c.txt"), "");
        assertThatThrownBy(() -> new SentencePieceTrainer().train(corpus, dir.resolve("m")))
                .isInstanceOf(TokenizerException.class).hasMessageContaining("spm_train failed with exit code")
                .hasMessageContaining("--model_type=unigram");
    }

    @Test
    @DisplayName("rejects bad settings and a missing corpus before running anything")
    void rejectsBadArguments(@TempDir Path dir) {
        SentencePieceTrainer trainer = new SentencePieceTrainer();
        assertThatThrownBy(() -> trainer.withVocabSize(3)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("vocabSize");
        assertThatThrownBy(() -> trainer.withRandomSeed(-1)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> trainer.withRandomSeed(0xFFFF_FFFFL)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> trainer.train(dir.resolve("absent.txt"), dir.resolve("m")))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("absent.txt");
    }
}

package dev.mdm.text;

import dev.mdm.data.CaptionCorpus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes the caption and question corpus of the project's data sets ({@link CaptionCorpus}) and trains a unigram
 * tokenizer on it with {@link SentencePieceTrainer} ({@code spm_train}, Debian package {@code sentencepiece}).
 *
 * <p>Usage: {@code java -cp mdm-api/target/classes dev.mdm.text.TrainTokenizer OUTPUT_DIR [VOCAB_SIZE [SEED]]}
 * (defaults {@value #DEFAULT_VOCAB_SIZE} and 1). The corpus holds the text of 60 000 Fashion-MNIST examples and
 * 10 000 scenes of each palette. Writes {@code OUTPUT_DIR/corpus.txt}, {@code OUTPUT_DIR/fashion.model}
 * and {@code OUTPUT_DIR/fashion.vocab}, and prints the {@code spm_train} command it ran. The model committed under
 * {@code mdm-examples/src/main/resources/dev/mdm/examples/tokenizer/} was made this way; its README has the command.
 */
public final class TrainTokenizer {
    /** The vocabulary size asked for: the {@code fashion} preset's; the corpus yields fewer pieces. */
    public static final int DEFAULT_VOCAB_SIZE = 512;

    private TrainTokenizer() {
    }

    /**
     * @param args OUTPUT_DIR [VOCAB_SIZE [SEED]]
     */
    public static void main(String[] args) {
        Path out;
        int vocabSize;
        long seed;
        try {
            if (args.length < 1 || args.length > 3) {
                throw new IllegalArgumentException(args.length + " arguments");
            }
            out = Path.of(args[0]);
            vocabSize = args.length > 1 ? Integer.parseInt(args[1]) : DEFAULT_VOCAB_SIZE;
            seed = args.length > 2 ? Long.parseLong(args[2]) : 1;
        } catch (IllegalArgumentException e) {
            System.err.println("usage: TrainTokenizer OUTPUT_DIR [VOCAB_SIZE [SEED]]  (defaults " + DEFAULT_VOCAB_SIZE
                    + ", 1); " + e.getMessage());
            System.exit(2);
            return;
        }
        try {
            Files.createDirectories(out);
            Path corpus = out.resolve("corpus.txt");
            List<String> lines = CaptionCorpus.lines(60_000, 10_000, seed);
            Files.write(corpus, lines, StandardCharsets.UTF_8);
            SentencePieceTrainer trainer = new SentencePieceTrainer().withVocabSize(vocabSize).withRandomSeed(seed);
            Path prefix = out.resolve("fashion");
            System.out.println("corpus: " + lines.size() + " lines in " + corpus);
            System.out.println("running: " + String.join(" ", trainer.command(corpus, prefix)));
            Path model = trainer.train(corpus, prefix);
            System.out.println("model: " + model + " (" + Files.size(model) + " bytes)");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package dev.mdm.text;

import dev.mdm.InvalidInputException;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Trains a SentencePiece unigram model by running {@code spm_train} (Debian package {@value #DEBIAN_PACKAGE}) with the
 * paper's options (Appendix D): {@code --model_type=unigram}, {@code --character_coverage=0.9995},
 * {@code --input_sentence_size=1000000}, {@code --shuffle_input_sentence=true}, and the vocabulary size asked for.
 *
 * <p>The vocabulary size is an upper bound ({@code --hard_vocab_limit=false}): a small templated corpus holds fewer
 * distinct pieces than a round size such as 512, and {@code spm_train} would otherwise refuse it; a corpus as large as
 * the paper's gets exactly the size asked for. The tokenizer reports the size it got.
 *
 * <p>Special ids, the same in every model the project trains: <b>pad = 0</b> (so a zero-filled id buffer reads as
 * padding), <b>eos = 1</b>, <b>unk = 2</b>, and no bos ({@code --bos_id=-1}: the model marks the start of text with
 * its own BOT token). Training uses one thread and a fixed {@code --random_seed} so that the same corpus gives the
 * same model; sentences are shuffled by {@code spm_train} only when the corpus is larger than the sample size, so
 * callers shuffle small corpora themselves (as {@link TrainTokenizer} does).
 *
 * <p>Immutable: each {@code with…} method returns a new trainer.
 */
public final class SentencePieceTrainer {
    /** The Debian package that provides {@code spm_train} and {@code spm_encode}. */
    public static final String DEBIAN_PACKAGE = "sentencepiece";
    /** The pad id of every model trained here. */
    public static final int PAD_ID = 0;
    /** The eos id of every model trained here. */
    public static final int EOS_ID = 1;
    /** The unknown id of every model trained here. */
    public static final int UNK_ID = 2;

    private final String executable;
    private final int vocabSize;
    private final long randomSeed;
    private final long timeoutSeconds;

    /** A trainer running {@code spm_train} from the {@code PATH}, vocabulary 512, seed 1, 10 minutes at most. */
    public SentencePieceTrainer() {
        this("spm_train", 512, 1, 600);
    }

    private SentencePieceTrainer(String executable, int vocabSize, long randomSeed, long timeoutSeconds) {
        this.executable = executable;
        this.vocabSize = vocabSize;
        this.randomSeed = randomSeed;
        this.timeoutSeconds = timeoutSeconds;
    }

    /**
     * @param executable a path to {@code spm_train}, or a bare name looked up on the {@code PATH}
     * @return a trainer running that executable
     */
    public SentencePieceTrainer withExecutable(String executable) {
        if (executable == null || executable.isBlank()) {
            throw new InvalidInputException("executable", "a path or command name", String.valueOf(executable));
        }
        return new SentencePieceTrainer(executable, vocabSize, randomSeed, timeoutSeconds);
    }

    /**
     * @param vocabSize the most pieces a model may have, ≥ 8 (the three special pieces and some text)
     * @return a trainer making models of at most that size
     */
    public SentencePieceTrainer withVocabSize(int vocabSize) {
        if (vocabSize < 8) {
            throw new InvalidInputException("vocabSize", "vocabSize ≥ 8", Integer.toString(vocabSize));
        }
        return new SentencePieceTrainer(executable, vocabSize, randomSeed, timeoutSeconds);
    }

    /**
     * @param randomSeed {@code spm_train --random_seed}, 0 ≤ seed &lt; 2^32 − 1
     * @return a trainer with that seed
     */
    public SentencePieceTrainer withRandomSeed(long randomSeed) {
        // 2^32 − 1 is spm_train's "no seed, use the clock"
        if (randomSeed < 0 || randomSeed >= 0xFFFF_FFFFL) {
            throw new InvalidInputException("randomSeed", "0 ≤ randomSeed < 4294967295", Long.toString(randomSeed));
        }
        return new SentencePieceTrainer(executable, vocabSize, randomSeed, timeoutSeconds);
    }

    /**
     * @param timeoutSeconds how long {@code spm_train} may run, ≥ 1
     * @return a trainer with that limit
     */
    public SentencePieceTrainer withTimeoutSeconds(long timeoutSeconds) {
        if (timeoutSeconds < 1) {
            throw new InvalidInputException("timeoutSeconds", "timeoutSeconds ≥ 1", Long.toString(timeoutSeconds));
        }
        return new SentencePieceTrainer(executable, vocabSize, randomSeed, timeoutSeconds);
    }

    /** @return the most pieces a model this trainer makes may have */
    public int vocabSize() {
        return vocabSize;
    }

    /**
     * @param corpus a text file, one sentence a line
     * @param modelPrefix where the model goes: {@code modelPrefix.model} and {@code modelPrefix.vocab}
     * @return the exact argument list {@link #train} runs (the executable first)
     */
    public List<String> command(Path corpus, Path modelPrefix) {
        if (corpus == null) {
            throw new InvalidInputException("corpus", "a text file", "null");
        }
        if (modelPrefix == null) {
            throw new InvalidInputException("modelPrefix", "a path prefix", "null");
        }
        return List.of(executable, "--input=" + corpus, "--model_prefix=" + modelPrefix, "--model_type=unigram",
                "--vocab_size=" + vocabSize, "--hard_vocab_limit=false", "--character_coverage=0.9995",
                "--input_sentence_size=1000000", "--shuffle_input_sentence=true", "--pad_id=" + PAD_ID,
                "--eos_id=" + EOS_ID, "--unk_id=" + UNK_ID, "--bos_id=-1", "--num_threads=1", "--random_seed=" + randomSeed);
    }

    /**
     * Runs {@code spm_train}.
     *
     * @param corpus a text file, one sentence a line
     * @param modelPrefix where the model goes: {@code modelPrefix.model} and {@code modelPrefix.vocab}
     * @return the path of the model file
     * @throws TokenizerException if {@code spm_train} is missing (the message names the Debian package), fails, or
     *     runs out of time; the message quotes its last output lines
     */
    public Path train(Path corpus, Path modelPrefix) {
        List<String> command = new ArrayList<>(command(corpus, modelPrefix));
        if (!Files.isRegularFile(corpus)) {
            throw new InvalidInputException("corpus", "an existing text file", corpus.toString());
        }
        command.set(0, resolve(executable).toString());
        Path log = null;
        try {
            log = Files.createTempFile("spm_train", ".log");
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new TokenizerException("spm_train ran longer than " + timeoutSeconds + " s and was stopped; its"
                        + " last output:\n" + tail(log));
            }
            if (process.exitValue() != 0) {
                throw new TokenizerException("spm_train failed with exit code " + process.exitValue() + "; command: "
                        + String.join(" ", command) + "\nits last output:\n" + tail(log));
            }
            Path model = Path.of(modelPrefix + ".model");
            if (!Files.isRegularFile(model)) {
                throw new TokenizerException("spm_train exited normally but wrote no " + model + "; its last output:\n"
                        + tail(log));
            }
            return model;
        } catch (IOException e) {
            throw new TokenizerException("cannot run spm_train: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TokenizerException("interrupted while waiting for spm_train", e);
        } finally {
            if (log != null) {
                try {
                    Files.deleteIfExists(log);
                } catch (IOException ignored) {
                    // a leftover temporary log is harmless
                }
            }
        }
    }

    /**
     * @param name a path, or a bare command name looked up on the {@code PATH}
     * @return the executable file
     * @throws TokenizerException if there is no such executable; the message names the Debian package
     */
    static Path resolve(String name) {
        if (name.contains(File.separator)) {
            Path p = Path.of(name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
            throw missing(name, "no executable file " + name);
        }
        String path = System.getenv("PATH");
        for (String dir : path == null ? new String[0] : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        throw missing(name, name + " is not on the PATH (" + path + ")");
    }

    private static TokenizerException missing(String name, String what) {
        return new TokenizerException(what + ": install the Debian package '" + DEBIAN_PACKAGE
                + "' (apt-get install " + DEBIAN_PACKAGE + "), which provides " + new File(name).getName());
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = new String(Files.readAllBytes(log), StandardCharsets.UTF_8).lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    }
}

package dev.mdm.text;

import ai.djl.sentencepiece.SpProcessor;
import ai.djl.sentencepiece.SpTokenizer;
import dev.mdm.InvalidInputException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The paper's tokenizer (Appendix D): a SentencePiece model run through DJL's JNI binding
 * ({@code ai.djl.sentencepiece:sentencepiece}), giving the same ids as {@code spm_encode --output_format=id} on the
 * same model.
 *
 * <p>The model must define a pad piece (train with {@code spm_train --pad_id}; {@link SentencePieceTrainer} does).
 * {@link #encode} returns exactly the model's ids, with no eos: {@link Tokenizer#encodeToLength} lays out
 * fixed-length sequences. Ids are checked against the vocabulary before native code sees them.
 *
 * <p>The native library ships inside the DJL jar and is copied to DJL's cache directory ({@code ~/.djl.ai}, or
 * {@code DJL_CACHE_DIR}) on first use; nothing is downloaded. Run with {@code -Dai.djl.offline=true}: without it
 * DJL's first use of the library also tries to report usage over the network.
 *
 * <p>Thread-safe; {@link #close()} frees the native model, is idempotent, and waits for calls in progress. Any use
 * after closing throws {@link IllegalStateException}.
 */
public final class SentencePieceTokenizer implements Tokenizer, AutoCloseable {
    private final SentencePieceModelInfo info;
    private final byte[] model;
    private final String name;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private volatile SpTokenizer spm;

    private SentencePieceTokenizer(SentencePieceModelInfo info, byte[] model, SpTokenizer tokenizer, String name) {
        this.info = info;
        this.model = model;
        this.spm = tokenizer;
        this.name = name;
    }

    /**
     * @return the bytes of the {@code .model} file this tokenizer was opened from (a copy; readable after
     *     {@link #close()}), which {@link dev.mdm.MDM#save} stores in a checkpoint
     */
    public byte[] model() {
        return model.clone();
    }

    /**
     * @param model a {@code .model} file written by {@code spm_train}
     * @return its tokenizer
     * @throws TokenizerException if the file cannot be read, is not a model, or the native library cannot load
     */
    public static SentencePieceTokenizer load(Path model) {
        if (model == null) {
            throw new InvalidInputException("model", "a path to a SentencePiece .model file", "null");
        }
        try {
            return fromBytes(Files.readAllBytes(model), model.toString());
        } catch (IOException e) {
            throw new TokenizerException("cannot read SentencePiece model " + model + ": " + e, e);
        }
    }

    /**
     * @param model a stream of a {@code .model} file, e.g. a class path resource; read fully, not closed
     * @param name what to call the model in messages
     * @return its tokenizer
     * @throws TokenizerException if the stream cannot be read, is not a model, or the native library cannot load
     */
    public static SentencePieceTokenizer load(InputStream model, String name) {
        if (model == null) {
            throw new InvalidInputException("model", "a stream of a SentencePiece .model file", "null");
        }
        try {
            return fromBytes(model.readAllBytes(), name);
        } catch (IOException e) {
            throw new TokenizerException("cannot read SentencePiece model " + name + ": " + e, e);
        }
    }

    /**
     * @param model the bytes of a {@code .model} file
     * @param name what to call the model in messages
     * @return its tokenizer
     * @throws TokenizerException if the bytes are not a model or the native library cannot load
     */
    public static SentencePieceTokenizer fromBytes(byte[] model, String name) {
        if (model == null) {
            throw new InvalidInputException("model", "the bytes of a SentencePiece .model file", "null");
        }
        SentencePieceModelInfo info;
        try {
            info = SentencePieceModelInfo.parse(model);
        } catch (IllegalArgumentException e) {
            throw new TokenizerException(name + " is not a SentencePiece model: " + e.getMessage(), e);
        }
        int v = info.pieces().size();
        if (info.padId() < 0 || info.padId() >= v || info.types()[info.padId()] != SentencePieceModelInfo.TYPE_CONTROL) {
            throw new TokenizerException(name + " has no pad piece (pad id " + info.padId() + "): train it with"
                    + " spm_train --pad_id=0, as SentencePieceTrainer does");
        }
        if (info.eosId() >= v || info.unkId() < 0 || info.unkId() >= v) {
            throw new TokenizerException(name + " has special ids outside its " + v + " pieces: unk " + info.unkId()
                    + ", eos " + info.eosId());
        }
        byte[] copy = model.clone();  // the caller's array may change; the checkpoint must get these bytes
        return new SentencePieceTokenizer(info, copy, openNative(copy, name), name);
    }

    private static SpTokenizer openNative(byte[] model, String name) {
        try {
            return new SpTokenizer(model);
        } catch (NoClassDefFoundError e) {
            throw new TokenizerException("SentencePiece needs ai.djl.sentencepiece:sentencepiece (and its dependency"
                    + " ai.djl:api) on the class path: " + e.getMessage(), e);
        } catch (UnsatisfiedLinkError | ExceptionInInitializerError e) {
            throw new TokenizerException("the SentencePiece native library (shipped in the DJL sentencepiece jar)"
                    + " cannot load on " + System.getProperty("os.name") + "/" + System.getProperty("os.arch") + ": " + e,
                    e);
        } catch (RuntimeException e) {
            throw new TokenizerException("SentencePiece cannot load model " + name + ": " + e.getMessage(), e);
        }
    }

    /** @return the number of pieces of the model */
    @Override
    public int vocabSize() {
        checkOpen();
        return info.pieces().size();
    }

    @Override
    public int padId() {
        checkOpen();
        return info.padId();
    }

    @Override
    public int eosId() {
        checkOpen();
        return info.eosId();
    }

    /** @return the id of unknown text */
    public int unkId() {
        checkOpen();
        return info.unkId();
    }

    /**
     * @param id 0 ≤ id &lt; vocabSize()
     * @return the piece of that id, e.g. {@code ▁coat}
     */
    public String piece(int id) {
        checkId("id", id);
        return info.pieces().get(id);
    }

    /**
     * @param text the text
     * @return the pieces it splits into, as {@code spm_encode --output_format=piece} prints them
     */
    public String[] pieces(String text) {
        checkText(text);
        lock.readLock().lock();
        try {
            return processor().tokenize(text);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public int[] encode(String text) {
        checkText(text);
        lock.readLock().lock();
        try {
            SpProcessor p = processor();
            return text.isEmpty() ? new int[0] : p.encode(text);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public String decode(int[] ids) {
        if (ids == null) {
            throw new InvalidInputException("ids", "an array of ids", "null");
        }
        int end = 0;
        while (end < ids.length && ids[end] != info.padId() && ids[end] != info.eosId()) {
            checkId("ids[" + end + "]", ids[end]);
            end++;
        }
        lock.readLock().lock();
        try {
            SpProcessor p = processor();
            return end == 0 ? "" : p.decode(Arrays.copyOf(ids, end));
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Frees the native model; idempotent. */
    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (spm != null) {
                spm.close();
                spm = null;
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public String toString() {
        return "SentencePieceTokenizer[" + name + ", " + info.pieces().size() + " pieces, pad " + info.padId() + ", eos "
                + info.eosId() + "]";
    }

    private SpProcessor processor() {
        checkOpen();
        return spm.getProcessor();
    }

    private void checkOpen() {
        if (spm == null) {
            throw new IllegalStateException(this + " is closed");
        }
    }

    private static void checkText(String text) {
        if (text == null) {
            throw new InvalidInputException("text", "a string", "null");
        }
    }

    private void checkId(String argument, int id) {
        int v = info.pieces().size();
        if (id < 0 || id >= v) {
            throw new InvalidInputException(argument, "an id in [0, " + v + ")", Integer.toString(id));
        }
    }
}

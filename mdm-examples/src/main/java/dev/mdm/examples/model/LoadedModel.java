package dev.mdm.examples.model;

import dev.mdm.MDM;
import dev.mdm.MdmConfig;
import dev.mdm.Precision;
import dev.mdm.checkpoint.Checkpoint;
import dev.mdm.text.SentencePieceTokenizer;
import java.nio.file.Path;
import java.util.Optional;

/**
 * An opened {@link MDM} with its tokenizer and a plain account of where its weights came from. Closing it closes
 * both.
 */
public final class LoadedModel implements AutoCloseable {
    private final MDM mdm;
    private final SentencePieceTokenizer tokenizer;
    private final byte[] tokenizerModel;
    private final String origin;
    private final boolean trained;

    private LoadedModel(MDM mdm, SentencePieceTokenizer tokenizer, byte[] tokenizerModel, String origin, boolean trained) {
        this.mdm = mdm;
        this.tokenizer = tokenizer;
        this.tokenizerModel = tokenizerModel;
        this.origin = origin;
        this.trained = trained;
    }

    /**
     * Opens the model of a choice: its checkpoint, else the shipped {@code fashion} checkpoint when the preset is
     * {@code fashion} (or not given) and one is shipped, else fresh weights of the preset (default {@code fashion}).
     * The tokenizer is the checkpoint's own when it carries one, else the shipped one; fresh weights get the preset
     * fitted by {@link #configFor}, so that every id the model can write is one the tokenizer can read and every text
     * of the data sets fits.
     *
     * @param choice what to open
     * @return the model
     */
    public static LoadedModel open(ModelChoice choice) {
        return open(choice, false, java.util.function.UnaryOperator.identity());
    }

    /**
     * Opens fresh weights of the choice's preset (fitted as {@link #configFor}), never the shipped checkpoint: the
     * start of a training run from scratch.
     *
     * @param choice backend, device, precision, seed and preset (its checkpoint must be null)
     * @param adjust changes to the fitted preset (e.g. the scan counts of the scan-switch ablation)
     * @return the model
     */
    public static LoadedModel openFresh(ModelChoice choice, java.util.function.UnaryOperator<MdmConfig> adjust) {
        if (choice.checkpoint() != null) {
            throw new dev.mdm.InvalidInputException("checkpoint", "none for fresh weights", choice.checkpoint().toString());
        }
        return open(choice, true, adjust);
    }

    private static LoadedModel open(ModelChoice choice, boolean fresh, java.util.function.UnaryOperator<MdmConfig> adjust) {
        Path file = choice.checkpoint();
        String preset = choice.preset() == null ? "fashion" : choice.preset();
        boolean shipped = false;
        if (file == null && preset.equals("fashion") && !fresh) {
            Optional<Path> s = ShippedModel.checkpoint();
            if (s.isPresent()) {
                file = s.get();
                shipped = true;
            }
        }
        Checkpoint checkpoint = file == null ? null : Checkpoint.load(file);
        byte[] tokenizerBytes = checkpoint != null && checkpoint.tokenizerModel().isPresent()
                ? checkpoint.tokenizerModel().get() : ShippedModel.tokenizerModel();
        SentencePieceTokenizer tokenizer = SentencePieceTokenizer.fromBytes(tokenizerBytes, "tokenizer.model");
        try {
            MDM.Builder b = MDM.builder().tokenizer(tokenizer).seed(choice.seed());
            if (choice.backend() != null) {
                b.backend(choice.backend());
            }
            if (choice.device() != null) {
                b.device(choice.device());
            }
            b.precision(choice.precision() == null ? Precision.FP32 : choice.precision());
            b.sampler(choice.samplerOrDefault());
            String origin;
            if (checkpoint != null) {
                b.checkpoint(file);
                origin = shipped ? "the shipped fashion checkpoint" : "checkpoint " + file;
            } else {
                b.config(adjust.apply(configFor(preset, tokenizer.vocabSize())));
                origin = "fresh weights of the " + preset + " preset (seed " + choice.seed() + "): not trained, output is noise";
            }
            return new LoadedModel(b.build(), tokenizer, tokenizerBytes, origin, checkpoint != null);
        } catch (RuntimeException | Error e) {
            tokenizer.close();
            throw e;
        }
    }

    /** Text tokens the project's data needs: its longest caption or question + answer is 10 tokens, plus eos. */
    public static final int TEXT_LENGTH_FOR_DATA = 12;

    /**
     * A preset fitted to the shipped tokenizer and the project's data sets: the vocabulary is the tokenizer's, and the
     * text length at least {@value #TEXT_LENGTH_FOR_DATA} (so {@code tiny} gets 12 text tokens instead of 8).
     *
     * @param preset a preset name
     * @param vocabSize the tokenizer's vocabulary size
     * @return the fitted preset
     */
    public static MdmConfig configFor(String preset, int vocabSize) {
        MdmConfig c = MdmConfig.preset(preset);
        return c.toBuilder().vocabSize(vocabSize).textLength(Math.max(c.textLength(), TEXT_LENGTH_FOR_DATA)).build();
    }

    /** @return the model */
    public MDM mdm() {
        return mdm;
    }

    /** @return its tokenizer */
    public SentencePieceTokenizer tokenizer() {
        return tokenizer;
    }

    /** @return the serialized tokenizer, for checkpoints */
    public byte[] tokenizerModel() {
        return tokenizerModel.clone();
    }

    /** @return where the weights came from, in words */
    public String origin() {
        return origin;
    }

    /** @return whether the weights came from a checkpoint (else they are fresh and the output is noise) */
    public boolean trained() {
        return trained;
    }

    /** @return backend name, version, device and precision, in words */
    public String backendDescription() {
        var b = mdm.backend();
        return b.name() + " " + b.version() + " (" + b.device() + ", " + b.precision() + ")";
    }

    @Override
    public void close() {
        try {
            mdm.close();
        } finally {
            tokenizer.close();
        }
    }
}

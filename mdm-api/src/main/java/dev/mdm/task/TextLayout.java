package dev.mdm.task;

import dev.mdm.InvalidInputException;
import dev.mdm.MdmConfig;
import dev.mdm.text.Tokenizer;
import java.util.Arrays;

/**
 * How texts fill the Lt text positions of a sample: the one layout the trainer and the tasks share.
 *
 * <ul>
 *   <li>caption (joint generation, captioning, the condition of text-to-image): {@code caption, eos, pad…};
 *   <li>question and answer (VQA): {@code question, answer, eos, pad…}, the question span given;
 *   <li>prompt and continuation (text-to-text): {@code prompt, continuation, eos, pad…}, the prompt span given.
 * </ul>
 * The eos id is written only when the tokenizer has one and a position is left for it. A given span must leave at
 * least one position to generate; the generated part (caption, answer, continuation) is cut at Lt when training
 * data are longer. Generated text is read up to the first pad or eos.
 */
public final class TextLayout {
    private final int length;
    private final int padId;
    private final int eosId;

    /**
     * @param length Lt, ≥ 1
     * @param padId the pad id, ≥ 0
     * @param eosId the end-of-sequence id, or -1 for none
     */
    public TextLayout(int length, int padId, int eosId) {
        if (length < 1) {
            throw new InvalidInputException("length", "at least 1", String.valueOf(length));
        }
        if (padId < 0) {
            throw new InvalidInputException("padId", "an id ≥ 0 (the tokenizer must define a pad id)", String.valueOf(padId));
        }
        if (eosId < -1) {
            throw new InvalidInputException("eosId", "an id ≥ 0, or -1 for none", String.valueOf(eosId));
        }
        this.length = length;
        this.padId = padId;
        this.eosId = eosId;
    }

    /**
     * @param config model sizes (Lt)
     * @param tokenizer its pad and eos ids
     * @return the layout
     */
    public static TextLayout of(MdmConfig config, Tokenizer tokenizer) {
        return new TextLayout(config.textLength(), tokenizer.padId(), tokenizer.eosId());
    }

    /** @return Lt */
    public int length() {
        return length;
    }

    /** @return the pad id */
    public int padId() {
        return padId;
    }

    /** @return the eos id, or -1 */
    public int eosId() {
        return eosId;
    }

    /** @return Lt pad ids, no eos: the absent text given to class-conditional generation */
    public PackedText empty() {
        long[] ids = new long[length];
        Arrays.fill(ids, padId);
        return new PackedText(ids, 0);
    }

    /**
     * @param caption caption ids; cut at Lt if longer
     * @return {@code caption, eos, pad…}, nothing given
     */
    public PackedText caption(int[] caption) {
        return pack(new int[0], caption);
    }

    /**
     * @param question question ids, at most Lt − 1 of them
     * @param answer answer ids; cut to the positions left
     * @return {@code question, answer, eos, pad…} with the question given
     * @throws InvalidInputException naming {@code question} when it leaves no position for the answer
     */
    public PackedText questionAnswer(int[] question, int[] answer) {
        return pack(requireRoom("question", question), answer);
    }

    /**
     * @param prompt prompt ids, at most Lt − 1 of them
     * @param continuation continuation ids; cut to the positions left
     * @return {@code prompt, continuation, eos, pad…} with the prompt given
     * @throws InvalidInputException naming {@code prompt} when it leaves no position for the continuation
     */
    public PackedText promptContinuation(int[] prompt, int[] continuation) {
        return pack(requireRoom("prompt", prompt), continuation);
    }

    /**
     * The layout at sampling time: the given span, then positions to generate (their ids are never read).
     *
     * @param argument name of the caller's argument, for the error
     * @param given ids of the given span, at most Lt − 1 of them
     * @return {@code given, pad…} with {@code given} given
     */
    public PackedText givenPrefix(String argument, int[] given) {
        return pack(requireRoom(argument, given), new int[0]);
    }

    private int[] requireRoom(String argument, int[] given) {
        if (given.length > length - 1) {
            throw new InvalidInputException(argument, "at most " + (length - 1) + " tokens (textLength " + length
                    + " keeps at least one position to generate)", given.length + " tokens");
        }
        return given;
    }

    private PackedText pack(int[] given, int[] target) {
        long[] ids = new long[length];
        Arrays.fill(ids, padId);
        int n = 0;
        for (int id : given) {
            ids[n++] = id;
        }
        for (int i = 0; i < target.length && n < length; i++) {
            ids[n++] = target[i];
        }
        if (eosId >= 0 && n < length) {
            ids[n] = eosId;
        }
        return new PackedText(ids, given.length);
    }

    /**
     * Reads generated ids up to the first pad or eos.
     *
     * @param ids Lt ids
     * @param from first position of the generated span
     * @return the ids from {@code from} up to, not including, the first pad or eos
     */
    public int[] generatedSpan(long[] ids, int from) {
        int end = from;
        while (end < ids.length && ids[end] != padId && ids[end] != eosId) {
            end++;
        }
        int[] out = new int[end - from];
        for (int i = from; i < end; i++) {
            out[i - from] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    @Override
    public String toString() {
        return "TextLayout{length=" + length + ", pad=" + padId + ", eos=" + eosId + "}";
    }
}

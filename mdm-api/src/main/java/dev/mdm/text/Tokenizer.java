package dev.mdm.text;

import dev.mdm.InvalidInputException;
import java.util.Arrays;

/**
 * Turns text into token ids and back. Implementations: SentencePiece (the paper's, Appendix D).
 */
public interface Tokenizer {
    /** @return number of ids, V */
    int vocabSize();

    /** @return the id that pads a sequence to its fixed length */
    int padId();

    /** @return the end-of-sequence id, or -1 if none */
    int eosId();

    /**
     * @param text the text
     * @return its ids, without padding
     */
    int[] encode(String text);

    /**
     * @param ids ids; decoding stops at the first pad or eos
     * @return the text
     */
    String decode(int[] ids);

    /**
     * Lays out a text as a fixed-length sequence: its ids, then the eos id (when the tokenizer has one and there is
     * room), then pad ids up to {@code length}. Decoding the result gives back the text's decoding.
     *
     * @param text the text
     * @param length the sequence length, ≥ 1
     * @return exactly {@code length} ids
     * @throws InvalidInputException if the text needs more than {@code length} ids
     */
    default int[] encodeToLength(String text, int length) {
        if (length < 1) {
            throw new InvalidInputException("length", "length ≥ 1", Integer.toString(length));
        }
        int[] ids = encode(text);
        if (ids.length > length) {
            throw new InvalidInputException("text", "at most " + length + " tokens",
                    ids.length + " tokens for '" + text + "'");
        }
        int[] out = Arrays.copyOf(ids, length);
        Arrays.fill(out, ids.length, length, padId());
        if (ids.length < length && eosId() >= 0) {
            out[ids.length] = eosId();
        }
        return out;
    }
}

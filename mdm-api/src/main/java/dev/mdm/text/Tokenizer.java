package dev.mdm.text;

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
}

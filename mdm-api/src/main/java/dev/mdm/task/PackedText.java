package dev.mdm.task;

import dev.mdm.InvalidInputException;

/**
 * A text packed into the model's Lt text positions by a {@link TextLayout}.
 *
 * @param ids Lt token ids, padded with the pad id
 * @param givenLength how many leading positions are a given span (question, prompt); 0 when none
 */
public record PackedText(long[] ids, int givenLength) {
    /** Copies the ids and checks the span. */
    public PackedText {
        ids = ids.clone();
        if (givenLength < 0 || givenLength > ids.length) {
            throw new InvalidInputException("givenLength", "in [0, " + ids.length + "]", String.valueOf(givenLength));
        }
    }

    /** @return a copy of the ids */
    @Override
    public long[] ids() {
        return ids.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PackedText p && p.givenLength == givenLength && java.util.Arrays.equals(p.ids, ids);
    }

    @Override
    public int hashCode() {
        return 31 * java.util.Arrays.hashCode(ids) + givenLength;
    }

    @Override
    public String toString() {
        return "PackedText" + java.util.Arrays.toString(ids) + " given " + givenLength;
    }
}

package dev.mdm.data;

import dev.mdm.InvalidInputException;

/**
 * A question about an image and its one correct answer.
 *
 * @param question the question, lower case, ending with {@code ?}
 * @param answer the answer: a few words, lower case
 */
public record QuestionAnswer(String question, String answer) {
    /** Checks that both parts are present. */
    public QuestionAnswer {
        if (question == null || question.isBlank()) {
            throw new InvalidInputException("question", "a non-blank question", String.valueOf(question));
        }
        if (answer == null || answer.isBlank()) {
            throw new InvalidInputException("answer", "a non-blank answer", String.valueOf(answer));
        }
    }
}

package dev.mdm.data;

import dev.mdm.tensor.Tensor;
import java.util.Objects;

/**
 * One multimodal training or evaluation example.
 *
 * @param image [C, H, W], values in [-1, 1]
 * @param classId class index in [0, classes)
 * @param caption a caption of the image
 * @param question a question about the image, or null
 * @param answer its answer, or null when there is no question
 */
public record Example(Tensor image, int classId, String caption, String question, String answer) {
    /** Checks the parts that must be present. */
    public Example {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(caption, "caption");
        if ((question == null) != (answer == null)) {
            throw new dev.mdm.InvalidInputException("answer", "an answer exactly when there is a question",
                    "question=" + question + ", answer=" + answer);
        }
    }
}

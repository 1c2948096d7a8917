package dev.mdm.examples.cli;

import dev.mdm.MDM;
import dev.mdm.task.TextSampling;
import dev.mdm.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mdm answer}: visual question answering. */
@Command(name = "answer", mixinStandardHelpOptions = true,
        description = "Answer a question about an image (at the default --temperature 0 the same image and question give the same answer).",
        footer = {"", "Examples:", "  mdm answer --fashion-index 0 --question \"what is shown?\"",
                "  mdm answer boot.png --question \"is it footwear?\""})
public final class AnswerCommand extends ImageTextCommand {
    @Option(names = "--question", required = true, paramLabel = "TEXT",
            description = "The question; it must leave room in the model's text for the answer.")
    String question;

    @Override
    String text(MDM mdm, Tensor image, TextSampling sampling) {
        return mdm.answer(image, question, sampling);
    }
}

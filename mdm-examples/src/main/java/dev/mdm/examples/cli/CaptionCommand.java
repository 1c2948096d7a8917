package dev.mdm.examples.cli;

import dev.mdm.MDM;
import dev.mdm.data.Example;
import dev.mdm.task.TextSampling;
import dev.mdm.tensor.Tensor;
import picocli.CommandLine.Command;

/** {@code mdm caption}: a caption for an image. */
@Command(name = "caption", mixinStandardHelpOptions = true,
        description = "Write a caption for an image (at the default --temperature 0 the same image gives the same caption).",
        footer = {"", "Examples:", "  mdm caption shirt.png", "  mdm caption --fashion-index 0"})
public final class CaptionCommand extends ImageTextCommand {
    @Override
    String text(MDM mdm, Tensor image, TextSampling sampling) {
        return mdm.caption(image, sampling);
    }

    @Override
    String exampleNote(Example example) {
        return "; a reference caption: \"" + example.caption() + "\"";
    }
}

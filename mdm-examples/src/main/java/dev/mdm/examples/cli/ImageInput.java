package dev.mdm.examples.cli;

import dev.mdm.InvalidInputException;
import dev.mdm.MdmConfig;
import dev.mdm.data.Example;
import dev.mdm.data.FashionCaptions;
import dev.mdm.data.FashionMnist;
import dev.mdm.examples.image.Images;
import dev.mdm.tensor.Tensor;
import java.nio.file.Path;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The image a command works on: a picture file, or a Fashion-MNIST test image by index (a picocli mixin). */
public final class ImageInput {
    @Parameters(paramLabel = "IMAGE", arity = "0..1",
            description = "A picture (PNG, JPEG, GIF, BMP); converted to the model's channels and resized to its size.")
    Path file;

    @Option(names = "--fashion-index", paramLabel = "N", description = "Use Fashion-MNIST test image N (0..9999) instead of IMAGE.")
    Integer fashionIndex;

    @Option(names = "--fashion-dir", paramLabel = "DIR",
            description = "Directory of the Fashion-MNIST IDX files (default " + FashionMnist.DEBIAN_DIRECTORY
                    + ", from 'apt-get install dataset-fashion-mnist').")
    Path fashionDirectory;

    /** An image with what is known about it. */
    record Loaded(Tensor image, String description, Example example) {
    }

    /** Checks that exactly one source was given, before any model is opened. */
    void validate(picocli.CommandLine commandLine) {
        if ((file == null) == (fashionIndex == null)) {
            throw new picocli.CommandLine.ParameterException(commandLine,
                    "give exactly one image: a file IMAGE or --fashion-index N");
        }
    }

    Loaded load(MdmConfig config) {
        if (file != null) {
            return new Loaded(Images.read(file, config.imageChannels(), config.imageHeight(), config.imageWidth()),
                    file.toString(), null);
        }
        FashionMnist test = fashionDirectory == null ? FashionMnist.load(FashionMnist.Split.TEST)
                : FashionMnist.load(fashionDirectory, FashionMnist.Split.TEST, new FashionCaptions(0));
        int i = fashionIndex;
        if (i < 0 || i >= test.size()) {
            throw new InvalidInputException("--fashion-index", "0 ≤ N < " + test.size(), Integer.toString(i));
        }
        Example e = test.get(i);
        Tensor image = Images.resize(e.image(), config.imageHeight(), config.imageWidth());
        if (image.dim(0) != config.imageChannels()) {
            throw new InvalidInputException("--fashion-index", "a model of 1-channel images for Fashion-MNIST",
                    config.imageChannels() + " channels");
        }
        String name = FashionCaptions.CLASS_NAMES.get(e.classId());
        String article = "aeiou".indexOf(name.charAt(0)) >= 0 ? "an " : "a ";
        return new Loaded(image, "Fashion-MNIST test image " + i + " (" + article + name + ")", e);
    }
}

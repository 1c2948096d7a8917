package dev.mdm.examples.data;

import dev.mdm.InvalidInputException;
import dev.mdm.MdmConfig;
import dev.mdm.data.Dataset;
import dev.mdm.data.Example;
import dev.mdm.data.FashionCaptions;
import dev.mdm.data.FashionMnist;
import dev.mdm.data.scenes.ScenePalette;
import dev.mdm.data.scenes.SyntheticScenes;
import dev.mdm.examples.image.Images;
import java.nio.file.Path;
import java.util.List;

/**
 * The data sets the {@code mdm} command trains and evaluates on, by name:
 * <ul>
 *   <li>{@code fashion}: Fashion-MNIST with its captions and questions (needs the {@code fashion} preset's 1×28×28
 *       images and 10 classes, and the IDX files);</li>
 *   <li>{@code scenes}: the synthetic scenes of shapes at 28×28 (grey for one channel, RGB for three), zero download;</li>
 *   <li>{@code synthetic}: the same scenes resized by area averaging to the preset's image size, so that any preset
 *       (such as {@code tiny}'s 8×8) can train on them.</li>
 * </ul>
 */
public final class TrainingData {
    /** The data set names. */
    public static final List<String> NAMES = List.of("fashion", "scenes", "synthetic");

    private TrainingData() {
    }

    /**
     * @param name {@code fashion}, {@code scenes} or {@code synthetic}
     * @param config the model the examples must fit
     * @param test the held-out split (for Fashion-MNIST the test files; for scenes another seed)
     * @param fashionDirectory where the Fashion-MNIST IDX files are, or null for the Debian package's directory
     * @param size examples of the scenes (ignored for Fashion-MNIST)
     * @return the data set
     */
    public static Dataset open(String name, MdmConfig config, boolean test, Path fashionDirectory, int size) {
        return switch (name) {
            case "fashion" -> {
                require(config.imageChannels() == 1 && config.imageHeight() == 28 && config.imageWidth() == 28,
                        "a model of 1×28×28 images (the fashion preset)", config);
                require(config.classes() >= FashionCaptions.CLASS_NAMES.size(), "a model with at least 10 classes", config);
                FashionMnist.Split split = test ? FashionMnist.Split.TEST : FashionMnist.Split.TRAIN;
                yield fashionDirectory == null ? FashionMnist.load(split)
                        : FashionMnist.load(fashionDirectory, split, new FashionCaptions(0));
            }
            case "scenes" -> {
                require(config.imageHeight() == 28 && config.imageWidth() == 28, "a model of 28×28 images (use 'synthetic' for"
                        + " other sizes)", config);
                yield scenes(config, test, size);
            }
            case "synthetic" -> new Resized(scenes(config, test, size), config.imageHeight(), config.imageWidth());
            default -> throw new InvalidInputException("dataset", "one of " + String.join(", ", NAMES), "'" + name + "'");
        };
    }

    /**
     * The examples {@code mdm train --hold-out n} trains on: all but the last {@code n}, which stay unseen so that
     * {@code mdm eval --text-split train --hold-out n} can choose settings on them instead of on the test split.
     *
     * @param data a data set
     * @param n examples to keep out, 0 ≤ n &lt; data.size()
     * @param option the option that asked for it, named in the error
     * @return a view of the first {@code data.size() - n} examples (data itself for n = 0)
     */
    public static Dataset withoutLast(Dataset data, int n, String option) {
        if (n < 0 || n >= data.size()) {
            throw new InvalidInputException(option, "a count in [0, " + (data.size() - 1) + "] (the data set has "
                    + data.size() + " examples, and training needs at least one)", String.valueOf(n));
        }
        return n == 0 ? data : new First(data, data.size() - n);
    }

    private static Dataset scenes(MdmConfig config, boolean test, int size) {
        ScenePalette palette = switch (config.imageChannels()) {
            case 1 -> ScenePalette.GREYSCALE;
            case 3 -> ScenePalette.RGB;
            default -> throw new InvalidInputException("dataset", "a model of 1 or 3 image channels for the scenes",
                    config.imageChannels() + " channels");
        };
        require(config.classes() >= 3, "a model with at least 3 classes (the scene shapes)", config);
        return new SyntheticScenes(palette, size, test ? 1_000_003L : 1L);
    }

    private static void require(boolean ok, String expected, MdmConfig config) {
        if (!ok) {
            throw new InvalidInputException("dataset", expected, config.imageChannels() + "×" + config.imageHeight() + "×"
                    + config.imageWidth() + " images, " + config.classes() + " classes");
        }
    }

    /** The first {@code size} examples of a data set. */
    private record First(Dataset inner, int size) implements Dataset {
        @Override
        public Example get(int index) {
            java.util.Objects.checkIndex(index, size);
            return inner.get(index);
        }

        @Override
        public List<String> classNames() {
            return inner.classNames();
        }
    }

    /** A data set whose images are resized by area averaging. */
    private record Resized(Dataset inner, int height, int width) implements Dataset {
        @Override
        public int size() {
            return inner.size();
        }

        @Override
        public Example get(int index) {
            Example e = inner.get(index);
            return new Example(Images.resize(e.image(), height, width), e.classId(), e.caption(), e.question(), e.answer());
        }

        @Override
        public List<String> classNames() {
            return inner.classNames();
        }
    }
}

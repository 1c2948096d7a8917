package dev.mdm.data;

import dev.mdm.InvalidInputException;
import dev.mdm.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * One split of Fashion-MNIST read from its four standard IDX files, each plain or gzip-compressed; every image has
 * a caption and a question from {@link FashionCaptions}.
 *
 * <p>Images are [1, 28, 28] F32 tensors scaled from [0, 255] to [-1, 1] (v / 127.5 − 1). The training and test splits
 * come from different files and are separate objects, so test images never reach training by accident.
 *
 * <p>The default directory is where the Debian package {@code dataset-fashion-mnist} installs the files,
 * {@value #DEBIAN_DIRECTORY}.
 */
public final class FashionMnist implements Dataset {
    /** Where {@code apt-get install dataset-fashion-mnist} puts the IDX files. */
    public static final String DEBIAN_DIRECTORY = "/usr/share/datasets/fashion-mnist";
    /** Image side in pixels. */
    public static final int SIDE = 28;

    /** A split of the data set, read from its own pair of files. */
    public enum Split {
        /** 60 000 training images: {@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte} */
        TRAIN("train"),
        /** 10 000 test images: {@code t10k-images-idx3-ubyte}, {@code t10k-labels-idx1-ubyte} */
        TEST("t10k");

        private final String prefix;

        Split(String prefix) {
            this.prefix = prefix;
        }

        /** @return the file name of the images, without a {@code .gz} suffix */
        public String imagesFileName() {
            return prefix + "-images-idx3-ubyte";
        }

        /** @return the file name of the labels, without a {@code .gz} suffix */
        public String labelsFileName() {
            return prefix + "-labels-idx1-ubyte";
        }
    }

    private final Split split;
    private final IdxArray images;
    private final IdxArray labels;
    private final FashionCaptions captions;

    private FashionMnist(Split split, IdxArray images, IdxArray labels, FashionCaptions captions) {
        this.split = split;
        this.images = images;
        this.labels = labels;
        this.captions = captions;
    }

    /**
     * Reads a split from the Debian package's directory, with the captions of seed 0.
     *
     * @param split which split
     * @return the split
     * @throws InvalidDataFileException if a file is missing (the message says which package to install) or invalid
     */
    public static FashionMnist load(Split split) {
        return load(Path.of(DEBIAN_DIRECTORY), split, new FashionCaptions(0));
    }

    /**
     * Reads a split from a directory holding the standard file names, each with or without {@code .gz}.
     *
     * @param directory the directory
     * @param split which split
     * @param captions the captions and questions of the images
     * @return the split
     * @throws InvalidDataFileException if a file is missing or invalid, or images and labels disagree
     */
    public static FashionMnist load(Path directory, Split split, FashionCaptions captions) {
        if (directory == null) {
            throw new InvalidInputException("directory", "a directory", "null");
        }
        if (split == null) {
            throw new InvalidInputException("split", "TRAIN or TEST", "null");
        }
        if (captions == null) {
            throw new InvalidInputException("captions", "a FashionCaptions", "null");
        }
        IdxReader reader = new IdxReader();
        Path imagesFile = find(directory, split.imagesFileName());
        Path labelsFile = find(directory, split.labelsFileName());
        IdxArray images = reader.readImages(imagesFile);
        if (images.dimension(1) != SIDE || images.dimension(2) != SIDE) {
            throw new InvalidDataFileException(imagesFile, "images are " + images.dimension(1) + "×" + images.dimension(2)
                    + ", Fashion-MNIST's are " + SIDE + "×" + SIDE);
        }
        IdxArray labels = reader.readLabels(labelsFile, FashionCaptions.CLASS_NAMES.size());
        if (labels.length() != images.dimension(0)) {
            throw new InvalidDataFileException(labelsFile, "has " + labels.length() + " labels but " + imagesFile
                    + " has " + images.dimension(0) + " images");
        }
        return new FashionMnist(split, images, labels, captions);
    }

    private static Path find(Path directory, String name) {
        Path plain = directory.resolve(name);
        if (Files.isRegularFile(plain)) {
            return plain;
        }
        Path gz = directory.resolve(name + ".gz");
        if (Files.isRegularFile(gz)) {
            return gz;
        }
        throw new InvalidDataFileException(plain, "no such file, nor " + gz.getFileName() + "; install the Debian package"
                + " dataset-fashion-mnist (it puts the files in " + DEBIAN_DIRECTORY + ") or give the directory that"
                + " holds the Fashion-MNIST IDX files");
    }

    /** @return which split this is */
    public Split split() {
        return split;
    }

    @Override
    public int size() {
        return labels.length();
    }

    /**
     * @param index 0 ≤ index &lt; size()
     * @return the image as a [1, 28, 28] F32 tensor in [-1, 1]
     */
    public Tensor image(int index) {
        checkIndex(index);
        int[] pixels = images.slice(index * SIDE * SIDE, SIDE * SIDE);
        float[] values = new float[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            values[i] = (float) (pixels[i] / 127.5 - 1.0);
        }
        return Tensor.ofFloats(values, 1, SIDE, SIDE);
    }

    /**
     * @param index 0 ≤ index &lt; size()
     * @return the image's class, in [0, 10)
     */
    public int label(int index) {
        checkIndex(index);
        return labels.get(index);
    }

    /** {@inheritDoc} The example's caption and question come from this data set's {@link FashionCaptions}. */
    @Override
    public Example get(int index) {
        int label = label(index);
        QuestionAnswer qa = captions.question(index, label);
        return new Example(image(index), label, captions.caption(index, label), qa.question(), qa.answer());
    }

    /** @return {@link FashionCaptions#CLASS_NAMES} */
    @Override
    public List<String> classNames() {
        return FashionCaptions.CLASS_NAMES;
    }

    private void checkIndex(int index) {
        if (index < 0 || index >= size()) {
            throw new InvalidInputException("index", "0 ≤ index < " + size(), Integer.toString(index));
        }
    }
}

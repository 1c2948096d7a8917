package dev.mdm.examples.eval;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import dev.mdm.InvalidInputException;
import dev.mdm.data.FashionCaptions;
import dev.mdm.data.FashionMnist;
import dev.mdm.tensor.Tensor;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The project's reference Fashion-MNIST classifier: a small CNN on DJL (PyTorch engine, CPU) that scores generated
 * images (class accuracy) and embeds them (its penultimate layer is the feature space of the Fréchet distance).
 *
 * <p>Architecture: conv 3×3 (32) → batch norm → ReLU → max-pool 2 → conv 3×3 (64) → batch norm → ReLU → max-pool 2 →
 * flatten → linear (64) → ReLU [= the {@value #FEATURES} features] → linear (10). Input: [b, 1, 28, 28] in [-1, 1],
 * exactly as {@link FashionMnist#image(int)} and the MDM decoder produce them.
 *
 * <p>The trained weights ship as {@value #RESOURCE} in DJL's parameter format, made by {@link ClassifierTraining}; its
 * measured test accuracy is in {@value #REPORT_RESOURCE}. Not thread-safe: one instance per thread.
 */
public final class FashionClassifier implements AutoCloseable {
    /** Class-path location of the trained parameters. */
    public static final String RESOURCE = "/dev/mdm/examples/eval/fashion-classifier.params";
    /** Class-path location of the training report (test accuracy, time, settings). */
    public static final String REPORT_RESOURCE = "/dev/mdm/examples/eval/fashion-classifier.json";
    /** Width of the penultimate layer, the feature space of the Fréchet distance. */
    public static final int FEATURES = 64;
    /** Number of classes. */
    public static final int CLASSES = FashionCaptions.CLASS_NAMES.size();
    /** Image side in pixels. */
    public static final int SIDE = FashionMnist.SIDE;

    /** Images per forward pass: bounds native memory whatever the number of images asked about. */
    private static final int CHUNK = 512;

    private final NDManager manager;
    private final SequentialBlock features;
    private final SequentialBlock network;
    private final ParameterStore parameters;
    private boolean closed;

    private FashionClassifier(NDManager manager, SequentialBlock features, SequentialBlock network) {
        this.manager = manager;
        this.features = features;
        this.network = network;
        this.parameters = new ParameterStore(manager, false);
    }

    /** The untrained network: [0] the feature extractor, [1] the whole classifier (features then the linear head). */
    static SequentialBlock[] architecture() {
        SequentialBlock features = new SequentialBlock()
                .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(32).build())
                .add(BatchNorm.builder().build())
                .add(Activation.reluBlock())
                .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(64).build())
                .add(BatchNorm.builder().build())
                .add(Activation.reluBlock())
                .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(FEATURES).build())
                .add(Activation.reluBlock());
        SequentialBlock network = new SequentialBlock().add(features).add(Linear.builder().setUnits(CLASSES).build());
        return new SequentialBlock[] {features, network};
    }

    /** @return whether the trained parameters are on the class path */
    public static boolean isShipped() {
        return FashionClassifier.class.getResource(RESOURCE) != null;
    }

    /**
     * Loads the shipped, trained classifier.
     *
     * @return the classifier
     * @throws IllegalStateException when {@value #RESOURCE} is not on the class path (the message says how to make it)
     */
    public static FashionClassifier load() {
        InputStream in = FashionClassifier.class.getResourceAsStream(RESOURCE);
        if (in == null) {
            throw new IllegalStateException("the reference classifier " + RESOURCE + " is missing from the class path; "
                    + "train it with dev.mdm.examples.eval.ClassifierTraining (see the README beside it)");
        }
        try (in) {
            return load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    /**
     * @param file parameters written by {@link #save(Path)}
     * @return the classifier
     */
    public static FashionClassifier load(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /**
     * @param in DJL parameters of this architecture
     * @return the classifier
     */
    static FashionClassifier load(InputStream in) throws IOException {
        SequentialBlock[] blocks = architecture();
        NDManager manager = NDManager.newBaseManager();
        try {
            blocks[1].initialize(manager, DataType.FLOAT32, new Shape(1, 1, SIDE, SIDE));
            blocks[1].loadParameters(manager, new DataInputStream(new BufferedInputStream(in)));
            return new FashionClassifier(manager, blocks[0], blocks[1]);
        } catch (MalformedModelException | RuntimeException e) {
            manager.close();
            throw new IllegalStateException("the classifier parameters do not fit its architecture: " + e.getMessage(), e);
        }
    }

    /** @return the parameters in DJL's format (as {@link #save(Path)} writes them) */
    static byte[] parameterBytes(SequentialBlock network) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            network.saveParameters(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Writes the parameters in DJL's format, atomically (temporary file, then move).
     *
     * @param file where to write
     */
    public void save(Path file) {
        checkOpen();
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path tmp = Files.createTempFile(parent, file.getFileName().toString(), ".tmp");
            Files.write(tmp, parameterBytes(network));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /**
     * @param images [1, 28, 28] tensors in [-1, 1]
     * @return the predicted class of each
     */
    public int[] predict(List<Tensor> images) {
        float[] pixels = pixels(images);
        int n = images.size();
        int[] out = new int[n];
        forEachChunk(pixels, n, network, (from, logits) -> {
            long[] argmax = logits.argMax(1).toLongArray();
            for (int i = 0; i < argmax.length; i++) {
                out[from + i] = (int) argmax[i];
            }
        });
        return out;
    }

    /**
     * @param images [1, 28, 28] tensors in [-1, 1]
     * @return the penultimate-layer features of each, [n][{@value #FEATURES}]
     */
    public double[][] features(List<Tensor> images) {
        float[] pixels = pixels(images);
        int n = images.size();
        double[][] out = new double[n][];
        forEachChunk(pixels, n, features, (from, f) -> {
            float[] flat = f.toFloatArray();
            for (int i = 0; i < flat.length / FEATURES; i++) {
                double[] row = new double[FEATURES];
                for (int j = 0; j < FEATURES; j++) {
                    row[j] = flat[i * FEATURES + j];
                }
                out[from + i] = row;
            }
        });
        return out;
    }

    private interface ChunkResult {
        void accept(int from, NDArray output);
    }

    private void forEachChunk(float[] pixels, int n, SequentialBlock block, ChunkResult result) {
        checkOpen();
        int per = SIDE * SIDE;
        for (int from = 0; from < n; from += CHUNK) {
            int m = Math.min(CHUNK, n - from);
            float[] part = new float[m * per];
            System.arraycopy(pixels, from * per, part, 0, part.length);
            try (NDManager scope = manager.newSubManager()) {
                NDArray x = scope.create(part, new Shape(m, 1, SIDE, SIDE));
                NDArray y = block.forward(parameters, new NDList(x), false).singletonOrThrow();
                result.accept(from, y);
            }
        }
    }

    private static float[] pixels(List<Tensor> images) {
        if (images == null || images.isEmpty()) {
            throw new InvalidInputException("images", "at least one [1, 28, 28] image", images == null ? "null" : "none");
        }
        int per = SIDE * SIDE;
        float[] all = new float[images.size() * per];
        for (int i = 0; i < images.size(); i++) {
            Tensor t = images.get(i);
            if (t == null) {
                throw new InvalidInputException("images[" + i + "]", "a [1, 28, 28] tensor", "null");
            }
            t.requireShape("images[" + i + "]", 1, SIDE, SIDE).requireFinite("images[" + i + "]");
            System.arraycopy(t.toFloatArray(), 0, all, i * per, per);
        }
        return all;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("FashionClassifier is closed");
        }
    }

    /** Frees the native memory of the parameters. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            manager.close();
        }
    }
}

package dev.mdm.examples.eval;

import dev.mdm.CheckpointException;
import dev.mdm.InvalidInputException;
import dev.mdm.checkpoint.Safetensors;
import dev.mdm.checkpoint.SafetensorsFile;
import dev.mdm.data.FashionCaptions;
import dev.mdm.data.FashionMnist;
import dev.mdm.tensor.DType;
import dev.mdm.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The project's reference Fashion-MNIST classifier: a small CNN that scores generated images (class accuracy) and
 * embeds them (its penultimate layer is the feature space of the Fréchet distance). Inference is plain Java (no
 * native library), so the evaluation runs wherever a JVM does; {@link ClassifierTraining} trains it with DJL.
 *
 * <p>Architecture: conv 3×3 pad 1 (32) → batch norm → ReLU → max-pool 2 → conv 3×3 pad 1 (64) → batch norm → ReLU →
 * max-pool 2 → flatten (channel, row, column) → linear (64) → ReLU [= the {@value #FEATURES} features] → linear (10).
 * Batch norm uses the running statistics: (x − mean) / √(var + {@value #BATCH_NORM_EPSILON}) · γ + β, DJL's
 * epsilon. Input: [1, 28, 28] images in [-1, 1], exactly as {@link FashionMnist#image(int)} and the MDM decoder
 * produce them. Images are computed in parallel (the common fork-join pool), float32 throughout.
 *
 * <p>The trained weights ship as {@value #RESOURCE}, tensors named as PyTorch's {@code state_dict} would name them
 * ({@code conv1.weight}, {@code conv1.bias}, {@code bn1.weight} (γ), {@code bn1.bias} (β),
 * {@code bn1.running_mean}, {@code bn1.running_var}, the same for {@code conv2} and {@code bn2}, then {@code fc1.weight},
 * {@code fc1.bias}, {@code fc2.weight}, {@code fc2.bias}); the measured test accuracy is in {@value #REPORT_RESOURCE}. Thread-safe: the weights
 * are never written after loading.
 */
public final class FashionClassifier implements AutoCloseable {
    /** Class-path location of the trained weights. */
    public static final String RESOURCE = "/dev/mdm/examples/eval/fashion-classifier.safetensors";
    /** Class-path location of the training report (test accuracy, time, settings). */
    public static final String REPORT_RESOURCE = "/dev/mdm/examples/eval/fashion-classifier.json";
    /** Width of the penultimate layer, the feature space of the Fréchet distance. */
    public static final int FEATURES = 64;
    /** Number of classes. */
    public static final int CLASSES = FashionCaptions.CLASS_NAMES.size();
    /** Image side in pixels. */
    public static final int SIDE = FashionMnist.SIDE;
    /** The ε of both batch norms (DJL's {@code BatchNorm} default, the one the weights were trained with). */
    public static final float BATCH_NORM_EPSILON = 1e-5f;

    private static final int FILTERS1 = 32;
    private static final int FILTERS2 = 64;
    private static final int SIDE1 = SIDE / 2;
    private static final int SIDE2 = SIDE1 / 2;
    private static final int FLAT = FILTERS2 * SIDE2 * SIDE2;
    /** Images per parallel task: each task allocates its working memory once. */
    private static final int IMAGES_PER_TASK = 32;

    /** Every tensor of the weights file with its shape, in the order of the network. */
    static final Map<String, int[]> TENSOR_SHAPES = tensorShapes();

    private final float[] conv1Weight;
    private final float[] conv1Bias;
    private final float[] bn1Scale;
    private final float[] bn1Shift;
    private final float[] conv2Weight;
    private final float[] conv2Bias;
    private final float[] bn2Scale;
    private final float[] bn2Shift;
    private final float[] fc1WeightTransposed;
    private final float[] fc1Bias;
    private final float[] fc2WeightTransposed;
    private final float[] fc2Bias;
    private final Map<String, Tensor> weights;
    private volatile boolean closed;

    private static Map<String, int[]> tensorShapes() {
        Map<String, int[]> shapes = new LinkedHashMap<>();
        shapes.put("conv1.weight", new int[] {FILTERS1, 1, 3, 3});
        shapes.put("conv1.bias", new int[] {FILTERS1});
        shapes.put("bn1.weight", new int[] {FILTERS1});
        shapes.put("bn1.bias", new int[] {FILTERS1});
        shapes.put("bn1.running_mean", new int[] {FILTERS1});
        shapes.put("bn1.running_var", new int[] {FILTERS1});
        shapes.put("conv2.weight", new int[] {FILTERS2, FILTERS1, 3, 3});
        shapes.put("conv2.bias", new int[] {FILTERS2});
        shapes.put("bn2.weight", new int[] {FILTERS2});
        shapes.put("bn2.bias", new int[] {FILTERS2});
        shapes.put("bn2.running_mean", new int[] {FILTERS2});
        shapes.put("bn2.running_var", new int[] {FILTERS2});
        shapes.put("fc1.weight", new int[] {FEATURES, FLAT});
        shapes.put("fc1.bias", new int[] {FEATURES});
        shapes.put("fc2.weight", new int[] {CLASSES, FEATURES});
        shapes.put("fc2.bias", new int[] {CLASSES});
        return Collections.unmodifiableMap(shapes);
    }

    /**
     * A classifier with the given weights.
     *
     * @param weights every tensor named in the class comment, of this architecture's shape, finite (batch-norm variances ≥ 0); no other
     * @throws CheckpointException naming every missing, unexpected or misshapen tensor
     */
    public FashionClassifier(Map<String, Tensor> weights) {
        if (weights == null) {
            throw new InvalidInputException("weights", "the tensors " + TENSOR_SHAPES.keySet(), "null");
        }
        List<String> problems = new ArrayList<>();
        for (var e : TENSOR_SHAPES.entrySet()) {
            Tensor t = weights.get(e.getKey());
            if (t == null) {
                problems.add(e.getKey() + " is missing");
            } else if (!Arrays.equals(t.shape(), e.getValue())) {
                problems.add(e.getKey() + " has shape " + Arrays.toString(t.shape()) + ", expected " + Arrays.toString(e.getValue()));
            } else if (!t.dtype().isFloating()) {
                problems.add(e.getKey() + " is " + t.dtype() + ", expected a floating type");
            } else if (Arrays.stream(t.toDoubleArray()).anyMatch(v -> !Double.isFinite(v))) {
                problems.add(e.getKey() + " holds a non-finite value");
            }
        }
        for (String name : weights.keySet()) {
            if (!TENSOR_SHAPES.containsKey(name)) {
                problems.add("unexpected tensor " + name);
            }
        }
        for (String var : List.of("bn1.running_var", "bn2.running_var")) {
            Tensor t = weights.get(var);
            if (t != null && Arrays.stream(t.toDoubleArray()).anyMatch(v -> v < 0)) {
                problems.add(var + " holds a negative variance");
            }
        }
        if (!problems.isEmpty()) {
            throw new CheckpointException("the classifier weights do not fit its architecture: " + String.join("; ", problems));
        }
        Map<String, Tensor> copy = new LinkedHashMap<>();
        TENSOR_SHAPES.keySet().forEach(name -> copy.put(name, weights.get(name).to(DType.F32)));
        this.weights = Collections.unmodifiableMap(copy);
        conv1Weight = floats("conv1.weight");
        conv1Bias = floats("conv1.bias");
        conv2Weight = floats("conv2.weight");
        conv2Bias = floats("conv2.bias");
        fc1WeightTransposed = transpose(floats("fc1.weight"), FEATURES, FLAT);
        fc1Bias = floats("fc1.bias");
        fc2WeightTransposed = transpose(floats("fc2.weight"), CLASSES, FEATURES);
        fc2Bias = floats("fc2.bias");
        bn1Scale = new float[FILTERS1];
        bn1Shift = new float[FILTERS1];
        foldBatchNorm(floats("bn1.weight"), floats("bn1.bias"), floats("bn1.running_mean"), floats("bn1.running_var"),
                bn1Scale, bn1Shift);
        bn2Scale = new float[FILTERS2];
        bn2Shift = new float[FILTERS2];
        foldBatchNorm(floats("bn2.weight"), floats("bn2.bias"), floats("bn2.running_mean"), floats("bn2.running_var"),
                bn2Scale, bn2Shift);
    }

    private float[] floats(String name) {
        return weights.get(name).toFloatArray();
    }

    /** Batch norm at inference is y = x · scale + shift per channel, with scale = γ / √(var + ε), shift = β − mean · scale. */
    static void foldBatchNorm(float[] gamma, float[] beta, float[] mean, float[] var, float[] scale, float[] shift) {
        for (int c = 0; c < scale.length; c++) {
            float s = gamma[c] / (float) Math.sqrt(var[c] + BATCH_NORM_EPSILON);
            scale[c] = s;
            shift[c] = beta[c] - mean[c] * s;
        }
    }

    /** @return whether the trained weights are on the class path */
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
        URL url = FashionClassifier.class.getResource(RESOURCE);
        if (url == null) {
            throw new IllegalStateException("the reference classifier " + RESOURCE + " is missing from the class path; "
                    + "train it with dev.mdm.examples.eval.ClassifierTraining (see the README beside it)");
        }
        try {
            if ("file".equals(url.getProtocol())) {
                return load(Path.of(url.toURI()));
            }
            // inside a jar: the safetensors reader wants a file
            Path copy = Files.createTempFile("mdm-fashion-classifier-", ".safetensors");
            try (InputStream in = url.openStream()) {
                Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
                return load(copy);
            } finally {
                Files.deleteIfExists(copy);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("bad resource URL " + url, e);
        }
    }

    /**
     * @param file weights written by {@link #save(Path)}
     * @return the classifier
     * @throws CheckpointException when the file is not a valid safetensors file of this architecture
     */
    public static FashionClassifier load(Path file) {
        SafetensorsFile read = Safetensors.read(file);
        try {
            return new FashionClassifier(read.tensors());
        } catch (CheckpointException e) {
            throw new CheckpointException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes the weights as safetensors, atomically.
     *
     * @param file where to write
     * @param metadata string metadata to store with them (may be empty)
     */
    public void save(Path file, Map<String, String> metadata) {
        checkOpen();
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.put("architecture", "conv3x3(32)-bn-relu-maxpool2-conv3x3(64)-bn-relu-maxpool2-flatten(NCHW)-linear(64)-relu-linear(10)");
        meta.put("batch_norm_epsilon", Float.toString(BATCH_NORM_EPSILON));
        meta.put("input", "[b, 1, 28, 28] in [-1, 1]");
        Safetensors.write(file, weights, meta);
    }

    /**
     * Writes the weights as safetensors, atomically, with the architecture in the metadata.
     *
     * @param file where to write
     */
    public void save(Path file) {
        save(file, Map.of());
    }

    /**
     * @param images [1, 28, 28] tensors in [-1, 1]
     * @return the predicted class of each (the first of equal logits)
     */
    public int[] predict(List<Tensor> images) {
        float[][] logits = run(images, false);
        int[] out = new int[logits.length];
        for (int i = 0; i < logits.length; i++) {
            int best = 0;
            for (int k = 1; k < CLASSES; k++) {
                if (logits[i][k] > logits[i][best]) {
                    best = k;
                }
            }
            out[i] = best;
        }
        return out;
    }

    /**
     * @param images [1, 28, 28] tensors in [-1, 1]
     * @return the unnormalized class scores of each, [n][{@value #CLASSES}]
     */
    public float[][] logits(List<Tensor> images) {
        return run(images, false);
    }

    /**
     * @param images [1, 28, 28] tensors in [-1, 1]
     * @return the penultimate-layer features of each, [n][{@value #FEATURES}]
     */
    public double[][] features(List<Tensor> images) {
        float[][] f = run(images, true);
        double[][] out = new double[f.length][FEATURES];
        for (int i = 0; i < f.length; i++) {
            for (int j = 0; j < FEATURES; j++) {
                out[i][j] = f[i][j];
            }
        }
        return out;
    }

    private float[][] run(List<Tensor> images, boolean featuresOnly) {
        checkOpen();
        float[][] pixels = pixels(images);
        int n = pixels.length;
        float[][] out = new float[n][];
        int tasks = (n + IMAGES_PER_TASK - 1) / IMAGES_PER_TASK;
        IntStream.range(0, tasks).parallel().forEach(task -> {
            Activations a = new Activations();
            for (int i = task * IMAGES_PER_TASK; i < Math.min(n, (task + 1) * IMAGES_PER_TASK); i++) {
                forward(pixels[i], a);
                out[i] = featuresOnly ? a.features.clone() : a.logits.clone();
            }
        });
        return out;
    }

    /**
     * The working memory of one forward pass, reused image after image by one task. Convolution inputs are kept with a
     * zero border (the padding), convolution outputs two columns wider than the image (see {@link #conv3x3}).
     */
    private static final class Activations {
        final float[] input = new float[(SIDE + 2) * (SIDE + 2)];
        final float[] conv1 = new float[FILTERS1 * SIDE * (SIDE + 2)];
        final float[] pool1 = new float[FILTERS1 * (SIDE1 + 2) * (SIDE1 + 2)];
        final float[] conv2 = new float[FILTERS2 * SIDE1 * (SIDE1 + 2)];
        final float[] pool2 = new float[FLAT];
        final float[] features = new float[FEATURES];
        final float[] logits = new float[CLASSES];
    }

    private void forward(float[] image, Activations a) {
        for (int y = 0; y < SIDE; y++) {
            System.arraycopy(image, y * SIDE, a.input, (y + 1) * (SIDE + 2) + 1, SIDE);
        }
        conv3x3(a.input, 1, SIDE, SIDE, conv1Weight, conv1Bias, FILTERS1, a.conv1);
        scaleShiftRelu(a.conv1, FILTERS1, SIDE * (SIDE + 2), bn1Scale, bn1Shift);
        maxPool2(a.conv1, FILTERS1, SIDE, SIDE, SIDE + 2, a.pool1, 1);
        conv3x3(a.pool1, FILTERS1, SIDE1, SIDE1, conv2Weight, conv2Bias, FILTERS2, a.conv2);
        scaleShiftRelu(a.conv2, FILTERS2, SIDE1 * (SIDE1 + 2), bn2Scale, bn2Shift);
        maxPool2(a.conv2, FILTERS2, SIDE1, SIDE1, SIDE1 + 2, a.pool2, 0);
        linear(a.pool2, fc1WeightTransposed, fc1Bias, a.features);
        for (int j = 0; j < FEATURES; j++) {
            a.features[j] = Math.max(0f, a.features[j]);
        }
        linear(a.features, fc2WeightTransposed, fc2Bias, a.logits);
    }

    /**
     * 3×3 convolution, stride 1, zero padding 1, as cross-correlation like every deep-learning library:
     * out[o][y][x] = bias[o] + Σ_c,ky,kx weight[o][c][ky][kx] · in[c][y+ky−1][x+kx−1]. Direct, no im2col.
     *
     * <p>Layouts chosen so that each tap is one long contiguous loop: the input carries its zero border
     * ([channels][height+2][width+2]), and the output is written with the input's row pitch, [filters][height][width+2],
     * where columns width and width+1 of each row are scratch (they hold sums that wrap around a row; ignore them).
     *
     * @param padded [channels][height+2][width+2], zero on the border
     * @param weight [filters][channels][3][3]
     * @param bias [filters]
     * @param out [filters][height][width+2], overwritten
     */
    static void conv3x3(float[] padded, int channels, int height, int width, float[] weight, float[] bias, int filters,
            float[] out) {
        int pitch = width + 2;
        int inPlane = (height + 2) * pitch;
        int outPlane = height * pitch;
        // the last two outputs of the last row would read past the padded plane; they are scratch columns anyway
        int span = outPlane - 2;
        for (int o = 0; o < filters; o++) {
            int outBase = o * outPlane;
            Arrays.fill(out, outBase, outBase + outPlane, bias[o]);
            for (int c = 0; c < channels; c++) {
                int tap = (o * channels + c) * 9;
                for (int ky = 0; ky < 3; ky++) {
                    for (int kx = 0; kx < 3; kx++) {
                        float w = weight[tap + ky * 3 + kx];
                        int inBase = c * inPlane + ky * pitch + kx;
                        for (int p = 0; p < span; p++) {
                            out[outBase + p] += w * padded[inBase + p];
                        }
                    }
                }
            }
        }
    }

    /** In place, per channel: x ← max(0, x · scale[c] + shift[c]) (inference batch norm, then ReLU). */
    static void scaleShiftRelu(float[] x, int channels, int plane, float[] scale, float[] shift) {
        for (int c = 0; c < channels; c++) {
            float s = scale[c];
            float b = shift[c];
            for (int i = c * plane; i < (c + 1) * plane; i++) {
                x[i] = Math.max(0f, x[i] * s + b);
            }
        }
    }

    /**
     * 2×2 max-pool, stride 2 (a trailing odd row or column is dropped).
     *
     * @param in [channels][height][pitch], the first width columns of each row used
     * @param out [channels][height/2 + 2·border][width/2 + 2·border], its interior overwritten (a border of zeros is
     *     the next convolution's padding; border 0 is the plain [channels][height/2][width/2] layout)
     */
    static void maxPool2(float[] in, int channels, int height, int width, int pitch, float[] out, int border) {
        int h = height / 2;
        int w = width / 2;
        int outPitch = w + 2 * border;
        int outPlane = (h + 2 * border) * outPitch;
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < h; y++) {
                int r0 = c * height * pitch + 2 * y * pitch;
                int r1 = r0 + pitch;
                int o = c * outPlane + (y + border) * outPitch + border;
                for (int x = 0; x < w; x++) {
                    out[o + x] = Math.max(Math.max(in[r0 + 2 * x], in[r0 + 2 * x + 1]),
                            Math.max(in[r1 + 2 * x], in[r1 + 2 * x + 1]));
                }
            }
        }
    }

    /**
     * out[j] = bias[j] + Σ_k weight[j][k] · in[k], summed in order of k, from the transposed weight [in.length][out.length]
     * so that the innermost loop runs over contiguous outputs.
     */
    static void linear(float[] in, float[] weightTransposed, float[] bias, float[] out) {
        int m = out.length;
        Arrays.fill(out, 0f);
        for (int k = 0; k < in.length; k++) {
            float v = in[k];
            int row = k * m;
            for (int j = 0; j < m; j++) {
                out[j] += weightTransposed[row + j] * v;
            }
        }
        for (int j = 0; j < m; j++) {
            out[j] += bias[j];
        }
    }

    /** @return the [columns][rows] transpose of a row-major [rows][columns] matrix */
    static float[] transpose(float[] matrix, int rows, int columns) {
        float[] t = new float[matrix.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                t[c * rows + r] = matrix[r * columns + c];
            }
        }
        return t;
    }

    private static float[][] pixels(List<Tensor> images) {
        if (images == null || images.isEmpty()) {
            throw new InvalidInputException("images", "at least one [1, 28, 28] image", images == null ? "null" : "none");
        }
        float[][] all = new float[images.size()][];
        for (int i = 0; i < images.size(); i++) {
            Tensor t = images.get(i);
            if (t == null) {
                throw new InvalidInputException("images[" + i + "]", "a [1, 28, 28] tensor", "null");
            }
            t.requireShape("images[" + i + "]", 1, SIDE, SIDE).requireFinite("images[" + i + "]");
            all[i] = t.toFloatArray();
        }
        return all;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("FashionClassifier is closed");
        }
    }

    /** Marks the classifier closed (it holds no native memory). Idempotent. */
    @Override
    public void close() {
        closed = true;
    }
}

package dev.mdm.examples.eval;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.CosineTracker;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.mdm.InvalidInputException;
import dev.mdm.data.FashionCaptions;
import dev.mdm.data.FashionMnist;
import dev.mdm.tensor.Tensor;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * Trains the reference {@link FashionClassifier} on the Fashion-MNIST training split with DJL on the CPU, hands the
 * weights to the plain-Java classifier and measures that on the 10 000 test images, checking that its logits agree
 * with DJL's forward pass of the same weights.
 *
 * <p>Adam with a cosine learning rate from {@code lr} to lr/100 over all steps, softmax cross-entropy, no augmentation.
 * Seeded: the initial weights (PyTorch's generator through {@link Engine#setRandomSeed}) and the order of the examples
 * ({@code L64X128MixRandom}) follow the seed; PyTorch's multi-threaded CPU kernels may still differ in the last bits.
 *
 * <pre>
 * usage: ClassifierTraining [--data DIR] [--out DIR] [--epochs N] [--batch N] [--lr X] [--seed N]
 *        ClassifierTraining --convert FILE.params [--data DIR] [--out DIR]
 * </pre>
 * writes {@code fashion-classifier.safetensors} and {@code fashion-classifier.json} (accuracy, agreement with DJL,
 * time, settings) under {@code --out}. {@code --convert} instead reads a classifier saved in DJL's parameter format
 * (the project shipped one until the inference moved to plain Java), compares both forward passes on the test split
 * and writes its safetensors.
 */
public final class ClassifierTraining {
    /**
     * What to train with.
     *
     * @param epochs passes over the 60 000 training images, ≥ 1
     * @param batchSize images per step, ≥ 1
     * @param learningRate Adam's initial learning rate, &gt; 0
     * @param seed the seed of the weights and of the order
     */
    public record Settings(int epochs, int batchSize, double learningRate, long seed) {
        /** Checks the ranges. */
        public Settings {
            if (epochs < 1) {
                throw new InvalidInputException("epochs", "at least 1", Integer.toString(epochs));
            }
            if (batchSize < 1) {
                throw new InvalidInputException("batchSize", "at least 1", Integer.toString(batchSize));
            }
            if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
                throw new InvalidInputException("learningRate", "a finite rate > 0", Double.toString(learningRate));
            }
        }

        /** @return the settings of the shipped classifier: 4 epochs, batch 128, lr 1e-3, seed 7 */
        public static Settings shipped() {
            return new Settings(4, 128, 1e-3, 7);
        }
    }

    /**
     * What a training run produced.
     *
     * @param classifier the trained classifier (the caller closes it)
     * @param testAccuracy accuracy on the whole test split
     * @param trainSeconds wall time of the optimizer steps
     * @param cpuSeconds CPU time of the whole process over the same span (all threads, PyTorch's included): on a
     *     shared machine this, divided by the cores, is the fairer figure
     * @param finalLoss mean training loss over the last epoch
     * @param agreement the plain-Java classifier against DJL's forward pass on the test split
     */
    public record Result(FashionClassifier classifier, double testAccuracy, double trainSeconds, double cpuSeconds,
                         double finalLoss, Agreement agreement) {
    }

    /**
     * The plain-Java {@link FashionClassifier} against DJL's forward pass of the same weights.
     *
     * @param images how many test images were compared
     * @param maxAbsLogitDifference the largest |Java logit − DJL logit| over all images and classes
     * @param javaAccuracy accuracy of the plain-Java classifier
     * @param djlAccuracy accuracy of DJL's forward pass
     * @param disagreements images whose predicted class differs between the two
     */
    public record Agreement(int images, double maxAbsLogitDifference, double javaAccuracy, double djlAccuracy,
                            int disagreements) {
    }

    /** The names the plain-Java classifier gives DJL's parameters, in the order {@link #architecture()} lists them. */
    private static final List<String> WEIGHT_NAMES = List.copyOf(FashionClassifier.TENSOR_SHAPES.keySet());
    private static final List<Parameter.Type> WEIGHT_TYPES = List.of(
            Parameter.Type.WEIGHT, Parameter.Type.BIAS,
            Parameter.Type.GAMMA, Parameter.Type.BETA, Parameter.Type.RUNNING_MEAN, Parameter.Type.RUNNING_VAR,
            Parameter.Type.WEIGHT, Parameter.Type.BIAS,
            Parameter.Type.GAMMA, Parameter.Type.BETA, Parameter.Type.RUNNING_MEAN, Parameter.Type.RUNNING_VAR,
            Parameter.Type.WEIGHT, Parameter.Type.BIAS,
            Parameter.Type.WEIGHT, Parameter.Type.BIAS);
    /** Images per DJL forward pass: bounds native memory. */
    private static final int DJL_CHUNK = 512;

    private ClassifierTraining() {
    }

    /** @return the untrained DJL network of {@link FashionClassifier}'s architecture (DJL's BatchNorm ε is 1e-5) */
    static SequentialBlock architecture() {
        SequentialBlock features = new SequentialBlock()
                .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(32).build())
                .add(BatchNorm.builder().optEpsilon(FashionClassifier.BATCH_NORM_EPSILON).build())
                .add(Activation.reluBlock())
                .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(64).build())
                .add(BatchNorm.builder().optEpsilon(FashionClassifier.BATCH_NORM_EPSILON).build())
                .add(Activation.reluBlock())
                .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(FashionClassifier.FEATURES).build())
                .add(Activation.reluBlock());
        return new SequentialBlock().add(features).add(Linear.builder().setUnits(FashionClassifier.CLASSES).build());
    }

    /**
     * @param network a trained or loaded {@link #architecture()}
     * @return its parameters under the plain-Java classifier's names
     */
    static Map<String, Tensor> weights(SequentialBlock network) {
        var parameters = network.getParameters();
        if (parameters.size() != WEIGHT_NAMES.size()) {
            throw new IllegalStateException("expected " + WEIGHT_NAMES.size() + " parameters, the network has " + parameters.size());
        }
        Map<String, Tensor> weights = new LinkedHashMap<>();
        Iterator<String> names = WEIGHT_NAMES.iterator();
        Iterator<Parameter.Type> types = WEIGHT_TYPES.iterator();
        for (var pair : parameters) {
            Parameter p = pair.getValue();
            String name = names.next();
            if (p.getType() != types.next()) {
                throw new IllegalStateException("parameter " + pair.getKey() + " is " + p.getType() + ", expected it to be " + name);
            }
            NDArray array = p.getArray();
            int[] shape = Arrays.stream(array.getShape().getShape()).mapToInt(Math::toIntExact).toArray();
            weights.put(name, Tensor.ofFloats(array.toFloatArray(), shape));
        }
        return weights;
    }

    /**
     * DJL's forward pass (inference mode: batch norm on its running statistics).
     *
     * @param network an initialized {@link #architecture()}
     * @param manager the manager of its parameters
     * @param images [1, 28, 28] images
     * @return the logits of each
     */
    static float[][] djlLogits(SequentialBlock network, NDManager manager, List<Tensor> images) {
        int per = FashionMnist.SIDE * FashionMnist.SIDE;
        ParameterStore store = new ParameterStore(manager, false);
        float[][] out = new float[images.size()][];
        for (int from = 0; from < images.size(); from += DJL_CHUNK) {
            int m = Math.min(DJL_CHUNK, images.size() - from);
            float[] part = new float[m * per];
            for (int i = 0; i < m; i++) {
                System.arraycopy(images.get(from + i).toFloatArray(), 0, part, i * per, per);
            }
            try (NDManager scope = manager.newSubManager()) {
                NDArray x = scope.create(part, new Shape(m, 1, FashionMnist.SIDE, FashionMnist.SIDE));
                float[] logits = network.forward(store, new NDList(x), false).singletonOrThrow().toFloatArray();
                for (int i = 0; i < m; i++) {
                    out[from + i] = Arrays.copyOfRange(logits, i * FashionClassifier.CLASSES, (i + 1) * FashionClassifier.CLASSES);
                }
            }
        }
        return out;
    }

    /**
     * Runs both forward passes on every image of a labelled split and compares them.
     *
     * @param network the DJL network
     * @param manager the manager of its parameters
     * @param classifier the plain-Java classifier of the same weights
     * @param data a labelled split
     * @return how closely they agree
     */
    static Agreement compare(SequentialBlock network, NDManager manager, FashionClassifier classifier, FashionMnist data) {
        List<Tensor> images = new ArrayList<>(data.size());
        for (int i = 0; i < data.size(); i++) {
            images.add(data.image(i));
        }
        float[][] djl = djlLogits(network, manager, images);
        float[][] plain = classifier.logits(images);
        double maxDifference = 0;
        int djlRight = 0;
        int javaRight = 0;
        int disagreements = 0;
        for (int i = 0; i < images.size(); i++) {
            for (int k = 0; k < FashionClassifier.CLASSES; k++) {
                maxDifference = Math.max(maxDifference, Math.abs(plain[i][k] - djl[i][k]));
            }
            int a = argMax(djl[i]);
            int b = argMax(plain[i]);
            djlRight += a == data.label(i) ? 1 : 0;
            javaRight += b == data.label(i) ? 1 : 0;
            disagreements += a != b ? 1 : 0;
        }
        return new Agreement(images.size(), maxDifference, (double) javaRight / images.size(),
                (double) djlRight / images.size(), disagreements);
    }

    private static int argMax(float[] v) {
        int best = 0;
        for (int k = 1; k < v.length; k++) {
            if (v[k] > v[best]) {
                best = k;
            }
        }
        return best;
    }

    /**
     * Reads a classifier saved in DJL's parameter format ({@code Block.saveParameters} of {@link #architecture()})
     * and compares the plain-Java classifier of its weights with DJL's forward pass.
     *
     * @param params the DJL parameter file
     * @param test the split to compare on
     * @return the plain-Java classifier (the caller closes it) and the comparison
     */
    static Map.Entry<FashionClassifier, Agreement> convert(Path params, FashionMnist test) throws IOException {
        SequentialBlock network = architecture();
        try (NDManager manager = NDManager.newBaseManager();
             InputStream in = Files.newInputStream(params)) {
            network.initialize(manager, DataType.FLOAT32, new Shape(1, 1, FashionMnist.SIDE, FashionMnist.SIDE));
            network.loadParameters(manager, new DataInputStream(new BufferedInputStream(in)));
            FashionClassifier classifier = new FashionClassifier(weights(network));
            return Map.entry(classifier, compare(network, manager, classifier, test));
        } catch (MalformedModelException e) {
            throw new IOException(params + " does not hold this architecture's parameters: " + e.getMessage(), e);
        }
    }

    /**
     * Trains a classifier and measures it.
     *
     * @param train the training split
     * @param test the test split
     * @param settings how to train
     * @param log where to print one line per epoch (may be null)
     * @return the classifier and its figures
     */
    public static Result train(FashionMnist train, FashionMnist test, Settings settings, PrintStream log) {
        if (train == null || train.split() != FashionMnist.Split.TRAIN) {
            throw new InvalidInputException("train", "the TRAIN split", train == null ? "null" : train.split().toString());
        }
        if (test == null || test.split() != FashionMnist.Split.TEST) {
            throw new InvalidInputException("test", "the TEST split", test == null ? "null" : test.split().toString());
        }
        int per = FashionMnist.SIDE * FashionMnist.SIDE;
        int n = train.size();
        float[] pixels = new float[n * per];
        float[] labels = new float[n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(train.image(i).toFloatArray(), 0, pixels, i * per, per);
            labels[i] = train.label(i);
        }
        Engine.getInstance().setRandomSeed((int) settings.seed());
        RandomGenerator random = RandomGeneratorFactory.of("L64X128MixRandom").create(settings.seed());
        int stepsPerEpoch = n / settings.batchSize();
        SequentialBlock network = architecture();
        FashionClassifier classifier;
        Agreement agreement;
        double lastEpochLoss = Double.NaN;
        double seconds;
        double cpuSeconds;
        long start = System.nanoTime();
        long cpuStart = processCpuNanos();
        try (Model model = Model.newInstance("fashion-classifier", Device.cpu())) {
            model.setBlock(network);
            CosineTracker lr = CosineTracker.builder().setBaseValue((float) settings.learningRate())
                    .optFinalValue((float) settings.learningRate() / 100).setMaxUpdates(settings.epochs() * stepsPerEpoch)
                    .build();
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(Optimizer.adam().optLearningRateTracker(lr).build())
                    .optDevices(new Device[] {Device.cpu()});
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(settings.batchSize(), 1, FashionMnist.SIDE, FashionMnist.SIDE));
                int[] order = new int[n];
                for (int i = 0; i < n; i++) {
                    order[i] = i;
                }
                float[] x = new float[settings.batchSize() * per];
                float[] y = new float[settings.batchSize()];
                for (int epoch = 1; epoch <= settings.epochs(); epoch++) {
                    shuffle(order, random);
                    double lossSum = 0;
                    for (int s = 0; s < stepsPerEpoch; s++) {
                        for (int b = 0; b < settings.batchSize(); b++) {
                            int idx = order[s * settings.batchSize() + b];
                            System.arraycopy(pixels, idx * per, x, b * per, per);
                            y[b] = labels[idx];
                        }
                        try (NDManager scope = trainer.getManager().newSubManager();
                             GradientCollector collector = trainer.newGradientCollector()) {
                            NDArray images = scope.create(x, new Shape(settings.batchSize(), 1, FashionMnist.SIDE, FashionMnist.SIDE));
                            NDArray targets = scope.create(y, new Shape(settings.batchSize()));
                            NDList logits = trainer.forward(new NDList(images));
                            NDArray loss = trainer.getLoss().evaluate(new NDList(targets), logits);
                            collector.backward(loss);
                            lossSum += loss.getFloat();
                        }
                        trainer.step();
                        if (log != null && (s + 1) % 100 == 0) {
                            log.printf("  step %d/%d of epoch %d: loss %.4f, %.0f s%n", s + 1, stepsPerEpoch, epoch,
                                    lossSum / (s + 1), (System.nanoTime() - start) / 1e9);
                        }
                    }
                    lastEpochLoss = lossSum / stepsPerEpoch;
                    if (log != null) {
                        log.printf("epoch %d/%d: mean loss %.4f, %.0f s%n", epoch, settings.epochs(), lastEpochLoss,
                                (System.nanoTime() - start) / 1e9);
                    }
                }
            }
            seconds = (System.nanoTime() - start) / 1e9;
            cpuSeconds = (processCpuNanos() - cpuStart) / 1e9;
            classifier = new FashionClassifier(weights(network));
            agreement = compare(network, model.getNDManager(), classifier, test);
        }
        return new Result(classifier, agreement.javaAccuracy(), seconds, cpuSeconds, lastEpochLoss, agreement);
    }

    /**
     * @param classifier a classifier
     * @param test the test split (or any labelled split)
     * @return its accuracy on every image of the split
     */
    public static double accuracy(FashionClassifier classifier, FashionMnist test) {
        return accuracy(classifier, test, test.size());
    }

    /**
     * @param classifier a classifier
     * @param data a labelled split
     * @param count how many images, from the first, 1 ≤ count ≤ size
     * @return its accuracy on those images
     */
    public static double accuracy(FashionClassifier classifier, FashionMnist data, int count) {
        if (count < 1 || count > data.size()) {
            throw new InvalidInputException("count", "1 ≤ count ≤ " + data.size(), Integer.toString(count));
        }
        List<Tensor> images = new ArrayList<>(count);
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            images.add(data.image(i));
            labels[i] = data.label(i);
        }
        return ImageMetrics.classAccuracy(classifier.predict(images), labels);
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static void shuffle(int[] a, RandomGenerator random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /**
     * Trains the shipped classifier and writes it with its report.
     *
     * @param args see the class comment
     */
    public static void main(String[] args) throws IOException {
        Path data = Path.of(FashionMnist.DEBIAN_DIRECTORY);
        Path out = Path.of("target/classifier");
        Path convert = null;
        Settings d = Settings.shipped();
        int epochs = d.epochs();
        int batch = d.batchSize();
        double lr = d.learningRate();
        long seed = d.seed();
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            if (value == null) {
                usage("missing value after " + args[i]);
            }
            switch (args[i]) {
                case "--data" -> data = Path.of(value);
                case "--out" -> out = Path.of(value);
                case "--convert" -> convert = Path.of(value);
                case "--epochs" -> epochs = Integer.parseInt(value);
                case "--batch" -> batch = Integer.parseInt(value);
                case "--lr" -> lr = Double.parseDouble(value);
                case "--seed" -> seed = Long.parseLong(value);
                default -> usage("unknown option " + args[i]);
            }
            i++;
        }
        Settings settings = new Settings(epochs, batch, lr, seed);
        FashionMnist test = FashionMnist.load(data, FashionMnist.Split.TEST, new FashionCaptions(0));
        String engine = Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion();
        Files.createDirectories(out);
        Path weights = out.resolve("fashion-classifier.safetensors");
        if (convert != null) {
            var converted = convert(convert, test);
            try (FashionClassifier classifier = converted.getKey()) {
                Agreement a = converted.getValue();
                classifier.save(weights, Map.of("converted_from", convert.getFileName().toString(),
                        "test_accuracy", Double.toString(a.javaAccuracy())));
                System.out.printf("%s on %d test images: max |Java logit - DJL logit| %.3g, accuracy Java %.4f, DJL (%s) %.4f, "
                        + "%d predictions differ; wrote %s%n", convert, a.images(), a.maxAbsLogitDifference(), a.javaAccuracy(),
                        engine, a.djlAccuracy(), a.disagreements(), weights);
            }
            return;
        }
        FashionMnist train = FashionMnist.load(data, FashionMnist.Split.TRAIN, new FashionCaptions(0));
        System.out.println("training on " + train.size() + " images, " + settings + ", " + engine + ", "
                + Runtime.getRuntime().availableProcessors() + " cores");
        Result result = train(train, test, settings, System.out);
        try (FashionClassifier classifier = result.classifier()) {
            classifier.save(weights, Map.of("test_accuracy", Double.toString(result.testAccuracy()),
                    "training", settings.toString()));
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("testAccuracy", result.testAccuracy());
            report.put("testImages", test.size());
            report.put("djlTestAccuracy", result.agreement().djlAccuracy());
            report.put("maxAbsLogitDifferenceJavaVsDjl", result.agreement().maxAbsLogitDifference());
            report.put("trainSeconds", Math.round(result.trainSeconds() * 10) / 10.0);
            report.put("trainCpuSeconds", Math.round(result.cpuSeconds() * 10) / 10.0);
            report.put("loadAverageAtEnd", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            report.put("finalEpochMeanLoss", result.finalLoss());
            report.put("epochs", settings.epochs());
            report.put("batchSize", settings.batchSize());
            report.put("learningRate", settings.learningRate());
            report.put("seed", settings.seed());
            report.put("engine", engine);
            report.put("cores", Runtime.getRuntime().availableProcessors());
            report.put("created", Instant.now().toString());
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValue(out.resolve("fashion-classifier.json").toFile(), report);
            System.out.printf("test accuracy %.4f (%d images; DJL's forward pass %.4f, max |logit difference| %.3g), "
                    + "training %.1f s wall, %.1f s CPU; wrote %s%n", result.testAccuracy(), test.size(),
                    result.agreement().djlAccuracy(), result.agreement().maxAbsLogitDifference(), result.trainSeconds(),
                    result.cpuSeconds(), weights);
        }
    }

    private static void usage(String problem) {
        System.err.println(problem);
        System.err.println("usage: ClassifierTraining [--data DIR] [--out DIR] [--epochs N] [--batch N] [--lr X] [--seed N]");
        System.err.println("       ClassifierTraining --convert FILE.params [--data DIR] [--out DIR]");
        System.exit(2);
    }
}

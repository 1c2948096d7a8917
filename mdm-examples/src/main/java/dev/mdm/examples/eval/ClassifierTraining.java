package dev.mdm.examples.eval;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
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
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * Trains the reference {@link FashionClassifier} on the Fashion-MNIST training split with DJL on the CPU and measures
 * its accuracy on the 10 000 test images.
 *
 * <p>Adam with a cosine learning rate from {@code lr} to lr/100 over all steps, softmax cross-entropy, no augmentation.
 * Seeded: the initial weights (PyTorch's generator through {@link Engine#setRandomSeed}) and the order of the examples
 * ({@code L64X128MixRandom}) follow the seed; PyTorch's multi-threaded CPU kernels may still differ in the last bits.
 *
 * <pre>
 * usage: ClassifierTraining [--data DIR] [--out DIR] [--epochs N] [--batch N] [--lr X] [--seed N]
 * </pre>
 * writes {@code fashion-classifier.params} and {@code fashion-classifier.json} (accuracy, time, settings) under
 * {@code --out}.
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
     */
    public record Result(FashionClassifier classifier, double testAccuracy, double trainSeconds, double cpuSeconds,
                         double finalLoss) {
    }

    private ClassifierTraining() {
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
        SequentialBlock[] blocks = FashionClassifier.architecture();
        byte[] trained;
        double lastEpochLoss = Double.NaN;
        long start = System.nanoTime();
        long cpuStart = processCpuNanos();
        try (Model model = Model.newInstance("fashion-classifier", Device.cpu())) {
            model.setBlock(blocks[1]);
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
            trained = FashionClassifier.parameterBytes(blocks[1]);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpuSeconds = (processCpuNanos() - cpuStart) / 1e9;
        FashionClassifier classifier;
        try {
            classifier = FashionClassifier.load(new ByteArrayInputStream(trained));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Result(classifier, accuracy(classifier, test), seconds, cpuSeconds, lastEpochLoss);
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
                case "--epochs" -> epochs = Integer.parseInt(value);
                case "--batch" -> batch = Integer.parseInt(value);
                case "--lr" -> lr = Double.parseDouble(value);
                case "--seed" -> seed = Long.parseLong(value);
                default -> usage("unknown option " + args[i]);
            }
            i++;
        }
        Settings settings = new Settings(epochs, batch, lr, seed);
        FashionMnist train = FashionMnist.load(data, FashionMnist.Split.TRAIN, new FashionCaptions(0));
        FashionMnist test = FashionMnist.load(data, FashionMnist.Split.TEST, new FashionCaptions(0));
        System.out.println("training on " + train.size() + " images, " + settings + ", " + Engine.getInstance().getEngineName()
                + " " + Engine.getInstance().getVersion() + ", " + Runtime.getRuntime().availableProcessors() + " cores");
        Result result = train(train, test, settings, System.out);
        try (FashionClassifier classifier = result.classifier()) {
            Files.createDirectories(out);
            Path params = out.resolve("fashion-classifier.params");
            classifier.save(params);
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("testAccuracy", result.testAccuracy());
            report.put("testImages", test.size());
            report.put("trainSeconds", Math.round(result.trainSeconds() * 10) / 10.0);
            report.put("trainCpuSeconds", Math.round(result.cpuSeconds() * 10) / 10.0);
            report.put("loadAverageAtEnd", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            report.put("finalEpochMeanLoss", result.finalLoss());
            report.put("epochs", settings.epochs());
            report.put("batchSize", settings.batchSize());
            report.put("learningRate", settings.learningRate());
            report.put("seed", settings.seed());
            report.put("engine", Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion());
            report.put("cores", Runtime.getRuntime().availableProcessors());
            report.put("created", Instant.now().toString());
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValue(out.resolve("fashion-classifier.json").toFile(), report);
            System.out.printf("test accuracy %.4f (%d images), training %.1f s wall, %.1f s CPU; wrote %s%n",
                    result.testAccuracy(), test.size(), result.trainSeconds(), result.cpuSeconds(), params);
        }
    }

    private static void usage(String problem) {
        System.err.println(problem);
        System.err.println("usage: ClassifierTraining [--data DIR] [--out DIR] [--epochs N] [--batch N] [--lr X] [--seed N]");
        System.exit(2);
    }
}

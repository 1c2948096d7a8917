package dev.mdm.examples.eval;

import dev.mdm.InvalidInputException;
import dev.mdm.MDM;
import dev.mdm.MdmConfig;
import dev.mdm.data.Dataset;
import dev.mdm.spi.Capability;
import dev.mdm.training.TrainingProgress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The paper's scan-switch ablation (Tab. 3 shape): the same model with image/text scans 4/2 against 2/1, trained with
 * the same budget, each evaluated by {@link Evaluation}, with quality and speed side by side.
 *
 * <p>Either compare two models trained elsewhere ({@link #compare}) or let this class train both from the same seed
 * with {@code mdm.trainer()} on a backend that has {@link Capability#TRAINING} ({@link #trainAndCompare}).
 */
public final class ScanSwitchAblation {
    /**
     * How a model was trained (for the speed columns).
     *
     * @param steps optimizer steps
     * @param batchSize examples per step
     * @param seconds wall time of the steps
     * @param finalLoss total loss of the last step
     */
    public record TrainingCost(long steps, int batchSize, double seconds, double finalLoss) {
        /** @return examples per second over the whole run */
        public double samplesPerSecond() {
            return steps * batchSize / seconds;
        }
    }

    /**
     * The shared training budget of both arms.
     *
     * @param steps optimizer steps, ≥ 1
     * @param batchSize examples per step, ≥ 1
     * @param seed seed of the trainer (task mix, noise, order); both arms get the same
     */
    public record TrainingBudget(long steps, int batchSize, long seed) {
        /** Checks the ranges. */
        public TrainingBudget {
            if (steps < 1 || batchSize < 1) {
                throw new InvalidInputException("steps/batchSize", "at least 1 each", steps + "/" + batchSize);
            }
        }
    }

    private ScanSwitchAblation() {
    }

    /**
     * Evaluates two trained models side by side.
     *
     * @param evaluation the evaluation to run on each
     * @param fourTwo the model with 4 image scans and 2 text scans
     * @param fourTwoCost how it was trained, or null when unknown
     * @param twoOne the model with 2 image scans and 1 text scan, otherwise configured like {@code fourTwo}
     * @param twoOneCost how it was trained, or null when unknown
     * @param budget the evaluation budget of each
     * @return the report: both arms' metrics and speeds side by side, then both arms' sample grids
     */
    public static EvaluationReport compare(Evaluation evaluation, MDM fourTwo, TrainingCost fourTwoCost, MDM twoOne,
                                           TrainingCost twoOneCost, EvaluationBudget budget) {
        if (evaluation == null || fourTwo == null || twoOne == null || budget == null) {
            throw new InvalidInputException("evaluation/fourTwo/twoOne/budget", "all present",
                    evaluation + "/" + fourTwo + "/" + twoOne + "/" + budget);
        }
        checkScans("fourTwo", fourTwo.config(), 4, 2);
        checkScans("twoOne", twoOne.config(), 2, 1);
        MdmConfig aligned = fourTwo.config().toBuilder().imageScans(2).textScans(1).build();
        if (!aligned.equals(twoOne.config())) {
            throw new InvalidInputException("twoOne", "the configuration of fourTwo with scans 2/1: " + aligned.toJson(),
                    twoOne.config().toJson());
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("ablation", "scan switch: image/text scans 4/2 against 2/1 at the same training budget");
        summary.put("budget", budget.toString());
        List<EvaluationReport.Section> sections = new ArrayList<>();
        Map<String, Object> arms = new LinkedHashMap<>();
        arms.put("4/2", arm(evaluation, fourTwo, fourTwoCost, budget, "4/2", sections));
        arms.put("2/1", arm(evaluation, twoOne, twoOneCost, budget, "2/1", sections));
        summary.put("sideBySide", sideBySide(arms));
        summary.put("arms", arms);
        return new EvaluationReport("Scan-switch ablation: 4/2 against 2/1", summary, sections);
    }

    /**
     * Builds both arms with the same {@code open} (so the same initial-weight seed), trains them with the same budget and
     * trainer seed, then {@link #compare}s them.
     *
     * @param evaluation the evaluation to run on each
     * @param base the configuration; its scan counts are replaced by 4/2 and 2/1
     * @param open builds a model for a configuration (backend, tokenizer, initial-weight seed); the backend needs
     *     {@link Capability#TRAINING}; the models are closed here
     * @param data the training examples
     * @param training the budget both arms get
     * @param budget the evaluation budget of each
     * @return the report
     * @throws UnsupportedOperationException when the backend cannot train
     */
    public static EvaluationReport trainAndCompare(Evaluation evaluation, MdmConfig base, Function<MdmConfig, MDM> open,
                                                   Dataset data, TrainingBudget training, EvaluationBudget budget) {
        if (base == null || open == null || data == null || training == null) {
            throw new InvalidInputException("base/open/data/training", "all present", base + "/" + open + "/" + data + "/" + training);
        }
        MdmConfig fourTwoConfig = base.toBuilder().imageScans(4).textScans(2).build();
        MdmConfig twoOneConfig = base.toBuilder().imageScans(2).textScans(1).build();
        try (MDM fourTwo = open.apply(fourTwoConfig); MDM twoOne = open.apply(twoOneConfig)) {
            TrainingCost a = train(fourTwo, data, training);
            TrainingCost b = train(twoOne, data, training);
            return compare(evaluation, fourTwo, a, twoOne, b, budget);
        }
    }

    /**
     * @param mdm a model on a backend with {@link Capability#TRAINING}; trained in place
     * @param data the examples
     * @param training steps, batch and seed
     * @return what the training cost
     */
    public static TrainingCost train(MDM mdm, Dataset data, TrainingBudget training) {
        if (!mdm.backend().capabilities().contains(Capability.TRAINING)) {
            throw new UnsupportedOperationException("backend '" + mdm.backend().name() + "' cannot train (no TRAINING "
                    + "capability); use djl (CPU) or jcuda, or train elsewhere and call compare");
        }
        long start = System.nanoTime();
        TrainingProgress last = mdm.trainer().steps(training.steps()).batchSize(training.batchSize()).seed(training.seed())
                .build().fit(data, null);
        return new TrainingCost(training.steps(), training.batchSize(), (System.nanoTime() - start) / 1e9,
                last.loss().total());
    }

    private static Map<String, Object> arm(Evaluation evaluation, MDM mdm, TrainingCost cost, EvaluationBudget budget,
                                           String name, List<EvaluationReport.Section> sections) {
        EvaluationReport r = evaluation.run(mdm, budget);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("imageScans", mdm.config().imageScans());
        m.put("textScans", mdm.config().textScans());
        m.put("backend", r.summary().get("backend"));
        if (cost == null) {
            m.put("training", Evaluation.notComputed("trained elsewhere; cost not given"));
        } else {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("steps", cost.steps());
            t.put("batchSize", cost.batchSize());
            t.put("seconds", cost.seconds());
            t.put("samplesPerSecond", cost.samplesPerSecond());
            t.put("finalLoss", cost.finalLoss());
            m.put("training", t);
        }
        m.put("image", r.summary().get("image"));
        m.put("text", r.summary().get("text"));
        m.put("scenes", r.summary().get("scenes"));
        for (EvaluationReport.Section s : r.sections()) {
            sections.add(new EvaluationReport.Section(name + ": " + s.title(), s.text(), s.cards()));
        }
        return m;
    }

    /** Every number of the arms under its dotted path, with the value of each arm: the Tab. 3 view. */
    private static Map<String, Object> sideBySide(Map<String, Object> arms) {
        Map<String, Map<String, Object>> rows = new LinkedHashMap<>();
        arms.forEach((arm, metrics) -> flatten("", metrics, (path, value) ->
                rows.computeIfAbsent(path, k -> new LinkedHashMap<>()).put(arm, value)));
        return new LinkedHashMap<>(rows);
    }

    private static void flatten(String prefix, Object node, java.util.function.BiConsumer<String, Object> out) {
        if (node instanceof Map<?, ?> m) {
            m.forEach((k, v) -> flatten(prefix.isEmpty() ? String.valueOf(k) : prefix + "." + k, v, out));
        } else if (node instanceof Number) {
            out.accept(prefix, node);
        }
    }

    private static void checkScans(String argument, MdmConfig c, int image, int text) {
        if (c.imageScans() != image || c.textScans() != text) {
            throw new InvalidInputException(argument, "image/text scans " + image + "/" + text,
                    c.imageScans() + "/" + c.textScans());
        }
    }
}

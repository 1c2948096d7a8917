package dev.mdm.examples.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.mdm.model.LossBreakdown;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The loss of every training step, written as JSON and drawn as a PNG plot (log scale, every term). */
public final class LossCurve {
    private final List<Long> steps = new ArrayList<>();
    private final List<LossBreakdown> losses = new ArrayList<>();
    private final Map<String, Object> about;

    /** @param about what was trained, on what (written at the top of the JSON) */
    public LossCurve(Map<String, Object> about) {
        this.about = new LinkedHashMap<>(about);
    }

    /**
     * @param step the step
     * @param loss its loss terms
     */
    public void add(long step, LossBreakdown loss) {
        steps.add(step);
        losses.add(loss);
    }

    /**
     * Reads a curve written by {@link #writeJson}, e.g. to draw on a workstation the PNG that a GPU server without
     * fonts could not.
     *
     * @param file the JSON
     * @return the curve, with the file's other fields as its {@code about}
     */
    public static LossCurve read(Path file) {
        try {
            Map<String, Object> root = new ObjectMapper().readValue(file.toFile(),
                    new com.fasterxml.jackson.core.type.TypeReference<LinkedHashMap<String, Object>>() { });
            Object rows = root.remove("steps");
            if (!(rows instanceof List<?> list)) {
                throw new dev.mdm.InvalidInputException("file", "a loss curve JSON with a 'steps' array", file.toString());
            }
            LossCurve curve = new LossCurve(root);
            for (Object o : list) {
                Map<?, ?> r = (Map<?, ?>) o;
                curve.add(((Number) r.get("step")).longValue(), new LossBreakdown(num(r, "total"),
                        num(r, "imageReconstruction"), num(r, "imageDenoised"), num(r, "textReconstruction"),
                        num(r, "textDenoised"), num(r, "kl"), num(r, "scoreEntropy")));
            }
            return curve;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static double num(Map<?, ?> row, String key) {
        return ((Number) row.get(key)).doubleValue();
    }

    /**
     * Puts the rows of an earlier curve up to a step before this curve's own: a run resumed into the directory of
     * the run it resumes continues its loss.json instead of replacing it. Rows after {@code upToStep} belong to steps
     * the resumed checkpoint does not contain (a run that went on past it) and are left out.
     *
     * @param earlier the curve the directory held
     * @param upToStep the optimizer step of the checkpoint resumed
     * @return how many earlier rows were kept (also written as {@code earlierStepsKept})
     */
    public int continuing(LossCurve earlier, long upToStep) {
        List<Long> keptSteps = new ArrayList<>();
        List<LossBreakdown> keptLosses = new ArrayList<>();
        for (int i = 0; i < earlier.steps.size(); i++) {
            if (earlier.steps.get(i) <= upToStep) {
                keptSteps.add(earlier.steps.get(i));
                keptLosses.add(earlier.losses.get(i));
            }
        }
        steps.addAll(0, keptSteps);
        losses.addAll(0, keptLosses);
        about.put("earlierStepsKept", keptSteps.size());
        return keptSteps.size();
    }

    /** @return the steps recorded */
    public int size() {
        return steps.size();
    }

    /**
     * @param file the JSON file: the {@code about} fields, then {@code steps} with every loss term per step
     */
    public void writeJson(Path file) {
        Map<String, Object> root = new LinkedHashMap<>(about);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            LossBreakdown l = losses.get(i);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("step", steps.get(i));
            row.put("total", l.total());
            row.put("imageReconstruction", l.imageReconstruction());
            row.put("imageDenoised", l.imageDenoised());
            row.put("textReconstruction", l.textReconstruction());
            row.put("textDenoised", l.textDenoised());
            row.put("kl", l.kl());
            row.put("scoreEntropy", l.scoreEntropy());
            rows.add(row);
        }
        root.put("steps", rows);
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param file the PNG: total and each term against the step, on a log scale
     * @param title the chart's title
     */
    public void writePng(Path file, String title) {
        XYChart chart = new XYChartBuilder().width(900).height(540).title(title).xAxisTitle("step").yAxisTitle("loss")
                .build();
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setMarkerSize(0);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        add(chart, "total", LossBreakdown::total);
        add(chart, "image reconstruction", LossBreakdown::imageReconstruction);
        add(chart, "image denoised", LossBreakdown::imageDenoised);
        add(chart, "text reconstruction", LossBreakdown::textReconstruction);
        add(chart, "text denoised", LossBreakdown::textDenoised);
        add(chart, "score entropy", LossBreakdown::scoreEntropy);
        Charts.save(chart, file);
    }

    private void add(XYChart chart, String name, java.util.function.ToDoubleFunction<LossBreakdown> term) {
        List<Double> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            double v = term.applyAsDouble(losses.get(i));
            if (v > 0 && Double.isFinite(v)) { // a log axis cannot show 0 (a term with no covered token)
                x.add((double) steps.get(i));
                y.add(v);
            }
        }
        if (!x.isEmpty()) {
            XYSeries s = chart.addSeries(name, x, y);
            s.setMarker(SeriesMarkers.NONE);
        }
    }
}

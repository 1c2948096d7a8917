package dev.mdm.examples.cli;

import java.io.PrintWriter;
import java.time.Duration;

/**
 * A progress bar with rate and ETA for long work, drawn on stderr. On a terminal it redraws one line; otherwise (a
 * pipe, a CI log) it prints a line at every tenth of the work, so logs stay short.
 */
final class ProgressBar {
    private static final int WIDTH = 30;
    private final PrintWriter err;
    private final String label;
    private final long first;
    private final long total;
    private final String unit;
    private final boolean terminal;
    private final long start = System.nanoTime();
    private long lastDraw;
    private int lastTenth = -1;

    ProgressBar(PrintWriter err, String label, long total, String unit) {
        this(err, label, 0, total, unit);
    }

    /**
     * A bar whose count starts at {@code first} rather than 0, e.g. a resumed training run that numbers its steps on
     * from the checkpoint's: it shows first..total, while the rate and ETA count only the work of this run.
     */
    ProgressBar(PrintWriter err, String label, long first, long total, String unit) {
        this.err = err;
        this.label = label;
        this.first = first;
        this.total = Math.max(first + 1, total);
        this.unit = unit;
        this.terminal = System.console() != null;
    }

    /**
     * @param done work done so far, counted from 0 (from {@code first} for a bar that starts there)
     * @param items work items per unit of {@code done} for the rate (e.g. samples per step)
     * @param note extra text at the end of the line (e.g. the loss), or empty
     */
    void update(long done, double items, String note) {
        long now = System.nanoTime();
        double seconds = (now - start) / 1e9;
        long doneHere = done - first;
        double rate = doneHere * items / Math.max(seconds, 1e-9);
        double eta = doneHere <= 0 ? Double.NaN : seconds * (total - done) / doneHere;
        String line = String.format("%s [%s] %d/%d  %.1f %s/s  ETA %s%s", label, bar(done), done, total, rate, unit,
                format(eta), note.isEmpty() ? "" : "  " + note);
        int tenth = (int) (10 * doneHere / (total - first)); // a line per tenth of this run's work
        if (terminal) {
            if (done == total || now - lastDraw > 100_000_000L) { // at most 10 redraws a second
                err.print("\r" + line + "   ");
                if (done == total) {
                    err.println();
                }
                err.flush();
                lastDraw = now;
            }
        } else if (tenth != lastTenth || done == total) {
            err.println(line);
            err.flush();
            lastTenth = tenth;
        }
    }

    private String bar(long done) {
        int filled = (int) (WIDTH * done / total);
        return "#".repeat(filled) + ".".repeat(WIDTH - filled);
    }

    static String format(double seconds) {
        if (Double.isNaN(seconds) || Double.isInfinite(seconds)) {
            return "--:--";
        }
        Duration d = Duration.ofSeconds(Math.round(seconds));
        return d.toHours() > 0 ? String.format("%d:%02d:%02d", d.toHours(), d.toMinutesPart(), d.toSecondsPart())
                : String.format("%d:%02d", d.toMinutesPart(), d.toSecondsPart());
    }
}

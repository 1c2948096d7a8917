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
    private final long total;
    private final String unit;
    private final boolean terminal;
    private final long start = System.nanoTime();
    private long lastDraw;
    private int lastTenth = -1;

    ProgressBar(PrintWriter err, String label, long total, String unit) {
        this(err, label, total, unit, System.console() != null);
    }

    ProgressBar(PrintWriter err, String label, long total, String unit, boolean terminal) {
        this.err = err;
        this.label = label;
        this.total = Math.max(1, total);
        this.unit = unit;
        this.terminal = terminal;
    }

    /**
     * @param done work done so far
     * @param items work items per unit of {@code done} for the rate (e.g. samples per step)
     * @param note extra text at the end of the line (e.g. the loss), or empty
     */
    void update(long done, double items, String note) {
        long now = System.nanoTime();
        double seconds = (now - start) / 1e9;
        double rate = done * items / Math.max(seconds, 1e-9);
        double eta = done == 0 ? Double.NaN : seconds * (total - done) / done;
        String line = String.format("%s [%s] %d/%d  %.1f %s/s  ETA %s%s", label, bar(done), done, total, rate, unit,
                format(eta), note.isEmpty() ? "" : "  " + note);
        int tenth = (int) (10 * done / total);
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

package dev.mdm.examples.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;

/** Writes XChart charts as PNG files, without a display. */
public final class Charts {
    private Charts() {
    }

    /**
     * @param chart the chart
     * @param file the PNG to write (its directory is created)
     */
    public static void save(Chart<?, ?> chart, Path file) {
        System.setProperty("java.awt.headless", "true");
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            String name = file.toString();
            // XChart appends the extension itself
            String base = name.endsWith(".png") ? name.substring(0, name.length() - 4) : name;
            BitmapEncoder.saveBitmap(chart, base, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}

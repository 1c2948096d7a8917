package dev.mdm.examples.report;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;

/** Writes XChart charts as PNG files, without a display. */
public final class Charts {
    private Charts() {
    }

    /**
     * Draws the chart, then writes it atomically: a chart that cannot be drawn (a headless machine without fonts)
     * leaves no file, and an existing file is replaced only by a whole new one.
     *
     * @param chart the chart
     * @param file the PNG to write (its directory is created)
     */
    public static void save(Chart<?, ?> chart, Path file) {
        System.setProperty("java.awt.headless", "true");
        BufferedImage image = BitmapEncoder.getBufferedImage(chart);
        Path tmp = null;
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            tmp = Files.createTempFile(parent, file.getFileName().toString(), ".tmp");
            if (!ImageIO.write(image, "png", tmp.toFile())) {
                throw new IOException("no PNG writer in this Java runtime");
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: the temporary file is in the output directory, named after the chart
                }
            }
        }
    }
}

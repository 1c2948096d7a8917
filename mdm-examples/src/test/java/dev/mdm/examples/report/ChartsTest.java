package dev.mdm.examples.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.Graphics2D;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

@DisplayName("Charts")
class ChartsTest {
    private static XYChart chart() {
        XYChart chart = new XYChartBuilder().width(200).height(120).build();
        chart.addSeries("loss", new double[] {1, 2, 3}, new double[] {3, 2, 1});
        return chart;
    }

    @Test
    @DisplayName("write a PNG of the chart's size and leave nothing else in the directory")
    void writesAPng(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("loss.png");
        Charts.save(chart(), file);
        assertThat(ImageIO.read(file.toFile()).getWidth()).isEqualTo(200);
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    @DisplayName("leave no file behind, and an earlier file untouched, when the chart cannot be drawn")
    void failedDrawingLeavesNoFile(@TempDir Path dir) throws IOException {
        XYChart cannotDraw = new XYChart(200, 120) {
            @Override
            public void paint(Graphics2D g, int width, int height) {
                throw new InternalError("Fontconfig head is null");  // what a JRE without fonts throws
            }
        };
        Path fresh = dir.resolve("fresh.png");
        assertThatThrownBy(() -> Charts.save(cannotDraw, fresh)).isInstanceOf(InternalError.class);
        assertThat(fresh).doesNotExist();
        Path earlier = dir.resolve("earlier.png");
        Charts.save(chart(), earlier);
        byte[] before = Files.readAllBytes(earlier);
        assertThatThrownBy(() -> Charts.save(cannotDraw, earlier)).isInstanceOf(InternalError.class);
        assertThat(Files.readAllBytes(earlier)).isEqualTo(before);
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(earlier);
        }
    }
}

package dev.mdm.examples.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mdm.InvalidInputException;
import dev.mdm.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Images")
class ImagesTest {
    @Test
    @DisplayName("maps -1 to black and 1 to white, and upscales each model pixel to a square")
    void picture() {
        Tensor t = Tensor.of(new double[] {-1, 1, 0, 5}, 1, 2, 2);
        BufferedImage p = Images.picture(t, 3);
        assertThat(p.getWidth()).isEqualTo(6);
        assertThat(p.getRGB(0, 0) & 0xffffff).isEqualTo(0x000000);
        assertThat(p.getRGB(2, 2) & 0xffffff).isEqualTo(0x000000);
        assertThat(p.getRGB(3, 0) & 0xffffff).isEqualTo(0xffffff);
        assertThat(p.getRGB(0, 3) & 0xff).isIn(127, 128);
        assertThat(p.getRGB(5, 5) & 0xffffff).as("clipped to 1").isEqualTo(0xffffff);
    }

    @Test
    @DisplayName("keeps RGB channels apart")
    void rgb() {
        Tensor t = Tensor.of(new double[] {1, -1, -1}, 3, 1, 1);
        assertThat(Images.picture(t, 1).getRGB(0, 0) & 0xffffff).isEqualTo(0xff0000);
    }

    @Test
    @DisplayName("a PNG written and read back gives the image within one grey level")
    void roundTrip(@TempDir Path dir) {
        double[] v = new double[28 * 28];
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.sin(i * 0.37);
        }
        Tensor t = Tensor.of(v, 1, 28, 28);
        Path file = Images.writePng(Images.picture(t, 1), dir.resolve("x.png"));
        double[] back = Images.read(file, 1, 28, 28).toDoubleArray();
        for (int i = 0; i < v.length; i++) {
            assertThat(back[i]).isCloseTo(v[i], org.assertj.core.data.Offset.offset(1.0 / 127.5 + 1e-3));
        }
    }

    @Test
    @DisplayName("reading an upscaled PNG at the model size undoes the nearest-neighbour upscaling")
    void readDownscales(@TempDir Path dir) {
        Tensor t = Tensor.of(new double[] {-1, 1, 1, -1}, 1, 2, 2);
        Path file = Images.writePng(Images.picture(t, 4), dir.resolve("x.png"));
        assertThat(Images.read(file, 1, 2, 2).toDoubleArray()).containsExactly(new double[] {-1, 1, 1, -1},
                org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    @DisplayName("resize averages areas: 4×4 to 2×2 is the mean of each 2×2 block")
    void resize() {
        double[] v = new double[16];
        for (int i = 0; i < 16; i++) {
            v[i] = i;
        }
        double[] r = Images.resize(Tensor.of(v, 1, 4, 4), 2, 2).toDoubleArray();
        assertThat(r).containsExactly(2.5, 4.5, 10.5, 12.5);
    }

    @Test
    @DisplayName("a grid holds every image with a border")
    void grid() {
        Tensor t = Tensor.zeros(1, 2, 2);
        BufferedImage g = Images.grid(List.of(t, t, t), 2, 5);
        assertThat(g.getWidth()).isEqualTo(2 * (10 + 2) + 2);
        assertThat(g.getHeight()).isEqualTo(2 * (10 + 2) + 2);
    }

    @Test
    @DisplayName("rejects images that are not [1 or 3, H, W]")
    void rejectsBadShapes() {
        assertThatThrownBy(() -> Images.picture(Tensor.zeros(2, 2, 2), 1)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("image");
        assertThatThrownBy(() -> Images.picture(Tensor.zeros(4, 4), 1)).isInstanceOf(InvalidInputException.class);
    }
}

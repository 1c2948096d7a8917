package dev.mdm.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mdm.InvalidInputException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("GivenImageAugmentation")
class GivenImageAugmentationTest {
    private static final int H = 5;
    private static final int W = 6;

    /** Two channels of distinct values ≥ 1, so that every moved pixel and every background fill is visible. */
    private static double[] image() {
        double[] px = new double[2 * H * W];
        for (int i = 0; i < px.length; i++) {
            px[i] = 1 + i;
        }
        return px;
    }

    private static RandomGenerator random(long seed) {
        return RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
    }

    /** The image shifted by (dy, dx), then mirrored if asked, vacated pixels at each channel's minimum. */
    private static double[] expected(double[] src, int dy, int dx, boolean flip) {
        double[] out = new double[src.length];
        for (int c = 0; c < 2; c++) {
            double min = Arrays.stream(src, c * H * W, (c + 1) * H * W).min().orElseThrow();
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    int sy = y - dy;
                    int sx = flip ? W - 1 - (x - dx) : x - dx;
                    out[c * H * W + y * W + x] = sy >= 0 && sy < H && sx >= 0 && sx < W ? src[c * H * W + sy * W + sx] : min;
                }
            }
        }
        return out;
    }

    @Test
    @DisplayName("none changes no pixel and draws no random number")
    void noneIsInert() {
        double[] px = image();
        RandomGenerator used = random(3);
        GivenImageAugmentation.NONE.apply(px, 0, 2, H, W, used);
        assertThat(px).containsExactly(image());
        assertThat(used.nextLong()).isEqualTo(random(3).nextLong());
        assertThat(GivenImageAugmentation.NONE.isActive()).isFalse();
    }

    @Test
    @DisplayName("mirroring leaves each image as it was or mirrored, about half of each")
    void mirrorFlipsHalfTheTime() {
        RandomGenerator r = random(1);
        int mirrored = 0;
        for (int i = 0; i < 400; i++) {
            double[] px = image();
            new GivenImageAugmentation(true, 0).apply(px, 0, 2, H, W, r);
            boolean flipped = Arrays.equals(px, expected(image(), 0, 0, true));
            assertThat(flipped || Arrays.equals(px, image())).isTrue();
            mirrored += flipped ? 1 : 0;
        }
        assertThat(mirrored).isBetween(160, 240);
    }

    @Test
    @DisplayName("shifting moves the image by every offset up to the bound, filling with each channel's background")
    void shiftCoversEveryOffset() {
        RandomGenerator r = random(2);
        Set<List<Integer>> seen = new HashSet<>();
        for (int i = 0; i < 600; i++) {
            double[] px = image();
            new GivenImageAugmentation(true, 2).apply(px, 0, 2, H, W, r);
            List<Integer> match = null;
            for (int dy = -2; dy <= 2 && match == null; dy++) {
                for (int dx = -2; dx <= 2 && match == null; dx++) {
                    for (int f = 0; f < 2 && match == null; f++) {
                        if (Arrays.equals(px, expected(image(), dy, dx, f == 1))) {
                            match = List.of(dy, dx, f);
                        }
                    }
                }
            }
            assertThat(match).as("augmented image %d is a shift of at most 2 and a mirror", i).isNotNull();
            seen.add(match);
        }
        assertThat(seen).hasSize(5 * 5 * 2);
    }

    @Test
    @DisplayName("only the image at the offset changes")
    void touchesOnlyItsImage() {
        double[] batch = new double[3 * 2 * H * W];
        Arrays.fill(batch, 7);
        System.arraycopy(image(), 0, batch, 2 * H * W, 2 * H * W);
        RandomGenerator r = random(5);
        double[] before = batch.clone();
        for (int i = 0; i < 20; i++) {
            new GivenImageAugmentation(true, 1).apply(batch, 2 * H * W, 2, H, W, r);
        }
        assertThat(Arrays.copyOfRange(batch, 0, 2 * H * W)).containsExactly(Arrays.copyOfRange(before, 0, 2 * H * W));
        assertThat(Arrays.copyOfRange(batch, 4 * H * W, 6 * H * W)).containsExactly(Arrays.copyOfRange(before, 4 * H * W, 6 * H * W));
    }

    @Test
    @DisplayName("parse reads the CLI forms and names the argument when it cannot")
    void parses() {
        assertThat(GivenImageAugmentation.parse("a", "none")).isEqualTo(GivenImageAugmentation.NONE);
        assertThat(GivenImageAugmentation.parse("a", "mirror")).isEqualTo(new GivenImageAugmentation(true, 0));
        assertThat(GivenImageAugmentation.parse("a", "shift=2")).isEqualTo(new GivenImageAugmentation(false, 2));
        assertThat(GivenImageAugmentation.parse("a", " mirror , shift=3 ")).isEqualTo(new GivenImageAugmentation(true, 3));
        assertThat(GivenImageAugmentation.parse("a", "shift=1,mirror")).isEqualTo(new GivenImageAugmentation(true, 1));
        for (String bad : new String[] {"", "flip", "mirror,mirror", "shift=-1", "shift=x", "shift=1,shift=2", "mirror,", "none,mirror"}) {
            assertThatThrownBy(() -> GivenImageAugmentation.parse("--given-image-augmentation", bad))
                    .as(bad).isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("--given-image-augmentation").hasMessageContaining("mirror,shift=N");
        }
        assertThatThrownBy(() -> GivenImageAugmentation.parse("x", null)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> new GivenImageAugmentation(false, -1)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("maxShift");
    }
}

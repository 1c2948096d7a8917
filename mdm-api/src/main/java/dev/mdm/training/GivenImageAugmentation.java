package dev.mdm.training;

import dev.mdm.InvalidInputException;
import java.util.random.RandomGenerator;

/**
 * Random mirroring and shifting of the images a training example is <em>given</em> (captioning and VQA, where the
 * image is a clean condition), never of the images a task generates: the model learns to read more varied images
 * while the distribution it learns to draw stays the dataset's own.
 *
 * <p>Use it only where the given image's captions and answers survive the transform. They do for Fashion-MNIST (a
 * mirrored or slightly shifted shirt is still a shirt); they do not for the synthetic scenes, whose captions name
 * positions. Off by default ({@link #NONE}).
 *
 * @param mirror whether to mirror left-right with probability ½
 * @param maxShift the largest shift in pixels, along each axis independently, uniform in [−maxShift, maxShift];
 *     vacated pixels take the smallest value of their channel (the background)
 */
public record GivenImageAugmentation(boolean mirror, int maxShift) {
    /** No augmentation: the given images are the dataset's. */
    public static final GivenImageAugmentation NONE = new GivenImageAugmentation(false, 0);

    /** Validates. */
    public GivenImageAugmentation {
        if (maxShift < 0) {
            throw new InvalidInputException("maxShift", "a shift ≥ 0 pixels", String.valueOf(maxShift));
        }
    }

    /**
     * Parses the CLI form: {@code none}, {@code mirror}, {@code shift=N}, or {@code mirror,shift=N}.
     *
     * @param argument what the text is, for the message (e.g. {@code --given-image-augmentation})
     * @param text the text
     * @return the augmentation
     * @throws InvalidInputException naming the argument when the text is none of these
     */
    public static GivenImageAugmentation parse(String argument, String text) {
        String expected = "none, mirror, shift=N or mirror,shift=N (N ≥ 0 pixels)";
        if (text == null || text.isBlank()) {
            throw new InvalidInputException(argument, expected, text == null ? "null" : "'" + text + "'");
        }
        if (text.strip().equals("none")) {
            return NONE;
        }
        boolean mirror = false;
        Integer shift = null;
        for (String part : text.split(",", -1)) {
            String p = part.strip();
            if (p.equals("mirror") && !mirror) {
                mirror = true;
            } else if (p.startsWith("shift=") && shift == null) {
                try {
                    shift = Integer.parseInt(p.substring("shift=".length()));
                } catch (NumberFormatException e) {
                    throw new InvalidInputException(argument, expected, "'" + text + "'");
                }
                if (shift < 0) {
                    throw new InvalidInputException(argument, expected, "'" + text + "'");
                }
            } else {
                throw new InvalidInputException(argument, expected, "'" + text + "'");
            }
        }
        return new GivenImageAugmentation(mirror, shift == null ? 0 : shift);
    }

    /** @return whether this changes any image */
    public boolean isActive() {
        return mirror || maxShift > 0;
    }

    /**
     * Transforms one image in place. Draws nothing from {@code random} when inactive, so that turning it off leaves a
     * seeded run's other draws as they were.
     *
     * @param pixels the batch's pixels
     * @param offset where this image starts in {@code pixels}
     * @param channels C
     * @param height H
     * @param width W
     * @param random the trainer's generator
     */
    void apply(double[] pixels, int offset, int channels, int height, int width, RandomGenerator random) {
        if (!isActive()) {
            return;
        }
        boolean flip = mirror && random.nextBoolean();
        int dy = maxShift == 0 ? 0 : random.nextInt(-maxShift, maxShift + 1);
        int dx = maxShift == 0 ? 0 : random.nextInt(-maxShift, maxShift + 1);
        if (!flip && dy == 0 && dx == 0) {
            return;
        }
        double[] plane = new double[height * width];
        for (int c = 0; c < channels; c++) {
            int base = offset + c * height * width;
            System.arraycopy(pixels, base, plane, 0, plane.length);
            double background = Double.POSITIVE_INFINITY;
            for (double v : plane) {
                background = Math.min(background, v);
            }
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    // output (y, x) reads the source pixel that the shift (and then the mirror) carries there
                    int sy = y - dy;
                    int sx = x - dx;
                    if (flip) {
                        sx = width - 1 - sx;
                    }
                    pixels[base + y * width + x] = sy >= 0 && sy < height && sx >= 0 && sx < width
                            ? plane[sy * width + sx] : background;
                }
            }
        }
    }
}

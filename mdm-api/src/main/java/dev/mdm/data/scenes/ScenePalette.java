package dev.mdm.data.scenes;

import dev.mdm.InvalidInputException;
import java.util.List;

/**
 * The colours shapes are drawn in, on a background of −1 in every channel.
 *
 * <p>{@link #GREYSCALE} fits the {@code fashion} preset (1×28×28), so one model can learn Fashion-MNIST and scenes
 * together; its "colours" are intensities and are named as such ({@code white} 1.0, {@code grey} 0.2, {@code dark}
 * −0.45), so a check of colour on it is a check of brightness, nothing more. {@link #RGB} has real colours
 * ({@code red, green, blue, yellow}) and needs a 3-channel configuration, e.g.
 * {@code MdmConfig.fashion().toBuilder().image(3, 28, 28).build()}.
 */
public enum ScenePalette {
    /** one channel: white, grey, dark */
    GREYSCALE(List.of("white", "grey", "dark"), new double[][] {{1.0}, {0.2}, {-0.45}}),
    /** three channels (R, G, B): red, green, blue, yellow */
    RGB(List.of("red", "green", "blue", "yellow"),
            new double[][] {{1, -1, -1}, {-1, 1, -1}, {-1, -1, 1}, {1, 1, -1}});

    /** The value of every channel outside the shapes. */
    public static final double BACKGROUND = -1.0;

    private final List<String> colours;
    private final double[][] values;

    ScenePalette(List<String> colours, double[][] values) {
        this.colours = colours;
        this.values = values;
    }

    /** @return number of image channels */
    public int channels() {
        return values[0].length;
    }

    /** @return the colour names, in palette order */
    public List<String> colours() {
        return colours;
    }

    /**
     * @param colour a colour of this palette
     * @return its value in each channel, in [-1, 1]
     */
    public double[] value(String colour) {
        int i = colours.indexOf(colour);
        if (i < 0) {
            throw new InvalidInputException("colour", "one of " + colours + " (palette " + this + ")",
                    "'" + colour + "'");
        }
        return values[i].clone();
    }
}

package dev.mdm.data.scenes;

/** The shapes a scene can hold, each drawn inside a {@value #BOX}×{@value #BOX} pixel box. */
public enum SceneShape {
    /** the whole box */
    SQUARE("square", "squares"),
    /** the pixels within 3.3 pixels of the box centre */
    CIRCLE("circle", "circles"),
    /** apex at the top centre, base on the bottom row: rows 1, 1, 3, 3, 5, 5, 7 pixels wide */
    TRIANGLE("triangle", "triangles");

    /** Side of the box a shape is drawn in, in pixels. */
    public static final int BOX = 7;

    private final String word;
    private final String plural;

    SceneShape(String word, String plural) {
        this.word = word;
        this.plural = plural;
    }

    /** @return the shape's name in captions, e.g. {@code circle} */
    public String word() {
        return word;
    }

    /** @return the plural, e.g. {@code circles} */
    public String plural() {
        return plural;
    }

    /**
     * @param y row inside the box, 0 ≤ y &lt; {@value #BOX}
     * @param x column inside the box, 0 ≤ x &lt; {@value #BOX}
     * @return whether the shape covers that pixel
     */
    public boolean covers(int y, int x) {
        int c = BOX / 2;
        return switch (this) {
            case SQUARE -> true;
            case CIRCLE -> (x - c) * (x - c) + (y - c) * (y - c) <= 10.89;
            case TRIANGLE -> 2 * Math.abs(x - c) <= y;
        };
    }
}

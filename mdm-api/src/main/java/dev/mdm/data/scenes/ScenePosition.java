package dev.mdm.data.scenes;

/**
 * The cells of the 3×3 grid a scene's shapes sit in. Cell (row, column) covers pixels [9·row, 9·row + 9) ×
 * [9·column, 9·column + 9) of the 28×28 image; its shape's box starts one pixel in. Row and column 27 stay empty.
 */
public enum ScenePosition {
    /** row 0, column 0 */
    TOP_LEFT("top left"),
    /** row 0, column 1 */
    TOP("top"),
    /** row 0, column 2 */
    TOP_RIGHT("top right"),
    /** row 1, column 0 */
    LEFT("left"),
    /** row 1, column 1 */
    CENTRE("centre"),
    /** row 1, column 2 */
    RIGHT("right"),
    /** row 2, column 0 */
    BOTTOM_LEFT("bottom left"),
    /** row 2, column 1 */
    BOTTOM("bottom"),
    /** row 2, column 2 */
    BOTTOM_RIGHT("bottom right");

    /** Side of a cell in pixels. */
    public static final int CELL = 9;

    private final String words;

    ScenePosition(String words) {
        this.words = words;
    }

    /** @return the position in captions, e.g. {@code top left} */
    public String words() {
        return words;
    }

    /** @return the grid row, 0 (top) to 2 */
    public int row() {
        return ordinal() / 3;
    }

    /** @return the grid column, 0 (left) to 2 */
    public int column() {
        return ordinal() % 3;
    }
}

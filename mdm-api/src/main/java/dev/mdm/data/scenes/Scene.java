package dev.mdm.data.scenes;

import dev.mdm.InvalidInputException;
import dev.mdm.tensor.Tensor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * What a scene holds: its objects in reading order of their cells, at most one object per cell.
 *
 * @param objects the objects, sorted by position
 */
public record Scene(List<SceneObject> objects) {
    /** Image side in pixels. */
    public static final int SIDE = 28;

    /** Sorts the objects and checks that no two share a cell. */
    public Scene {
        if (objects == null) {
            throw new InvalidInputException("objects", "a list", "null");
        }
        List<SceneObject> sorted = new ArrayList<>(objects);
        sorted.sort(Comparator.comparing(SceneObject::position));
        Set<ScenePosition> cells = EnumSet.noneOf(ScenePosition.class);
        for (SceneObject o : sorted) {
            if (!cells.add(o.position())) {
                throw new InvalidInputException("objects", "at most one object per cell", sorted.toString());
            }
        }
        objects = List.copyOf(sorted);
    }

    /**
     * @param shape a shape
     * @return how many objects have that shape
     */
    public int count(SceneShape shape) {
        return (int) objects.stream().filter(o -> o.shape() == shape).count();
    }

    /**
     * Draws the scene: background −1, each shape in its colour, no anti-aliasing.
     *
     * @param palette the palette the objects' colours come from
     * @return a [C, 28, 28] F32 tensor in [-1, 1], C = the palette's channels
     */
    public Tensor render(ScenePalette palette) {
        int c = palette.channels();
        float[] pixels = new float[c * SIDE * SIDE];
        java.util.Arrays.fill(pixels, (float) ScenePalette.BACKGROUND);
        for (SceneObject o : objects) {
            double[] value = palette.value(o.colour());
            int top = o.position().row() * ScenePosition.CELL + 1;
            int left = o.position().column() * ScenePosition.CELL + 1;
            for (int y = 0; y < SceneShape.BOX; y++) {
                for (int x = 0; x < SceneShape.BOX; x++) {
                    if (o.shape().covers(y, x)) {
                        for (int ch = 0; ch < c; ch++) {
                            pixels[(ch * SIDE + top + y) * SIDE + left + x] = (float) value[ch];
                        }
                    }
                }
            }
        }
        return Tensor.ofFloats(pixels, c, SIDE, SIDE);
    }
}

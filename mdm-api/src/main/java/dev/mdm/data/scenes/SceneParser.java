package dev.mdm.data.scenes;

import dev.mdm.InvalidInputException;
import dev.mdm.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an image back into the scene it shows, for compositional checks of generated images.
 *
 * <p>Each of the nine cells is compared with every way it could have been drawn (empty, or each colour of the palette
 * with each shape) and takes the nearest in squared distance over the cell's pixels and channels; ties go to the
 * earlier candidate (empty first, then palette colours in order, shapes in order). The parser is deterministic and
 * exact on rendered scenes; on a generated image it reports the closest scene.
 */
public final class SceneParser {
    private final ScenePalette palette;
    /** candidates[k] = the cell's pixels, channel-major, for candidate k (0 = empty). */
    private final double[][] candidates;
    private final List<String> colourOf = new ArrayList<>();
    private final List<SceneShape> shapeOf = new ArrayList<>();

    /** @param palette the palette the images were drawn with */
    public SceneParser(ScenePalette palette) {
        if (palette == null) {
            throw new InvalidInputException("palette", "GREYSCALE or RGB", "null");
        }
        this.palette = palette;
        int c = palette.channels();
        int cell = ScenePosition.CELL;
        List<double[]> all = new ArrayList<>();
        double[] empty = new double[c * cell * cell];
        java.util.Arrays.fill(empty, ScenePalette.BACKGROUND);
        all.add(empty);
        colourOf.add(null);
        shapeOf.add(null);
        for (String colour : palette.colours()) {
            double[] value = palette.value(colour);
            for (SceneShape shape : SceneShape.values()) {
                double[] p = empty.clone();
                for (int y = 0; y < SceneShape.BOX; y++) {
                    for (int x = 0; x < SceneShape.BOX; x++) {
                        if (shape.covers(y, x)) {
                            for (int ch = 0; ch < c; ch++) {
                                p[(ch * cell + y + 1) * cell + x + 1] = value[ch];
                            }
                        }
                    }
                }
                all.add(p);
                colourOf.add(colour);
                shapeOf.add(shape);
            }
        }
        candidates = all.toArray(double[][]::new);
    }

    /**
     * @param image a [C, 28, 28] tensor in the palette's channels, finite values
     * @return the nearest scene
     */
    public Scene parse(Tensor image) {
        int c = palette.channels();
        int side = Scene.SIDE;
        if (image == null || image.rank() != 3 || image.dim(0) != c || image.dim(1) != side || image.dim(2) != side) {
            throw new InvalidInputException("image", "a [" + c + ", " + side + ", " + side + "] tensor (palette " + palette
                    + ")", image == null ? "null" : java.util.Arrays.toString(image.shape()));
        }
        double[] v = image.toDoubleArray();
        for (int i = 0; i < v.length; i++) {
            if (!Double.isFinite(v[i])) {
                throw new InvalidInputException("image", "finite values", v[i] + " at flat index " + i);
            }
        }
        int cell = ScenePosition.CELL;
        List<SceneObject> found = new ArrayList<>();
        for (ScenePosition pos : ScenePosition.values()) {
            int top = pos.row() * cell;
            int left = pos.column() * cell;
            int best = 0;
            double bestDistance = Double.POSITIVE_INFINITY;
            for (int k = 0; k < candidates.length; k++) {
                double d = 0;
                for (int ch = 0; ch < c; ch++) {
                    for (int y = 0; y < cell; y++) {
                        for (int x = 0; x < cell; x++) {
                            double diff = v[(ch * side + top + y) * side + left + x] - candidates[k][(ch * cell + y) * cell + x];
                            d += diff * diff;
                        }
                    }
                }
                if (d < bestDistance) {
                    bestDistance = d;
                    best = k;
                }
            }
            if (best > 0) {
                found.add(new SceneObject(colourOf.get(best), shapeOf.get(best), pos));
            }
        }
        return new Scene(found);
    }
}

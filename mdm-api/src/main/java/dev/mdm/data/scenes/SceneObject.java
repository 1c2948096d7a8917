package dev.mdm.data.scenes;

import dev.mdm.InvalidInputException;

/**
 * One shape of a scene.
 *
 * @param colour a colour name of the scene's palette
 * @param shape the shape
 * @param position the grid cell it sits in
 */
public record SceneObject(String colour, SceneShape shape, ScenePosition position) {
    /** Checks that every part is present. */
    public SceneObject {
        if (colour == null || shape == null || position == null) {
            throw new InvalidInputException("object", "a colour, a shape and a position",
                    colour + ", " + shape + ", " + position);
        }
    }

    /** @return e.g. {@code grey circle} */
    public String colourAndShape() {
        return colour + " " + shape.word();
    }
}

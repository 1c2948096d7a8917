package dev.mdm.examples.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mdm.InvalidInputException;
import dev.mdm.data.scenes.Scene;
import dev.mdm.data.scenes.SceneObject;
import dev.mdm.data.scenes.SceneParser;
import dev.mdm.data.scenes.ScenePalette;
import dev.mdm.data.scenes.ScenePosition;
import dev.mdm.data.scenes.SceneShape;
import dev.mdm.data.scenes.SyntheticScenes;
import dev.mdm.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Scene metrics")
class SceneMetricsTest {
    private static Scene scene(SceneObject... objects) {
        return new Scene(List.of(objects));
    }

    @Test
    @DisplayName("rendered scenes read back perfectly on every measure")
    void renderedScenesArePerfect() {
        for (ScenePalette palette : ScenePalette.values()) {
            SyntheticScenes scenes = new SyntheticScenes(palette, 40, 11);
            List<Tensor> images = new ArrayList<>();
            List<Scene> described = new ArrayList<>();
            for (int i = 0; i < scenes.size(); i++) {
                images.add(scenes.scene(i).render(palette));
                described.add(scenes.scene(i));
            }
            SceneMetrics.Scores s = new SceneMetrics(new SceneParser(palette)).score(images, described);
            assertThat(List.of(s.colour(), s.shape(), s.position(), s.count(), s.exact())).containsOnly(1.0);
            assertThat(s.scenes()).isEqualTo(40);
            assertThat(s.objects()).isBetween(40, 80);
        }
    }

    @Test
    @DisplayName("hand-made mistakes count on the right measures")
    void handMadeMistakes() {
        SceneObject greyCircleTop = new SceneObject("grey", SceneShape.CIRCLE, ScenePosition.TOP);
        SceneObject whiteSquareLeft = new SceneObject("white", SceneShape.SQUARE, ScenePosition.LEFT);
        List<Scene> described = List.of(
                scene(greyCircleTop, whiteSquareLeft),
                scene(greyCircleTop),
                scene(whiteSquareLeft));
        List<Scene> parsed = List.of(
                // right circle; the square is white but a triangle: colour ✓ shape ✗ position ✓; counts differ
                scene(greyCircleTop, new SceneObject("white", SceneShape.TRIANGLE, ScenePosition.LEFT)),
                // circle in the wrong cell: position ✗ (so colour and shape ✗); count of circles right
                scene(new SceneObject("grey", SceneShape.CIRCLE, ScenePosition.BOTTOM)),
                // the square is there, plus an extra one: all ✓ per object, count ✗, not exact
                scene(whiteSquareLeft, new SceneObject("dark", SceneShape.SQUARE, ScenePosition.RIGHT)));
        SceneMetrics.Scores s = SceneMetrics.compare(parsed, described);
        assertThat(s.objects()).isEqualTo(4);
        assertThat(s.position()).isEqualTo(3.0 / 4);
        assertThat(s.colour()).isEqualTo(3.0 / 4);
        assertThat(s.shape()).isEqualTo(2.0 / 4);
        assertThat(s.count()).isEqualTo(1.0 / 3);
        assertThat(s.exact()).isEqualTo(0.0);
    }

    @Test
    @DisplayName("an image drawn in another colour is read with that colour")
    void wrongColourImage() {
        Scene want = scene(new SceneObject("white", SceneShape.TRIANGLE, ScenePosition.CENTRE));
        Scene drawn = scene(new SceneObject("dark", SceneShape.TRIANGLE, ScenePosition.CENTRE));
        SceneMetrics.Scores s = new SceneMetrics(new SceneParser(ScenePalette.GREYSCALE))
                .score(List.of(drawn.render(ScenePalette.GREYSCALE)), List.of(want));
        assertThat(s.colour()).isZero();
        assertThat(s.shape()).isEqualTo(1.0);
        assertThat(s.position()).isEqualTo(1.0);
        assertThat(s.count()).isEqualTo(1.0);
        assertThat(s.exact()).isZero();
    }

    @Test
    @DisplayName("mismatched inputs are rejected")
    void badInputs() {
        assertThatThrownBy(() -> SceneMetrics.compare(List.of(), List.of())).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> new SceneMetrics(null)).isInstanceOf(InvalidInputException.class);
    }
}

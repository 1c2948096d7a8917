package dev.mdm.data.scenes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mdm.InvalidInputException;
import dev.mdm.data.Example;
import dev.mdm.data.QuestionAnswer;
import dev.mdm.data.scenes.SyntheticScenes.QuestionKind;
import dev.mdm.tensor.Tensor;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@DisplayName("SyntheticScenes and SceneParser")
class SyntheticScenesTest {

    @ParameterizedTest(name = "{0}")
    @EnumSource(ScenePalette.class)
    @DisplayName("parses every rendered scene back into exactly its objects")
    void parserRoundTrip(ScenePalette palette) {
        SyntheticScenes scenes = new SyntheticScenes(palette, 500, 7);
        SceneParser parser = new SceneParser(palette);
        int two = 0;
        for (int i = 0; i < scenes.size(); i++) {
            Scene scene = scenes.scene(i);
            Tensor image = scene.render(palette);
            assertThat(image.shape()).containsExactly(palette.channels(), 28, 28);
            assertThat(parser.parse(image)).isEqualTo(scene);
            two += scene.objects().size() == 2 ? 1 : 0;
        }
        assertThat(two).isBetween(200, 300);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ScenePalette.class)
    @DisplayName("still parses scenes under Gaussian noise of σ = 0.3, as a generated image would be")
    void parserToleratesNoise(ScenePalette palette) {
        SyntheticScenes scenes = new SyntheticScenes(palette, 200, 8);
        SceneParser parser = new SceneParser(palette);
        Random noise = new Random(1);
        for (int i = 0; i < scenes.size(); i++) {
            double[] v = scenes.scene(i).render(palette).toDoubleArray();
            for (int k = 0; k < v.length; k++) {
                v[k] += 0.3 * noise.nextGaussian();
            }
            assertThat(parser.parse(Tensor.of(v, palette.channels(), 28, 28))).isEqualTo(scenes.scene(i));
        }
    }

    @Test
    @DisplayName("draws each shape as documented: sizes 49, 37 and 25 pixels inside its cell")
    void shapesAreDrawnInTheirCells() {
        Scene scene = new Scene(List.of(new SceneObject("white", SceneShape.SQUARE, ScenePosition.TOP_LEFT),
                new SceneObject("grey", SceneShape.TRIANGLE, ScenePosition.BOTTOM_RIGHT)));
        double[] v = scene.render(ScenePalette.GREYSCALE).toDoubleArray();
        assertThat(count(v, 1.0)).isEqualTo(49);
        assertThat(count(v, 0.2)).isEqualTo(25);
        assertThat(v[28 + 1]).isEqualTo(1.0); // (1, 1): the square's first pixel
        assertThat(v[0]).isEqualTo(-1.0); // cell border
        assertThat(v[19 * 28 + 22]).isCloseTo(0.2, org.assertj.core.data.Offset.offset(1e-6)); // triangle apex (19, 22)
        Scene circle = new Scene(List.of(new SceneObject("red", SceneShape.CIRCLE, ScenePosition.CENTRE)));
        double[] rgb = circle.render(ScenePalette.RGB).toDoubleArray();
        assertThat(count(java.util.Arrays.copyOfRange(rgb, 0, 784), 1.0)).isEqualTo(37);
        assertThat(count(java.util.Arrays.copyOfRange(rgb, 784, 3 * 784), 1.0)).isZero();
    }

    private static int count(double[] v, double value) {
        int n = 0;
        for (double x : v) {
            n += Math.abs(x - value) < 1e-6 ? 1 : 0;
        }
        return n;
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ScenePalette.class)
    @DisplayName("captions name every object's colour, shape and position, and every answer is true of the scene")
    void captionsAndAnswersAreExact(ScenePalette palette) {
        SyntheticScenes scenes = new SyntheticScenes(palette, 600, 3);
        Map<QuestionKind, Integer> kinds = new EnumMap<>(QuestionKind.class);
        int existsYes = 0;
        int exists = 0;
        for (int i = 0; i < scenes.size(); i++) {
            Scene scene = scenes.scene(i);
            String caption = scenes.caption(i);
            for (SceneObject o : scene.objects()) {
                assertThat(caption).contains(o.colour() + " " + o.shape().word()).contains(o.position().words());
            }
            for (QuestionKind kind : QuestionKind.values()) {
                check(scene, kind, scenes.question(kind, i));
            }
            QuestionAnswer asked = scenes.question(i);
            QuestionKind kind = kindOf(asked);
            kinds.merge(kind, 1, Integer::sum);
            if (kind == QuestionKind.EXISTS) {
                exists++;
                existsYes += asked.answer().equals("yes") ? 1 : 0;
            }
            Example e = scenes.get(i);
            assertThat(e.caption()).isEqualTo(caption);
            assertThat(e.question()).isEqualTo(asked.question());
            assertThat(e.classId()).isEqualTo(scene.objects().get(0).shape().ordinal());
        }
        assertThat(kinds.keySet()).containsExactlyInAnyOrder(QuestionKind.values());
        assertThat((double) existsYes / exists).isBetween(0.35, 0.65);
    }

    private static QuestionKind kindOf(QuestionAnswer qa) {
        String q = qa.question();
        return q.startsWith("what colour") ? QuestionKind.COLOUR : q.startsWith("what shape") ? QuestionKind.SHAPE
                : q.startsWith("where") ? QuestionKind.POSITION : q.startsWith("how many") ? QuestionKind.COUNT
                : QuestionKind.EXISTS;
    }

    /** Answers the question from the scene independently of the generator and compares. */
    private static void check(Scene scene, QuestionKind kind, QuestionAnswer qa) {
        assertThat(kindOf(qa)).isEqualTo(kind);
        String q = qa.question();
        List<String> expected = new ArrayList<>();
        for (SceneObject o : scene.objects()) {
            String pos = o.position().words();
            switch (kind) {
                case COLOUR -> {
                    if (q.equals("what colour is the " + pos + " shape?")) {
                        expected.add(o.colour());
                    }
                }
                case SHAPE -> {
                    if (q.equals("what shape is at the " + pos + "?")) {
                        expected.add(o.shape().word());
                    }
                }
                case POSITION -> {
                    if (q.equals("where is the " + o.colourAndShape() + "?")) {
                        expected.add(pos);
                    }
                }
                default -> { }
            }
        }
        switch (kind) {
            case COLOUR, SHAPE, POSITION -> assertThat(expected).as(q).containsExactly(qa.answer());
            case COUNT -> {
                SceneShape shape = java.util.Arrays.stream(SceneShape.values())
                        .filter(s -> q.equals("how many " + s.plural() + "?")).findFirst().orElseThrow();
                assertThat(qa.answer()).isEqualTo(List.of("none", "one", "two").get(scene.count(shape)));
            }
            case EXISTS -> {
                boolean present = scene.objects().stream().anyMatch(o -> q.equals("is there a " + o.colourAndShape() + "?"));
                assertThat(qa.answer()).as(q).isEqualTo(present ? "yes" : "no");
            }
        }
    }

    @Test
    @DisplayName("generates the same scenes for the same seed and different ones for another seed")
    void deterministic() {
        SyntheticScenes a = new SyntheticScenes(ScenePalette.GREYSCALE, 100, 1);
        SyntheticScenes b = new SyntheticScenes(ScenePalette.GREYSCALE, 100, 1);
        SyntheticScenes c = new SyntheticScenes(ScenePalette.GREYSCALE, 100, 2);
        int same = 0;
        for (int i = 0; i < 100; i++) {
            assertThat(a.scene(i)).isEqualTo(b.scene(i));
            assertThat(a.caption(i)).isEqualTo(b.caption(i));
            assertThat(a.question(i)).isEqualTo(b.question(i));
            same += a.scene(i).equals(c.scene(i)) ? 1 : 0;
        }
        assertThat(same).isLessThan(10);
        assertThat(a.classNames()).containsExactly("square", "circle", "triangle");
    }

    @Test
    @DisplayName("rejects bad arguments: sizes, indices, images of the wrong shape or with NaN, shared cells, foreign colours")
    void rejectsBadArguments() {
        assertThatThrownBy(() -> new SyntheticScenes(ScenePalette.RGB, 0, 1)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("size");
        SyntheticScenes scenes = new SyntheticScenes(ScenePalette.RGB, 5, 1);
        assertThatThrownBy(() -> scenes.get(5)).isInstanceOf(InvalidInputException.class).hasMessageContaining("index");
        SceneParser parser = new SceneParser(ScenePalette.RGB);
        assertThatThrownBy(() -> parser.parse(Tensor.zeros(1, 28, 28))).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("[3, 28, 28]");
        double[] nan = new double[3 * 784];
        nan[100] = Double.NaN;
        assertThatThrownBy(() -> parser.parse(Tensor.of(nan, 3, 28, 28))).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("finite");
        assertThatThrownBy(() -> new Scene(List.of(new SceneObject("red", SceneShape.SQUARE, ScenePosition.TOP),
                new SceneObject("blue", SceneShape.CIRCLE, ScenePosition.TOP)))).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("one object per cell");
        Scene white = new Scene(List.of(new SceneObject("white", SceneShape.SQUARE, ScenePosition.TOP)));
        assertThatThrownBy(() -> white.render(ScenePalette.RGB)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("red, green, blue, yellow");
    }
}

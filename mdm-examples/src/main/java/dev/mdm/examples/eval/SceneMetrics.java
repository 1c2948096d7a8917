package dev.mdm.examples.eval;

import dev.mdm.InvalidInputException;
import dev.mdm.data.scenes.Scene;
import dev.mdm.data.scenes.SceneObject;
import dev.mdm.data.scenes.SceneParser;
import dev.mdm.data.scenes.SceneShape;
import dev.mdm.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Compositional accuracy of images generated from scene captions, in the spirit of GenEval: each image is read back
 * by the deterministic {@link SceneParser} and compared with the scene its caption describes.
 *
 * <ul>
 *   <li>position: of the described objects, the fraction whose cell holds an object in the image;</li>
 *   <li>shape / colour: of the described objects, the fraction whose cell holds an object of that shape / colour;</li>
 *   <li>count: of the scenes, the fraction whose image holds, for every shape, as many objects of it as described
 *       (so extra objects count as errors);</li>
 *   <li>exact: of the scenes, the fraction read back as exactly the described scene.</li>
 * </ul>
 */
public final class SceneMetrics {
    /**
     * The accuracies, each in [0, 1].
     *
     * @param colour colour accuracy over described objects
     * @param shape shape accuracy over described objects
     * @param position position accuracy over described objects
     * @param count count accuracy over scenes
     * @param exact exact-scene accuracy over scenes
     * @param scenes number of scenes scored
     * @param objects number of described objects scored
     */
    public record Scores(double colour, double shape, double position, double count, double exact, int scenes, int objects) {
    }

    private final SceneParser parser;

    /** @param parser reads images back into scenes (its palette must be the images') */
    public SceneMetrics(SceneParser parser) {
        if (parser == null) {
            throw new InvalidInputException("parser", "a SceneParser", "null");
        }
        this.parser = parser;
    }

    /**
     * @param images generated images, [C, 28, 28] in the parser's palette
     * @param described the scene each was generated for, same length ≥ 1
     * @return the accuracies
     */
    public Scores score(List<Tensor> images, List<Scene> described) {
        if (images == null || described == null || images.size() != described.size() || images.isEmpty()) {
            throw new InvalidInputException("described", "one scene per image, at least one",
                    (images == null ? "null" : images.size()) + " images, " + (described == null ? "null" : described.size()) + " scenes");
        }
        List<Scene> parsed = new ArrayList<>(images.size());
        for (Tensor image : images) {
            parsed.add(parser.parse(image));
        }
        return compare(parsed, described);
    }

    /**
     * @param parsed the scenes read from the images
     * @param described the scenes asked for, same length ≥ 1
     * @return the accuracies
     */
    public static Scores compare(List<Scene> parsed, List<Scene> described) {
        if (parsed == null || described == null || parsed.size() != described.size() || parsed.isEmpty()) {
            throw new InvalidInputException("described", "one scene per parsed scene, at least one",
                    (parsed == null ? "null" : parsed.size()) + " parsed, " + (described == null ? "null" : described.size()) + " described");
        }
        int objects = 0;
        int colour = 0;
        int shape = 0;
        int position = 0;
        int count = 0;
        int exact = 0;
        for (int s = 0; s < parsed.size(); s++) {
            Scene got = parsed.get(s);
            Scene want = described.get(s);
            for (SceneObject o : want.objects()) {
                objects++;
                Optional<SceneObject> there = got.objects().stream().filter(g -> g.position() == o.position()).findFirst();
                position += there.isPresent() ? 1 : 0;
                shape += there.filter(g -> g.shape() == o.shape()).isPresent() ? 1 : 0;
                colour += there.filter(g -> g.colour().equals(o.colour())).isPresent() ? 1 : 0;
            }
            boolean counts = true;
            for (SceneShape sh : SceneShape.values()) {
                counts &= got.count(sh) == want.count(sh);
            }
            count += counts ? 1 : 0;
            exact += got.equals(want) ? 1 : 0;
        }
        int n = parsed.size();
        double perObject = Math.max(objects, 1);
        return new Scores(colour / perObject, shape / perObject, position / perObject, (double) count / n,
                (double) exact / n, n, objects);
    }
}

package dev.mdm.data.scenes;

import dev.mdm.InvalidInputException;
import dev.mdm.data.Dataset;
import dev.mdm.data.Example;
import dev.mdm.data.QuestionAnswer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * Scenes of one or two coloured shapes at cells of a 3×3 grid, generated on the fly (nothing to download), with
 * exact captions and questions about colour, shape, position and count.
 *
 * <p>Example {@code i} is a pure function of (palette, seed, i): the scene, its caption template and its question
 * come from an {@code L64X128MixRandom} stream seeded from (seed, i). Two objects of one scene never share a cell
 * nor the same colour and shape, so every question has exactly one answer. A scene holds at most two objects because
 * a caption of two already takes up to 10 of the {@code fashion} preset's 12 text tokens.
 *
 * <p>{@link #classNames()} are the shape names and an example's class is the shape of its first object in reading
 * order: for one-object scenes that is the scene's class; with two objects it is a convention.
 *
 * <p>Images: see {@link Scene#render} and {@link ScenePalette} (greyscale fits the {@code fashion} preset; RGB needs
 * 3 channels).
 */
public final class SyntheticScenes implements Dataset {
    /** The kinds of question asked about a scene. */
    public enum QuestionKind {
        /** "what colour is the top left shape?" → a colour */
        COLOUR,
        /** "what shape is at the top left?" → a shape */
        SHAPE,
        /** "where is the grey circle?" → a position */
        POSITION,
        /**
         * "how many circles?" → none, one or two ("none", not "zero": a "z" that rare falls outside the tokenizer's
         * character coverage of 0.9995 and would become unk)
         */
        COUNT,
        /** "is there a grey circle?" about a present or an absent object, half and half → yes / no */
        EXISTS
    }

    private static final List<String> NUMBERS = List.of("none", "one", "two");
    private static final List<String> ONE_OBJECT = List.of("a {o1} at the {p1}", "one {o1} at the {p1}",
            "{o1}, {p1}");
    private static final List<String> TWO_OBJECTS = List.of("{o1} {p1} and {o2} {p2}", "{o1} {p1}, {o2} {p2}");
    private static final RandomGeneratorFactory<RandomGenerator> RANDOM = RandomGeneratorFactory.of("L64X128MixRandom");

    private final ScenePalette palette;
    private final int size;
    private final long seed;

    /**
     * @param palette colours and channels of the images
     * @param size number of examples, ≥ 1
     * @param seed the same seed gives the same scenes
     */
    public SyntheticScenes(ScenePalette palette, int size, long seed) {
        if (palette == null) {
            throw new InvalidInputException("palette", "GREYSCALE or RGB", "null");
        }
        if (size < 1) {
            throw new InvalidInputException("size", "size ≥ 1", Integer.toString(size));
        }
        this.palette = palette;
        this.size = size;
        this.seed = seed;
    }

    /** @return the palette */
    public ScenePalette palette() {
        return palette;
    }

    @Override
    public int size() {
        return size;
    }

    /** @return the shape names, index = {@link SceneShape#ordinal()} */
    @Override
    public List<String> classNames() {
        return Arrays.stream(SceneShape.values()).map(SceneShape::word).toList();
    }

    /**
     * @param index 0 ≤ index &lt; size()
     * @return what example {@code index} shows
     */
    public Scene scene(int index) {
        checkIndex(index);
        RandomGenerator r = random(index, 0);
        List<String> colours = palette.colours();
        SceneShape[] shapes = SceneShape.values();
        ScenePosition[] cells = ScenePosition.values();
        SceneObject first = new SceneObject(colours.get(r.nextInt(colours.size())), shapes[r.nextInt(shapes.length)],
                cells[r.nextInt(cells.length)]);
        if (r.nextBoolean()) {
            return new Scene(List.of(first));
        }
        ScenePosition cell = cells[(first.position().ordinal() + 1 + r.nextInt(cells.length - 1)) % cells.length];
        // a different (colour, shape) pair: skip the first object's pair in the flattened list of pairs
        int pairs = colours.size() * shapes.length;
        int firstPair = colours.indexOf(first.colour()) * shapes.length + first.shape().ordinal();
        int pair = (firstPair + 1 + r.nextInt(pairs - 1)) % pairs;
        return new Scene(List.of(first, new SceneObject(colours.get(pair / shapes.length), shapes[pair % shapes.length],
                cell)));
    }

    /**
     * @param index 0 ≤ index &lt; size()
     * @return the caption of example {@code index}: every object's colour, shape and position, in reading order
     */
    public String caption(int index) {
        Scene scene = scene(index);
        List<SceneObject> o = scene.objects();
        List<String> templates = o.size() == 1 ? ONE_OBJECT : TWO_OBJECTS;
        String t = templates.get(random(index, 1).nextInt(templates.size()));
        t = t.replace("{o1}", o.get(0).colourAndShape()).replace("{p1}", o.get(0).position().words());
        if (o.size() == 2) {
            t = t.replace("{o2}", o.get(1).colourAndShape()).replace("{p2}", o.get(1).position().words());
        }
        return t;
    }

    /**
     * @param index 0 ≤ index &lt; size()
     * @return the question asked about example {@code index}, of a kind chosen from the index, and its answer
     */
    public QuestionAnswer question(int index) {
        QuestionKind[] kinds = QuestionKind.values();
        return question(kinds[random(index, 2).nextInt(kinds.length)], index);
    }

    /**
     * @param kind the kind of question
     * @param index 0 ≤ index &lt; size()
     * @return a question of that kind about example {@code index}, and its answer
     */
    public QuestionAnswer question(QuestionKind kind, int index) {
        if (kind == null) {
            throw new InvalidInputException("kind", "a question kind", "null");
        }
        Scene scene = scene(index);
        RandomGenerator r = random(index, 3 + kind.ordinal());
        SceneObject target = scene.objects().get(r.nextInt(scene.objects().size()));
        return switch (kind) {
            case COLOUR -> new QuestionAnswer("what colour is the " + target.position().words() + " shape?",
                    target.colour());
            case SHAPE -> new QuestionAnswer("what shape is at the " + target.position().words() + "?",
                    target.shape().word());
            case POSITION -> new QuestionAnswer("where is the " + target.colourAndShape() + "?",
                    target.position().words());
            case COUNT -> {
                SceneShape asked = SceneShape.values()[r.nextInt(SceneShape.values().length)];
                yield new QuestionAnswer("how many " + asked.plural() + "?", NUMBERS.get(scene.count(asked)));
            }
            case EXISTS -> {
                if (r.nextBoolean()) {
                    yield new QuestionAnswer("is there a " + target.colourAndShape() + "?", "yes");
                }
                List<String> absent = new ArrayList<>();
                for (String c : palette.colours()) {
                    for (SceneShape s : SceneShape.values()) {
                        if (scene.objects().stream().noneMatch(o -> o.colour().equals(c) && o.shape() == s)) {
                            absent.add(c + " " + s.word());
                        }
                    }
                }
                yield new QuestionAnswer("is there a " + absent.get(r.nextInt(absent.size())) + "?", "no");
            }
        };
    }

    /** {@inheritDoc} The image is the rendered scene, [C, 28, 28] with C = the palette's channels. */
    @Override
    public Example get(int index) {
        Scene scene = scene(index);
        QuestionAnswer qa = question(index);
        return new Example(scene.render(palette), scene.objects().get(0).shape().ordinal(), caption(index), qa.question(),
                qa.answer());
    }

    private RandomGenerator random(int index, int purpose) {
        // one independent stream per (palette, seed, index, purpose); L64X128MixRandom mixes its seed
        return RANDOM.create((seed * 0x9E3779B97F4A7C15L + ((long) index << 4) + purpose) * 31 + palette.ordinal());
    }

    private void checkIndex(int index) {
        if (index < 0 || index >= size) {
            throw new InvalidInputException("index", "0 ≤ index < " + size, Integer.toString(index));
        }
    }
}

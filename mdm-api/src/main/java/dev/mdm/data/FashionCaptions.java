package dev.mdm.data;

import dev.mdm.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * Captions and question/answer pairs for Fashion-MNIST images, written from templates over the image's class.
 *
 * <p>Which template and which question an image gets is a pure function of (seed, index, class), so a data set
 * reads the same on every run and every machine (the choice uses {@code L64X128MixRandom}, whose output the JDK
 * specifies). Every text is short enough for the {@code fashion} preset's 12 text tokens with the project tokenizer
 * (the tests check this).
 *
 * <p>Class names (index = Fashion-MNIST label): {@code t-shirt, trousers, pullover, dress, coat, sandal, shirt,
 * sneaker, bag, ankle boot} — the official labels "T-shirt/top" and "Trouser" are written as people say them.
 * Sandals, sneakers and ankle boots are footwear; the bag is an accessory; the rest is clothing. The body part an
 * item is worn on: upper body (t-shirt, pullover, coat, shirt), legs (trousers), whole body (dress), feet (footwear),
 * shoulder (bag).
 */
public final class FashionCaptions {
    /** The kinds of question asked about an image. */
    public enum QuestionKind {
        /** "what is shown?" → the class name */
        WHAT,
        /** "is it footwear?" → yes / no */
        FOOTWEAR,
        /** "what would you wear it on?" → a body part */
        BODY_PART,
        /** "is it a coat?" about the true class or another one, half and half → yes / no */
        IS_CLASS
    }

    /** Class names, index = Fashion-MNIST label. */
    public static final List<String> CLASS_NAMES = List.of("t-shirt", "trousers", "pullover", "dress", "coat", "sandal",
            "shirt", "sneaker", "bag", "ankle boot");

    private static final List<String> NOUN_PHRASES = List.of("a t-shirt", "a pair of trousers", "a pullover", "a dress",
            "a coat", "a sandal", "a shirt", "a sneaker", "a bag", "an ankle boot");
    private static final List<String> BODY_PARTS = List.of("upper body", "legs", "upper body", "whole body", "upper body",
            "feet", "upper body", "feet", "shoulder", "feet");
    private static final List<String> CAPTION_TEMPLATES = List.of("a photo of {a}", "{a}, seen from {view}",
            "a picture of {a}", "{a} on a black background", "a greyscale photo of {a}", "this is {a}",
            "{a}, a kind of {category}", "a product photo of {a}", "an image showing {a}", "a close-up of {a}");
    private static final List<String> WHAT_QUESTIONS = List.of("what is shown?", "what is this?", "what item is this?",
            "what is in the picture?");
    private static final List<String> FOOTWEAR_QUESTIONS = List.of("is it footwear?", "is this footwear?",
            "is it a kind of footwear?");
    private static final List<String> BODY_PART_QUESTIONS = List.of("what would you wear it on?", "where is it worn?",
            "which body part is it for?");
    private static final List<String> IS_CLASS_QUESTIONS = List.of("is it {a}?", "is this {a}?");
    private static final RandomGeneratorFactory<RandomGenerator> RANDOM = RandomGeneratorFactory.of("L64X128MixRandom");

    private final long seed;

    /** @param seed picks the templates; the same seed gives the same texts */
    public FashionCaptions(long seed) {
        this.seed = seed;
    }

    /** @return the seed */
    public long seed() {
        return seed;
    }

    /**
     * @param index the image's index in its split, ≥ 0
     * @param classId its class, in [0, 10)
     * @return the caption of that image
     */
    public String caption(int index, int classId) {
        checkIndex(index);
        return allCaptions(classId).get(random(index, 1).nextInt(CAPTION_TEMPLATES.size()));
    }

    /**
     * @param index the image's index in its split, ≥ 0
     * @param classId its class, in [0, 10)
     * @return the question asked about that image, of a kind chosen from the index, and its answer
     */
    public QuestionAnswer question(int index, int classId) {
        checkIndex(index);
        QuestionKind[] kinds = QuestionKind.values();
        return question(kinds[random(index, 2).nextInt(kinds.length)], index, classId);
    }

    /**
     * @param kind the kind of question
     * @param index the image's index in its split, ≥ 0
     * @param classId its class, in [0, 10)
     * @return a question of that kind about that image, and its answer
     */
    public QuestionAnswer question(QuestionKind kind, int index, int classId) {
        checkIndex(index);
        List<QuestionAnswer> all = allQuestions(kind, classId);
        RandomGenerator r = random(index, 3 + kind.ordinal());
        if (kind != QuestionKind.IS_CLASS) {
            return all.get(r.nextInt(all.size()));
        }
        // allQuestions(IS_CLASS) lists, per template, the question about each class in class order
        int asked = r.nextBoolean() ? classId : (classId + 1 + r.nextInt(CLASS_NAMES.size() - 1)) % CLASS_NAMES.size();
        return all.get(r.nextInt(IS_CLASS_QUESTIONS.size()) * CLASS_NAMES.size() + asked);
    }

    /**
     * @param classId a class, in [0, 10)
     * @return every caption an image of that class can get, one per template
     */
    public static List<String> allCaptions(int classId) {
        checkClass(classId);
        String a = NOUN_PHRASES.get(classId);
        List<String> out = new ArrayList<>(CAPTION_TEMPLATES.size());
        for (String t : CAPTION_TEMPLATES) {
            out.add(t.replace("{a}", a).replace("{view}", isFootwear(classId) ? "the side" : "the front")
                    .replace("{category}", category(classId)));
        }
        return List.copyOf(out);
    }

    /**
     * @param kind a kind of question
     * @param classId a class, in [0, 10)
     * @return every question of that kind an image of that class can get, with its correct answer; for
     *     {@link QuestionKind#IS_CLASS}, for each template, the question about each class in class order
     */
    public static List<QuestionAnswer> allQuestions(QuestionKind kind, int classId) {
        if (kind == null) {
            throw new InvalidInputException("kind", "a question kind", "null");
        }
        checkClass(classId);
        List<QuestionAnswer> out = new ArrayList<>();
        switch (kind) {
            case WHAT -> WHAT_QUESTIONS.forEach(q -> out.add(new QuestionAnswer(q, CLASS_NAMES.get(classId))));
            case FOOTWEAR -> FOOTWEAR_QUESTIONS.forEach(q -> out.add(new QuestionAnswer(q, yesNo(isFootwear(classId)))));
            case BODY_PART -> BODY_PART_QUESTIONS.forEach(q -> out.add(new QuestionAnswer(q, bodyPart(classId))));
            case IS_CLASS -> {
                for (String t : IS_CLASS_QUESTIONS) {
                    for (int c = 0; c < CLASS_NAMES.size(); c++) {
                        out.add(new QuestionAnswer(t.replace("{a}", NOUN_PHRASES.get(c)), yesNo(c == classId)));
                    }
                }
            }
        }
        return List.copyOf(out);
    }

    /**
     * @param classId a class, in [0, 10)
     * @return whether items of that class are footwear (sandal, sneaker, ankle boot)
     */
    public static boolean isFootwear(int classId) {
        checkClass(classId);
        return classId == 5 || classId == 7 || classId == 9;
    }

    /**
     * @param classId a class, in [0, 10)
     * @return {@code footwear}, {@code accessory} (the bag) or {@code clothing}
     */
    public static String category(int classId) {
        checkClass(classId);
        return isFootwear(classId) ? "footwear" : classId == 8 ? "accessory" : "clothing";
    }

    /**
     * @param classId a class, in [0, 10)
     * @return the body part an item of that class is worn on
     */
    public static String bodyPart(int classId) {
        checkClass(classId);
        return BODY_PARTS.get(classId);
    }

    /**
     * Finds the class a text names, as an evaluator of captions needs: class names are matched as whole words
     * (so "shirt" is not found inside "t-shirt"), case-insensitively.
     *
     * @param text any text, e.g. a generated caption
     * @return the class named, if exactly one class is named
     */
    public static OptionalInt classNamed(String text) {
        if (text == null) {
            throw new InvalidInputException("text", "a text", "null");
        }
        String padded = " " + text.toLowerCase(Locale.ROOT).replaceAll("[^a-z-]+", " ").trim() + " ";
        int found = -1;
        for (int c = 0; c < CLASS_NAMES.size(); c++) {
            String name = CLASS_NAMES.get(c);
            // "trousers" also counts as named by the singular "trouser"
            boolean named = padded.contains(" " + name + " ") || c == 1 && padded.contains(" trouser ");
            if (named) {
                if (found >= 0) {
                    return OptionalInt.empty();
                }
                found = c;
            }
        }
        return found < 0 ? OptionalInt.empty() : OptionalInt.of(found);
    }

    private RandomGenerator random(int index, int purpose) {
        // one independent stream per (seed, index, purpose); L64X128MixRandom mixes its seed
        return RANDOM.create(seed * 0x9E3779B97F4A7C15L + ((long) index << 4) + purpose);
    }

    private static String yesNo(boolean b) {
        return b ? "yes" : "no";
    }

    private static void checkIndex(int index) {
        if (index < 0) {
            throw new InvalidInputException("index", "index ≥ 0", Integer.toString(index));
        }
    }

    private static void checkClass(int classId) {
        if (classId < 0 || classId >= CLASS_NAMES.size()) {
            throw new InvalidInputException("classId", "a class in [0, " + CLASS_NAMES.size() + ")",
                    Integer.toString(classId));
        }
    }
}

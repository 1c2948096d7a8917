package dev.mdm.examples.eval;

import dev.mdm.InvalidInputException;
import dev.mdm.data.FashionCaptions;
import java.text.Normalizer;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * Accuracy of generated text: captions that name the true class, and answers that match the true answer.
 */
public final class TextMetrics {
    private static final Pattern NOT_WORD = Pattern.compile("[^\\p{L}\\p{N}-]+");
    private static final Pattern ARTICLE = Pattern.compile("(^| )(a|an|the)(?= |$)");
    private static final Pattern SPACES = Pattern.compile(" +");

    private TextMetrics() {
    }

    /**
     * @param captions generated captions
     * @param classes the true class of each image, same length ≥ 1
     * @return the fraction of captions that name exactly one class, the true one ({@link FashionCaptions#classNamed})
     */
    public static double captionAccuracy(List<String> captions, int[] classes) {
        int misses = captionMisses(captions, classes).length;   // checks the arguments before classes.length is read
        return (double) (classes.length - misses) / classes.length;
    }

    /**
     * The captions that {@link #captionAccuracy} counts wrong, so that two models' captions of the same images can be
     * compared pair by pair (McNemar's test) rather than only by their totals.
     *
     * @param captions generated captions
     * @param classes the true class of each image, same length ≥ 1
     * @return the positions of the captions that do not name exactly one class, the true one, ascending
     */
    public static int[] captionMisses(List<String> captions, int[] classes) {
        checkPaired("classes", captions, classes == null ? -1 : classes.length);
        return java.util.stream.IntStream.range(0, classes.length)
                .filter(i -> !namesExactly(captions.get(i), classes[i])).toArray();
    }

    /**
     * Whether a caption is right as {@link #captionAccuracy} counts it.
     *
     * @param caption a caption
     * @param classId a class
     * @return whether the caption names exactly one class, {@code classId} ({@link FashionCaptions#classNamed})
     */
    public static boolean namesExactly(String caption, int classId) {
        OptionalInt named = FashionCaptions.classNamed(caption);
        return named.isPresent() && named.getAsInt() == classId;
    }

    /**
     * @param captions generated captions
     * @param classes the true class of each image, same length ≥ 1, each in [0, classCount)
     * @param classCount the number of classes
     * @return per class, the fraction of its captions that name it as {@link #captionAccuracy} counts, or null for a
     *     class without images
     */
    public static List<Double> captionAccuracyPerClass(List<String> captions, int[] classes, int classCount) {
        checkPaired("classes", captions, classes == null ? -1 : classes.length);
        int[] right = new int[classCount];
        int[] seen = new int[classCount];
        for (int i = 0; i < classes.length; i++) {
            if (classes[i] < 0 || classes[i] >= classCount) {
                throw new InvalidInputException("classes[" + i + "]", "a class in [0, " + classCount + ")", String.valueOf(classes[i]));
            }
            seen[classes[i]]++;
            right[classes[i]] += namesExactly(captions.get(i), classes[i]) ? 1 : 0;
        }
        List<Double> accuracy = new java.util.ArrayList<>(classCount);
        for (int c = 0; c < classCount; c++) {
            accuracy.add(seen[c] == 0 ? null : (double) right[c] / seen[c]);
        }
        return accuracy;
    }

    /**
     * @param answers the model's answers
     * @param expected the true answers, same length ≥ 1
     * @return the fraction of answers equal to the true one after {@link #normalize}
     */
    public static double vqaAccuracy(List<String> answers, List<String> expected) {
        int misses = vqaMisses(answers, expected).length;   // checks the arguments before answers.size() is read
        return (double) (answers.size() - misses) / answers.size();
    }

    /**
     * @param answers the model's answers
     * @param expected the true answers, same length ≥ 1
     * @return the positions of the answers that {@link #vqaAccuracy} counts wrong, ascending
     */
    public static int[] vqaMisses(List<String> answers, List<String> expected) {
        checkPaired("expected", answers, expected == null ? -1 : expected.size());
        return java.util.stream.IntStream.range(0, answers.size())
                .filter(i -> !isCorrectAnswer(answers.get(i), expected.get(i))).toArray();
    }

    /**
     * @param answer an answer
     * @param expected the true answer
     * @return whether they are equal after {@link #normalize}
     */
    public static boolean isCorrectAnswer(String answer, String expected) {
        if (answer == null || expected == null) {
            throw new InvalidInputException("answer/expected", "two texts", answer + "/" + expected);
        }
        return normalize(answer).equals(normalize(expected));
    }

    /**
     * The normalization of the VQA evaluation, reduced to what a closed vocabulary needs: Unicode NFKC, lower case,
     * punctuation other than the hyphen (t-shirt) turned into spaces, the articles a/an/the dropped, spaces collapsed.
     *
     * @param text any text
     * @return its normal form, e.g. {@code "The Ankle boot."} → {@code "ankle boot"}
     */
    public static String normalize(String text) {
        if (text == null) {
            throw new InvalidInputException("text", "a text", "null");
        }
        String s = Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
        s = NOT_WORD.matcher(s).replaceAll(" ");
        s = ARTICLE.matcher(s).replaceAll(" ");
        return SPACES.matcher(s).replaceAll(" ").strip();
    }

    private static void checkPaired(String name, List<String> texts, int length) {
        if (texts == null || texts.isEmpty() || texts.size() != length) {
            throw new InvalidInputException(name, "one per text, at least one (" + (texts == null ? "null" : texts.size())
                    + " texts)", length < 0 ? "null" : Integer.toString(length));
        }
        for (int i = 0; i < texts.size(); i++) {
            if (texts.get(i) == null) {
                throw new InvalidInputException("texts[" + i + "]", "a text", "null");
            }
        }
    }
}

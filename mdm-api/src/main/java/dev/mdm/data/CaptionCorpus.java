package dev.mdm.data;

import dev.mdm.InvalidInputException;
import dev.mdm.data.scenes.ScenePalette;
import dev.mdm.data.scenes.SyntheticScenes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

/**
 * The text the project's data sets produce, for training the tokenizer: for each example, its caption and its
 * "question answer" line, so that words are as frequent as in training.
 *
 * <p>Fashion-MNIST examples are taken with balanced classes (example i has class i mod 10, as the real splits are
 * balanced), so the corpus does not need the image files. Scenes of both {@link ScenePalette palettes} are included.
 *
 * <p>Last come the distinct words of the corpus: each on a line of its own, and all of them on one more line.
 * {@code spm_train} seeds its unigram vocabulary with the substrings that repeat in more than one context (the
 * nodes of a suffix tree) and do not cross a space; templated text repeats whole phrases, so a word that always ends
 * a line ("no", "feet") or always precedes the same word is never such a substring and ends up split into letters.
 * The word lines give every word a context of its own on both sides. Lines are shuffled with a seeded generator (the
 * paper shuffles its corpus, Appendix D).
 */
public final class CaptionCorpus {
    private CaptionCorpus() {
    }

    /**
     * @param fashionExamples how many Fashion-MNIST examples to take text from, ≥ 1
     * @param scenesPerPalette how many scenes of each palette to take text from, ≥ 1
     * @param seed the seed of the captions, the scenes and the shuffle
     * @return the corpus lines, shuffled
     */
    public static List<String> lines(int fashionExamples, int scenesPerPalette, long seed) {
        if (fashionExamples < 1) {
            throw new InvalidInputException("fashionExamples", "fashionExamples ≥ 1", Integer.toString(fashionExamples));
        }
        if (scenesPerPalette < 1) {
            throw new InvalidInputException("scenesPerPalette", "scenesPerPalette ≥ 1", Integer.toString(scenesPerPalette));
        }
        List<String> lines = new ArrayList<>();
        FashionCaptions captions = new FashionCaptions(seed);
        int classes = FashionCaptions.CLASS_NAMES.size();
        for (int i = 0; i < fashionExamples; i++) {
            lines.add(captions.caption(i, i % classes));
            QuestionAnswer qa = captions.question(i, i % classes);
            lines.add(qa.question() + " " + qa.answer());
        }
        for (ScenePalette palette : ScenePalette.values()) {
            SyntheticScenes scenes = new SyntheticScenes(palette, scenesPerPalette, seed);
            for (int i = 0; i < scenesPerPalette; i++) {
                lines.add(scenes.caption(i));
                QuestionAnswer qa = scenes.question(i);
                lines.add(qa.question() + " " + qa.answer());
            }
        }
        TreeSet<String> words = new TreeSet<>();
        for (String line : lines) {
            for (String w : line.split("[\\s?,]+")) {
                if (!w.isEmpty()) {
                    words.add(w);
                }
            }
        }
        lines.addAll(words);
        lines.add(String.join(" ", words));
        // java.util.Random's sequence is specified, so the shuffle is the same on every JDK
        Collections.shuffle(lines, new Random(seed));
        return List.copyOf(lines);
    }
}

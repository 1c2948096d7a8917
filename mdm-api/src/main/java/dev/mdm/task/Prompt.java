package dev.mdm.task;

import dev.mdm.InvalidInputException;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * What to generate with {@code MDM.generate}: joint image and caption (for a class or unconditionally), a
 * class-conditional image with classifier-free guidance, or an image for a text. Immutable; the {@code with…}
 * methods return copies and validate their argument.
 *
 * <pre>{@code
 * Generation g = mdm.generate(Prompt.classConditional(7, 4.0).withSteps(25).withSeed(1));
 * }</pre>
 */
public final class Prompt {
    private final Task task;
    private final Integer classId;
    private final String text;
    private final double guidance;
    private final Integer steps;
    private final Long seed;

    private Prompt(Task task, Integer classId, String text, double guidance, Integer steps, Long seed) {
        this.task = task;
        this.classId = classId;
        this.text = text;
        this.guidance = guidance;
        this.steps = steps;
        this.seed = seed;
    }

    /**
     * @param classId the class, in [0, classes)
     * @return image and caption generated together for that class
     */
    public static Prompt joint(int classId) {
        return new Prompt(Task.JOINT, requireClass(classId), null, 1.0, null, null);
    }

    /** @return image and caption generated together, unconditionally (the null class) */
    public static Prompt joint() {
        return new Prompt(Task.JOINT, null, null, 1.0, null, null);
    }

    /**
     * @param classId the class, in [0, classes)
     * @param guidance classifier-free guidance scale w ≥ 0: x̂0 = x̂0(∅) + w·(x̂0(c) − x̂0(∅)); 1 is plain
     *     conditioning, 0 unconditional
     * @return an image of that class
     */
    public static Prompt classConditional(int classId, double guidance) {
        return new Prompt(Task.CLASS_TO_IMAGE, requireClass(classId), null, requireGuidance(guidance), null, null);
    }

    /**
     * @param text a non-blank description; it must fit in the model's text length
     * @return an image for that text (needs a tokenizer)
     */
    public static Prompt textToImage(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidInputException("text", "a non-blank text", text == null ? "null" : "'" + text + "'");
        }
        return new Prompt(Task.TEXT_TO_IMAGE, null, text, 1.0, null, null);
    }

    /**
     * @param n solver steps (function evaluations), ≥ 1; default: those of the model's sampler
     * @return a copy with that many steps
     */
    public Prompt withSteps(int n) {
        if (n < 1) {
            throw new InvalidInputException("steps", "at least 1", String.valueOf(n));
        }
        return new Prompt(task, classId, text, guidance, n, seed);
    }

    /**
     * @param s seed of the initial noise (and of DDPM's fresh noise); default: a random seed, reported in
     *     {@link Generation#seed()}
     * @return a copy with that seed
     */
    public Prompt withSeed(long s) {
        return new Prompt(task, classId, text, guidance, steps, s);
    }

    /**
     * @param w guidance scale, finite and ≥ 0
     * @return a copy with that scale
     * @throws InvalidInputException when the prompt has no class to guide towards
     */
    public Prompt withGuidance(double w) {
        if (classId == null) {
            throw new InvalidInputException("guidance", "a prompt with a class (guidance is classifier-free over the class)",
                    "guidance " + w + " for a " + task + " prompt without a class");
        }
        return new Prompt(task, classId, text, requireGuidance(w), steps, seed);
    }

    private static int requireClass(int classId) {
        if (classId < 0) {
            throw new InvalidInputException("classId", "a class id ≥ 0", String.valueOf(classId));
        }
        return classId;
    }

    private static double requireGuidance(double w) {
        if (!Double.isFinite(w) || w < 0) {
            throw new InvalidInputException("guidance", "a finite scale ≥ 0", String.valueOf(w));
        }
        return w;
    }

    /** @return the task */
    public Task task() {
        return task;
    }

    /** @return the class, or empty for the null class */
    public OptionalInt classId() {
        return classId == null ? OptionalInt.empty() : OptionalInt.of(classId);
    }

    /** @return the text of a text-to-image prompt, else null */
    public String text() {
        return text;
    }

    /** @return the guidance scale (1 unless set) */
    public double guidance() {
        return guidance;
    }

    /** @return the steps, or empty for the sampler's own */
    public OptionalInt steps() {
        return steps == null ? OptionalInt.empty() : OptionalInt.of(steps);
    }

    /** @return the seed, or empty for a random one */
    public OptionalLong seed() {
        return seed == null ? OptionalLong.empty() : OptionalLong.of(seed);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Prompt p && p.task == task && Objects.equals(p.classId, classId) && Objects.equals(p.text, text)
                && Double.compare(p.guidance, guidance) == 0 && Objects.equals(p.steps, steps) && Objects.equals(p.seed, seed);
    }

    @Override
    public int hashCode() {
        return Objects.hash(task, classId, text, guidance, steps, seed);
    }

    @Override
    public String toString() {
        return "Prompt{" + task + (classId != null ? ", class " + classId : "") + (text != null ? ", '" + text + "'" : "")
                + (guidance != 1.0 ? ", guidance " + guidance : "") + (steps != null ? ", " + steps + " steps" : "")
                + (seed != null ? ", seed " + seed : "") + "}";
    }
}

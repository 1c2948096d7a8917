package dev.mdm.task;

import dev.mdm.MdmConfig;

/**
 * The tasks of SPEC §9: which tokens of {@code [image…, text…]} are noised (sampled, scored by the loss) and which
 * are given clean. Training and sampling use the same masks, so a model learns exactly the tasks it is asked for.
 *
 * <p>Tokens the SPEC table does not name are placed as follows: class-conditional generation is given an empty text
 * (all pad ids), so it differs from joint generation only there; text-to-text noises the image too (a joint sample of
 * the continuation and an image, the image discarded).
 */
public enum Task {
    /** Image and caption generated together, for a class or unconditionally (Fig. 2h). */
    JOINT(true, true),
    /** An image for a class, with classifier-free guidance; the text is given empty. */
    CLASS_TO_IMAGE(true, false),
    /** An image for a given caption. */
    TEXT_TO_IMAGE(true, false),
    /** A caption for a given image. */
    CAPTION(false, true),
    /** The answer span after a given question span, for a given image. */
    VQA(false, true),
    /** The continuation span after a given prompt span. */
    TEXT_TO_TEXT(true, true);

    private final boolean noisesImage;
    private final boolean producesText;

    Task(boolean noisesImage, boolean producesText) {
        this.noisesImage = noisesImage;
        this.producesText = producesText;
    }

    /** @return whether the image tokens are noised (sampled) */
    public boolean noisesImage() {
        return noisesImage;
    }

    /** @return whether some text tokens are noised (sampled) */
    public boolean producesText() {
        return producesText;
    }

    /** @return whether the sample carries its class (the others get the null class) */
    public boolean usesClass() {
        return this == JOINT || this == CLASS_TO_IMAGE;
    }

    /**
     * The noised mask of one sample over its latent tokens, image tokens first.
     *
     * @param config model sizes
     * @param givenTextLength length of the given text span ({@link PackedText#givenLength()}), read only by
     *     {@link #VQA} and {@link #TEXT_TO_TEXT}
     * @return n_img + Lt values, 1 where noised, 0 where given clean
     */
    public double[] noisedMask(MdmConfig config, int givenTextLength) {
        int nImg = config.imageTokens();
        int lt = config.textLength();
        if (givenTextLength < 0 || givenTextLength >= lt) {
            throw new dev.mdm.InvalidInputException("givenTextLength", "in [0, " + (lt - 1) + "]", String.valueOf(givenTextLength));
        }
        double[] mask = new double[nImg + lt];
        if (noisesImage) {
            java.util.Arrays.fill(mask, 0, nImg, 1);
        }
        int textFrom = switch (this) {
            case JOINT, CAPTION -> 0;
            case VQA, TEXT_TO_TEXT -> givenTextLength;
            case CLASS_TO_IMAGE, TEXT_TO_IMAGE -> lt;
        };
        java.util.Arrays.fill(mask, nImg + textFrom, nImg + lt, 1);
        return mask;
    }
}

package dev.mdm.examples.eval;

import dev.mdm.InvalidInputException;
import dev.mdm.data.FashionMnist;
import dev.mdm.task.TextSampling;

/**
 * How much an {@link Evaluation} samples. Every count may be 0 to skip that part.
 *
 * @param imagesPerClass class-conditional images generated per class (image metrics); the Fréchet distance needs
 *     at least 2 images in all
 * @param textExamples Fashion-MNIST images captioned and asked their question (text metrics), evenly spaced through
 *     {@code textSplit}
 * @param textSplit where those images come from: {@link FashionMnist.Split#TEST}, held out, for the reported figures;
 *     {@link FashionMnist.Split#TRAIN} to compare with them and see how much the model overfits
 * @param sceneExamples scene captions turned into images and read back, and rendered scenes asked their question
 *     (scene metrics)
 * @param steps sampler steps (function evaluations) per sample, ≥ 1
 * @param guidance classifier-free guidance scale of the class-conditional images, ≥ 0
 * @param captionSampling image guidance (decision D17), temperature (decision D18) and seed of the captions
 * @param answerSampling image guidance, temperature and seed of the answers
 * @param batch samples computed together, ≥ 1
 * @param seed seed of the sampler noise and of the scenes
 * @param fullFloor whether to also compute the Fréchet floor of the whole training split (60 000 images) against the
 *     test split, besides the floor at the generated count
 * @param textHeldOut 0, or with {@code textSplit} TRAIN: read the text images only from the last {@code textHeldOut}
 *     images of the training split, those {@code mdm train --hold-out} kept out of training (a validation set)
 */
public record EvaluationBudget(int imagesPerClass, int textExamples, FashionMnist.Split textSplit, int sceneExamples, int steps, double guidance,
                               TextSampling captionSampling, TextSampling answerSampling, int batch, long seed,
                               boolean fullFloor, int textHeldOut) {
    /** Checks the ranges. */
    public EvaluationBudget {
        if (imagesPerClass < 0 || textExamples < 0 || sceneExamples < 0) {
            throw new InvalidInputException("imagesPerClass/textExamples/sceneExamples", "counts ≥ 0",
                    imagesPerClass + "/" + textExamples + "/" + sceneExamples);
        }
        if (textSplit == null) {
            throw new InvalidInputException("textSplit", "TEST or TRAIN", "null");
        }
        if (steps < 1) {
            throw new InvalidInputException("steps", "at least 1", Integer.toString(steps));
        }
        if (!(guidance >= 0) || !Double.isFinite(guidance)) {
            throw new InvalidInputException("guidance", "a finite scale ≥ 0", Double.toString(guidance));
        }
        if (captionSampling == null || answerSampling == null) {
            throw new InvalidInputException("captionSampling/answerSampling", "TextSampling settings, e.g. TextSampling.DEFAULT",
                    captionSampling + "/" + answerSampling);
        }
        if (batch < 1) {
            throw new InvalidInputException("batch", "at least 1", Integer.toString(batch));
        }
        if (textHeldOut < 0 || textHeldOut > 0 && textSplit != FashionMnist.Split.TRAIN) {
            throw new InvalidInputException("textHeldOut", "0, or a count ≥ 1 with the TRAIN split (the images training "
                    + "held out)", textHeldOut + " with " + textSplit);
        }
    }

    /** The budget without a held-out part: the text images are evenly spaced through the whole {@code textSplit}. */
    public EvaluationBudget(int imagesPerClass, int textExamples, FashionMnist.Split textSplit, int sceneExamples, int steps,
                            double guidance, TextSampling captionSampling, TextSampling answerSampling, int batch, long seed,
                            boolean fullFloor) {
        this(imagesPerClass, textExamples, textSplit, sceneExamples, steps, guidance, captionSampling, answerSampling, batch,
                seed, fullFloor, 0);
    }

    /**
     * @return the budget of a reported evaluation: 100 images per class (1 000 in all), 1 000 test images for text, 300
     *     scenes, 25 steps, guidance 2, captions and answers at {@link TextSampling#DEFAULT}, batches of 50, seed 0,
     *     with the full floor
     */
    public static EvaluationBudget standard() {
        return new EvaluationBudget(100, 1000, FashionMnist.Split.TEST, 300, 25, 2.0, TextSampling.DEFAULT, TextSampling.DEFAULT, 50, 0, true);
    }
}

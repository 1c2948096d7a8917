package dev.mdm.sampling;

import dev.mdm.InvalidInputException;
import dev.mdm.tensor.Tensor;

/**
 * A task's whole sampling run, described so that a backend can run all of it on its device
 * ({@link dev.mdm.spi.ModelRuntime#sampleWhole}) instead of the host sampler calling the denoiser once per step: the
 * sampler, the initial state, what is held, the classes, the guidance and the projections of the x̂0 model that
 * {@link dev.mdm.task.TaskRunner} builds (SPEC §8 and §9; decisions D9, D15, D16, D17 in docs/DECISIONS.md).
 *
 * <p>The x̂0 model at time t, on the state x of shape [b, n_img + Lt, dz], is: the denoiser at
 * t_input = (t − 1/T)·T with {@link #classIds}; with class guidance w, run on [x; x] with the null class for the
 * second half and combined as u + w·(c − u); with image guidance, run on [x; x′] where x′ has its image positions at
 * α_t·μ + σ_t·ε, and combined so at the text positions only; then, when {@link #projectImage}, its image latents
 * replaced by the encoder mean of their clamped decoding; then, when {@link #clampText}, its text latents by the
 * encoder mean of their most likely token among the first {@link #textChoices} ids.
 *
 * @param settings the sampler's settings
 * @param betas the discrete β schedule β_1..β_T
 * @param xT the initial state [b, n_img + Lt, dz]
 * @param infill elements held at clean values, or null
 * @param classIds class per sample [b], {@code classes} for the null class
 * @param classGuidance the weight w of classifier-free guidance, or NaN for none
 * @param imageGuidance guidance on a given image, or null
 * @param clampText whether text positions are clamped to token latents
 * @param textChoices how many token ids the clamp chooses among (the first ones)
 * @param projectImage whether image positions are projected through the VAE
 */
public record SamplingRun(SamplerSettings settings, double[] betas, Tensor xT, Infill infill, long[] classIds,
                          double classGuidance, ImageGuidance imageGuidance, boolean clampText, int textChoices,
                          boolean projectImage) {
    /** Checks what every runner relies on: shapes agree and at most one kind of guidance is asked for. */
    public SamplingRun {
        if (settings == null) {
            throw new InvalidInputException("settings", "sampler settings", "null");
        }
        if (betas == null) {
            throw new InvalidInputException("betas", "a β schedule", "null");
        }
        if (xT == null) {
            throw new InvalidInputException("xT", "an initial state", "null");
        }
        int b = xT.requireShape("xT", -1, -1, -1).dim(0);
        if (b < 1) {
            throw new InvalidInputException("xT", "at least one sample", "an empty batch");
        }
        if (infill != null) {
            infill.mask().requireShape("infill.mask", xT.shape());
        }
        if (classIds == null || classIds.length != b) {
            throw new InvalidInputException("classIds", b + " class ids", classIds == null ? "null"
                    : classIds.length + " ids");
        }
        if (Double.isInfinite(classGuidance)) {
            throw new InvalidInputException("classGuidance", "a finite weight, or NaN for none", String.valueOf(classGuidance));
        }
        if (imageGuidance != null) {
            long values = Tensor.elementCount(xT.shape());
            if (!Double.isFinite(imageGuidance.weight())) {
                throw new InvalidInputException("imageGuidance.weight", "a finite weight", String.valueOf(imageGuidance.weight()));
            }
            if (imageGuidance.latents() == null || imageGuidance.latents().length != values) {
                throw new InvalidInputException("imageGuidance.latents", values + " values (the shape of xT)",
                        imageGuidance.latents() == null ? "null" : imageGuidance.latents().length + " values");
            }
            double[] noise = imageGuidance.noise();
            if (noise == null || noise.length == 0 || noise.length % b != 0 || noise.length / b > values / b) {
                throw new InvalidInputException("imageGuidance.noise", "[b, n_img, dz] values, b = " + b,
                        noise == null ? "null" : noise.length + " values");
            }
        }
        if (imageGuidance != null && !Double.isNaN(classGuidance)) {
            throw new InvalidInputException("imageGuidance", "null when classGuidance is set (a task with a given image "
                    + "has no class)", "image guidance " + imageGuidance.weight());
        }
        if (clampText && textChoices < 1) {
            throw new InvalidInputException("textChoices", "at least 1 when clampText", String.valueOf(textChoices));
        }
    }

    /** @return samples */
    public int batch() {
        return xT.dim(0);
    }

    /** @return whether the denoiser runs on a doubled batch (class or image guidance) */
    public boolean guided() {
        return !Double.isNaN(classGuidance) || imageGuidance != null;
    }

    /**
     * Guidance of the text on a given image (decision D17).
     *
     * @param weight w
     * @param latents [b, n_img + Lt, dz] values whose image positions are the given image's encoder mean μ (not
     *     copied)
     * @param noise [b, n_img, dz] the ε that takes them to each step's noise level (not copied)
     */
    public record ImageGuidance(double weight, double[] latents, double[] noise) {
    }
}

package dev.mdm.sampling;

import dev.mdm.tensor.Tensor;

/** A diffusion sampler bound to a noise schedule and {@link SamplerSettings} (SPEC §8). Thread-safe. */
public interface Sampler {
    /** @return what it does */
    SamplerSettings settings();

    /**
     * @param xT the initial noise
     * @param model the denoising model
     * @param infill elements held at clean values, or null
     * @param seed seed of the fresh noise DDPM adds at each step (unused by DPM-Solver)
     * @return the visited states; {@link Trajectory#last()} is the sample
     */
    Trajectory sample(Tensor xT, DenoisingFunction model, Infill infill, long seed);
}

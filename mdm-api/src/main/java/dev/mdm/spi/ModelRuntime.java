package dev.mdm.spi;

import dev.mdm.MdmConfig;
import dev.mdm.model.Decoder;
import dev.mdm.model.Denoiser;
import dev.mdm.model.Encoder;
import dev.mdm.model.LossFunction;
import dev.mdm.model.MambaBlock;
import dev.mdm.model.OptimizerSettings;
import dev.mdm.model.Parameters;
import dev.mdm.model.ScanSwitch;
import dev.mdm.model.TrainingSession;
import dev.mdm.sampling.SamplingRun;
import dev.mdm.tensor.Tensor;
import java.util.Optional;

/**
 * One model loaded on a backend: the components of SPEC §2-§7 bound to one set of weights. Inference methods are
 * thread-safe. Closing it frees the weights it holds; using it after close throws {@link IllegalStateException}.
 */
public interface ModelRuntime extends AutoCloseable {
    /** @return the sizes this model was loaded with */
    MdmConfig config();

    /** @return the noisy-latent encoder (SPEC §3) */
    Encoder encoder();

    /** @return the VAE decoders (SPEC §3) */
    Decoder decoder();

    /** @return the scan switch (SPEC §5) */
    ScanSwitch scanSwitch();

    /**
     * @param index block number, 0-based
     * @return that Mamba block with its pre-norm, scan switch and residual (SPEC §5-§6)
     */
    MambaBlock block(int index);

    /** @return the whole denoiser, latents in, x̂0 out (SPEC §2) */
    Denoiser denoiser();

    /**
     * Runs a task's whole sampling loop at once, where this runtime can do so faster than the host sampler calling
     * {@link #denoiser()} once per step (the GPU backend records the loop as one CUDA graph). It computes what that
     * host run computes: {@link Backend#sampler} with {@code run.settings()} over the x̂0 model {@code run} describes.
     * Runtimes that cannot run some sampling return empty and the caller runs the host sampler; this default does so
     * for every run.
     *
     * @param run the sampling run
     * @return the final state [b, n_img + Lt, dz], or empty when this runtime does not run {@code run} itself
     */
    default Optional<Tensor> sampleWhole(SamplingRun run) {
        return Optional.empty();
    }

    /** @return the training losses (SPEC §7), forward only */
    LossFunction loss();

    /** @return a host copy of the current weights */
    Parameters parameters();

    /**
     * Starts training these weights in place (needs {@link Capability#TRAINING}).
     *
     * @param settings optimizer, clipping and EMA settings
     * @param resumeState optimizer state from {@link TrainingSession#optimizerState()}, or null to start fresh
     * @return the session
     * @throws UnsupportedOperationException naming the backend when it lacks the TRAINING capability
     */
    TrainingSession train(OptimizerSettings settings, Parameters resumeState);

    /** Frees the weights. Idempotent. */
    @Override
    void close();
}

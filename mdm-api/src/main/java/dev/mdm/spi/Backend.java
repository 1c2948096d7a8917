package dev.mdm.spi;

import dev.mdm.Device;
import dev.mdm.MdmConfig;
import dev.mdm.Precision;
import dev.mdm.model.MambaMixer;
import dev.mdm.model.MambaShape;
import dev.mdm.model.Parameters;
import dev.mdm.model.ScanSwitch;
import dev.mdm.model.SsdRequest;
import dev.mdm.sampling.Sampler;
import dev.mdm.sampling.SamplerSettings;
import dev.mdm.tensor.Tensor;
import java.util.Set;

/**
 * An open compute backend: the factory of every component of SPEC.md, bound to one device and precision. Tensors
 * cross this interface as host {@link Tensor}s; what a backend keeps (weights on a device, compiled graphs) it owns
 * and frees on {@link #close()}. Closing a backend closes everything it created. Inference methods are thread-safe.
 *
 * <p>Write a backend by implementing this and {@link BackendProvider}, then prove it with the TCK:
 * {@code class MyBackendTest extends BackendCompatibilityKit { @Override protected BackendProvider provider() { … } }}.
 */
public interface Backend extends AutoCloseable {
    /** @return the provider name, e.g. {@code "djl"} */
    String name();

    /** @return the backend implementation version and that of the library under it, e.g. {@code "0.1.0 (DJL 0.35.1, PyTorch 2.7.1)"} */
    String version();

    /** @return where it computes */
    Device device();

    /** @return the precision it computes in */
    Precision precision();

    /** @return what it can do beyond inference */
    Set<Capability> capabilities();

    /**
     * The SSD scan of SPEC §6 step 5 (with D skip and SiLU(z) gate when given): the {@code ssd} and
     * {@code ssd_raw_dt} cases of SPEC §11.
     *
     * @param request inputs
     * @return y[b, l, h, p]
     */
    Tensor ssd(SsdRequest request);

    /**
     * A Mamba-2 mixer (SPEC §6, no residual, no pre-norm) bound to weights under mamba_ssm's names
     * ({@code in_proj.weight}, {@code conv1d.weight}, …).
     *
     * @param shape sizes and discretization
     * @param weights the mixer weights, unprefixed
     * @return the mixer; close it, or close this backend
     */
    MambaMixer mambaMixer(MambaShape shape, Parameters weights);

    /**
     * @param config model sizes (grid, text length, scans)
     * @return the scan switch of SPEC §5 for that layout
     */
    ScanSwitch scanSwitch(MdmConfig config);

    /**
     * Score entropy per token (SPEC §7, {@code score_entropy} case of §11).
     *
     * @param zt noised latents [m, dz]
     * @param zhat0 predicted clean latents [m, dz]
     * @param candidates [m, K, dz], index 0 the true clean latent
     * @param alphaBar ᾱ_t per token [m]
     * @return se [m]
     */
    Tensor scoreEntropy(Tensor zt, Tensor zhat0, Tensor candidates, Tensor alphaBar);

    /**
     * @param settings method, solver form, step grid and steps
     * @param betas the discrete β schedule, length T
     * @return a sampler (SPEC §8)
     * @throws dev.mdm.InvalidInputException naming {@code steps} when a DPM-Solver method is asked for more steps than
     *     T (decision D22; mdm-api's {@code DpmSolverSampler} checks it)
     */
    Sampler sampler(SamplerSettings settings, double[] betas);

    /**
     * Loads a whole model.
     *
     * @param config sizes
     * @param parameters every parameter of SPEC §12, validated against {@code config}
     * @return the model; close it, or close this backend
     */
    ModelRuntime load(MdmConfig config, Parameters parameters);

    /** Frees everything this backend holds. Idempotent. */
    @Override
    void close();
}

package dev.mdm.tck.reference;

import dev.mdm.InvalidInputException;
import dev.mdm.MdmConfig;
import dev.mdm.model.LossBreakdown;
import dev.mdm.model.Parameters;
import dev.mdm.model.TrainingBatch;
import dev.mdm.tensor.Tensor;

/**
 * The reference loss (SPEC §7, decisions D2-D4, D7) with the denoiser's prediction ẑ0 given instead of computed: the
 * float64 oracle for a backend's VAE and loss layers trained apart from its denoiser. Same code path as
 * {@link dev.mdm.model.LossFunction#compute} of the reference backend.
 */
public final class ReferenceLatentLoss {
    private ReferenceLatentLoss() {
    }

    /**
     * The loss terms and the z_t the denoiser would have been given.
     *
     * @param loss every term, as {@code LossFunction.compute} reports them
     * @param zt z_t [b, n_img + Lt, dz] (F64)
     */
    public record Evaluation(LossBreakdown loss, Tensor zt) {
    }

    /**
     * @param config model sizes
     * @param parameters the weights (only {@code vae.*} are read)
     * @param batch the batch
     * @param zhat0 ẑ0 [b, n_img + Lt, dz]
     * @return the terms and z_t
     */
    public static Evaluation evaluate(MdmConfig config, Parameters parameters, TrainingBatch batch, Tensor zhat0) {
        if (config == null || parameters == null || batch == null || zhat0 == null) {
            throw new InvalidInputException("config, parameters, batch, zhat0", "non-null", "a null argument");
        }
        parameters.requireLayout(config);
        int b = batch.images().dim(0);
        zhat0.requireShape("zhat0", b, config.latentTokens(), config.latentDim()).requireFinite("zhat0");
        var lifecycle = new ReferenceLifecycle("ReferenceLatentLoss", null);
        var vae = new ReferenceVae(config, new ReferenceWeights(parameters), lifecycle);
        var loss = new ReferenceLoss(config, vae, null, lifecycle);
        double[] prediction = zhat0.toDoubleArray();
        double[][] zt = new double[1][];
        LossBreakdown terms = loss.compute(batch, (z, timeInput, bb) -> prediction, zt);
        return new Evaluation(terms, Tensor.of(zt[0], b, config.latentTokens(), config.latentDim()));
    }
}

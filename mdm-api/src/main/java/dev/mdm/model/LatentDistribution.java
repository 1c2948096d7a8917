package dev.mdm.model;

import dev.mdm.InvalidInputException;
import dev.mdm.tensor.Tensor;
import java.util.Arrays;

/**
 * The per-token Gaussian the VAE encoder outputs (SPEC §3).
 *
 * @param mean μ [b, tokens, dz]
 * @param logVar log σ² [b, tokens, dz]
 */
public record LatentDistribution(Tensor mean, Tensor logVar) {
    /** Checks that both have one shape. */
    public LatentDistribution {
        if (!Arrays.equals(mean.shape(), logVar.shape())) {
            throw new InvalidInputException("logVar", "shape " + Arrays.toString(mean.shape()), "shape " + Arrays.toString(logVar.shape()));
        }
    }

    /**
     * Reparameterized sample z₀ = μ + exp(½ log σ²)·ε, in float64.
     *
     * @param eps standard normal noise of the same shape
     * @return z₀
     */
    public Tensor sample(Tensor eps) {
        eps.requireShape("eps", mean.shape());
        double[] m = mean.toDoubleArray();
        double[] lv = logVar.toDoubleArray();
        double[] e = eps.toDoubleArray();
        double[] z = new double[m.length];
        for (int i = 0; i < z.length; i++) {
            z[i] = m[i] + Math.exp(0.5 * lv[i]) * e[i];
        }
        return Tensor.of(z, mean.shape());
    }
}

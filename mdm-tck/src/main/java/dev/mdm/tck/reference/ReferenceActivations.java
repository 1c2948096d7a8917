package dev.mdm.tck.reference;

/** The scalar nonlinearities of SPEC §3 and §6, written out. */
final class ReferenceActivations {
    private ReferenceActivations() {
    }

    /** SiLU(v) = v·σ(v). */
    static double silu(double v) {
        return v / (1 + Math.exp(-v));
    }

    /** softplus(v) = log(1 + e^v), and v itself for v > 20 (PyTorch's and mamba_ssm's threshold). */
    static double softplus(double v) {
        return v > 20 ? v : Math.log1p(Math.exp(v));
    }
}

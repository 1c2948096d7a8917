package dev.mdm.model;

/**
 * A loss and its gradient with respect to every parameter.
 *
 * @param loss the loss terms
 * @param gradients ∂L_total/∂θ under the parameter names of SPEC §12
 */
public record GradientResult(LossBreakdown loss, Parameters gradients) {
}

package dev.mdm.model;

/**
 * The terms of L_total (SPEC §7), each a mean over the batch, reported separately.
 *
 * @param total L_rec^img + L_rec^txt + β·L_KL + λ·L_se
 * @param imageReconstruction mean (X − Dec_img(z₀))²
 * @param imageDenoised mean (X − Dec_img(ẑ₀))² over noised image tokens
 * @param textReconstruction CE(X_txt, Dec_txt(z₀))
 * @param textDenoised CE(X_txt, Dec_txt(ẑ₀)) over noised text tokens
 * @param kl L_KL
 * @param scoreEntropy L_se
 */
public record LossBreakdown(double total, double imageReconstruction, double imageDenoised, double textReconstruction,
                            double textDenoised, double kl, double scoreEntropy) {
}

// 02 · A tour of the five components of MDM on the tiny preset: the VAE encoder/decoder, the scan switch, one
// Mamba-2 block, the score-entropy loss, and the sampler, step by step.
// Run it: bin/notebook mdm-examples/notebooks/02-components-tour.jsh   (files go under target/notebooks/)

import dev.mdm.*;
import dev.mdm.model.*;
import dev.mdm.sampling.*;
import dev.mdm.tensor.Tensor;
import dev.mdm.examples.data.TrainingData;
import dev.mdm.examples.image.Images;
import java.nio.file.*;
import java.util.*;

var config = MdmConfig.tiny();
var mdm = MDM.builder().config(config).seed(3).build();
int nImg = config.imageTokens(), lt = config.textLength(), dz = config.latentDim();
System.out.printf("tiny: %d×%d×%d images in %d patches of %d×%d, %d text tokens, latents of %d, d = %d, %d blocks, backend %s%n",
        config.imageChannels(), config.imageHeight(), config.imageWidth(), nImg, config.patch(), config.patch(), lt, dz,
        config.dModel(), config.blocks(), mdm.backend().name());

// 1. Encoder: every 2×2 patch becomes a Gaussian (μ, log σ²) of dz numbers; the decoder maps latents back to pixels.
var scene = TrainingData.open("synthetic", config, false, null, 4).get(0);
System.out.println("a scene resized to 8×8: " + scene.caption());
var images = scene.image().reshape(1, 1, 8, 8);
LatentDistribution q = mdm.encoder().encodeImage(images);
System.out.println("μ " + Arrays.toString(q.mean().shape()) + ", log σ² " + Arrays.toString(q.logVar().shape()));
var z0 = q.sample(Tensor.zeros(q.mean().shape()));           // ε = 0 gives z₀ = μ
var reconstructed = mdm.decoder().decodeImage(z0);
System.out.println("decoded back to " + Arrays.toString(reconstructed.shape()) + " (fresh weights: not yet a good copy)");
Images.writePng(Images.grid(List.of(scene.image(), reconstructed.reshape(1, 8, 8)), 2, 16), Path.of("target/notebooks/02-vae.png"));

// 2. Scan switch: block i reads the image patches in order i mod 4 and the text in order i mod 2 (SPEC §5).
// Each grid shows, per patch, the step at which the scan visits it.
for (int order = 0; order < 4; order++) {
    int[] perm = mdm.scanSwitch().imageOrder(order);
    int[] visit = new int[nImg];
    for (int j = 0; j < perm.length; j++) visit[perm[j]] = j;
    var rows = new StringBuilder("image order " + order + ":");
    for (int r = 0; r < config.gridHeight(); r++) {
        rows.append("\n   ");
        for (int c = 0; c < config.gridWidth(); c++) rows.append(String.format("%3d", visit[r * config.gridWidth() + c]));
    }
    System.out.println(rows);
}
System.out.println("text orders: " + Arrays.toString(mdm.scanSwitch().textOrder(0)) + " and " + Arrays.toString(mdm.scanSwitch().textOrder(1)));
System.out.println("block 1's whole sequence order (text span first, D13): " + Arrays.toString(mdm.scanSwitch().sequenceOrder(1)));

// 3. One block: x ← x + P⁻¹·Mamba2(P·RMSNorm(x)) on a random sequence [1, L, d].
var random = new Random(5);
double[] xs = new double[config.sequenceLength() * config.dModel()];
for (int i = 0; i < xs.length; i++) xs[i] = random.nextGaussian();
var x = Tensor.of(xs, 1, config.sequenceLength(), config.dModel());
var y = mdm.block(0).forward(x);
double change = 0;
for (int i = 0; i < xs.length; i++) change += Math.pow(y.getDouble(i) - xs[i], 2);
System.out.printf("block 0: [1, %d, %d] -> %s, residual branch RMS %.4f%n", config.sequenceLength(), config.dModel(),
        Arrays.toString(y.shape()), Math.sqrt(change / xs.length));

// 4. Score entropy (SPEC §7): low when the prediction ẑ₀ is the true z₀ among K candidates, high when it is another.
int m = 3, k = config.seCandidates();
double[] cand = new double[m * k * dz];
for (int i = 0; i < cand.length; i++) cand[i] = random.nextGaussian();
double[] truth = new double[m * dz], wrong = new double[m * dz], zt = new double[m * dz];
for (int i = 0; i < m; i++) for (int d = 0; d < dz; d++) {
    truth[i * dz + d] = cand[(i * k) * dz + d];              // candidate 0 is the true z₀
    wrong[i * dz + d] = cand[(i * k + 1) * dz + d];
    zt[i * dz + d] = Math.sqrt(0.5) * truth[i * dz + d] + Math.sqrt(0.5) * random.nextGaussian();
}
var alphaBar = Tensor.of(new double[] {0.5, 0.5, 0.5}, m);
var seRight = mdm.loss().scoreEntropy(Tensor.of(zt, m, dz), Tensor.of(truth, m, dz), Tensor.of(cand, m, k, dz), alphaBar);
var seWrong = mdm.loss().scoreEntropy(Tensor.of(zt, m, dz), Tensor.of(wrong, m, dz), Tensor.of(cand, m, k, dz), alphaBar);
System.out.println("score entropy, right prediction " + Arrays.toString(seRight.toDoubleArray()));
System.out.println("score entropy, wrong prediction " + Arrays.toString(seWrong.toDoubleArray()));
for (int i = 0; i < m; i++) if (!(seRight.getDouble(i) < seWrong.getDouble(i))) throw new AssertionError("SE must prefer the truth");

// 5. Sampling step by step: DPM-Solver++ from noise, calling the denoiser (x̂0-model) at t_input = (t − 1/T)·T.
//    This is the bare SPEC §8 loop. mdm.generate(...) also corrects each x̂0 before the solver uses it: the image
//    latents go through the VAE, μ_enc(clamp(Dec_img(x̂0))) (decision D16), and the text latents snap to their most
//    likely token's (D15). A trained model sampled without those drifts off the latents it was trained on.
DenoisingFunction model = new DenoisingFunction() {
    public Prediction predicts() { return Prediction.DATA; }
    public Tensor predict(Tensor state, double t) {
        return mdm.denoiser().predict(state, Tensor.of(new double[] {(t - 1.0 / config.timesteps()) * config.timesteps()}, 1),
                Tensor.ofLongs(new long[] {config.classes()}, 1));   // the null class: unconditional
    }
};
double[] noise = new double[config.latentTokens() * dz];
for (int i = 0; i < noise.length; i++) noise[i] = random.nextGaussian();
// no infill (null); 11 is the noise seed, which only DDPM uses (DPM-Solver draws no noise); the model's sampler
// takes its 20 steps, so the trajectory has 21 states
var trajectory = mdm.sampler().sample(Tensor.of(noise, 1, config.latentTokens(), dz), model, null, 11);
var frames = new ArrayList<Tensor>();
for (int s = 0; s < trajectory.states().size(); s++) {
    double[] state = trajectory.states().get(s).toDoubleArray();
    var imageLatents = Tensor.of(Arrays.copyOf(state, nImg * dz), 1, nImg, dz);   // image tokens come first
    frames.add(mdm.decoder().decodeImage(imageLatents).reshape(1, 8, 8));
    System.out.printf("step %2d  t = %.3f%n", s, trajectory.times().get(s));
}
var strip = Images.writePng(Images.grid(frames, frames.size(), 12), Path.of("target/notebooks/02-trajectory.png"));
System.out.println("wrote the " + frames.size() + " states decoded to images: " + strip.toAbsolutePath());
mdm.close();

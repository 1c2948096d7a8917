package dev.mdm.tck;

import java.util.List;

/**
 * The stable ids of every rule of the {@link BackendCompatibilityKit}, and the catalogue that says what each rule
 * checks and where to look when it fails (the Reactive Streams TCK model). Each id is written once, here: tests use
 * the constants in {@code @Tag} and {@code @DisplayName}, and {@code RULES.md} is generated from {@link #catalogue()}.
 *
 * <p>Run one rule with Maven: {@code mvn verify -Dgroups=MDM-SSD-003}.
 */
public final class Rules {
    // SSD scan (SPEC §6 step 5)
    public static final String SSD_RANDOM = "MDM-SSD-001";
    public static final String SSD_LENGTH_ONE = "MDM-SSD-002";
    public static final String SSD_RAGGED_CHUNK = "MDM-SSD-003";
    public static final String SSD_BATCH_ONE = "MDM-SSD-004";
    public static final String SSD_GROUPS = "MDM-SSD-005";
    public static final String SSD_EULER = "MDM-SSD-006";
    public static final String SSD_RAW_DT = "MDM-SSD-007";
    public static final String SSD_OPTIONAL_TERMS = "MDM-SSD-008";
    public static final String SSD_LONG = "MDM-SSD-009";
    public static final String SSD_STRONG_DECAY = "MDM-SSD-010";
    public static final String SSD_MIXED_DECAY = "MDM-SSD-011";
    // Mamba-2 mixer (SPEC §6)
    public static final String MIXER_RANDOM = "MDM-MIX-001";
    public static final String MIXER_EULER_GROUPS = "MDM-MIX-002";
    public static final String MIXER_LENGTHS = "MDM-MIX-003";
    // scan switch (SPEC §5)
    public static final String SCAN_IMAGE_ORDERS = "MDM-SCAN-001";
    public static final String SCAN_TEXT_ORDERS = "MDM-SCAN-002";
    public static final String SCAN_PERMUTE = "MDM-SCAN-003";
    public static final String SCAN_NON_SQUARE = "MDM-SCAN-004";
    // encoder and decoder (SPEC §3)
    public static final String ENCODER_IMAGE = "MDM-ENC-001";
    public static final String ENCODER_TEXT = "MDM-ENC-002";
    public static final String DECODER_IMAGE = "MDM-DEC-001";
    public static final String DECODER_TEXT = "MDM-DEC-002";
    // block and denoiser (SPEC §2, §5)
    public static final String BLOCK_FORWARD = "MDM-BLK-001";
    public static final String BLOCK_MIXER = "MDM-BLK-002";
    public static final String DENOISER_RANDOM = "MDM-DEN-001";
    public static final String DENOISER_BATCH_ONE = "MDM-DEN-002";
    // losses (SPEC §7)
    public static final String LOSS_TERMS = "MDM-LOSS-001";
    public static final String LOSS_CONDITIONED = "MDM-LOSS-002";
    public static final String SCORE_ENTROPY = "MDM-LOSS-003";
    // samplers (SPEC §8)
    public static final String SAMPLER_DPM = "MDM-SMP-001";
    public static final String SAMPLER_DDPM = "MDM-SMP-002";
    public static final String SAMPLER_INFILL = "MDM-SMP-003";
    public static final String SAMPLER_WHOLE_RUN = "MDM-SMP-004";
    // training
    public static final String GRADIENT_DIRECTIONAL = "MDM-GRAD-001";
    public static final String GRADIENT_PER_PARAMETER = "MDM-GRAD-002";
    public static final String OPTIMIZER_STEP = "MDM-OPT-001";
    // checkpoints
    public static final String CHECKPOINT_ROUND_TRIP = "MDM-CKPT-001";
    public static final String CHECKPOINT_PARAMETERS = "MDM-CKPT-002";
    // determinism
    public static final String DETERMINISM_MODEL = "MDM-DET-001";
    public static final String DETERMINISM_SAMPLER = "MDM-DET-002";
    // bad input
    public static final String BAD_SHAPES = "MDM-BAD-001";
    public static final String BAD_NON_FINITE = "MDM-BAD-002";
    public static final String BAD_IDS = "MDM-BAD-003";
    public static final String BAD_BLOCK_INDEX = "MDM-BAD-004";
    public static final String BAD_PARAMETERS = "MDM-BAD-005";
    public static final String BAD_SAMPLER_STEPS = "MDM-BAD-006";
    // resources
    public static final String CLOSE_IDEMPOTENT = "MDM-RES-001";
    public static final String USE_AFTER_CLOSE = "MDM-RES-002";
    public static final String CLOSE_CASCADES = "MDM-RES-003";
    public static final String NATIVE_MEMORY = "MDM-RES-004";
    public static final String CONCURRENT_INFERENCE = "MDM-RES-005";

    private Rules() {
    }

    /**
     * One rule of the catalogue.
     *
     * @param id stable id, e.g. {@code MDM-SSD-001}
     * @param group the component or concern
     * @param checks what the rule checks
     * @param ifFails where to look first when it fails
     */
    public record Rule(String id, String group, String checks, String ifFails) {
    }

    private static final String SSD = "SSD scan (SPEC §6.5)";
    private static final String MIXER = "Mamba-2 mixer (SPEC §6)";
    private static final String SCAN = "Scan switch (SPEC §5)";
    private static final String VAE = "Encoder and decoder (SPEC §3)";
    private static final String NET = "Block and denoiser (SPEC §2, §5)";
    private static final String LOSS = "Losses (SPEC §7)";
    private static final String SAMPLING = "Samplers (SPEC §8)";
    private static final String TRAINING = "Training (needs Capability.TRAINING)";
    private static final String CHECKPOINT = "Checkpoints (SPEC §12)";
    private static final String DETERMINISM = "Determinism";
    private static final String BAD = "Bad input";
    private static final String RESOURCES = "Resources and threads";

    private static final List<Rule> CATALOGUE = List.of(
            new Rule(SSD_RANDOM, SSD, "y = (scan + D·x)·SiLU(z) matches the oracle on random inputs (b 2, l 16, 4 heads, ZOH).",
                    "the recurrence H_t = exp(Δ_t A) H_{t−1} + x_t ⊗ B̄_t and y_t = H_t C_t; the ZOH factor (exp(ΔA) − 1)/A; "
                            + "the D skip and the SiLU(z) gate; the layout [b, l, h, p] of x and y."),
            new Rule(SSD_LENGTH_ONE, SSD, "A sequence of length 1 (the state starts at zero).",
                    "initial state not zeroed, or a chunked kernel that assumes at least one full chunk."),
            new Rule(SSD_RAGGED_CHUNK, SSD, "Lengths that are not a multiple of the chunk size (13, 37).",
                    "the padding or masking of the last, partial chunk; the state carried between chunks."),
            new Rule(SSD_BATCH_ONE, SSD, "Batch 1 (and, through MDM-SSD-001, batch > 1 with samples kept apart).",
                    "batch strides; a state shared across samples."),
            new Rule(SSD_GROUPS, SSD, "nGroups > 1: head h reads B and C of group ⌊h·G/H⌋.",
                    "the head-to-group mapping (consecutive heads share a group, not h mod G)."),
            new Rule(SSD_EULER, SSD, "EULER discretization: B̄ = Δ·B.",
                    "the discretization switch; EULER is what mamba_ssm computes, ZOH the paper's Eq. 13."),
            new Rule(SSD_RAW_DT, SSD, "Raw dt with dt_bias: Δ = softplus(dt + dt_bias), including values above 20 where softplus(v) = v.",
                    "softplus applied twice or not at all; the v > 20 branch; dt_bias broadcast over heads."),
            new Rule(SSD_OPTIONAL_TERMS, SSD, "D and z are optional: each absent term is omitted (no skip, no gate).",
                    "a null D treated as 1 or a null z as 0 (SiLU(0) = 0 would zero the output)."),
            new Rule(SSD_LONG, SSD, "A long sequence (l 200) over several chunks, with strongly decaying and slowly decaying heads.",
                    "numerical stability of the chunked form: segment sums of ΔA taken inside the chunk (by a masked "
                            + "cumulative sum, not as differences of one running sum: MDM-SSD-011), exponentiated only where masked."),
            new Rule(SSD_STRONG_DECAY, SSD, "ZOH at very strong decay (ΔA down to −1 200, as trained weights reach): y stays finite and matches the oracle.",
                    "expm1(ΔA) for very negative ΔA: a form such as 2·sinh(ΔA/2)·e^{ΔA/2} overflows and underflows in float32 below ΔA ≈ −178 (−inf·0 = NaN); exp(ΔA) − 1 is exact there."),
            new Rule(SSD_MIXED_DECAY, SSD, "Strong decay then weak decay within one chunk (ΔA −1 200 for 32 tokens, then −0.14), ZOH and EULER: the state carried to the next chunk stays accurate.",
                    "each token's decay to the end of its chunk: exp(cumsum[last] − cumsum[t]) cancels in float32 when early tokens' ΔA dwarf the later ones'; take it from masked segment sums (segsum's last row) instead."),
            new Rule(MIXER_RANDOM, MIXER, "The mixer (in_proj, causal conv1d + SiLU, SSD, gated RMSNorm, out_proj) matches the oracle on random weights.",
                    "the in_proj row split z, x, B, C, dt; left zero padding of the conv; A = −exp(A_log); gated RMSNorm "
                            + "norm(y·SiLU(z)) with eps 1e-5; then MDM-SSD-* for the scan itself."),
            new Rule(MIXER_EULER_GROUPS, MIXER, "The mixer with EULER discretization and nGroups 2 (RMSNorm per group, D1).",
                    "the group split of B and C in xBC; the gated RMSNorm normalizing per group of d_inner/G channels."),
            new Rule(MIXER_LENGTHS, MIXER, "The mixer on lengths 1, 3 (shorter than the conv) and 11 (not a multiple of the chunk).",
                    "conv padding when l < dConv; the last partial chunk."),
            new Rule(SCAN_IMAGE_ORDERS, SCAN, "Image orders 0..3 are row-major, row-major reversed, column-major, column-major reversed.",
                    "perm[j] = canonical index read at position j (not its inverse); column-major walks down columns first."),
            new Rule(SCAN_TEXT_ORDERS, SCAN, "Text orders 0..1 are forward and reversed.", "the reversed order."),
            new Rule(SCAN_PERMUTE, SCAN, "sequenceOrder(i) and permute(i) equal the oracle for every block, and unpermute inverts permute.",
                    "order = i mod imageScans / i mod textScans; offsets of the image span (3) and text span (4 + n_img); "
                            + "D13: odd blocks put [BOT, text…] before [BOI, image…], TIME and CLASS never move."),
            new Rule(SCAN_NON_SQUARE, SCAN, "Orders on a non-square patch grid (4 × 2).", "height and width swapped in the column-major orders."),
            new Rule(ENCODER_IMAGE, VAE, "Image encoder μ and log σ² match the oracle.",
                    "patchify order (row-major tokens, channel-major inside a tile, D6); the row split μ then log σ²."),
            new Rule(ENCODER_TEXT, VAE, "Text encoder μ and log σ² match the oracle.", "text_embed lookup, then the MLP shape of D6."),
            new Rule(DECODER_IMAGE, VAE, "Image decoder output [b, C, H, W] matches the oracle.", "unpatchify (the inverse of D6's patchify)."),
            new Rule(DECODER_TEXT, VAE, "Text decoder logits [b, Lt, V] match the oracle.", "txt_dec weights and SiLU placement."),
            new Rule(BLOCK_FORWARD, NET, "Every block's forward x + P⁻¹·Mamba2(P·RMSNorm(x)) matches the oracle.",
                    "pre-norm eps 1e-5; which scan order block i uses; unpermuting before the residual add."),
            new Rule(BLOCK_MIXER, NET, "block(i).mixer(u) is the bare mixer (no norm, no residual, no permutation).",
                    "the block and mixer weights under blocks.{i}.mixer.*."),
            new Rule(DENOISER_RANDOM, NET, "The whole denoiser matches the oracle on random latents, non-integer times and classes (null class included).",
                    "time token (D5, cos first), position and modality embeddings, latent_in/latent_out, norm_f; then MDM-BLK-*."),
            new Rule(DENOISER_BATCH_ONE, NET, "The denoiser on batch 1.", "batch handling of the prefix tokens."),
            new Rule(LOSS_TERMS, LOSS, "Every LossBreakdown term (total, both image terms, both text terms, KL, SE) matches the oracle with all tokens noised.",
                    "D2 (means and masks), D3 (z₀, z_t, t_input = t − 1), D4 (SE candidates), D7 (cross-entropy)."),
            new Rule(LOSS_CONDITIONED, LOSS, "The loss terms when only some tokens are noised (the rest enter clean and are not scored).",
                    "D2: denoised terms and SE cover noised tokens only; given tokens enter as z₀."),
            new Rule(SCORE_ENTROPY, LOSS, "Score entropy per token, from Backend.scoreEntropy and LossFunction.scoreEntropy, matches the oracle, far-apart candidates included.",
                    "log-softmax (never exponentiate unnormalized log r); K(0) = 0; the 1/K factor."),
            new Rule(SAMPLER_DPM, SAMPLING, "DPM-Solver 2M and 2S × dpmsolver/dpmsolver++ × TIME_UNIFORM/LOG_SNR trajectories match the oracle, with an analytic model.",
                    "the continuous schedule (piecewise-linear log α), λ⁻¹, the grids, lower_order_final for N < 10, "
                            + "the second-order correction and, for 2S, the outer grid and midpoints."),
            new Rule(SAMPLER_DDPM, SAMPLING, "DDPM ancestral sampling with a seed matches the oracle (D8).",
                    "the noise generator (L64X128MixRandom, nextGaussian in row-major order, one tensor per step), no noise at k = 1."),
            new Rule(SAMPLER_INFILL, SAMPLING, "Infilling holds the masked elements at their values in every state and matches the oracle.",
                    "Infill.apply before the first model call and after every update (D9)."),
            new Rule(SAMPLER_WHOLE_RUN, SAMPLING, "A whole sampling run the runtime runs itself (ModelRuntime.sampleWhole: joint generation, class guidance in the noise form, captioning with image guidance and infilling) gives what TaskRunner.sampleOnHost gives over the same runtime. Skipped when the runtime runs none.",
                    "the SamplingRun's x̂0 model: t_input, the doubled batch and its classes, u + w·(c − u) (image guidance: text positions only, α_t·μ + σ_t·ε in the second half), the VAE projection (D16) and text clamp (D15) among textChoices ids, ε̂ for dpmsolver, then the 2M plan of DpmSolverSampler.multistepPlan and the hold."),
            new Rule(GRADIENT_DIRECTIONAL, TRAINING, "⟨∇L, v⟩ from the backend equals (L(θ+εv) − L(θ−εv))/2ε of the reference loss, for random unit directions v on which the backend's gradient has at least half its typical projection (D19).",
                    "the backward pass as a whole; MDM-GRAD-002 names the parameter whose gradient is wrong."),
            new Rule(GRADIENT_PER_PARAMETER, TRAINING, "The same check with a direction on one parameter tensor at a time.",
                    "the backward of the layer that owns the named parameter."),
            new Rule(OPTIMIZER_STEP, TRAINING, "One optimizer step (AdamW, clipping, decay on rank ≥ 2 only, EMA) matches ReferenceAdamW.",
                    "bias correction, decoupled decay applied to weights not biases, global-norm clipping before Adam, EMA after the step."),
            new Rule(CHECKPOINT_ROUND_TRIP, CHECKPOINT, "Parameters from the backend, written with Safetensors.write and read back, load into the reference and give the backend's outputs.",
                    "parameter names and shapes of SPEC §12; weights stored as [out, in]; a backend that transposes internally must transpose back."),
            new Rule(CHECKPOINT_PARAMETERS, CHECKPOINT, "ModelRuntime.parameters() returns the weights it was loaded with, under the same names.",
                    "names of SPEC §12 and values round-tripping through the backend's own storage."),
            new Rule(DETERMINISM_MODEL, DETERMINISM, "The same input gives bit-identical outputs twice (SSD, mixer, denoiser).",
                    "non-deterministic reductions (atomics, thread-count-dependent splits)."),
            new Rule(DETERMINISM_SAMPLER, DETERMINISM, "DDPM with the same seed gives the same final sample and another seed another one; DPM-Solver, which draws no noise, gives the same sample whatever the seed.",
                    "a generator that is shared, global, or not seeded from the argument."),
            new Rule(BAD_SHAPES, BAD, "Wrong shapes get InvalidInputException (not another exception, not a crash).",
                    "validate every argument against the config before any native call."),
            new Rule(BAD_NON_FINITE, BAD, "NaN or infinite inputs get InvalidInputException.", "call Tensor.requireFinite on every float input."),
            new Rule(BAD_IDS, BAD, "Token ids outside [0, V) and class ids outside [0, classes] get InvalidInputException.",
                    "an embedding lookup that indexes without checking (native code may read out of bounds)."),
            new Rule(BAD_BLOCK_INDEX, BAD, "A block index outside [0, blocks) gets InvalidInputException.", "ModelRuntime.block(int) bounds check."),
            new Rule(BAD_PARAMETERS, BAD, "Loading parameters with a missing, extra or misshaped tensor gets InvalidInputException.",
                    "Parameters.requireLayout(config) in Backend.load, and requireLayout of the mixer's shape in mambaMixer."),
            new Rule(BAD_SAMPLER_STEPS, BAD, "A DPM-Solver sampler asked for more steps than the schedule's T gets "
                    + "InvalidInputException naming steps; T steps are accepted.",
                    "a steps ≤ betas.length check in Backend.sampler (mdm-api's DpmSolverSampler has it)."),
            new Rule(CLOSE_IDEMPOTENT, RESOURCES, "close() on a backend, a model and a mixer can be called twice without error.",
                    "a guard such as an AtomicBoolean before freeing native memory."),
            new Rule(USE_AFTER_CLOSE, RESOURCES, "Using a closed backend, model or mixer throws IllegalStateException naming it.",
                    "a closed check at the top of every public method."),
            new Rule(CLOSE_CASCADES, RESOURCES, "Closing a backend closes the models and mixers it created.",
                    "the backend tracking its children."),
            new Rule(NATIVE_MEMORY, RESOURCES, "Process RSS grows by less than the stated slack over 200 repeated forward passes after warm-up, in the smaller of two such windows.",
                    "per-call native buffers or NDArrays not freed (a missing scope/close), caches keyed by input identity."),
            new Rule(CONCURRENT_INFERENCE, RESOURCES, "Inference from 4 threads at once gives the results of sequential calls.",
                    "scratch buffers or graph state shared between calls without a lock."));

    /** @return every rule, in catalogue order */
    public static List<Rule> catalogue() {
        return CATALOGUE;
    }

    /**
     * @param id a rule id
     * @return its rule
     * @throws IllegalArgumentException for an id not in the catalogue
     */
    public static Rule rule(String id) {
        return CATALOGUE.stream().filter(r -> r.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no rule " + id + " in the catalogue"));
    }

    /** @return the catalogue as the Markdown of {@code mdm-tck/RULES.md} */
    public static String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("# MDM TCK rules\n\n");
        sb.append("Generated from `dev.mdm.tck.Rules` (do not edit by hand: run `RuleCatalogueTest` with ")
                .append("`-Dmdm.tck.writeRules=true` to rewrite it). Every test of `BackendCompatibilityKit` carries one of\n")
                .append("these ids as its JUnit tag and at the start of its display name; run a single rule with\n")
                .append("`mvn verify -Dgroups=MDM-SSD-003`. Numerical rules compare with the tolerances of SPEC §10 chosen by\n")
                .append("the precision under test: |a − b| ≤ atol + rtol·|b| elementwise and relative L2 error ≤ the bound.\n")
                .append("A rule that needs a capability the backend lacks is skipped with the reason, never passed.\n\n")
                .append("Prove a backend with one test class in its module (test scope dependency `dev.mdm:mdm-tck`):\n\n")
                .append("```java\nclass DjlBackendCompatibilityTest extends BackendCompatibilityKit {\n")
                .append("    @Override protected BackendProvider provider() { return new DjlBackendProvider(); }\n")
                .append("    // optional: @Override protected Precision precision() { return Precision.BF16; }\n}\n```\n\n")
                .append("Outside tools check single cases with `bin/conformance` (SPEC §11).\n");
        String group = null;
        for (Rule r : CATALOGUE) {
            if (!r.group().equals(group)) {
                group = r.group();
                sb.append("\n## ").append(group).append("\n\n| id | checks | if this fails, check |\n|---|---|---|\n");
            }
            sb.append("| ").append(r.id()).append(" | ").append(r.checks().replace("|", "\\|")).append(" | ")
                    .append(r.ifFails().replace("|", "\\|")).append(" |\n");
        }
        sb.append("\n## Notes\n\n")
                .append("- ").append(NATIVE_MEMORY).append(" reads the resident set size from `/proc/self/statm` (Linux only; ")
                .append("skipped elsewhere). The allowed growth is ").append(NativeMemoryProbe.SLACK_MIB)
                .append(" MiB beyond the whole committed Java heap and the growth of the JVM's non-heap pools (the heap's share ")
                .append("of the RSS cannot be known from inside, so the estimate errs towards passing). Each pass runs the denoiser ")
                .append("on 4 samples and a mixer on 2 × 256 tokens: leaking the activations of a pass exceeds the slack, ")
                .append("allocator noise does not. It measures two windows of 200 passes and bounds the smaller growth: a ")
                .append("leak grows both, a native allocator's one-time step (a DJL run on a fresh machine grew 52 MB in one ")
                .append("window and not in the next) one at most. The self-test shows 1 MiB leaked per pass fails it.\n")
                .append("- Gradient rules compare directional derivatives with a relative tolerance of ")
                .append("1e-6 (FP64), 2e-3 (FP32) or 5e-2 (BF16), from central differences of the float64 reference loss.\n");
        return sb.toString();
    }
}

package dev.mdm.backend.jcuda.model;

import dev.mdm.MdmConfig;
import dev.mdm.backend.jcuda.cuda.CudaContext;
import dev.mdm.backend.jcuda.cuda.Kernels;
import dev.mdm.sampling.DiscreteVpSchedule;
import dev.mdm.sampling.DpmSolverSampler;
import dev.mdm.sampling.SamplingMethod;
import dev.mdm.sampling.SamplingRun;
import dev.mdm.tensor.DType;
import dev.mdm.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * A task's whole DPM-Solver 2M sampling run ({@link SamplingRun}) queued on the stream with no host work between the
 * steps, so that one CUDA graph records all of it (issue 5): per model call the denoiser's inputs, the denoiser, the
 * guidance, the VAE projection of the image (decision D16) and the clamp of the text (D15) on the device, then the
 * solver's update and the hold (D9). The coefficients are {@link DpmSolverSampler#multistepPlan()}'s, the host
 * sampler's own, and the state and model outputs are double with the host's order of operations, so the loop gives
 * the bits the host sampler gives over this model's denoiser and VAE calls.
 *
 * <p>A run that meets a value where the host path would throw or branch on a NaN sets a flag instead of throwing
 * mid-graph: a non-finite output of either denoiser pass, guided x̂0, encoder mean or state, a NaN pixel before the
 * clamp or a NaN logit before the argmax. The caller then runs the host sampler, which throws where it meets the
 * value, or computes its own result.
 */
public final class DeviceSamplingLoop {
    private final DeviceModel model;
    private final Kernels k;
    private final MdmConfig config;
    private final SamplingRun run;
    private final Buffers buf;
    private final int b;
    private final int copies;
    private final int perSample;
    private final int imageValues;

    /** Device addresses of one run, carved from a workspace after the denoiser's own. */
    record Buffers(DeviceModel.DenoiseBuffers denoise, long x, long m0, long m1, long mask, long values, long mu,
                   long noise, long vaeIn, long vaeHidden, long vaeOut, long ids, long flag, long used) {
    }

    /**
     * @param model the model whose denoiser and VAE the run calls
     * @param base workspace base (0 to measure)
     * @param run the run, checked by {@link #unsupported}
     */
    public DeviceSamplingLoop(DeviceModel model, long base, SamplingRun run) {
        this.model = model;
        this.k = model.kernels();
        this.config = model.config();
        this.run = run;
        this.b = run.batch();
        this.copies = run.guided() ? 2 : 1;
        this.perSample = config.latentTokens() * config.latentDim();
        this.imageValues = config.imageTokens() * config.latentDim();
        DeviceModel.DenoiseBuffers d = model.buffers(base, copies * b);
        Workspace.Carver c = new Workspace.Carver(base + d.used());
        long n = (long) b * perSample;
        long x = c.take(8 * n);
        long m0 = c.take(8 * n);
        long m1 = c.take(8 * n);
        long mask = run.infill() != null ? c.take(8 * n) : 0;
        long values = run.infill() != null ? c.take(8 * n) : 0;
        long mu = run.imageGuidance() != null ? c.take(8 * n) : 0;
        long noise = run.imageGuidance() != null ? c.take(8L * b * imageValues) : 0;
        int dz = config.latentDim();
        int hid = config.vaeHidden();
        // the projection's and the clamp's MLPs, one after the other through the same three buffers
        long imageRows = (long) b * config.imageTokens();
        long textRows = (long) b * config.textLength();
        long vaeIn = c.take(4 * Math.max(imageRows * 2 * dz, textRows * Math.max(hid, dz)));
        long vaeHidden = c.take(4 * Math.max(imageRows, textRows) * hid);
        long vaeOut = c.take(4 * Math.max(imageRows * config.patchDim(), textRows * Math.max(config.vocabSize(), 2 * dz)));
        long ids = c.take(4 * textRows);
        long flag = c.take(4);
        this.buf = new Buffers(d, x, m0, m1, mask, values, mu, noise, vaeIn, vaeHidden, vaeOut, ids, flag,
                c.used() - base);
    }

    /**
     * @param run a sampling run
     * @param config the model's sizes
     * @param hasVae whether the model carries its VAE
     * @return why this loop does not run {@code run} (the host sampler then does), or null when it does
     */
    public static String unsupported(SamplingRun run, MdmConfig config, boolean hasVae) {
        if (run.settings().method() != SamplingMethod.DPM_SOLVER_2M) {
            return "the device loop runs DPM-Solver 2M only, not " + run.settings().method();
        }
        if ((run.clampText() || run.projectImage()) && !hasVae) {
            return "the model has no VAE to clamp or project with";
        }
        if (!Arrays.equals(run.xT().shape(), new int[] {run.batch(), config.latentTokens(), config.latentDim()})) {
            return "x_T is not [b, " + config.latentTokens() + ", " + config.latentDim() + "]";
        }
        if (run.clampText() && run.textChoices() > config.vocabSize()) {
            return "textChoices exceeds the vocabulary";
        }
        if (run.imageGuidance() != null
                && run.imageGuidance().noise().length != run.batch() * config.imageTokens() * config.latentDim()) {
            return "the image guidance's noise is not [b, n_img, dz]";
        }
        return null;
    }

    /** @return device bytes the run needs from its workspace base */
    public long workspaceBytes() {
        return buf.used();
    }

    /**
     * Copies the run's inputs to the device (synchronously): x_T with its held elements set, the held elements, the
     * given image's μ and ε, the classes of every copy; clears the failure flag.
     */
    public void upload(CudaContext cuda) {
        // x_T held (SPEC §8, D9) before the first model call, as the host sampler holds it
        Tensor x = run.infill() != null ? run.infill().apply(run.xT()) : run.xT();
        cuda.upload(buf.x(), x.to(DType.F64).toBytes());
        if (run.infill() != null) {
            cuda.upload(buf.mask(), run.infill().mask().to(DType.F64).toBytes());
            cuda.upload(buf.values(), run.infill().values().to(DType.F64).toBytes());
        }
        if (run.imageGuidance() != null) {
            cuda.upload(buf.mu(), Tensor.of(run.imageGuidance().latents(), b, perSample).toBytes());
            cuda.upload(buf.noise(), Tensor.of(run.imageGuidance().noise(), b, imageValues).toBytes());
        }
        int[] classes = new int[copies * b];
        for (int i = 0; i < classes.length; i++) {
            // class guidance pairs each sample with the null class, image guidance with itself
            classes[i] = i < b || run.imageGuidance() != null ? (int) run.classIds()[i % b] : config.classes();
        }
        cuda.upload(buf.denoise().classIds(), classes);
        cuda.upload(buf.flag(), new int[1]);
    }

    /** Queues the whole run: no allocation, no host copies, so a CUDA graph can record it. */
    public void record() {
        DpmSolverSampler sampler = new DpmSolverSampler(run.settings(), run.betas());
        DpmSolverSampler.MultistepPlan plan = sampler.multistepPlan();
        DiscreteVpSchedule schedule = sampler.schedule();
        int n = b * perSample;
        long newest = buf.m0();
        long older = buf.m1();
        call(schedule, plan.dataForm(), plan.startTime(), newest);
        List<DpmSolverSampler.MultistepUpdate> updates = plan.updates();
        for (int step = 0; step < updates.size(); step++) {
            DpmSolverSampler.MultistepUpdate u = updates.get(step);
            k.samplingUpdate(buf.x(), newest, older, buf.mask(), buf.values(), n, u.cx(), u.phi(),
                    u.firstOrder() ? 1 : u.r0(), !u.firstOrder(), buf.flag());
            if (step < updates.size() - 1) {
                long free = older;
                older = newest;
                newest = free;
                call(schedule, plan.dataForm(), u.time(), newest);
            }
        }
    }

    /** Queues one call of the x̂0 model at time t into {@code m}, as the solver form wants it. */
    private void call(DiscreteVpSchedule schedule, boolean dataForm, double t, long m) {
        DeviceModel.DenoiseBuffers d = buf.denoise();
        int steps = config.timesteps();
        double alpha = schedule.alpha(t);
        double sigma = schedule.sigma(t);
        boolean imageGuided = run.imageGuidance() != null;
        k.samplingInputs(buf.x(), d.latents(), d.time(), b, perSample, copies, imageGuided ? buf.mu() : 0,
                imageGuided ? buf.noise() : 0, imageValues, alpha, sigma, (float) ((t - 1.0 / steps) * steps));
        model.denoise(d, copies * b);
        double w = imageGuided ? run.imageGuidance().weight() : run.classGuidance();
        k.samplingPrediction(d.output(), m, b, perSample, copies, imageGuided ? imageValues : 0, copies == 2 ? w : 0,
                buf.flag());
        if (run.projectImage()) {
            projectImage(m);
        }
        if (run.clampText()) {
            clampText(m);
        }
        if (!dataForm) {
            k.samplingToNoise(buf.x(), m, b * perSample, alpha, sigma);
        }
    }

    /** x̂0's image latents ← μ_enc(clamp(Dec_img(x̂0), −1, 1)) (decision D16). */
    private void projectImage(long m) {
        DeviceModel.Vae v = model.vae();
        int dz = config.latentDim();
        int hid = config.vaeHidden();
        int rows = b * config.imageTokens();
        k.samplingGather(m, buf.vaeIn(), b, perSample, 0, imageValues);
        model.linear(rows, hid, dz, buf.vaeIn(), v.imgDec1W(), v.imgDec1B(), buf.vaeHidden(), true);
        model.linear(rows, config.patchDim(), hid, buf.vaeHidden(), v.imgDec2W(), v.imgDec2B(), buf.vaeOut(), false);
        k.clampUnit(buf.vaeOut(), rows * config.patchDim(), buf.flag());
        model.linear(rows, hid, config.patchDim(), buf.vaeOut(), v.imgEnc1W(), v.imgEnc1B(), buf.vaeHidden(), true);
        model.linear(rows, 2 * dz, hid, buf.vaeHidden(), v.imgEnc2W(), v.imgEnc2B(), buf.vaeIn(), false);
        k.samplingScatterMean(buf.vaeIn(), m, b, perSample, 0, config.imageTokens(), dz, buf.flag());
    }

    /** x̂0's text latents ← μ_enc(argmax Dec_txt(x̂0)) among the run's token choices (decision D15). */
    private void clampText(long m) {
        DeviceModel.Vae v = model.vae();
        int dz = config.latentDim();
        int hid = config.vaeHidden();
        int lt = config.textLength();
        int rows = b * lt;
        int vocab = config.vocabSize();
        k.samplingGather(m, buf.vaeIn(), b, perSample, imageValues, lt * dz);
        model.linear(rows, hid, dz, buf.vaeIn(), v.txtDec1W(), v.txtDec1B(), buf.vaeHidden(), true);
        model.linear(rows, vocab, hid, buf.vaeHidden(), v.txtDec2W(), v.txtDec2B(), buf.vaeOut(), false);
        k.argmaxRows(buf.vaeOut(), rows, vocab, run.textChoices(), buf.ids(), buf.flag());
        k.gatherRows(v.textEmbed(), buf.ids(), buf.vaeIn(), rows, hid);
        model.linear(rows, hid, hid, buf.vaeIn(), v.txtEnc1W(), v.txtEnc1B(), buf.vaeHidden(), true);
        model.linear(rows, 2 * dz, hid, buf.vaeHidden(), v.txtEnc2W(), v.txtEnc2B(), buf.vaeOut(), false);
        k.samplingScatterMean(buf.vaeOut(), m, b, perSample, imageValues, lt, dz, buf.flag());
    }

    /**
     * Waits for the run and reads its result.
     *
     * @return the final state [b, n_img + Lt, dz] (F64), or null when a model output or state was not finite
     */
    public Tensor result(CudaContext cuda) {
        cuda.synchronize();
        int[] flag = new int[1];
        cuda.download(buf.flag(), flag);
        if (flag[0] != 0) {
            return null;
        }
        byte[] bytes = new byte[8 * b * perSample];
        cuda.download(buf.x(), bytes);
        return Tensor.fromBytes(DType.F64, run.xT().shape(), bytes);
    }
}

package dev.mdm.backend.jcuda.training;

import dev.mdm.MdmConfig;
import dev.mdm.backend.jcuda.cuda.CudaContext;
import dev.mdm.backend.jcuda.cuda.KernelArgs;
import dev.mdm.model.OptimizerSettings;
import dev.mdm.model.ParameterLayout;
import dev.mdm.model.Parameters;
import dev.mdm.tensor.DType;
import dev.mdm.tensor.Tensor;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Every parameter of one model in five flat fp32 device buffers of the same layout (checkpoint order of
 * {@link ParameterLayout}): master weights, gradients, AdamW's m and v, and the EMA. Flat buffers let the optimizer,
 * the gradient norm and the EMA run as one kernel each over all parameters, as llm.c does. Every parameter starts a
 * group of {@link #ALIGN} elements, so one flag byte a group serves the optimizer ({@link #groupFlags()}): whether its
 * tensor is decayed, and whether the update clears its gradient for the next backward, which adds to it.
 */
public final class ParameterArena implements AutoCloseable {
    private final CudaContext cuda;
    private final Map<String, int[]> layout;
    private final Map<String, Long> offsets = new LinkedHashMap<>();
    private final long count;
    private final long weights;
    private final long grads;
    private final long adamM;
    private final long adamV;
    private final long ema;
    private final long groupFlags;
    /** bf16 copy of the weights (element offsets as the fp32 buffer's), or 0 when none was asked for. */
    private final long weightsBf16;
    private boolean closed;

    /**
     * Every parameter starts at a multiple of this many elements: 16-byte aligned in bf16 as in fp32. The optimizer
     * reads one flag byte a group of this many elements ({@code TM_GROUP} in {@code train_model.cuh}).
     */
    static final int ALIGN = 8;

    /** {@link #groupFlags()}: weight decay applies to the group's tensor. */
    static final byte DECAY = 1;
    /** {@link #groupFlags()}: the update clears the group's gradient. */
    static final byte CLEAR_GRADIENT = 2;

    private ParameterArena(CudaContext cuda, MdmConfig config, boolean bf16Weights, Set<String> gradientsWrittenWhole) {
        this.cuda = cuda;
        this.layout = Collections.unmodifiableMap(ParameterLayout.of(config));
        for (String name : gradientsWrittenWhole) {
            if (!layout.containsKey(name)) {
                throw new IllegalArgumentException("gradientsWrittenWhole: no parameter named '" + name + "'; known: "
                        + layout.keySet());
            }
        }
        long n = 0;
        for (var e : layout.entrySet()) {
            offsets.put(e.getKey(), n);
            n += (elements(e.getValue()) + ALIGN - 1) / ALIGN * ALIGN;
        }
        count = n;
        long bytes = n * Float.BYTES;
        long[] taken = new long[6];
        int i = 0;
        try {
            for (; i < 5; i++) {
                taken[i] = cuda.alloc(bytes, "training buffer " + i + " of 5 (" + n + " parameters)");
            }
            taken[5] = cuda.alloc(n / ALIGN, "optimizer flags, a byte per " + ALIGN + " parameters");
            i = 6;
        } catch (RuntimeException e) {
            for (int j = 0; j < i; j++) {
                cuda.free(taken[j], j == 5 ? n / ALIGN : bytes);
            }
            throw e;
        }
        weights = taken[0];
        grads = taken[1];
        adamM = taken[2];
        adamV = taken[3];
        ema = taken[4];
        groupFlags = taken[5];
        try {
            weightsBf16 = bf16Weights ? cuda.alloc(2 * n, "bf16 copy of the weights (" + n + " parameters)") : 0;
        } catch (RuntimeException e) {
            for (int j = 0; j < 6; j++) {
                cuda.free(taken[j], j == 5 ? n / ALIGN : bytes);
            }
            throw e;
        }
        // PyTorch AdamW as the reference applies decay to tensors of rank >= 2 only; a tensor's padding shares its
        // last group, and stays zero under decay
        byte[] flags = new byte[Math.toIntExact(n / ALIGN)];
        for (var e : layout.entrySet()) {
            byte f = (byte) ((e.getValue().length >= 2 ? DECAY : 0)
                    | (gradientsWrittenWhole.contains(e.getKey()) ? 0 : CLEAR_GRADIENT));
            long first = offsets.get(e.getKey()) / ALIGN;
            Arrays.fill(flags, (int) first, (int) (first + (elements(e.getValue()) + ALIGN - 1) / ALIGN), f);
        }
        cuda.upload(groupFlags, flags);
    }

    /**
     * Allocates the buffers, all zero except the flags, without a bf16 copy of the weights; the update clears every
     * gradient.
     *
     * @param cuda the device
     * @param config model sizes
     * @return the arena; close it to free the buffers
     */
    public static ParameterArena allocate(CudaContext cuda, MdmConfig config) {
        return allocate(cuda, config, false, Set.of());
    }

    /**
     * Allocates the buffers, all zero except the flags.
     *
     * @param cuda the device
     * @param config model sizes
     * @param bf16Weights whether to keep a bf16 copy of the weights ({@link #weightBf16}) for bf16 GEMMs: rounded once
     *                    per upload and per optimizer step instead of at every use
     * @param gradientsWrittenWhole parameters whose gradients the backward writes whole instead of adding to them; the
     *                    update ({@link #adamwEmaStep}) clears every other gradient, so that a backward after it needs
     *                    no {@link #zeroGrads}
     * @return the arena; close it to free the buffers
     * @throws IllegalArgumentException naming a parameter the layout does not have
     */
    public static ParameterArena allocate(CudaContext cuda, MdmConfig config, boolean bf16Weights,
                                          Set<String> gradientsWrittenWhole) {
        ParameterArena a = new ParameterArena(cuda, config, bf16Weights, gradientsWrittenWhole);
        for (long buffer : new long[] {a.weights, a.grads, a.adamM, a.adamV, a.ema}) {
            cuda.memsetZero(buffer, a.count * Float.BYTES);
        }
        if (a.weightsBf16 != 0) {
            cuda.memsetZero(a.weightsBf16, a.count * 2);
        }
        cuda.synchronize();
        return a;
    }

    private static long elements(int[] shape) {
        long n = 1;
        for (int s : shape) {
            n *= s;
        }
        return n;
    }

    private long offset(String name) {
        Long o = offsets.get(name);
        if (o == null) {
            throw new IllegalArgumentException("no parameter named '" + name + "'; known: " + offsets.keySet());
        }
        return o * Float.BYTES;
    }

    /** @return names and shapes, checkpoint order */
    public Map<String, int[]> layout() {
        return layout;
    }

    /** @return elements of each flat buffer: every parameter, each padded to a multiple of {@link #ALIGN} (zeros) */
    public long count() {
        return count;
    }

    /**
     * @param name a parameter name of {@link ParameterLayout}
     * @return device address of its fp32 master weights
     */
    public long weight(String name) {
        return weights + offset(name);
    }

    /**
     * @param name a parameter name
     * @return device address of its fp32 gradient
     */
    public long grad(String name) {
        return grads + offset(name);
    }

    /**
     * @param address a device address, such as {@link #weight(String)}'s
     * @return the bf16 copy of the weight element at {@code address} (a parameter's start: 16-byte aligned) when it lies
     *         in {@link #weights()} and the arena keeps a bf16 copy, else 0
     */
    public long weightBf16At(long address) {
        long offset = address - weights;
        return weightsBf16 == 0 || offset < 0 || offset >= count * Float.BYTES ? 0 : weightsBf16 + offset / 2;
    }

    /** @return the flat bf16 weight buffer, or 0 when the arena keeps none */
    public long weightsBf16() {
        return weightsBf16;
    }

    /** @return the flat weight buffer */
    public long weights() {
        return weights;
    }

    /** @return the flat gradient buffer */
    public long grads() {
        return grads;
    }

    /** @return the flat AdamW first-moment buffer */
    public long adamM() {
        return adamM;
    }

    /** @return the flat AdamW second-moment buffer */
    public long adamV() {
        return adamV;
    }

    /** @return the flat EMA buffer */
    public long ema() {
        return ema;
    }

    /**
     * @return one byte per group of {@link #ALIGN} parameters ({@link #count()} / {@link #ALIGN} bytes): {@link #DECAY}
     *         where weight decay applies to the group's tensor, {@link #CLEAR_GRADIENT} where the update clears its
     *         gradient
     */
    public long groupFlags() {
        return groupFlags;
    }

    /**
     * Queues PyTorch's AdamW on every parameter (decay where {@link #groupFlags()} says), then the EMA of the updated
     * weights and the bf16 copy's refresh where the arena keeps one, and clears every gradient but those written whole
     * ({@link #allocate(CudaContext, MdmConfig, boolean, Set)}).
     *
     * @param settings the optimizer's hyperparameters
     * @param step the step's number, from 1 (bias corrections)
     * @param gradScale the factor on every gradient (the clip factor; 1 for none)
     */
    public void adamwEmaStep(OptimizerSettings settings, long step, double gradScale) {
        double bias1 = 1 - Math.pow(settings.beta1(), step);
        double bias2 = 1 - Math.pow(settings.beta2(), step);
        // four parameters a thread
        cuda.launch1d("tm_adamw_ema", count / 4, new KernelArgs().ptr(weights).ptr(grads).ptr(adamM).ptr(adamV)
                .ptr(ema).ptr(weightsBf16).ptr(groupFlags).l(count).f((float) gradScale)
                .f((float) settings.learningRate()).f((float) settings.beta1()).f((float) settings.beta2())
                .f((float) settings.epsilon()).f((float) settings.weightDecay()).f((float) bias1)
                .f((float) Math.sqrt(bias2)).f((float) settings.emaDecay()));
    }

    /** Sets every gradient to zero (queued on the stream). */
    public void zeroGrads() {
        cuda.memsetZero(grads, count * Float.BYTES);
    }

    /**
     * Copies host tensors into one of the buffers.
     *
     * @param buffer one of {@link #weights()}, {@link #adamM()}, {@link #adamV()}, {@link #ema()}
     * @param values every parameter, names as the layout
     */
    public void upload(long buffer, Parameters values) {
        cuda.synchronize();  // the copies below are not ordered with the stream, where an update may still be running
        for (var e : layout.entrySet()) {
            byte[] data = values.get(e.getKey()).to(DType.F32).toBytes();
            cuda.upload(buffer + offset(e.getKey()), data);
        }
        if (buffer == weights && weightsBf16 != 0) {
            cuda.launch1d("tr_to_bf16_flat", count, new KernelArgs().ptr(weights).ptr(weightsBf16).l(count));
        }
    }

    /**
     * @param buffer one of the flat buffers
     * @return a host copy, F32, under the parameter names
     */
    public Parameters download(long buffer) {
        var out = new LinkedHashMap<String, Tensor>();
        for (var e : layout.entrySet()) {
            int n = (int) elements(e.getValue());
            out.put(e.getKey(), Tensor.ofFloats(cuda.downloadFloats(buffer + offset(e.getKey()), n), e.getValue()));
        }
        return Parameters.of(out);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        long bytes = count * Float.BYTES;
        for (long b : new long[] {weights, grads, adamM, adamV, ema}) {
            cuda.free(b, bytes);
        }
        cuda.free(weightsBf16, 2 * count);
        cuda.free(groupFlags, count / ALIGN);
    }
}

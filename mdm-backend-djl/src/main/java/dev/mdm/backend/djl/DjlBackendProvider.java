package dev.mdm.backend.djl;

import dev.mdm.BackendUnavailableException;
import dev.mdm.Precision;
import dev.mdm.spi.Availability;
import dev.mdm.spi.Backend;
import dev.mdm.spi.BackendContext;
import dev.mdm.spi.BackendProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code djl} backend: every MDM component on DJL NDArrays with the PyTorch engine (CPU, linux-x86_64),
 * with autograd training. Priority 200, below a GPU backend and above ONNX Runtime.
 *
 * <p>{@link #probe()} only looks for classes and jar resources; the PyTorch natives load in {@link #create}.
 */
public final class DjlBackendProvider implements BackendProvider {
    /** The name users select this backend by. */
    public static final String NAME = "djl";

    private static final String ENGINE_CLASS = "ai.djl.pytorch.engine.PtEngineProvider";
    private static final String API_CLASS = "ai.djl.ndarray.NDArray";
    private static final String NATIVE_RESOURCE = "native/lib/pytorch.properties";
    private static final String JNI_RESOURCE = "jnilib/linux-x86_64/cpu/libdjl_torch.so";

    /** Creates the provider; touches nothing native. */
    public DjlBackendProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 200;
    }

    @Override
    public Availability probe() {
        List<String> reasons = new ArrayList<>();
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!os.startsWith("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            reasons.add("the bundled PyTorch natives are for linux-x86_64, this machine is " + os + "-" + arch);
        }
        ClassLoader loader = DjlBackendProvider.class.getClassLoader();
        if (!classPresent(API_CLASS, loader)) {
            reasons.add("DJL is not on the class path: add ai.djl:api 0.35.1");
        }
        if (!classPresent(ENGINE_CLASS, loader)) {
            reasons.add("the DJL PyTorch engine is not on the class path: add ai.djl.pytorch:pytorch-engine 0.35.1");
        }
        if (loader.getResource(JNI_RESOURCE) == null) {
            reasons.add("the DJL PyTorch JNI library is not on the class path: add ai.djl.pytorch:pytorch-jni 2.7.1-0.35.1");
        }
        if (loader.getResource(NATIVE_RESOURCE) == null) {
            reasons.add("the PyTorch natives are not on the class path: add ai.djl.pytorch:pytorch-native-cpu 2.7.1 "
                    + "(classifier linux-x86_64)");
        }
        return reasons.isEmpty() ? Availability.ready() : new Availability(false, reasons);
    }

    @Override
    public Backend create(BackendContext context) {
        List<String> reasons = new ArrayList<>();
        if (context.device().isGpu()) {
            reasons.add("the djl backend ships CPU natives only; asked for " + context.device()
                    + " (use the jcuda backend for a GPU)");
        }
        if (context.precision() == Precision.BF16) {
            reasons.add("the djl backend computes in FP32 or FP64, not BF16");
        }
        Availability a = probe();
        reasons.addAll(a.reasons());
        if (!reasons.isEmpty()) {
            throw new BackendUnavailableException("backend 'djl' cannot honour " + context, reasons);
        }
        return new DjlBackend(context.precision());
    }

    private static boolean classPresent(String name, ClassLoader loader) {
        try {
            Class.forName(name, false, loader);
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}

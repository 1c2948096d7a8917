package dev.mdm.backend.onnx;

import dev.mdm.spi.Availability;
import dev.mdm.spi.Backend;
import dev.mdm.spi.BackendContext;
import dev.mdm.spi.BackendProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code onnx} backend: MDM inference as ONNX graphs run by ONNX Runtime on the CPU. {@link #probe()} loads no
 * native library: it checks that the ONNX Runtime and ONNX protobuf classes are on the class path and that the
 * runtime jar carries a native library for this operating system and architecture.
 */
public final class OnnxBackendProvider implements BackendProvider {
    /** The name users select this backend by. */
    public static final String NAME = "onnx";

    /** Creates the provider; cheap, touches no native code. */
    public OnnxBackendProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public Availability probe() {
        List<String> reasons = new ArrayList<>();
        ClassLoader loader = OnnxBackendProvider.class.getClassLoader();
        if (!present("ai.onnxruntime.OrtEnvironment", loader)) {
            reasons.add("ONNX Runtime is not on the class path; add com.microsoft.onnxruntime:onnxruntime 1.29.0");
        } else {
            String platform = platform();
            String library = System.mapLibraryName("onnxruntime");
            boolean bundled = loader.getResource("ai/onnxruntime/native/" + platform + "/" + library) != null;
            boolean external = System.getProperty("onnxruntime.native.path") != null;
            if (!bundled && !external) {
                reasons.add("the ONNX Runtime jar has no native library for " + platform
                        + "; use a platform ONNX Runtime supports or set -Donnxruntime.native.path");
            }
        }
        if (!present("ai.onnx.proto.OnnxMl", loader)) {
            reasons.add("the ONNX protobuf classes are not on the class path; add org.tribuo:tribuo-util-onnx 4.3.2");
        }
        return reasons.isEmpty() ? Availability.ready() : Availability.unavailable(reasons.toArray(String[]::new));
    }

    @Override
    public Backend create(BackendContext context) {
        return new OnnxBackend(context);
    }

    private static boolean present(String className, ClassLoader loader) {
        try {
            Class.forName(className, false, loader); // no static initializer: no native load
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** @return ORT's name for this platform, e.g. {@code linux-x64} */
    private static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String o = os.contains("win") ? "win" : os.contains("mac") || os.contains("darwin") ? "osx" : "linux";
        String a = arch.equals("amd64") || arch.equals("x86_64") ? "x64" : arch.equals("aarch64") || arch.equals("arm64") ? "aarch64" : arch;
        return o + "-" + a;
    }
}

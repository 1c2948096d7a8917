package dev.mdm.backend.jcuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.mdm.BackendUnavailableException;
import dev.mdm.ConfigurationException;
import dev.mdm.Device;
import dev.mdm.Precision;
import dev.mdm.backend.jcuda.cuda.Cublas;
import dev.mdm.backend.jcuda.cuda.CudaContext;
import dev.mdm.spi.Availability;
import dev.mdm.spi.Backend;
import dev.mdm.spi.BackendContext;
import dev.mdm.spi.BackendProvider;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code jcuda} backend: MDM on NVIDIA GPUs (compute capability 8.0 or newer). Its probe checks, without
 * creating a CUDA context, that the jar carries compiled kernels, that the driver library loads and reports a
 * usable device, and that cuBLAS loads.
 */
public final class JcudaBackendProvider implements BackendProvider {
    private static final int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
    private static final int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;
    private static final int MIN_DRIVER = 12000;

    @Override
    public String name() {
        return "jcuda";
    }

    @Override
    public int priority() {
        return 300;
    }

    @Override
    public Device defaultDevice() {
        return Device.gpu(0);
    }

    @Override
    public Availability probe() {
        List<String> reasons = new ArrayList<>();
        String kernels = CudaContext.KERNEL_FOLDER + CudaContext.KERNEL_MODULE + ".ptx";
        if (JcudaBackendProvider.class.getResource(kernels) == null) {
            reasons.add("this mdm-backend-jcuda jar has no compiled CUDA kernels (" + kernels
                    + "): it was built without nvcc; rebuild it where the CUDA toolkit is installed");
        }
        reasons.addAll(probeDriver());
        // cuBLAS is not required (without it the products run on the module's fallback kernel) unless asked for
        try {
            if (CudaContext.gemmChoice().equals("cublas") && Cublas.availableLibrary() == null) {
                reasons.add("-D" + CudaContext.GEMM_PROPERTY + "=cublas, but cuBLAS is not found (tried "
                        + String.join(", ", Cublas.LIBRARY_CANDIDATES) + "); install libcublas 12 or 13, or drop the "
                        + "property to let the fallback GEMM run");
            }
        } catch (ConfigurationException e) {
            reasons.addAll(e.violations());
        }
        return reasons.isEmpty() ? Availability.ready() : new Availability(false, reasons);
    }

    /** Asks the driver through FFM: cuInit, cuDriverGetVersion, cuDeviceGetCount, capability. No context. */
    private static List<String> probeDriver() {
        SymbolLookup cuda;
        try {
            cuda = SymbolLookup.libraryLookup("libcuda.so.1", Arena.global());
        } catch (IllegalArgumentException | IllegalCallerException e) {
            return List.of("the NVIDIA driver library libcuda.so.1 cannot be loaded (" + e.getMessage()
                    + "): install the NVIDIA driver (no GPU driver on this machine)");
        }
        Linker linker = Linker.nativeLinker();
        try (Arena arena = Arena.ofConfined()) {
            MethodHandle init = linker.downcallHandle(cuda.find("cuInit").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT));
            MethodHandle version = linker.downcallHandle(cuda.find("cuDriverGetVersion").orElseThrow(), FunctionDescriptor.of(JAVA_INT, ADDRESS));
            MethodHandle count = linker.downcallHandle(cuda.find("cuDeviceGetCount").orElseThrow(), FunctionDescriptor.of(JAVA_INT, ADDRESS));
            MethodHandle attr = linker.downcallHandle(cuda.find("cuDeviceGetAttribute").orElseThrow(),
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
            int rc = (int) init.invokeExact(0);
            if (rc != 0) {
                return List.of("cuInit failed with CUDA error " + rc + (rc == 100 ? " (no CUDA-capable device is detected)" : ""));
            }
            MemorySegment v = arena.allocate(JAVA_INT);
            rc = (int) version.invokeExact(v);
            int driver = v.get(JAVA_INT, 0);
            if (rc != 0 || driver < MIN_DRIVER) {
                return List.of("the NVIDIA driver supports CUDA " + driver / 1000 + "." + driver % 1000 / 10
                        + "; JCuda 12.6 needs a driver for CUDA 12.0 or newer");
            }
            rc = (int) count.invokeExact(v);
            int n = v.get(JAVA_INT, 0);
            if (rc != 0 || n == 0) {
                return List.of("the NVIDIA driver reports no GPU (cuDeviceGetCount: error " + rc + ", " + n + " devices)");
            }
            List<String> reasons = new ArrayList<>();
            boolean usable = false;
            for (int i = 0; i < n; i++) {
                rc = (int) attr.invokeExact(v, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, i);
                int major = v.get(JAVA_INT, 0);
                rc |= (int) attr.invokeExact(v, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, i);
                int minor = v.get(JAVA_INT, 0);
                if (rc == 0 && major >= 8) {
                    usable = true;
                } else {
                    reasons.add("GPU " + i + " has compute capability " + major + "." + minor + "; the kernels need 8.0 or newer");
                }
            }
            return usable ? List.of() : reasons;
        } catch (Throwable t) {
            return List.of("probing the NVIDIA driver failed: " + t);
        }
    }

    @Override
    public Backend create(BackendContext context) {
        if (!context.device().isGpu()) {
            throw new BackendUnavailableException("backend 'jcuda' computes on a GPU only",
                    List.of("jcuda: device " + context.device() + " was asked for; use Device.gpu(N) or another backend"));
        }
        if (context.precision() == Precision.FP64) {
            throw new BackendUnavailableException("backend 'jcuda' cannot compute in FP64",
                    List.of("jcuda: precision FP64 was asked for; use FP32 or BF16"));
        }
        Availability a = probe();
        if (!a.available()) {
            throw new BackendUnavailableException("backend 'jcuda' cannot run here", a.reasons().stream().map(r -> "jcuda: " + r).toList());
        }
        return new JcudaBackend(context.device(), context.precision());
    }
}

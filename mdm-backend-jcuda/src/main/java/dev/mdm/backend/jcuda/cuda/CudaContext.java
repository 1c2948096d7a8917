package dev.mdm.backend.jcuda.cuda;

import static jcuda.driver.JCudaDriver.*;

import dev.mdm.ConfigurationException;
import dev.mdm.backend.jcuda.DeviceOutOfMemoryException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_record_flags;
import jcuda.driver.CUfunction;
import jcuda.driver.CUfunction_attribute;
import jcuda.driver.CUgraph;
import jcuda.driver.CUgraphExec;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;
import jcuda.driver.CUstreamCaptureMode;
import jcuda.driver.JCudaDriver;

/**
 * One GPU as this backend uses it: the device's primary context (shared with cuBLAS's runtime API), one stream, the
 * kernel module and a cuBLAS handle. All device work of a backend goes through one context under its {@link #lock()},
 * in stream order, which is what makes the backend's inference methods thread-safe.
 */
public final class CudaContext implements AutoCloseable {
    /** Resource folder of the kernels compiled at build time. */
    public static final String KERNEL_FOLDER = "/dev/mdm/backend/jcuda/kernels/";
    /** Base name of the kernel module. */
    public static final String KERNEL_MODULE = "mdm_kernels";

    private final int ordinal;
    private final CUdevice device = new CUdevice();
    private final CUcontext context = new CUcontext();
    private final CUstream stream = new CUstream();
    private final CUmodule module = new CUmodule();
    private final Map<String, CUfunction> functions = new HashMap<>();
    private final Map<Long, CUdeviceptr> allocations = new HashMap<>();
    private final Map<CUfunction, Integer> sharedLimits = new IdentityHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final String deviceName;
    private final String kernelImage;
    private final int major;
    private final int minor;
    private final int maxSharedOptin;
    private final Gemm gemm;
    private long allocatedBytes;
    private boolean closed;

    private CudaContext(int ordinal) {
        this.ordinal = ordinal;
        JCudaDriver.setExceptionsEnabled(true);
        cuInit(0);
        int[] count = new int[1];
        cuDeviceGetCount(count);
        if (ordinal < 0 || ordinal >= count[0]) {
            throw new IllegalArgumentException("GPU " + ordinal + " does not exist: the driver reports " + count[0] + " device(s)");
        }
        cuDeviceGet(device, ordinal);
        cuDevicePrimaryCtxRetain(context, device);
        cuCtxSetCurrent(context);
        major = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
        minor = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
        maxSharedOptin = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN);
        byte[] name = new byte[256];
        cuDeviceGetName(name, name.length, device);
        deviceName = new String(name).trim().replace("\0", "");
        cuStreamCreate(stream, CUstream_flags.CU_STREAM_NON_BLOCKING);
        String image = null;
        try {
            image = loadKernels();
            gemm = openGemm();
        } catch (RuntimeException | LinkageError e) {
            // a half-opened context (e.g. no memory for cuBLAS's workspace) gives back what it took
            if (image != null) {
                cuModuleUnload(module);
            }
            cuStreamDestroy(stream);
            cuDevicePrimaryCtxRelease(device);
            throw e;
        }
        kernelImage = image;
    }

    /**
     * Opens a GPU.
     *
     * @param ordinal device number
     * @return the context; close it to release everything it allocated
     */
    public static CudaContext open(int ordinal) {
        return new CudaContext(ordinal);
    }

    private int attribute(int attr) {
        int[] v = new int[1];
        cuDeviceGetAttribute(v, attr, device);
        return v[0];
    }

    /** Picks the cubin built for this architecture, else the PTX the driver compiles for it. */
    private String loadKernels() {
        String cubin = KERNEL_MODULE + ".sm_" + (major >= 9 ? "90" : "80") + ".cubin";
        String chosen = (major == 9 || major == 8) ? cubin : KERNEL_MODULE + ".ptx";
        byte[] image = resource(chosen);
        if (image == null) {
            chosen = KERNEL_MODULE + ".ptx";
            image = resource(chosen);
        }
        if (image == null) {
            throw new IllegalStateException("no CUDA kernels in the jar (" + KERNEL_FOLDER + "): build with nvcc");
        }
        if (chosen.endsWith(".ptx")) {
            byte[] z = new byte[image.length + 1];
            System.arraycopy(image, 0, z, 0, image.length);
            image = z;
        }
        cuModuleLoadData(module, image);
        return chosen;
    }

    static byte[] resource(String name) {
        try (InputStream in = CudaContext.class.getResourceAsStream(KERNEL_FOLDER + name)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            return null;
        }
    }

    /** @return the lock every device operation of this context is made under */
    public ReentrantLock lock() {
        return lock;
    }

    /** Makes this context current on the calling thread and checks it is open. */
    public void enter() {
        if (closed) {
            throw new IllegalStateException("CudaContext for GPU " + ordinal + " is closed");
        }
        cuCtxSetCurrent(context);
    }

    /** @return e.g. {@code "NVIDIA H100 80GB HBM3 (sm_90, kernels mdm_kernels.sm_90.cubin)"} */
    public String describe() {
        return deviceName + " (sm_" + major + minor + ", kernels " + kernelImage + ")";
    }

    /** @return the device name */
    public String deviceName() {
        return deviceName;
    }

    /** @return the stream all work is queued on */
    public CUstream stream() {
        return stream;
    }

    /** The system property that picks the matrix products: {@code auto} (default), {@code cublas} or {@code fallback}. */
    public static final String GEMM_PROPERTY = "mdm.jcuda.gemm";

    /** @return the matrix products bound to this context's stream: cuBLAS, or the fallback kernel without it */
    public Gemm gemm() {
        return gemm;
    }

    /**
     * @return the {@link #GEMM_PROPERTY} setting, lower-cased
     * @throws ConfigurationException naming the property when it is none of auto, cublas and fallback
     */
    public static String gemmChoice() {
        String choice = System.getProperty(GEMM_PROPERTY, "auto").trim().toLowerCase(java.util.Locale.ROOT);
        if (!List.of("auto", "cublas", "fallback").contains(choice)) {
            throw new ConfigurationException("-D" + GEMM_PROPERTY, List.of(GEMM_PROPERTY + " is '" + choice
                    + "'; expected auto (the default), cublas or fallback"));
        }
        return choice;
    }

    /** cuBLAS where it loads and starts (or when asked for), the module's own kernel otherwise (or when asked for). */
    private Gemm openGemm() {
        return switch (gemmChoice()) {
            case "cublas" -> new Cublas(this);
            case "fallback" -> new FallbackGemm(this, "-D" + GEMM_PROPERTY + "=fallback");
            default -> {
                if (Cublas.availableLibrary() == null) {
                    yield new FallbackGemm(this, "no cuBLAS: tried " + String.join(", ", Cublas.LIBRARY_CANDIDATES));
                }
                try {
                    yield new Cublas(this);
                } catch (DeviceOutOfMemoryException e) {
                    throw e;  // the GPU is full: the fallback would not get far either
                } catch (RuntimeException e) {
                    // found but cannot start, e.g. a libcublas newer than the driver
                    yield new FallbackGemm(this, "cuBLAS " + Cublas.availableLibrary() + " did not start: " + e.getMessage());
                }
            }
        };
    }

    /** @return bytes currently allocated through {@link #alloc} */
    public long allocatedBytes() {
        return allocatedBytes;
    }

    /**
     * @param bytes size, > 0
     * @return the device address of new memory (not zeroed)
     * @throws DeviceOutOfMemoryException when the device has too little free memory; nothing is allocated then
     */
    public long alloc(long bytes) {
        return alloc(bytes, "an allocation");
    }

    /**
     * @param bytes size, > 0
     * @param purpose what the memory is for, named in the out-of-memory message
     * @return the device address of new memory (not zeroed)
     * @throws DeviceOutOfMemoryException when the device has too little free memory; nothing is allocated then
     */
    public long alloc(long bytes, String purpose) {
        CUdeviceptr p = new CUdeviceptr();
        try {
            cuMemAlloc(p, Math.max(bytes, 256));
        } catch (CudaException e) {
            // CUDA_ERROR_OUT_OF_MEMORY from cuMemAlloc is not sticky: the context stays usable
            if (String.valueOf(e.getMessage()).contains("CUDA_ERROR_OUT_OF_MEMORY")) {
                throw outOfMemory(purpose, bytes, e);
            }
            throw e;
        }
        long a = DevicePointers.address(p);
        allocations.put(a, p);
        allocatedBytes += Math.max(bytes, 256);
        return a;
    }

    /**
     * @param address an address returned by {@link #alloc}; 0 is ignored
     * @param bytes its size, for accounting
     */
    public void free(long address, long bytes) {
        if (address == 0) {
            return;
        }
        CUdeviceptr p = allocations.remove(address);
        if (p != null) {
            cuMemFree(p);
            allocatedBytes -= Math.max(bytes, 256);
        }
    }

    /**
     * Copies host bytes to the device, synchronously.
     *
     * @param dst device address
     * @param data bytes
     */
    public void upload(long dst, byte[] data) {
        if (data.length > 0) {
            cuMemcpyHtoD(DevicePointers.pointer(dst), Pointer.to(data), data.length);
        }
    }

    /**
     * @param dst device address
     * @param data ints
     */
    public void upload(long dst, int[] data) {
        if (data.length > 0) {
            cuMemcpyHtoD(DevicePointers.pointer(dst), Pointer.to(data), data.length * 4L);
        }
    }

    /**
     * @param dst device address
     * @param data floats
     */
    public void upload(long dst, float[] data) {
        if (data.length > 0) {
            cuMemcpyHtoD(DevicePointers.pointer(dst), Pointer.to(data), data.length * 4L);
        }
    }

    /**
     * Waits for the stream, then copies device floats to the host.
     *
     * @param src device address
     * @param n number of floats
     * @return the values
     */
    public float[] downloadFloats(long src, int n) {
        cuStreamSynchronize(stream);
        float[] out = new float[n];
        if (n > 0) {
            cuMemcpyDtoH(Pointer.to(out), DevicePointers.pointer(src), n * 4L);
        }
        return out;
    }

    /**
     * Waits for the stream, then fills {@code out} from the device.
     *
     * @param src device address
     * @param out the bytes to fill
     */
    public void download(long src, byte[] out) {
        cuStreamSynchronize(stream);
        if (out.length > 0) {
            cuMemcpyDtoH(Pointer.to(out), DevicePointers.pointer(src), out.length);
        }
    }

    /**
     * Waits for the stream, then fills {@code out} from the device.
     *
     * @param src device address
     * @param out the ints to fill
     */
    public void download(long src, int[] out) {
        cuStreamSynchronize(stream);
        if (out.length > 0) {
            cuMemcpyDtoH(Pointer.to(out), DevicePointers.pointer(src), out.length * 4L);
        }
    }

    /**
     * @param dst device address
     * @param src device address
     * @param bytes size
     */
    public void copyAsync(long dst, long src, long bytes) {
        cuMemcpyDtoDAsync(DevicePointers.pointer(dst), DevicePointers.pointer(src), bytes, stream);
    }

    /**
     * Queues a fill of zero bytes.
     *
     * @param dst device address
     * @param bytes size
     */
    public void memsetZero(long dst, long bytes) {
        cuMemsetD8Async(DevicePointers.pointer(dst), (byte) 0, bytes, stream);
    }

    /** Waits for all queued work. */
    public void synchronize() {
        cuStreamSynchronize(stream);
    }

    /**
     * @param name kernel name
     * @return the function, loaded once
     */
    public CUfunction function(String name) {
        return functions.computeIfAbsent(name, n -> {
            CUfunction f = new CUfunction();
            cuModuleGetFunction(f, module, n);
            return f;
        });
    }

    /**
     * @param name kernel name
     * @return the largest block the kernel can be launched with on this device (its registers per thread and launch
     *     bounds decide)
     */
    public int maxThreadsPerBlock(String name) {
        int[] v = new int[1];
        cuFuncGetAttribute(v, CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK, function(name));
        return v[0];
    }

    /**
     * @param name kernel name
     * @param threads threads a block
     * @param sharedBytes dynamic shared bytes a block
     * @return how many blocks of the kernel the whole device holds at once (blocks an SM times the SMs): the grid of a
     *     kernel that loops over its work in one wave
     */
    public int residentBlocks(String name, int threads, int sharedBytes) {
        int[] perSm = new int[1];
        cuOccupancyMaxActiveBlocksPerMultiprocessor(perSm, function(name), threads, sharedBytes);
        return Math.max(1, perSm[0]) * attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
    }

    /** @return the most dynamic shared memory one block may use on this device */
    public int maxSharedMemoryPerBlock() {
        return maxSharedOptin;
    }

    /** The driver's cuLaunchKernelEx, which JCuda 12.6 lacks; resolved on first use (sm_90 and later only). */
    private static MethodHandle launchKernelEx;
    /** CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION of cuda.h. */
    private static final int CLUSTER_DIMENSION = 4;
    /** CU_LAUNCH_ATTRIBUTE_PROGRAMMATIC_STREAM_SERIALIZATION of cuda.h. */
    private static final int PROGRAMMATIC_STREAM_SERIALIZATION = 6;

    private static synchronized MethodHandle launchKernelEx() {
        if (launchKernelEx == null) {
            MemorySegment f = SymbolLookup.libraryLookup("libcuda.so.1", Arena.global()).find("cuLaunchKernelEx")
                    .orElseThrow(() -> new IllegalStateException("the CUDA driver has no cuLaunchKernelEx"));
            launchKernelEx = Linker.nativeLinker().downcallHandle(f, FunctionDescriptor.of(ValueLayout.JAVA_INT,
                    ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        }
        return launchKernelEx;
    }

    /** @return whether {@link #launchDependent} overlaps kernels here (programmatic dependent launch: sm_90 on) */
    public boolean dependentLaunches() {
        return major >= 9;
    }

    /**
     * Queues a kernel that may start before the kernel queued just before it has finished (programmatic dependent
     * launch): its blocks run up to their {@code griddepcontrol.wait}, which returns once that kernel has completed
     * and its writes are visible, and they start as soon as every block of that kernel has run
     * {@code griddepcontrol.launch_dependents} (or exited). Below sm_90, an ordinary {@link #launch}.
     *
     * @param name kernel name
     * @param grid grid size x, y, z
     * @param block threads per block (x only)
     * @param sharedBytes dynamic shared memory
     * @param args arguments
     */
    public void launchDependent(String name, int[] grid, int block, int sharedBytes, KernelArgs args) {
        if (!dependentLaunches()) {
            launch(name, grid, block, sharedBytes, args);
            return;
        }
        launchEx(name, grid, block, sharedBytes, args, PROGRAMMATIC_STREAM_SERIALIZATION, 1, 0, 0);
    }

    /** @return whether {@link #launchCluster} runs thread-block clusters here (sm_90 on) */
    public boolean clusterLaunches() {
        return major >= 9;
    }

    /**
     * Queues a kernel whose blocks run in clusters of {@code clusterY} blocks along y, which share their shared memory
     * (sm_90 on: {@link #clusterLaunches}).
     *
     * @param name kernel name
     * @param grid grid size x, y, z; y a multiple of {@code clusterY}
     * @param block threads per block (x only)
     * @param sharedBytes dynamic shared memory
     * @param clusterY blocks per cluster along y, at most 8
     * @param args arguments
     */
    public void launchCluster(String name, int[] grid, int block, int sharedBytes, int clusterY, KernelArgs args) {
        if (!clusterLaunches()) {
            throw new IllegalStateException("launchCluster(" + name + "): thread-block clusters need sm_90 or later, "
                    + "this is sm_" + major + minor);
        }
        int gridY = grid.length > 1 ? grid[1] : 1;
        if (clusterY < 1 || clusterY > 8 || gridY % clusterY != 0) {
            throw new IllegalArgumentException("launchCluster(" + name + "): clusterY must be 1 to 8 (a portable "
                    + "cluster) and divide the grid's y extent " + gridY + ", got " + clusterY);
        }
        launchEx(name, grid, block, sharedBytes, args, CLUSTER_DIMENSION, 1, clusterY, 1);
    }

    /** cuLaunchKernelEx with one launch attribute: {@code id} and up to three 32-bit words of its value. */
    private void launchEx(String name, int[] grid, int block, int sharedBytes, KernelArgs args, int id, int v0, int v1,
                          int v2) {
        CUfunction f = function(name);
        allowShared(f, sharedBytes);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(72, 8);  // CUlaunchAttribute: id, 4 bytes of padding, a 64-byte union
            attr.set(ValueLayout.JAVA_INT, 0, id);
            attr.set(ValueLayout.JAVA_INT, 8, v0);
            attr.set(ValueLayout.JAVA_INT, 12, v1);
            attr.set(ValueLayout.JAVA_INT, 16, v2);
            MemorySegment config = arena.allocate(56, 8);  // CUlaunchConfig
            int[] dims = {grid[0], grid.length > 1 ? grid[1] : 1, grid.length > 2 ? grid[2] : 1, block, 1, 1, sharedBytes};
            for (int i = 0; i < dims.length; i++) {
                config.set(ValueLayout.JAVA_INT, 4L * i, dims[i]);
            }
            config.set(ValueLayout.JAVA_LONG, 32, DevicePointers.address(stream));
            config.set(ValueLayout.ADDRESS, 40, attr);
            config.set(ValueLayout.JAVA_INT, 48, 1);
            int status = (int) launchKernelEx().invokeExact(config, MemorySegment.ofAddress(DevicePointers.address(f)),
                    args.pack(arena), MemorySegment.NULL);
            if (status != 0) {
                throw new CudaException("cuLaunchKernelEx(" + name + ") failed: CUresult " + status);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("cuLaunchKernelEx(" + name + ")", t);
        }
    }

    private void allowShared(CUfunction f, int sharedBytes) {
        if (sharedBytes > 48 * 1024 && sharedLimits.getOrDefault(f, 0) < sharedBytes) {
            cuFuncSetAttribute(f, CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, sharedBytes);
            sharedLimits.put(f, sharedBytes);
        }
    }

    /**
     * Queues a kernel on the stream.
     *
     * @param name kernel name
     * @param grid grid size x, y, z
     * @param block threads per block (x only)
     * @param sharedBytes dynamic shared memory
     * @param args arguments
     */
    public void launch(String name, int[] grid, int block, int sharedBytes, KernelArgs args) {
        CUfunction f = function(name);
        allowShared(f, sharedBytes);
        cuLaunchKernel(f, grid[0], grid.length > 1 ? grid[1] : 1, grid.length > 2 ? grid[2] : 1, block, 1, 1,
                sharedBytes, stream, args.pack(), null);
    }

    /**
     * Queues a 1-D kernel over n elements.
     *
     * @param name kernel name
     * @param n elements, one thread each
     * @param args arguments
     */
    public void launch1d(String name, long n, KernelArgs args) {
        if (n <= 0) {
            return;
        }
        launch(name, new int[] {Math.toIntExact((n + 255) / 256)}, 256, 0, args);
    }

    /** A recorded sequence of device work, replayed with one launch. */
    public final class Graph implements AutoCloseable {
        private final CUgraph graph;
        private final CUgraphExec exec;
        private boolean graphClosed;

        private Graph(CUgraph graph, CUgraphExec exec) {
            this.graph = graph;
            this.exec = exec;
        }

        /** Queues one replay. */
        public void launch() {
            if (graphClosed) {
                throw new IllegalStateException("CUDA graph is closed");
            }
            cuGraphLaunch(exec, stream);
        }

        @Override
        public void close() {
            if (!graphClosed) {
                graphClosed = true;
                cuGraphExecDestroy(exec);
                cuGraphDestroy(graph);
            }
        }
    }

    /**
     * Records what {@code work} queues on the stream into a graph; nothing runs while recording.
     *
     * @param work queues device work only (no allocation, no host copies, no synchronization)
     * @return the instantiated graph
     */
    public Graph capture(Runnable work) {
        return capture("the denoiser's CUDA graph", work);
    }

    /**
     * As {@link #capture(Runnable)}.
     *
     * @param what the graph, named in an out-of-memory message ("instantiating WHAT")
     * @param work queues device work only
     * @return the instantiated graph
     */
    public Graph capture(String what, Runnable work) {
        cuStreamBeginCapture(stream, CUstreamCaptureMode.CU_STREAM_CAPTURE_MODE_THREAD_LOCAL);
        CUgraph g = new CUgraph();
        try {
            work.run();
        } finally {
            cuStreamEndCapture(stream, g);
        }
        CUgraphExec exec = new CUgraphExec();
        try {
            cuGraphInstantiate(exec, g, 0);
        } catch (CudaException e) {
            cuGraphDestroy(g);
            if (String.valueOf(e.getMessage()).contains("CUDA_ERROR_OUT_OF_MEMORY")) {
                throw outOfMemory("instantiating " + what, 0, e);
            }
            throw e;
        }
        return new Graph(g, exec);
    }

    /** Device timing with events on this stream. */
    public final class Timer implements AutoCloseable {
        private final CUevent start = new CUevent();
        private final CUevent stop = new CUevent();

        private Timer() {
            cuEventCreate(start, 0);
            cuEventCreate(stop, 0);
        }

        /** Records the start event. */
        public void start() {
            cuEventRecord(start, stream);
        }

        /** @return milliseconds since {@link #start()}, after waiting for the stop event */
        public float stopMillis() {
            cuEventRecord(stop, stream);
            cuEventSynchronize(stop);
            float[] ms = new float[1];
            cuEventElapsedTime(ms, start, stop);
            return ms[0];
        }

        @Override
        public void close() {
            cuEventDestroy(start);
            cuEventDestroy(stop);
        }
    }

    /**
     * Labelled events recorded on the stream; recorded while a graph is captured they become event-record nodes of the
     * graph (external events), so one replay of the graph times every stage between two marks without launch gaps.
     */
    public final class StageMarks implements AutoCloseable {
        private final java.util.List<CUevent> events = new java.util.ArrayList<>();
        private final java.util.List<String> labels = new java.util.ArrayList<>();
        private boolean marksClosed;

        private StageMarks() {
        }

        /** @param label the stage that ends here (the first mark's label is only a start) */
        public void mark(String label) {
            if (marksClosed) {
                throw new IllegalStateException("stage marks are closed");
            }
            CUevent e = new CUevent();
            cuEventCreate(e, 0);
            events.add(e);
            labels.add(label);
            cuEventRecordWithFlags(e, stream, CUevent_record_flags.CU_EVENT_RECORD_EXTERNAL);
        }

        /**
         * Waits for the last mark and sums, per label, the milliseconds from the previous mark to each mark.
         *
         * @return label → summed milliseconds, in first-seen order
         */
        public Map<String, Double> millisByStage() {
            Map<String, Double> sums = new java.util.LinkedHashMap<>();
            if (events.isEmpty()) {
                return sums;
            }
            cuEventSynchronize(events.get(events.size() - 1));
            float[] ms = new float[1];
            for (int i = 1; i < events.size(); i++) {
                cuEventElapsedTime(ms, events.get(i - 1), events.get(i));
                sums.merge(labels.get(i), (double) ms[0], Double::sum);
            }
            return sums;
        }

        @Override
        public void close() {
            if (!marksClosed) {
                marksClosed = true;
                events.forEach(JCudaDriver::cuEventDestroy);
            }
        }
    }

    /** @return new, empty stage marks */
    public StageMarks stageMarks() {
        return new StageMarks();
    }

    /** @return a new event timer */
    public Timer timer() {
        return new Timer();
    }

    /**
     * @param purpose what the memory was for
     * @param bytes bytes asked for
     * @param cause the driver's or cuBLAS's error
     * @return the exception to throw, with the device's free and total memory now
     */
    public DeviceOutOfMemoryException outOfMemory(String purpose, long bytes, Throwable cause) {
        long[] info = memoryInfo();
        return new DeviceOutOfMemoryException("GPU " + ordinal + " (" + deviceName + ")", purpose, bytes, info[0], info[1],
                cause);
    }

    /** @return {free, total} device memory in bytes */
    public long[] memoryInfo() {
        long[] free = new long[1];
        long[] total = new long[1];
        cuMemGetInfo(free, total);
        return new long[] {free[0], total[0]};
    }

    /** Frees every allocation, the stream, the module and the cuBLAS handle. Idempotent. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            cuCtxSetCurrent(context);
            cuStreamSynchronize(stream);
            gemm.close();
            for (CUdeviceptr p : allocations.values()) {
                cuMemFree(p);
            }
            allocations.clear();
            allocatedBytes = 0;
            cuModuleUnload(module);
            cuStreamDestroy(stream);
            cuDevicePrimaryCtxRelease(device);
            closed = true;
        } finally {
            lock.unlock();
        }
    }
}

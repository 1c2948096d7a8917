package dev.mdm.backend.jcuda.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * cuBLAS through {@code java.lang.foreign}: JCublas 12.6 cannot load CUDA 13's {@code libcublas.so.13}, so this calls
 * the C API directly. Row-major products {@code C[m,n] = A[m,k]·W[n,k]ᵀ} (PyTorch's Linear) with fp32 accumulation,
 * fp32 or bf16 operands, and the general fp32 {@link #gemm} of training, exact or on TF32 tensor cores
 * ({@link Compute}). Always the default algorithm on the context's one stream: cuBLAS documents bit-wise identical
 * results run to run on GPUs of the same architecture and SM count, for a given toolkit version, when a single stream
 * is active (cuBLAS guide, "Results Reproducibility").
 */
public final class Cublas implements Gemm {
    /** cudaDataType CUDA_R_32F. */
    public static final int R_32F = 0;
    /** cudaDataType CUDA_R_16BF. */
    public static final int R_16BF = 14;
    private static final int OP_N = 0;
    private static final int OP_T = 1;
    private static final int GEMM_DEFAULT = -1;
    private static final long WORKSPACE_BYTES = 32L << 20;
    private static final int STATUS_ALLOC_FAILED = 3;

    /** Library names tried in order: CUDA 13 first, then 12, by soname then in the toolkit's default folder. */
    public static final List<String> LIBRARY_CANDIDATES = List.of("libcublas.so.13", "libcublas.so.12",
            "/usr/local/cuda/lib64/libcublas.so.13", "/usr/local/cuda/lib64/libcublas.so.12");

    private static volatile Library library;

    private final CudaContext cuda;
    private final MemorySegment handle;
    private final long workspace;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment one;
    private final MemorySegment zero;
    private boolean closed;

    /** How a GEMM of fp32 matrices forms its products ({@code cublasComputeType_t}). */
    public enum Compute {
        /** {@code CUBLAS_COMPUTE_32F}: fp32 products and accumulation. */
        FP32(68),
        /**
         * {@code CUBLAS_COMPUTE_32F_FAST_TF32}: fp32 in and out, the inputs rounded to TF32 (8-bit exponent, 10-bit
         * mantissa) for the tensor-core products, fp32 accumulation.
         */
        TF32(77),
        /**
         * {@code CUBLAS_COMPUTE_32F_FAST_16BF}: fp32 in and out, the inputs rounded to bf16 (8-bit exponent, 7-bit
         * mantissa) for the tensor-core products (cuBLAS may use TF32 instead), fp32 accumulation. Training takes it
         * to mean bf16 operands that its own kernel rounds (TrainingOps), multiplied with {@link #FP32}.
         */
        BF16(75);

        private final int code;

        Compute(int code) {
            this.code = code;
        }
    }

    private record Library(String name, MethodHandle create, MethodHandle destroy, MethodHandle setStream,
                           MethodHandle setWorkspace, MethodHandle gemmEx, MethodHandle version) {
    }

    /** @return the first cuBLAS library name that loads, or null */
    public static String availableLibrary() {
        for (String name : LIBRARY_CANDIDATES) {
            try {
                SymbolLookup.libraryLookup(name, Arena.global());
                return name;
            } catch (IllegalArgumentException e) {
                // try the next one
            }
        }
        return null;
    }

    private static Library library() {
        Library lib = library;
        if (lib != null) {
            return lib;
        }
        synchronized (Cublas.class) {
            if (library == null) {
                String name = availableLibrary();
                if (name == null) {
                    throw new IllegalStateException("cuBLAS not found: tried " + LIBRARY_CANDIDATES
                            + "; install the CUDA toolkit's libcublas or put it on LD_LIBRARY_PATH");
                }
                SymbolLookup l = SymbolLookup.libraryLookup(name, Arena.global());
                Linker linker = Linker.nativeLinker();
                java.util.function.BiFunction<String, FunctionDescriptor, MethodHandle> h = (sym, fd) ->
                        linker.downcallHandle(l.find(sym).orElseThrow(() -> new IllegalStateException(name + " lacks " + sym)), fd);
                library = new Library(name,
                        h.apply("cublasCreate_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS)),
                        h.apply("cublasDestroy_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS)),
                        h.apply("cublasSetStream_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)),
                        h.apply("cublasSetWorkspace_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG)),
                        h.apply("cublasGemmEx", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT,
                                JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT,
                                ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT)),
                        h.apply("cublasGetVersion_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)));
            }
            return library;
        }
    }

    Cublas(CudaContext cuda) {
        this.cuda = cuda;
        Library lib = library();
        MemorySegment out = arena.allocate(ADDRESS);
        check("cublasCreate_v2", invoke(lib.create(), out));
        handle = out.get(ADDRESS, 0);
        long ws = 0;
        try {
            check("cublasSetStream_v2", invoke(lib.setStream(), handle, MemorySegment.ofAddress(DevicePointers.address(cuda.stream()))));
            // an explicit workspace: cuBLAS must not allocate while a CUDA graph is being captured
            ws = cuda.alloc(WORKSPACE_BYTES, "cuBLAS's workspace");
            check("cublasSetWorkspace_v2", invoke(lib.setWorkspace(), handle, MemorySegment.ofAddress(ws), WORKSPACE_BYTES));
        } catch (RuntimeException e) {
            invoke(lib.destroy(), handle);
            cuda.free(ws, WORKSPACE_BYTES);
            arena.close();
            throw e;
        }
        workspace = ws;
        one = arena.allocate(JAVA_FLOAT);
        one.set(JAVA_FLOAT, 0, 1f);
        zero = arena.allocate(JAVA_FLOAT);
        zero.set(JAVA_FLOAT, 0, 0f);
    }

    @Override
    public String version() {
        MemorySegment v = arena.allocate(JAVA_INT);
        check("cublasGetVersion_v2", invoke(library().version(), handle, v));
        return "cuBLAS " + v.get(JAVA_INT, 0) + " (" + library().name() + ")";
    }

    @Override
    public void linear(int m, int n, int k, long a, int lda, long w, int abType, long c, int ldc, int cType,
                       boolean accumulate) {
        if (m == 0 || n == 0) {
            return;
        }
        // column-major view: Cᵀ[n, m] = op(W)[n, k] · Aᵀ[k, m], W read transposed
        int status = gemmEx(OP_T, OP_N, n, m, k, w, abType, k, a, abType, lda, accumulate, c, cType, ldc,
                Compute.FP32.code);
        if (status != 0) {
            check("cublasGemmEx(m=" + m + ", n=" + n + ", k=" + k + ")", status);
        }
    }

    @Override
    public void gemm(Compute compute, int abType, boolean transA, boolean transB, int m, int n, int k, long a, int lda,
                     long b, int ldb, long c, int ldc, boolean accumulate) {
        if (m == 0 || n == 0) {
            return;
        }
        // row-major C = op(A)·op(B) is column-major Cᵀ = op(B)ᵀ·op(A)ᵀ, and a row-major buffer read column-major is
        // its transpose: so B goes first, transposed exactly when transB
        int status = gemmEx(transB ? OP_T : OP_N, transA ? OP_T : OP_N, n, m, k, b, abType, ldb, a, abType, lda,
                accumulate, c, R_32F, ldc, compute.code);
        if (status != 0) {
            check("cublasGemmEx(" + (transA ? "T" : "N") + (transB ? "T" : "N") + ", m=" + m + ", n=" + n + ", k=" + k
                    + ", " + compute + (abType == R_16BF ? ", bf16 operands" : "") + ")", status);
        }
    }

    /**
     * cublasGemmEx (column-major), the default algorithm, by an exact invocation of the downcall: {@link #invoke}'s
     * {@code invokeWithArguments} would box its 19 arguments into an array on each of a training step's hundreds of
     * products. No step-time gain showed beside the boxing form (docs/eval/gpu-2026-12-11 call 3); the host's share of
     * a GEMM is inside cuBLAS (11.9–20.9 µs a call there, call 5).
     *
     * @return the cuBLAS status
     */
    private int gemmEx(int opA, int opB, int m, int n, int k, long a, int aType, int lda, long b, int bType, int ldb,
                       boolean accumulate, long c, int cType, int ldc, int compute) {
        MemorySegment beta = accumulate ? one : zero;  // a conditional argument would be typed Object
        try {
            return (int) library().gemmEx().invokeExact(handle, opA, opB, m, n, k, one, MemorySegment.ofAddress(a),
                    aType, lda, MemorySegment.ofAddress(b), bType, ldb, beta, MemorySegment.ofAddress(c), cType, ldc,
                    compute, GEMM_DEFAULT);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("cuBLAS call failed", t);
        }
    }

    private static int invoke(MethodHandle h, Object... args) {
        try {
            return (int) h.invokeWithArguments(args);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("cuBLAS call failed", t);
        }
    }

    private void check(String call, int status) {
        if (status == STATUS_ALLOC_FAILED) {
            throw cuda.outOfMemory("cuBLAS's internal memory for " + call, 0,
                    new IllegalStateException(call + " returned CUBLAS_STATUS_ALLOC_FAILED"));
        }
        if (status != 0) {
            throw new IllegalStateException(call + " returned cuBLAS status " + status);
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            invoke(library().destroy(), handle);
            cuda.free(workspace, WORKSPACE_BYTES);
            arena.close();
        }
    }
}

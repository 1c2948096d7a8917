package dev.mdm.backend.jcuda.cuda;

import java.lang.reflect.Field;
import jcuda.NativePointerObject;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;

/**
 * Converts between JCuda's pointer objects and raw device addresses. The kernels, cuBLAS (through FFM) and the
 * workspace all speak in addresses; JCuda keeps the address in the private field {@code nativePointer}.
 */
final class DevicePointers {
    private static final Field NATIVE_POINTER;

    static {
        try {
            NATIVE_POINTER = NativePointerObject.class.getDeclaredField("nativePointer");
            NATIVE_POINTER.setAccessible(true);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private DevicePointers() {
    }

    static long address(NativePointerObject p) {
        try {
            return NATIVE_POINTER.getLong(p);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot read JCuda's native pointer", e);
        }
    }

    static long address(CUstream s) {
        return address((NativePointerObject) s);
    }

    static CUdeviceptr pointer(long address) {
        CUdeviceptr p = new CUdeviceptr();
        try {
            NATIVE_POINTER.setLong(p, address);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot set JCuda's native pointer", e);
        }
        return p;
    }
}

package dev.mdm.backend.jcuda.cuda;

import java.util.ArrayList;
import java.util.List;
import jcuda.Pointer;

/** The argument list of one kernel launch, in the order of the kernel's parameters. */
public final class KernelArgs {
    private final List<Pointer> args = new ArrayList<>();

    /**
     * @param address a device address, 0 for a null pointer
     * @return this
     */
    public KernelArgs ptr(long address) {
        args.add(Pointer.to(new long[] {address}));
        return this;
    }

    /**
     * @param v a 32-bit int
     * @return this
     */
    public KernelArgs i(int v) {
        args.add(Pointer.to(new int[] {v}));
        return this;
    }

    /**
     * @param v a 64-bit integer (size_t, unsigned long long)
     * @return this
     */
    public KernelArgs l(long v) {
        args.add(Pointer.to(new long[] {v}));
        return this;
    }

    /**
     * @param v a float
     * @return this
     */
    public KernelArgs f(float v) {
        args.add(Pointer.to(new float[] {v}));
        return this;
    }

    Pointer pack() {
        return Pointer.to(args.toArray(new Pointer[0]));
    }
}

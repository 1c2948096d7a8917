package dev.mdm.backend.jcuda.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import jcuda.Pointer;

/** The argument list of one kernel launch, in the order of the kernel's parameters. */
public final class KernelArgs {
    /** One argument: its bits, and whether it is 8 bytes wide (else 4, the low half of {@code bits}). */
    private record Arg(long bits, boolean wide) {
    }

    private final List<Arg> args = new ArrayList<>();

    /**
     * @param address a device address, 0 for a null pointer
     * @return this
     */
    public KernelArgs ptr(long address) {
        args.add(new Arg(address, true));
        return this;
    }

    /**
     * @param v a 32-bit int
     * @return this
     */
    public KernelArgs i(int v) {
        args.add(new Arg(v, false));
        return this;
    }

    /**
     * @param v a 64-bit integer (size_t, unsigned long long)
     * @return this
     */
    public KernelArgs l(long v) {
        args.add(new Arg(v, true));
        return this;
    }

    /**
     * @param v a float
     * @return this
     */
    public KernelArgs f(float v) {
        args.add(new Arg(Float.floatToRawIntBits(v), false));
        return this;
    }

    /**
     * @param v a double
     * @return this
     */
    public KernelArgs d(double v) {
        args.add(new Arg(Double.doubleToRawLongBits(v), true));
        return this;
    }

    /** @return JCuda's form: a pointer to one pointer per argument */
    Pointer pack() {
        Pointer[] p = new Pointer[args.size()];
        for (int i = 0; i < p.length; i++) {
            Arg a = args.get(i);
            p[i] = a.wide() ? Pointer.to(new long[] {a.bits()}) : Pointer.to(new int[] {(int) a.bits()});
        }
        return Pointer.to(p);
    }

    /** @return the driver's form in native memory of {@code arena}: an array of one pointer per argument's bytes */
    MemorySegment pack(Arena arena) {
        MemorySegment pointers = arena.allocate(ValueLayout.ADDRESS, Math.max(1, args.size()));
        for (int i = 0; i < args.size(); i++) {
            Arg a = args.get(i);
            MemorySegment value = arena.allocate(8, 8);
            if (a.wide()) {
                value.set(ValueLayout.JAVA_LONG, 0, a.bits());
            } else {
                value.set(ValueLayout.JAVA_INT, 0, (int) a.bits());
            }
            pointers.setAtIndex(ValueLayout.ADDRESS, i, value);
        }
        return pointers;
    }
}

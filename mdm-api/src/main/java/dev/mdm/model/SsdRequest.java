package dev.mdm.model;

import dev.mdm.Discretization;
import dev.mdm.tensor.Tensor;
import java.util.Objects;

/**
 * Inputs of one SSD scan (SPEC §6 step 5, §11 cases {@code ssd} and {@code ssd_raw_dt}):
 * {@code y = (scan + D·x)·SiLU(z)}, absent terms omitted.
 *
 * @param x [b, l, h, p]
 * @param dt [b, l, h]: Δ already positive when {@code dtBias} is null, else raw and Δ = softplus(dt + dtBias)
 * @param dtBias [h] or null
 * @param a A [h] (negative)
 * @param b B [b, l, g, n]
 * @param c C [b, l, g, n]
 * @param d D [h] or null
 * @param z gate [b, l, h, p] or null
 * @param discretization ZOH or EULER
 */
public record SsdRequest(Tensor x, Tensor dt, Tensor dtBias, Tensor a, Tensor b, Tensor c, Tensor d, Tensor z,
                         Discretization discretization) {
    /** Checks the shapes agree, naming the first misshaped argument. */
    public SsdRequest {
        Objects.requireNonNull(discretization, "discretization");
        requirePresent("x", x);
        requirePresent("dt", dt);
        requirePresent("A", a);
        requirePresent("B", b);
        requirePresent("C", c);
        x.requireShape("x", -1, -1, -1, -1);
        int bs = x.dim(0);
        int l = x.dim(1);
        int h = x.dim(2);
        int p = x.dim(3);
        dt.requireShape(dtBias == null ? "dt" : "dt_raw", bs, l, h);
        a.requireShape("A", h);
        b.requireShape("B", bs, l, -1, -1);
        int g = b.dim(2);
        c.requireShape("C", bs, l, g, b.dim(3));
        if (g == 0 || h % g != 0) {
            throw new dev.mdm.InvalidInputException("B", "a group count dividing the " + h + " heads", g + " groups");
        }
        if (dtBias != null) {
            dtBias.requireShape("dt_bias", h);
        }
        if (d != null) {
            d.requireShape("D", h);
        }
        if (z != null) {
            z.requireShape("z", bs, l, h, p);
        }
    }

    private static void requirePresent(String name, Tensor t) {
        if (t == null) {
            throw new dev.mdm.InvalidInputException(name, "a tensor", "null");
        }
    }
}

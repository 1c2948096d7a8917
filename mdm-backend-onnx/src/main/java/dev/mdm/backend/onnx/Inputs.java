package dev.mdm.backend.onnx;

import dev.mdm.InvalidInputException;
import dev.mdm.tensor.Tensor;
import java.util.Arrays;

/** Checks of user tensors done before any of them reaches ONNX Runtime. */
final class Inputs {
    private Inputs() {
    }

    /**
     * @param name argument name
     * @param t a float tensor [b, l, width] with b, l ≥ 1 (l fixed unless negative)
     * @param length the required length, or −1 for any
     * @param width the required last dimension
     * @return the batch size
     */
    static int sequence(String name, Tensor t, int length, int width) {
        require(name, t, -1, length, width);
        nonEmpty(name, t);
        t.requireFinite(name);
        return t.dim(0);
    }

    /**
     * @param name argument name
     * @param t a tensor
     * @param shape required dimensions, −1 for any
     */
    static void require(String name, Tensor t, int... shape) {
        if (t == null) {
            throw new InvalidInputException(name, "a tensor", "null");
        }
        t.requireShape(name, shape);
    }

    /**
     * @param name argument name
     * @param t a tensor whose dimensions must all be ≥ 1
     */
    static void nonEmpty(String name, Tensor t) {
        if (t.size() == 0) {
            throw new InvalidInputException(name, "a non-empty tensor", "shape " + Arrays.toString(t.shape()));
        }
    }

    /**
     * @param name argument name
     * @param t integral ids
     * @param limit exclusive upper bound
     * @return the ids as an I64 tensor
     */
    static Tensor ids(String name, Tensor t, long limit) {
        long[] ids;
        try {
            ids = t.toLongArray();
        } catch (InvalidInputException e) {
            throw new InvalidInputException(name, "integral ids", e.getMessage());
        }
        for (long id : ids) {
            if (id < 0 || id >= limit) {
                throw new InvalidInputException(name, "ids in [0, " + limit + ")", String.valueOf(id));
            }
        }
        return Tensor.ofLongs(ids, t.shape());
    }
}

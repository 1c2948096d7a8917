package dev.mdm.backend.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.mdm.tensor.Tensor;
import java.util.List;

/**
 * A built graph and the initializers it keeps outside its protobuf as ONNX external data: a protobuf message cannot
 * exceed 2 GB, so a model whose weights do not fit (the {@code paper} preset's denoiser, 5.2 GB in float32) stores
 * them as references to a data file beside the graph, each tensor at its offset.
 *
 * @param model the graph; each external initializer has {@code data_location = EXTERNAL} and names
 *     {@code dataFile}, its offset and length
 * @param dataFile the data file's name, relative to the graph's file, or null when nothing is external
 * @param external the external initializers in file order
 */
record OnnxGraph(ModelProto model, String dataFile, List<ExternalTensor> external) {
    /**
     * @param name the initializer
     * @param value its values, stored as the graph declares them
     * @param offset its first byte in the data file
     */
    record ExternalTensor(String name, Tensor value, long offset) {
        /** @return the bytes it takes in the data file */
        long length() {
            return value.byteSize();
        }
    }

    OnnxGraph {
        external = List.copyOf(external);
        if (external.isEmpty() != (dataFile == null)) {
            throw new IllegalArgumentException("a data file name goes with external initializers, and only with them");
        }
    }

    /**
     * @param model a graph with every initializer inline
     * @return it, with no external data
     */
    static OnnxGraph inline(ModelProto model) {
        return new OnnxGraph(model, null, List.of());
    }

    /** @return whether some initializers live in {@link #dataFile()} */
    boolean hasExternalData() {
        return !external.isEmpty();
    }

    /** @return the graph's name */
    String name() {
        return model.getGraph().getName();
    }
}

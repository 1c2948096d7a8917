package dev.mdm.backend.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import dev.mdm.tensor.DType;
import dev.mdm.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds one ONNX graph in the default domain at {@link #OPSET}: typed helpers for the operators MDM uses, graph
 * inputs and outputs with symbolic dimensions, and initializers from {@link Tensor}s, inline or in a data file (ONNX
 * external data). Every helper returns the name of the value it produced. {@link #build(String)} checks that every node
 * input is produced earlier, is an initializer or a graph input (ONNX's topological-order rule), so a graph ORT would
 * reject never leaves this class.
 */
final class GraphBuilder {
    /** The ONNX opset the graphs target; ONNX Runtime 1.29 implements every operator used here at this version. */
    static final int OPSET = 18;
    /** IR version 8 is the one that introduced opset 18. */
    static final long IR_VERSION = 8;
    /** The element types MDM's graphs carry. */
    enum Type {
        FLOAT(TensorProto.DataType.FLOAT), DOUBLE(TensorProto.DataType.DOUBLE), INT64(TensorProto.DataType.INT64);

        final TensorProto.DataType proto;

        Type(TensorProto.DataType proto) {
            this.proto = proto;
        }
    }

    /** Initializers from this size on go to the data file of a graph built with one; smaller ones stay inline. */
    static final int EXTERNAL_MIN_BYTES = 1024;
    /** Each external tensor starts at a multiple of this in the data file, so that ONNX Runtime may map it. */
    static final int EXTERNAL_ALIGNMENT = 4096;

    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final Map<String, Tensor> initializerValues = new LinkedHashMap<>();
    private final Set<String> names = new HashSet<>();
    private final Type floatType;
    private final String dataFile;
    private final List<OnnxGraph.ExternalTensor> external = new ArrayList<>();
    private long dataBytes;
    private int counter;

    /**
     * @param name graph name
     * @param floatType the floating type of the constants made by {@link #scalar(double)} and {@link #floats}
     */
    GraphBuilder(String name, Type floatType) {
        this(name, floatType, null);
    }

    /**
     * @param name graph name
     * @param floatType the floating type of the constants made by {@link #scalar(double)} and {@link #floats}
     * @param dataFile where initializers of {@link #EXTERNAL_MIN_BYTES} or more are kept (ONNX external data, a name
     *     relative to the graph's file), or null to keep every initializer inline
     */
    GraphBuilder(String name, Type floatType, String dataFile) {
        graph.setName(name);
        this.floatType = floatType;
        this.dataFile = dataFile;
    }

    // ---- graph interface ----

    /**
     * Declares a graph input.
     *
     * @param name its name
     * @param type element type
     * @param doc what it is, stored as the value's doc string
     * @param dims each an Integer (fixed) or a String (symbolic, e.g. {@code "batch"})
     * @return the name
     */
    String input(String name, Type type, String doc, Object... dims) {
        claim(name);
        graph.addInput(valueInfo(name, type, doc, dims));
        return name;
    }

    /**
     * Declares a graph output, renaming {@code value} to {@code name} with an Identity node when they differ.
     *
     * @param value the value to expose
     * @param name the output name
     * @param type element type
     * @param doc what it is
     * @param dims fixed (Integer) or symbolic (String) dimensions
     */
    void output(String value, String name, Type type, String doc, Object... dims) {
        String out = value;
        if (!value.equals(name)) {
            claim(name);
            graph.addNode(NodeProto.newBuilder().setOpType("Identity").setName(name + "_identity").addInput(value).addOutput(name));
            out = name;
        }
        graph.addOutput(valueInfo(out, type, doc, dims));
    }

    /**
     * Adds a tensor as an initializer under its own name (checkpoint names keep exported files readable).
     *
     * @param name the initializer name, e.g. {@code blocks.0.mixer.in_proj.weight}
     * @param value the tensor; floating tensors are stored in this graph's float type
     * @return the name
     */
    String initializer(String name, Tensor value) {
        return initializer(name, value, value.dtype().isFloating() ? floatType : Type.INT64);
    }

    /**
     * Adds a tensor as an initializer of an explicit element type.
     *
     * @param name the initializer name
     * @param value the tensor, converted to {@code type}
     * @param type the stored element type
     * @return the name
     */
    String initializer(String name, Tensor value, Type type) {
        claim(name);
        Tensor stored = value.to(switch (type) {
            case FLOAT -> DType.F32;
            case DOUBLE -> DType.F64;
            case INT64 -> DType.I64;
        });
        TensorProto.Builder tp = TensorProto.newBuilder().setName(name).setDataType(type.proto.getNumber());
        if (dataFile != null && stored.byteSize() >= EXTERNAL_MIN_BYTES) {
            long offset = (dataBytes + EXTERNAL_ALIGNMENT - 1) / EXTERNAL_ALIGNMENT * EXTERNAL_ALIGNMENT;
            external.add(new OnnxGraph.ExternalTensor(name, stored, offset));
            dataBytes = offset + stored.byteSize();
            tp.setDataLocation(TensorProto.DataLocation.EXTERNAL)
                    .addExternalData(entry("location", dataFile))
                    .addExternalData(entry("offset", String.valueOf(offset)))
                    .addExternalData(entry("length", String.valueOf(stored.byteSize())));
        } else {
            tp.setRawData(ByteString.copyFrom(stored.toBytes()));
        }
        for (int d : stored.shape()) {
            tp.addDims(d);
        }
        graph.addInitializer(tp);
        initializerValues.put(name, stored);
        return name;
    }

    /**
     * @param values constant values in this graph's float type
     * @param shape dimensions
     * @return a fresh constant
     */
    String floats(double[] values, int... shape) {
        return initializer(fresh("const"), Tensor.of(values, shape));
    }

    /**
     * @param value a scalar in this graph's float type
     * @return a 0-d constant
     */
    String scalar(double value) {
        return floats(new double[] {value});
    }

    /**
     * @param values int64 constant values, 1-D
     * @return a fresh constant
     */
    String longs(long... values) {
        return initializer(fresh("const"), Tensor.ofLongs(values, values.length));
    }

    /**
     * @param value an int64 scalar
     * @return a 0-d constant
     */
    String longScalar(long value) {
        return initializer(fresh("const"), Tensor.ofLongs(new long[] {value}));
    }

    // ---- operators ----

    String add(String a, String b) {
        return op("Add", a, b);
    }

    String sub(String a, String b) {
        return op("Sub", a, b);
    }

    String mul(String a, String b) {
        return op("Mul", a, b);
    }

    String div(String a, String b) {
        return op("Div", a, b);
    }

    String matMul(String a, String b) {
        return op("MatMul", a, b);
    }

    String exp(String x) {
        return op("Exp", x);
    }

    String sinh(String x) {
        return op("Sinh", x);
    }

    String neg(String x) {
        return op("Neg", x);
    }

    String sqrt(String x) {
        return op("Sqrt", x);
    }

    String cos(String x) {
        return op("Cos", x);
    }

    String sin(String x) {
        return op("Sin", x);
    }

    String sigmoid(String x) {
        return op("Sigmoid", x);
    }

    /** @return x·sigmoid(x) */
    String silu(String x) {
        return mul(x, sigmoid(x));
    }

    /** @return softplus(x), taken as x itself above 20 as SPEC §6 and PyTorch do */
    String softplus(String x) {
        return where(op("Greater", x, scalar(20)), x, op("Softplus", x));
    }

    String mod(String a, String b) {
        return op("Mod", a, b);
    }

    String equal(String a, String b) {
        return op("Equal", a, b);
    }

    String greater(String a, String b) {
        return op("Greater", a, b);
    }

    String greaterOrEqual(String a, String b) {
        return op("GreaterOrEqual", a, b);
    }

    String where(String condition, String ifTrue, String ifFalse) {
        return op("Where", condition, ifTrue, ifFalse);
    }

    /** @return x converted to {@code type} */
    String cast(String x, Type type) {
        return node("Cast", List.of(x), 1, Map.of("to", (long) type.proto.getNumber()))[0];
    }

    String shape(String x) {
        return op("Shape", x);
    }

    /** @return int64 scalars start, start + delta, … below limit */
    String range(String start, String limit, String delta) {
        return op("Range", start, limit, delta);
    }

    /**
     * @param x input
     * @param axis axis, negative from the end
     * @return inclusive prefix sums along the axis
     */
    String cumSum(String x, long axis) {
        return op("CumSum", x, longScalar(axis));
    }

    String transpose(String x, long... perm) {
        return node("Transpose", List.of(x), 1, Map.of("perm", perm))[0];
    }

    /** @param shape target dimensions; 0 copies the input's, −1 is inferred */
    String reshape(String x, long... shape) {
        return op("Reshape", x, longs(shape));
    }

    String unsqueeze(String x, long... axes) {
        return op("Unsqueeze", x, longs(axes));
    }

    String gather(String data, String indices, long axis) {
        return node("Gather", List.of(data, indices), 1, Map.of("axis", axis))[0];
    }

    String concat(long axis, String... parts) {
        return node("Concat", List.of(parts), 1, Map.of("axis", axis))[0];
    }

    String slice(String x, long[] starts, long[] ends, long[] axes) {
        return op("Slice", x, longs(starts), longs(ends), longs(axes));
    }

    /** Slice with computed bounds (1-D int64 values). */
    String slice(String x, String starts, String ends, long[] axes) {
        return op("Slice", x, starts, ends, longs(axes));
    }

    /**
     * @param x input
     * @param axis split axis
     * @param sizes size of each part
     * @return one value per part
     */
    String[] split(String x, long axis, long... sizes) {
        return node("Split", List.of(x, longs(sizes)), sizes.length, Map.of("axis", axis));
    }

    String expand(String x, String shape) {
        return op("Expand", x, shape);
    }

    String reduceSum(String x, boolean keepDims, long... axes) {
        return node("ReduceSum", List.of(x, longs(axes)), 1, Map.of("keepdims", keepDims ? 1L : 0L))[0];
    }

    String reduceMean(String x, boolean keepDims, long... axes) {
        return node("ReduceMean", List.of(x, longs(axes)), 1, Map.of("keepdims", keepDims ? 1L : 0L))[0];
    }

    String logSoftmax(String x, long axis) {
        return node("LogSoftmax", List.of(x), 1, Map.of("axis", axis))[0];
    }

    /**
     * Zero padding along some axes (opset 18 Pad with an axes input).
     *
     * @param x input
     * @param pads int64 [2·axes]: begins then ends
     * @param axes the padded axes
     * @return the padded value
     */
    String pad(String x, String pads, long... axes) {
        return op("Pad", x, pads, "", longs(axes));
    }

    /**
     * Grouped 1-D convolution.
     *
     * @param x [b, channels, l]
     * @param weight [out, channels/group, k]
     * @param bias [out]
     * @param group groups
     * @param kernel k
     * @param padBegin zeros before
     * @param padEnd zeros after
     * @return [b, out, l + padBegin + padEnd − k + 1]
     */
    String conv1d(String x, String weight, String bias, long group, long kernel, long padBegin, long padEnd) {
        return node("Conv", List.of(x, weight, bias), 1,
                Map.of("group", group, "kernel_shape", new long[] {kernel}, "pads", new long[] {padBegin, padEnd}))[0];
    }

    /**
     * A PyTorch linear layer: x·Wᵀ (+ b), as a Gemm with transB over x's rows flattened, so that ONNX Runtime
     * multiplies by W as stored: a MatMul by Transpose(W) had it fold a transposed copy of every weight at load (for
     * the {@code paper} preset 5.2 GB beside the weights it was given).
     *
     * @param x [..., in]
     * @param weight an initializer [out, in]
     * @param bias [out] or null
     * @return [..., out]
     */
    String linear(String x, String weight, String bias) {
        Tensor w = initializerValues.get(weight);
        if (w == null || w.rank() != 2) {
            throw new IllegalArgumentException("graph " + graph.getName() + ": a linear layer's weight must be a 2-D "
                    + "initializer, got " + weight);
        }
        String rows = reshape(x, -1, w.dim(1));
        List<String> inputs = bias == null ? List.of(rows, weight) : List.of(rows, weight, bias);
        String y = node("Gemm", inputs, 1, Map.of("transB", 1L))[0];
        String leading = slice(shape(x), new long[] {0}, new long[] {-1}, new long[] {0});
        return op("Reshape", y, concat(0, leading, longs(w.dim(0))));
    }

    /**
     * RMSNorm over the last axis: x / sqrt(mean(x²) + eps) (no weight).
     *
     * @param x input
     * @param eps epsilon
     * @return the normalized value
     */
    String rmsNormalize(String x, double eps) {
        String ms = reduceMean(mul(x, x), true, -1);
        return div(x, sqrt(add(ms, scalar(eps))));
    }

    /**
     * @param opType an operator of the default domain
     * @param inputs its inputs; "" for an omitted optional input
     * @return the single output
     */
    String op(String opType, String... inputs) {
        return node(opType, List.of(inputs), 1, Map.of())[0];
    }

    private String[] node(String opType, List<String> inputs, int outputs, Map<String, Object> attributes) {
        String id = fresh(opType);
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(opType).setName(id).addAllInput(inputs);
        String[] out = new String[outputs];
        for (int i = 0; i < outputs; i++) {
            out[i] = outputs == 1 ? id : id + "_" + i;
            names.add(out[i]);
            n.addOutput(out[i]);
        }
        attributes.forEach((k, v) -> n.addAttribute(attribute(k, v)));
        graph.addNode(n);
        return out;
    }

    private static AttributeProto attribute(String name, Object value) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name);
        if (value instanceof Long l) {
            a.setType(AttributeProto.AttributeType.INT).setI(l);
        } else if (value instanceof long[] ls) {
            a.setType(AttributeProto.AttributeType.INTS);
            for (long l : ls) {
                a.addInts(l);
            }
        } else {
            throw new IllegalArgumentException("attribute " + name + ": unsupported value " + value);
        }
        return a.build();
    }

    // ---- result ----

    /**
     * @param docString what the model computes
     * @return the model, after checking that every node input is defined before use and every output is produced
     * @throws IllegalStateException naming the first dangling value, or when initializers went to a data file
     */
    ModelProto build(String docString) {
        if (!external.isEmpty()) {
            throw new IllegalStateException("graph " + graph.getName() + " keeps initializers in " + dataFile
                    + ": build it with buildWithData");
        }
        return model(docString);
    }

    /**
     * @param docString what the model computes
     * @return the model and the initializers it keeps in its data file (none if none reached
     *     {@link #EXTERNAL_MIN_BYTES}), after the checks of {@link #build(String)}
     */
    OnnxGraph buildWithData(String docString) {
        ModelProto model = model(docString);
        return external.isEmpty() ? OnnxGraph.inline(model) : new OnnxGraph(model, dataFile, external);
    }

    private static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    private ModelProto model(String docString) {
        Set<String> defined = new HashSet<>();
        graph.getInputList().forEach(v -> defined.add(v.getName()));
        graph.getInitializerList().forEach(t -> defined.add(t.getName()));
        for (NodeProto n : graph.getNodeList()) {
            for (String in : n.getInputList()) {
                if (!in.isEmpty() && !defined.contains(in)) {
                    throw new IllegalStateException("graph " + graph.getName() + ": node " + n.getName() + " reads undefined value " + in);
                }
            }
            defined.addAll(n.getOutputList());
        }
        for (ValueInfoProto o : graph.getOutputList()) {
            if (!defined.contains(o.getName())) {
                throw new IllegalStateException("graph " + graph.getName() + ": output " + o.getName() + " is not produced");
            }
        }
        return ModelProto.newBuilder().setIrVersion(IR_VERSION).setProducerName("mdm-backend-onnx")
                .setProducerVersion(OnnxBackend.IMPLEMENTATION_VERSION).setDomain("dev.mdm").setDocString(docString)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(graph.setDocString(docString)).build();
    }

    /** @return the initializers added so far, by name, as stored */
    Map<String, Tensor> initializers() {
        return java.util.Collections.unmodifiableMap(initializerValues);
    }

    private String fresh(String prefix) {
        String n;
        do {
            n = prefix + "_" + counter++;
        } while (names.contains(n));
        return n; // reserved by the caller, which registers it as a node output or an initializer
    }

    private void claim(String name) {
        if (!names.add(name)) {
            throw new IllegalStateException("graph " + graph.getName() + ": the name " + name + " is used twice");
        }
    }

    private static ValueInfoProto valueInfo(String name, Type type, String doc, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
            if (d instanceof Integer i) {
                dim.setDimValue(i);
            } else {
                dim.setDimParam((String) d);
            }
            shape.addDim(dim);
        }
        return ValueInfoProto.newBuilder().setName(name).setDocString(doc)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                        .setElemType(type.proto.getNumber()).setShape(shape))).build();
    }
}

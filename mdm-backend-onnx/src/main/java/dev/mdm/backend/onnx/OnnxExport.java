package dev.mdm.backend.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mdm.MdmConfig;
import dev.mdm.MdmException;
import dev.mdm.spi.OnnxExporter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Writes exported graphs and their {@code model.json} description (files, inputs and outputs with dtype, shape and
 * doc string, opset, SHA-256 of each file, and the model configuration). A graph with external data gets its data file
 * beside it, under the name its initializers give, and described with it; a data file an earlier export described in
 * the same directory and this one does not write is deleted. Every file is written to a temporary file in the target
 * directory and moved into place atomically.
 */
final class OnnxExport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private OnnxExport() {
    }

    /**
     * @param directory target directory, created if absent
     * @param config the model configuration
     * @param files file name to graph
     * @return the paths written, each graph's data file after it, {@code model.json} last
     */
    static List<Path> write(Path directory, MdmConfig config, Map<String, OnnxGraph> files) {
        try {
            Files.createDirectories(directory);
            Set<String> earlierData = earlierDataFiles(directory);
            ObjectNode root = JSON.createObjectNode();
            root.put("format", "mdm-onnx").put("formatVersion", 1)
                    .put("producer", "mdm-backend-onnx " + OnnxBackend.IMPLEMENTATION_VERSION)
                    .put("opset", GraphBuilder.OPSET).put("irVersion", GraphBuilder.IR_VERSION)
                    .put("timeInput", "denoiser time_input = t - 1 for diffusion step t in [1, T]; a sampler at continuous "
                            + "time s in (0, 1] feeds (s - 1/T)·T")
                    .put("latentLayout", "latents hold the image tokens (row-major patch grid) then the text tokens");
            root.set("config", JSON.readTree(config.toJson()));
            ObjectNode described = root.putObject("files");
            List<Path> written = new ArrayList<>();
            for (var e : new TreeMap<>(files).entrySet()) {
                OnnxGraph graph = e.getValue();
                byte[] bytes = graph.model().toByteArray();
                ObjectNode description = describe(graph.model(), bytes);
                Path target = directory.resolve(e.getKey());
                // the graph goes into place after its data: a failure while the data is written leaves an earlier
                // export's pair as it was
                Path tmp = temporary(target, bytes);
                try {
                    if (graph.hasExternalData()) {
                        Path data = directory.resolve(graph.dataFile());
                        String sha256 = writeData(data, graph.external());
                        description.putObject("data").put("file", graph.dataFile()).put("bytes", Files.size(data))
                                .put("sha256", sha256);
                        written.add(Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING,
                                StandardCopyOption.ATOMIC_MOVE));
                        written.add(data);
                    } else {
                        written.add(Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING,
                                StandardCopyOption.ATOMIC_MOVE));
                    }
                } finally {
                    Files.deleteIfExists(tmp);
                }
                described.set(e.getKey(), description);
            }
            written.add(atomicWrite(directory.resolve(OnnxExporter.DESCRIPTION),
                    JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8)));
            // a data file an earlier export wrote here (its model.json says so) that no graph of this one names
            for (String stale : earlierData) {
                Path p = directory.resolve(stale);
                if (!written.contains(p)) {
                    Files.deleteIfExists(p);
                }
            }
            return written;
        } catch (IOException e) {
            throw new MdmException("cannot export ONNX files to " + directory + ": " + e.getMessage(), e);
        }
    }

    /** @return the data files the description of an earlier export in {@code directory} lists, if it has one */
    private static Set<String> earlierDataFiles(Path directory) {
        Set<String> names = new TreeSet<>();
        Path description = directory.resolve(OnnxExporter.DESCRIPTION);
        try {
            JsonNode files = JSON.readTree(description.toFile()).path("files");
            files.forEach(f -> {
                String name = f.path("data").path("file").asText("");
                // only a plain name beside the graphs: a description edited to point elsewhere deletes nothing
                if (!name.isEmpty() && Path.of(name).getNameCount() == 1 && !name.startsWith(".")) {
                    names.add(name);
                }
            });
        } catch (IOException | RuntimeException e) {
            // no description, or one that is not ours: nothing known to be stale
        }
        return names;
    }

    private static ObjectNode describe(ModelProto model, byte[] bytes) {
        ObjectNode o = JSON.createObjectNode();
        o.put("doc", model.getDocString()).put("bytes", bytes.length).put("sha256", sha256(bytes));
        o.set("inputs", values(model.getGraph().getInputList()));
        o.set("outputs", values(model.getGraph().getOutputList()));
        return o;
    }

    private static ArrayNode values(List<ValueInfoProto> infos) {
        ArrayNode a = JSON.createArrayNode();
        for (ValueInfoProto v : infos) {
            ObjectNode o = a.addObject();
            o.put("name", v.getName());
            o.put("dtype", TensorProto.DataType.forNumber(v.getType().getTensorType().getElemType()).name().toLowerCase(Locale.ROOT));
            ArrayNode shape = o.putArray("shape");
            for (TensorShapeProto.Dimension d : v.getType().getTensorType().getShape().getDimList()) {
                if (d.hasDimParam()) {
                    shape.add(d.getDimParam());
                } else {
                    shape.add(d.getDimValue());
                }
            }
            o.put("doc", v.getDocString());
        }
        return a;
    }

    private static Path atomicWrite(Path target, byte[] bytes) throws IOException {
        Path tmp = temporary(target, bytes);
        try {
            return Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** @return a sibling temporary file holding {@code bytes}, for the caller to move into place or delete */
    private static Path temporary(Path target, byte[] bytes) throws IOException {
        // created with the default permissions, unlike Files.createTempFile
        Path tmp = temporaryName(target);
        try {
            Files.write(tmp, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            return tmp;
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    private static Path temporaryName(Path target) {
        return target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    }

    /**
     * Writes each tensor at its offset, zeros between them, to a sibling temporary file moved into place.
     *
     * @return the SHA-256 of what was written
     */
    private static String writeData(Path target, List<OnnxGraph.ExternalTensor> tensors) throws IOException {
        Path tmp = temporaryName(target);
        MessageDigest digest = sha256Digest();
        try {
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                long position = 0;
                for (OnnxGraph.ExternalTensor t : tensors) {
                    writeFully(out, digest, ByteBuffer.allocate(Math.toIntExact(t.offset() - position)));
                    writeFully(out, digest, ByteBuffer.wrap(t.value().toBytes()));
                    position = t.offset() + t.length();
                }
                out.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return HexFormat.of().formatHex(digest.digest());
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void writeFully(FileChannel out, MessageDigest digest, ByteBuffer bytes) throws IOException {
        digest.update(bytes.duplicate());
        while (bytes.hasRemaining()) {
            out.write(bytes);
        }
    }

    private static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }

    private static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(sha256Digest().digest(bytes));
    }
}

package dev.mdm.examples.model;

import dev.mdm.CheckpointException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The model files that ship inside this module: the SentencePiece tokenizer of the project's captions and, once the
 * project has trained one, the {@code fashion} checkpoint.
 */
public final class ShippedModel {
    /** Class-path location of the trained {@code fashion} checkpoint. */
    public static final String CHECKPOINT_RESOURCE = "/dev/mdm/examples/model/fashion.safetensors";
    /** Class-path location of the SentencePiece model of the project's captions and questions. */
    public static final String TOKENIZER_RESOURCE = "/dev/mdm/examples/tokenizer/fashion.model";
    /** The command that trains a {@code fashion} checkpoint, for messages. */
    public static final String TRAIN_COMMAND =
            "bin/mdm train --preset fashion --dataset fashion --steps 20000 --out mdm-train";

    private ShippedModel() {
    }

    /** @return the bytes of the shipped tokenizer model */
    public static byte[] tokenizerModel() {
        try (InputStream in = ShippedModel.class.getResourceAsStream(TOKENIZER_RESOURCE)) {
            if (in == null) {
                throw new CheckpointException("the tokenizer " + TOKENIZER_RESOURCE + " is missing from the class path");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + TOKENIZER_RESOURCE, e);
        }
    }

    /**
     * @return the shipped {@code fashion} checkpoint as a file (copied out of the jar when packaged), or empty when
     *     none has been committed yet
     */
    public static Optional<Path> checkpoint() {
        URL url = ShippedModel.class.getResource(CHECKPOINT_RESOURCE);
        if (url == null) {
            return Optional.empty();
        }
        try {
            if ("file".equals(url.getProtocol())) {
                return Optional.of(Path.of(url.toURI()));
            }
            Path copy = Files.createTempFile("mdm-fashion-", ".safetensors");
            copy.toFile().deleteOnExit();
            try (InputStream in = url.openStream()) {
                Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
            }
            return Optional.of(copy);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + CHECKPOINT_RESOURCE, e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("bad resource URL " + url, e);
        }
    }
}

package dev.mdm.testing;

import dev.mdm.MDM;
import dev.mdm.MdmConfig;
import dev.mdm.checkpoint.Checkpoint;
import dev.mdm.model.ParameterInitializer;
import dev.mdm.tensor.Tensor;
import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Runs {@link Scenario} in a class loader that sees this JVM's class path without DJL's jars (SentencePiece among them),
 * as an application that leaves out mdm-api's optional SentencePiece dependency does.
 */
public final class WithoutSentencePiece {
    private WithoutSentencePiece() {
    }

    /**
     * @param checkpoint a model file carrying a tokenizer
     * @return what {@link Scenario} reports, run without SentencePiece on the class path
     * @throws Exception if the scenario cannot be loaded or fails
     */
    public static String run(Path checkpoint) throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.replace('\\', '/').contains("/ai/djl/")) {
                urls.add(Path.of(entry).toUri().toURL());
            }
        }
        try (URLClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader())) {
            Thread thread = Thread.currentThread();
            ClassLoader before = thread.getContextClassLoader();
            thread.setContextClassLoader(loader);
            try {
                @SuppressWarnings("unchecked")
                Function<Path, String> scenario = (Function<Path, String>) loader.loadClass(Scenario.class.getName())
                        .getDeclaredConstructor().newInstance();
                return scenario.apply(checkpoint);
            } finally {
                thread.setContextClassLoader(before);
            }
        }
    }

    /**
     * Loads the checkpoint on the fake backend, then reports whether SentencePiece is visible, whether the model has a
     * tokenizer, whether its weights came from the file, and what captioning says.
     */
    public static final class Scenario implements Function<Path, String> {
        @Override
        public String apply(Path checkpoint) {
            StringBuilder report = new StringBuilder();
            try {
                Class.forName("ai.djl.sentencepiece.SpTokenizer");
                report.append("sentencepiece visible; ");
            } catch (ClassNotFoundException e) {
                report.append("sentencepiece absent; ");
            }
            try (MDM mdm = MDM.builder().backend("fake").checkpoint(checkpoint).build()) {
                report.append("tokenizer ").append(mdm.tokenizer().isPresent() ? "present" : "absent").append("; ");
                MdmConfig c = mdm.config();
                report.append("weights ").append(mdm.parameters().get("pos").shape()[0] == c.sequenceLength() ? "loaded" : "wrong")
                        .append("; ");
                try {
                    mdm.caption(Tensor.zeros(c.imageChannels(), c.imageHeight(), c.imageWidth()));
                    report.append("caption ran; ");
                } catch (RuntimeException e) {
                    report.append("caption: ").append(e.getMessage()).append("; ");
                }
                mdm.save(checkpoint.resolveSibling("saved-again.safetensors"));
                report.append("saved with its tokenizer model: ")
                        .append(Checkpoint.load(checkpoint.resolveSibling("saved-again.safetensors")).tokenizerModel().isPresent())
                        .append("; ");
            }
            // a model with a tokenizer of another kind saves without SentencePiece's classes
            try (MDM mdm = MDM.builder().backend("fake").config(MdmConfig.tiny()).tokenizer(new dev.mdm.task.FakeRuntime.WordTokenizer()).build()) {
                mdm.save(checkpoint.resolveSibling("other-tokenizer.safetensors"));
                report.append("other tokenizer saved without a model: ")
                        .append(Checkpoint.load(checkpoint.resolveSibling("other-tokenizer.safetensors")).tokenizerModel().isEmpty());
            }
            return report.toString();
        }
    }

    /**
     * @param dir where to write
     * @param tokenizerModel the bytes of a SentencePiece model with at most 256 pieces
     * @return a tiny model file (vocabulary 256) that carries the tokenizer
     */
    public static Path checkpoint(Path dir, byte[] tokenizerModel) {
        MdmConfig config = MdmConfig.tiny().toBuilder().vocabSize(256).build();
        Path file = dir.resolve("carries-a-tokenizer.safetensors");
        Checkpoint.of(config, ParameterInitializer.initialize(config, 1)).withTokenizerModel(tokenizerModel).save(file);
        return file;
    }
}

package dev.mdm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mdm.checkpoint.Checkpoint;
import dev.mdm.model.ParameterInitializer;
import dev.mdm.sampling.SamplerSettings;
import dev.mdm.spi.Availability;
import dev.mdm.spi.Backend;
import dev.mdm.spi.BackendContext;
import dev.mdm.spi.BackendRegistry;
import dev.mdm.testing.CommittedModel;
import dev.mdm.testing.FakeBackendProvider;
import dev.mdm.testing.WithoutSentencePiece;
import dev.mdm.text.SentencePieceTokenizer;
import dev.mdm.text.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("MDM.Builder")
class MDMBuilderTest {
    private static FakeBackendProvider cpuOnly() {
        return new FakeBackendProvider("cpuonly", 1, Availability.ready(), Device.cpu());
    }

    @Test
    @DisplayName("setting a field twice is rejected, naming the field and its first value")
    void setTwice() {
        assertThatThrownBy(() -> MDM.builder().seed(1).seed(2)).isInstanceOf(IllegalStateException.class)
                .hasMessage("seed was already set to 1");
        assertThatThrownBy(() -> MDM.builder().backend("djl").backend(cpuOnly())).isInstanceOf(IllegalStateException.class)
                .hasMessage("backend was already set to djl");
        assertThatThrownBy(() -> MDM.builder().precision(Precision.BF16).precision(Precision.FP32))
                .hasMessage("precision was already set to BF16");
        assertThatThrownBy(() -> MDM.builder().device(Device.cpu()).device(Device.gpu(0))).hasMessage("device was already set to cpu");
    }

    @Test
    @DisplayName("a blank backend name is an InvalidInputException naming the argument")
    void blankBackend() {
        assertThatThrownBy(() -> MDM.builder().backend(" ")).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("'backend'");
    }

    @Test
    @DisplayName("asking for a GPU from a backend that opens the CPU is an error, and the opened backend is closed")
    void noSilentCpuFallback() {
        FakeBackendProvider p = cpuOnly();
        assertThatThrownBy(() -> MDM.builder().backend(p).device(Device.gpu(0)).build())
                .isInstanceOf(BackendUnavailableException.class)
                .hasMessageContaining("asked for gpu:0 but backend 'cpuonly' opened cpu; no silent CPU fallback");
        assertThat(p.created).singleElement().satisfies(b -> assertThat(b.closes.get()).isEqualTo(1));
    }

    @Test
    @DisplayName("builds on the chosen backend with the given config, precision and seeded weights; close is idempotent")
    void builds() {
        FakeBackendProvider p = cpuOnly();
        MDM mdm = MDM.builder().backend(p).config(MdmConfig.tiny()).precision(Precision.FP64).seed(5).build();
        assertThat(mdm.backend().precision()).isEqualTo(Precision.FP64);
        assertThat(mdm.config()).isEqualTo(MdmConfig.tiny());
        assertThat(mdm.parameters().get("pos").contentEquals(ParameterInitializer.initialize(MdmConfig.tiny(), 5).get("pos"))).isTrue();
        assertThat(mdm.toString()).contains("backend=cpuonly 0.0-test").contains("precision=FP64");
        mdm.close();
        mdm.close();
        assertThat(p.created.get(0).closes.get()).isEqualTo(1);
        assertThat(mdm.isClosed()).isTrue();
        assertThatThrownBy(mdm::parameters).isInstanceOf(IllegalStateException.class).hasMessageContaining("MDM").hasMessageContaining("closed");
        assertThatThrownBy(mdm::tokenizer).isInstanceOf(IllegalStateException.class).hasMessageContaining("MDM").hasMessageContaining("closed");
        assertThatThrownBy(mdm::toBuilder).isInstanceOf(IllegalStateException.class).hasMessageContaining("MDM").hasMessageContaining("closed");
    }

    @Test
    @DisplayName("parameters that do not fit the config are reported by build() before any backend opens")
    void mismatchedParameters() {
        FakeBackendProvider p = cpuOnly();
        var params = ParameterInitializer.initialize(MdmConfig.tiny().toBuilder().dModel(16).build(), 0);
        assertThatThrownBy(() -> MDM.builder().backend(p).parameters(params).build())
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.violations()).singleElement().asString()
                        .startsWith("parameters do not match the config").contains("'pos' has shape [28, 16], expected [28, 32]"));
        assertThat(p.created).isEmpty();
    }

    @Test
    @DisplayName("a backend name resolves through the given registry, and an unknown one lists what was found")
    void byName() {
        var reg = BackendRegistry.of(List.of(cpuOnly()));
        try (MDM mdm = MDM.builder().registry(reg).backend("cpuonly").build()) {
            assertThat(mdm.backend().name()).isEqualTo("cpuonly");
        }
        assertThatThrownBy(() -> MDM.builder().registry(reg).backend("djl").build()).isInstanceOf(BackendNotFoundException.class)
                .hasMessageContaining("dev.mdm:mdm-backend-djl").hasMessageContaining("backends found: cpuonly");
    }

    @Test
    @DisplayName("a provider instance that cannot run here is refused with its reasons")
    void unavailableInstance() {
        var p = new FakeBackendProvider("gpuonly", 1, Availability.unavailable("no CUDA device"), null);
        assertThatThrownBy(() -> MDM.builder().backend(p).build()).isInstanceOfSatisfying(BackendUnavailableException.class,
                e -> assertThat(e.reasons()).containsExactly("no CUDA device"));
    }

    @Test
    @DisplayName("toBuilder gives a builder with the same settings and weights that opens a new backend")
    void toBuilder() {
        FakeBackendProvider p = cpuOnly();
        try (MDM a = MDM.builder().backend(p).seed(3).build(); MDM b = a.toBuilder().build()) {
            assertThat(p.created).hasSize(2);
            assertThat(b.parameters().get("boi").contentEquals(a.parameters().get("boi"))).isTrue();
        }
    }

    @Test
    @DisplayName("toBuilder lets each setting of the model be replaced once, and refuses a second value")
    void toBuilderReplacesOnce() {
        FakeBackendProvider p = cpuOnly();
        FakeBackendProvider other = new FakeBackendProvider("other", 1, Availability.ready(), Device.cpu());
        var ten = SamplerSettings.defaults().withSteps(10);
        try (MDM a = MDM.builder().backend(p).precision(Precision.FP32).sampler(ten).build();
             MDM b = a.toBuilder().backend(other).precision(Precision.FP64).sampler(ten.withSteps(7)).build()) {
            assertThat(b.backend().name()).isEqualTo("other");
            assertThat(b.backend().precision()).isEqualTo(Precision.FP64);
            assertThat(b.sampler().settings().steps()).isEqualTo(7);
            assertThat(b.parameters().get("boi").contentEquals(a.parameters().get("boi"))).isTrue();
            assertThatThrownBy(() -> a.toBuilder().sampler(ten).sampler(ten)).isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("sampler was already set to");
        }
    }

    @Test
    @DisplayName("a refused argument leaves a copied setting's one replacement unused")
    void refusedArgumentKeepsTheReplacement() {
        try (MDM a = MDM.builder().backend(cpuOnly()).device(Device.cpu()).build()) {
            MDM.Builder variant = a.toBuilder();
            assertThatThrownBy(() -> variant.device(null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> variant.backend(" ")).isInstanceOf(InvalidInputException.class);
            assertThat(variant.device(Device.cpu()).backend(cpuOnly())).isSameAs(variant);
        }
    }

    @Test
    @DisplayName("a model built with the default sampler can still be given another through toBuilder or its builder")
    void defaultSamplerIsNotWrittenIntoTheBuilder() {
        FakeBackendProvider p = cpuOnly();
        MDM.Builder builder = MDM.builder().backend(p);
        try (MDM a = builder.build(); MDM b = a.toBuilder().sampler(SamplerSettings.defaults().withSteps(10)).build()) {
            assertThat(a.sampler().settings()).isEqualTo(SamplerSettings.defaults());
            assertThat(b.sampler().settings().steps()).isEqualTo(10);
            assertThat(builder.sampler(SamplerSettings.defaults().withSteps(3))).isSameAs(builder);
        }
    }

    @Test
    @DisplayName("toBuilder with a seed draws fresh weights instead of copying the model's")
    void toBuilderSeedDrawsFreshWeights() {
        FakeBackendProvider p = cpuOnly();
        try (MDM a = MDM.builder().backend(p).seed(3).build(); MDM b = a.toBuilder().seed(4).build();
             MDM c = MDM.builder().backend(p).seed(4).build()) {
            assertThat(b.parameters().get("boi").contentEquals(c.parameters().get("boi"))).isTrue();
            assertThat(b.parameters().get("boi").contentEquals(a.parameters().get("boi"))).isFalse();
        }
    }

    @Test
    @DisplayName("a model keeps no reference to the weights it was built from: its backend holds them")
    void keepsNoCopyOfTheWeights() throws InterruptedException {
        // a backend that copies what it loads, as real ones do (into native or device memory)
        FakeBackendProvider copying = new FakeBackendProvider("copying", 1, Availability.ready(), Device.cpu()) {
            @Override
            public Backend create(BackendContext context) {
                Backend real = super.create(context);
                return (Backend) java.lang.reflect.Proxy.newProxyInstance(Backend.class.getClassLoader(),
                        new Class<?>[] {Backend.class}, (proxy, m, args) -> {
                            if (m.getName().equals("load")) {
                                var given = (dev.mdm.model.Parameters) args[1];
                                var copy = new java.util.LinkedHashMap<String, dev.mdm.tensor.Tensor>();
                                given.names().forEach(n -> copy.put(n, dev.mdm.tensor.Tensor.ofFloats(given.get(n).toFloatArray(), given.get(n).shape())));
                                args[1] = dev.mdm.model.Parameters.of(copy);
                            }
                            try {
                                return m.invoke(real, args);
                            } catch (java.lang.reflect.InvocationTargetException e) {
                                throw e.getCause();
                            }
                        });
            }
        };
        var weights = new java.lang.ref.WeakReference<>(ParameterInitializer.initialize(MdmConfig.tiny(), 0));
        MDM.Builder builder = MDM.builder().backend(copying).parameters(weights.get());
        try (MDM m = builder.build()) {
            builder = null;
            for (int i = 0; i < 50 && weights.get() != null; i++) {
                System.gc();
                Thread.sleep(10);
            }
            assertThat(weights.get()).as("the weights given to the builder, after build").isNull();
            assertThat(m.parameters().names()).contains("boi");
        }
    }

    /** A provider whose probe passes (its jar is there) but whose natives fail when {@code create} loads them. */
    private static FakeBackendProvider brokenNatives(LinkageError error) {
        return new FakeBackendProvider("brokennative", 1, Availability.ready(), null) {
            @Override
            public Backend create(BackendContext context) {
                throw error;
            }
        };
    }

    @ParameterizedTest(name = "selected {0}")
    @ValueSource(strings = {"as an instance", "by name"})
    @DisplayName("a backend whose native library fails to load is a BackendUnavailableException naming the backend and the cause")
    void nativesFailToLoad(String how) {
        var error = new UnsatisfiedLinkError("no brokennative_jni in java.library.path: /usr/lib");
        FakeBackendProvider p = brokenNatives(error);
        MDM.Builder b = how.equals("by name") ? MDM.builder().registry(BackendRegistry.of(List.of(p))).backend("brokennative")
                : MDM.builder().backend(p);
        assertThatThrownBy(b::build).isInstanceOfSatisfying(BackendUnavailableException.class, e -> {
            assertThat(e).hasMessageStartingWith("backend 'brokennative' cannot run here: its native code failed to load")
                    .hasCause(error);
            assertThat(e.reasons()).containsExactly("brokennative: java.lang.UnsatisfiedLinkError: "
                    + "no brokennative_jni in java.library.path: /usr/lib");
        });
    }

    @Test
    @DisplayName("a native class that fails to initialise (another LinkageError) is reported the same way")
    void nativeInitialisationFails() {
        var error = new NoClassDefFoundError("Could not initialize class ai.example.NativeLib");
        assertThatThrownBy(() -> MDM.builder().backend(brokenNatives(error)).build())
                .isInstanceOf(BackendUnavailableException.class).hasCause(error)
                .hasMessageContaining("brokennative: java.lang.NoClassDefFoundError: Could not initialize class ai.example.NativeLib");
    }


    /** A tiny model whose vocabulary holds vocab ids, saved with the committed tokenizer inside. */
    private static Path checkpointWithTokenizer(Path dir, int vocab) throws IOException {
        MdmConfig config = MdmConfig.tiny().toBuilder().vocabSize(vocab).build();
        Path file = dir.resolve("with-tokenizer.safetensors");
        Checkpoint.of(config, ParameterInitializer.initialize(config, 1)).withTokenizerModel(Files.readAllBytes(CommittedModel.MODEL))
                .save(file);
        return file;
    }

    @Test
    @DisplayName("a checkpoint that carries a tokenizer gives the model that tokenizer, which closes with the model")
    void checkpointTokenizer(@TempDir Path dir) throws IOException {
        Path file = checkpointWithTokenizer(dir, 256);
        Tokenizer t;
        try (MDM mdm = MDM.builder().backend(cpuOnly()).checkpoint(file).build()) {
            t = mdm.tokenizer().orElseThrow();
            assertThat(t.vocabSize()).isEqualTo(213);
            assertThat(t.decode(t.encode("a photo of a sneaker"))).isEqualTo("a photo of a sneaker");
        }
        assertThatThrownBy(() -> t.encode("a bag")).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    @DisplayName("a variant of a model loaded from a checkpoint gets a tokenizer of its own from the same model, and saves it")
    void variantKeepsTheCheckpointTokenizer(@TempDir Path dir) throws IOException {
        Path file = checkpointWithTokenizer(dir, 256);
        Path saved = dir.resolve("variant.safetensors");
        try (MDM a = MDM.builder().backend(cpuOnly()).checkpoint(file).build()) {
            try (MDM b = a.toBuilder().precision(Precision.FP64).build()) {
                Tokenizer t = b.tokenizer().orElseThrow();
                assertThat(t).isNotSameAs(a.tokenizer().orElseThrow());
                assertThat(t.decode(t.encode("a photo of a sneaker"))).isEqualTo("a photo of a sneaker");
                b.save(saved);
            }
            assertThat(a.tokenizer().orElseThrow().encode("a bag")).isNotEmpty();  // the variant closed only its own
        }
        assertThat(Checkpoint.load(saved).tokenizerModel()).hasValueSatisfying(b -> assertThat(b)
                .isEqualTo(readAll(CommittedModel.MODEL)));
    }

    @Test
    @DisplayName("a variant given a checkpoint takes the file's weights, config and tokenizer, whatever the order of its setters")
    void variantFromAFileTakesTheFile(@TempDir Path dir) throws IOException {
        Path file = checkpointWithTokenizer(dir, 256);
        MdmConfig c256 = MdmConfig.tiny().toBuilder().vocabSize(256).build();
        try (SentencePieceTokenizer given = SentencePieceTokenizer.load(CommittedModel.MODEL);
             MDM a = MDM.builder().backend(cpuOnly()).config(MdmConfig.tiny()).build();
             MDM b = a.toBuilder().seed(4).checkpoint(file).build();
             MDM c = a.toBuilder().checkpoint(file).seed(4).build();
             MDM withGiven = MDM.builder().backend(cpuOnly()).config(c256).tokenizer(given).build();
             MDM d = withGiven.toBuilder().checkpoint(file).build()) {
            assertThat(b.config().vocabSize()).isEqualTo(256);
            assertThat(c.config().vocabSize()).isEqualTo(256);
            assertThat(d.tokenizer()).hasValueSatisfying(t -> assertThat(t).isNotSameAs(given));
        }
    }

    @Test
    @DisplayName("a variant given a checkpoint that carries no tokenizer keeps the one it copied")
    void variantKeepsItsTokenizerForAFileWithout(@TempDir Path dir) throws IOException {
        MdmConfig c256 = MdmConfig.tiny().toBuilder().vocabSize(256).build();
        Path bare = dir.resolve("bare.safetensors");
        Checkpoint.of(c256, ParameterInitializer.initialize(c256, 2)).save(bare);
        try (SentencePieceTokenizer given = SentencePieceTokenizer.load(CommittedModel.MODEL);
             MDM a = MDM.builder().backend(cpuOnly()).config(c256).tokenizer(given).build();
             MDM b = a.toBuilder().checkpoint(bare).build()) {
            assertThat(b.tokenizer()).containsSame(given);
        }
    }

    @Test
    @DisplayName("a variant whose new config does not fit the weights it copied says so and how to get fresh ones")
    void variantWithAnotherLayout() {
        try (MDM a = MDM.builder().backend(cpuOnly()).build()) {
            assertThatThrownBy(() -> a.toBuilder().config(MdmConfig.tiny().toBuilder().blocks(4).build()).build())
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("the weights toBuilder() copied from the model do not fit the config")
                    .hasMessageContaining("call seed(...) for fresh weights");
            try (MDM fresh = a.toBuilder().config(MdmConfig.tiny().toBuilder().blocks(4).build()).seed(1).build()) {
                assertThat(fresh.config().blocks()).isEqualTo(4);
            }
        }
    }

    @Test
    @DisplayName("the default sampler takes 20 steps, or T where a schedule has fewer timesteps")
    void defaultStepsFitTheSchedule() {
        MdmConfig ten = MdmConfig.tiny().toBuilder().timesteps(10).build();
        try (MDM a = MDM.builder().backend(cpuOnly()).build(); MDM b = MDM.builder().backend(cpuOnly()).config(ten).build()) {
            assertThat(a.sampler().settings().steps()).isEqualTo(20);
            assertThat(b.sampler().settings().steps()).isEqualTo(10);
        }
    }

    @Test
    @DisplayName("a model built with a SentencePiece tokenizer saves its model, so that MDM.load gets the tokenizer back")
    void savesTheTokenizerItWasGiven(@TempDir Path dir) throws IOException {
        MdmConfig config = MdmConfig.tiny().toBuilder().vocabSize(256).build();
        Path file = dir.resolve("saved.safetensors");
        try (SentencePieceTokenizer given = SentencePieceTokenizer.load(CommittedModel.MODEL);
             MDM mdm = MDM.builder().backend(cpuOnly()).config(config).tokenizer(given).build()) {
            mdm.save(file);
        }
        assertThat(Checkpoint.load(file).tokenizerModel()).hasValueSatisfying(b -> assertThat(b)
                .isEqualTo(readAll(CommittedModel.MODEL)));
        try (MDM back = MDM.builder().backend(cpuOnly()).checkpoint(file).build()) {
            assertThat(back.tokenizer()).hasValueSatisfying(t -> assertThat(t.vocabSize()).isEqualTo(213));
        }
    }

    private static byte[] readAll(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    @DisplayName("a tokenizer given to the builder wins over the checkpoint's and stays open after the model closes")
    void givenTokenizerWins(@TempDir Path dir) throws IOException {
        Path file = checkpointWithTokenizer(dir, 256);
        try (SentencePieceTokenizer given = SentencePieceTokenizer.load(CommittedModel.MODEL)) {
            try (MDM mdm = MDM.builder().backend(cpuOnly()).checkpoint(file).tokenizer(given).build()) {
                assertThat(mdm.tokenizer()).containsSame(given);
            }
            assertThat(given.encode("a bag")).isNotEmpty();
        }
    }

    @Test
    @DisplayName("without the SentencePiece library a checkpoint's tokenizer is skipped with a warning: the model loads, and "
            + "its tasks name the missing library")
    void checkpointTokenizerWithoutTheLibrary(@TempDir Path dir) throws Exception {
        Path file = WithoutSentencePiece.checkpoint(dir, Files.readAllBytes(CommittedModel.MODEL));
        assertThat(WithoutSentencePiece.run(file)).startsWith("sentencepiece absent; tokenizer absent; weights loaded; caption: ")
                .contains("needs a tokenizer").contains("ai.djl.sentencepiece:sentencepiece")
                .contains("saved with its tokenizer model: true").endsWith("other tokenizer saved without a model: true");
    }

    @Test
    @DisplayName("a checkpoint whose tokenizer has more ids than its vocabulary is refused, and no backend is opened")
    void checkpointTokenizerTooLarge(@TempDir Path dir) throws IOException {
        Path file = checkpointWithTokenizer(dir, 200);
        FakeBackendProvider p = cpuOnly();
        assertThatThrownBy(() -> MDM.builder().backend(p).checkpoint(file).build())
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.violations()).singleElement()
                        .asString().isEqualTo("the tokenizer of " + file + " has 213 ids but config.vocabSize is 200"));
        assertThat(p.created).isEmpty();
    }
}

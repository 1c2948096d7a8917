package dev.mdm.backend.onnx.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.mdm.ConfigurationException;
import dev.mdm.InvalidInputException;
import dev.mdm.MDM;
import dev.mdm.MdmConfig;
import dev.mdm.model.MambaMixer;
import dev.mdm.model.MambaShape;
import dev.mdm.model.ParameterInitializer;
import dev.mdm.sampling.DenoisingFunction;
import dev.mdm.sampling.Prediction;
import dev.mdm.sampling.SamplerSettings;
import dev.mdm.spi.ModelRuntime;
import dev.mdm.task.Prompt;
import dev.mdm.tensor.DType;
import dev.mdm.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Bad inputs to every public method of the {@link MDM} facade and of its components, through the onnx backend (the
 * inputs must be stopped before they reach ONNX Runtime's native code). Each is refused with the documented
 * exception naming the argument (with expected and actual for {@link InvalidInputException}), and the model then
 * still gives bit-identical outputs.
 */
@DisplayName("Bad inputs to the MDM facade on the onnx backend")
class BadInputTest {
    private static final MdmConfig C = TinyModel.CONFIG;
    private static MDM mdm;
    private static Tensor latents;
    private static Tensor time;
    private static Tensor classes;
    private static Tensor baseline;

    @BeforeAll
    static void open() {
        mdm = TinyModel.open();
        SplittableRandom r = new SplittableRandom(5);
        latents = TinyModel.normal(r, 2, C.latentTokens(), C.latentDim());
        time = TinyModel.times(r, 2);
        classes = TinyModel.classes(r, 2);
        baseline = mdm.denoiser().predict(latents, time, classes);
    }

    @AfterAll
    static void close() {
        mdm.close();
    }

    /** One bad call: what it is, the argument it must name, and the exception type it must get. */
    private record Case(String what, String argument, Class<? extends RuntimeException> type, ThrowingCallable call) {
        static Case invalid(String what, String argument, ThrowingCallable call) {
            return new Case(what, argument, InvalidInputException.class, call);
        }

        static Case nul(String what, String argument, ThrowingCallable call) {
            return new Case(what, argument, NullPointerException.class, call);
        }
    }

    private static Tensor with(Tensor t, int index, double value) {
        double[] v = t.toDoubleArray();
        v[index] = value;
        return Tensor.of(v, t.shape()).to(t.dtype());
    }

    private static List<Case> cases() {
        SplittableRandom r = new SplittableRandom(9);
        int ch = C.imageChannels();
        int h = C.imageHeight();
        int w = C.imageWidth();
        int dz = C.latentDim();
        int d = C.dModel();
        int len = C.sequenceLength();
        Tensor images = TinyModel.images(r, 2);
        Tensor image = images.reshape(2 * ch, h, w).to(DType.F32);
        Tensor oneImage = TinyModel.images(r, 1).reshape(ch, h, w);
        Tensor tokens = TinyModel.tokens(r, 2);
        Tensor z = TinyModel.normal(r, 2, C.latentTokens(), dz);
        Tensor imageLatents = TinyModel.normal(r, 2, C.imageTokens(), dz);
        Tensor textLatents = TinyModel.normal(r, 2, C.textLength(), dz);
        Tensor x = TinyModel.normal(r, 1, len, d);
        DenoisingFunction model = new DenoisingFunction() {
            @Override
            public Prediction predicts() {
                return Prediction.DATA;
            }

            @Override
            public Tensor predict(Tensor state, double t) {
                return state;
            }
        };
        String longText = "a long sleeve shirt with a collar and buttons, a pair of trousers, a dress and a bag";
        List<Case> c = new ArrayList<>();
        // ---- encoder
        c.add(Case.invalid("encodeImage: one channel too many", "images",
                () -> mdm.encoder().encodeImage(TinyModel.normal(r, 1, ch + 1, h, w))));
        c.add(Case.invalid("encodeImage: one pixel narrow", "images",
                () -> mdm.encoder().encodeImage(TinyModel.normal(r, 1, ch, h, w - 1))));
        c.add(Case.invalid("encodeImage: an image without its batch axis", "images", () -> mdm.encoder().encodeImage(image)));
        c.add(Case.invalid("encodeImage: an empty batch", "images", () -> mdm.encoder().encodeImage(Tensor.zeros(0, ch, h, w))));
        c.add(Case.invalid("encodeImage: a NaN pixel", "images", () -> mdm.encoder().encodeImage(with(images, 3, Double.NaN))));
        c.add(Case.invalid("encodeImage: a +∞ pixel", "images",
                () -> mdm.encoder().encodeImage(with(images, 0, Double.POSITIVE_INFINITY))));
        c.add(Case.invalid("encodeImage: a −∞ pixel", "images",
                () -> mdm.encoder().encodeImage(with(images, 5, Double.NEGATIVE_INFINITY))));
        c.add(Case.invalid("encodeImage: null", "images", () -> mdm.encoder().encodeImage(null)));
        c.add(Case.invalid("encodeText: one token too many", "tokens",
                () -> mdm.encoder().encodeText(Tensor.ofLongs(new long[C.textLength() + 1], 1, C.textLength() + 1))));
        c.add(Case.invalid("encodeText: token id V", "tokens", () -> mdm.encoder().encodeText(with(tokens, 1, C.vocabSize()))));
        c.add(Case.invalid("encodeText: token id −1", "tokens", () -> mdm.encoder().encodeText(with(tokens, 4, -1))));
        c.add(Case.invalid("encodeText: fractional token ids", "tokens",
                () -> mdm.encoder().encodeText(with(tokens.to(DType.F64), 2, 1.5))));
        c.add(Case.invalid("encodeText: null", "tokens", () -> mdm.encoder().encodeText(null)));
        // ---- decoder
        c.add(Case.invalid("decodeImage: latents one token short", "latents",
                () -> mdm.decoder().decodeImage(TinyModel.normal(r, 1, C.imageTokens() - 1, dz))));
        c.add(Case.invalid("decodeImage: latents with NaN", "latents",
                () -> mdm.decoder().decodeImage(with(imageLatents, 2, Double.NaN))));
        c.add(Case.invalid("decodeImage: null", "latents", () -> mdm.decoder().decodeImage(null)));
        c.add(Case.invalid("decodeText: latents of width dz + 1", "latents",
                () -> mdm.decoder().decodeText(TinyModel.normal(r, 1, C.textLength(), dz + 1))));
        c.add(Case.invalid("decodeText: latents with +∞", "latents",
                () -> mdm.decoder().decodeText(with(textLatents, 7, Double.POSITIVE_INFINITY))));
        c.add(Case.invalid("decodeText: null", "latents", () -> mdm.decoder().decodeText(null)));
        // ---- denoiser
        c.add(Case.invalid("predict: latents one token too many", "latents",
                () -> mdm.denoiser().predict(TinyModel.normal(r, 2, C.latentTokens() + 1, dz), time, classes)));
        c.add(Case.invalid("predict: latents with NaN", "latents",
                () -> mdm.denoiser().predict(with(z, 9, Double.NaN), time, classes)));
        c.add(Case.invalid("predict: a time input of NaN", "timeInput",
                () -> mdm.denoiser().predict(z, with(time, 1, Double.NaN), classes)));
        c.add(Case.invalid("predict: a time input of +∞", "timeInput",
                () -> mdm.denoiser().predict(z, with(time, 0, Double.POSITIVE_INFINITY), classes)));
        c.add(Case.invalid("predict: time inputs for another batch size", "timeInput",
                () -> mdm.denoiser().predict(z, TinyModel.times(r, 3), classes)));
        c.add(Case.invalid("predict: class id classes + 1", "classIds",
                () -> mdm.denoiser().predict(z, time, with(classes, 0, C.classes() + 1))));
        c.add(Case.invalid("predict: class id −1", "classIds", () -> mdm.denoiser().predict(z, time, with(classes, 1, -1))));
        c.add(Case.invalid("predict: null latents", "latents", () -> mdm.denoiser().predict(null, time, classes)));
        c.add(Case.invalid("predict: null time input", "timeInput", () -> mdm.denoiser().predict(z, null, classes)));
        c.add(Case.invalid("predict: null class ids", "classIds", () -> mdm.denoiser().predict(z, time, null)));
        // ---- blocks and their mixers
        c.add(Case.invalid("block(blocks)", "index", () -> mdm.block(C.blocks())));
        c.add(Case.invalid("block(−1)", "index", () -> mdm.block(-1)));
        c.add(Case.invalid("runtime().block(blocks)", "index", () -> mdm.runtime().block(C.blocks())));
        c.add(Case.invalid("block forward: one token short", "x",
                () -> mdm.block(0).forward(TinyModel.normal(r, 1, len - 1, d))));
        c.add(Case.invalid("block forward: NaN", "x", () -> mdm.block(1).forward(with(x, 17, Double.NaN))));
        c.add(Case.invalid("block forward: null", "x", () -> mdm.block(0).forward(null)));
        c.add(Case.invalid("block mixer: width d − 1", "u", () -> mdm.block(0).mixer(TinyModel.normal(r, 1, 5, d - 1))));
        c.add(Case.invalid("block mixer: −∞", "u",
                () -> mdm.block(0).mixer(with(TinyModel.normal(r, 1, 5, d), 3, Double.NEGATIVE_INFINITY))));
        c.add(Case.invalid("block mixer: an empty sequence", "u", () -> mdm.block(0).mixer(Tensor.zeros(1, 0, d))));
        // ---- scan switch
        c.add(Case.invalid("imageOrder(imageScans)", "order", () -> mdm.scanSwitch().imageOrder(C.imageScans())));
        c.add(Case.invalid("imageOrder(−1)", "order", () -> mdm.scanSwitch().imageOrder(-1)));
        c.add(Case.invalid("textOrder(textScans)", "order", () -> mdm.scanSwitch().textOrder(C.textScans())));
        c.add(Case.invalid("sequenceOrder(−1)", "block", () -> mdm.scanSwitch().sequenceOrder(-1)));
        c.add(Case.invalid("permute: block −1", "block", () -> mdm.scanSwitch().permute(-1, x)));
        c.add(Case.invalid("permute: one token short", "x",
                () -> mdm.scanSwitch().permute(0, TinyModel.normal(r, 1, len - 1, d))));
        c.add(Case.invalid("permute: NaN", "x", () -> mdm.scanSwitch().permute(0, with(x, 2, Double.NaN))));
        c.add(Case.invalid("unpermute: +∞", "y", () -> mdm.scanSwitch().unpermute(1, with(x, 2, Double.POSITIVE_INFINITY))));
        c.add(Case.invalid("unpermute: null", "y", () -> mdm.scanSwitch().unpermute(1, null)));
        // ---- sampler
        c.add(Case.invalid("sample: x_T with NaN", "xT", () -> mdm.sampler().sample(with(z, 0, Double.NaN), model, null, 1)));
        c.add(Case.invalid("sample: x_T with +∞", "xT",
                () -> mdm.sampler().sample(with(z, 4, Double.POSITIVE_INFINITY), model, null, 1)));
        c.add(Case.invalid("sample: null x_T", "xT", () -> mdm.sampler().sample(null, model, null, 1)));
        c.add(Case.invalid("sample: null model", "model", () -> mdm.sampler().sample(z, null, null, 1)));
        // sampler settings are configuration: every violation is listed in one ConfigurationException
        c.add(new Case("sampler settings: 0 steps", "steps", ConfigurationException.class,
                () -> SamplerSettings.defaults().withSteps(0)));
        c.add(new Case("sampler settings: −3 steps", "steps", ConfigurationException.class,
                () -> SamplerSettings.defaults().withSteps(-3)));
        // ---- prompts and tasks
        c.add(Case.invalid("Prompt.textToImage(\"\")", "text", () -> Prompt.textToImage("")));
        c.add(Case.invalid("Prompt.textToImage(\"   \")", "text", () -> Prompt.textToImage("   ")));
        c.add(Case.invalid("Prompt.textToImage(null)", "text", () -> Prompt.textToImage(null)));
        c.add(Case.invalid("withSteps(0)", "steps", () -> Prompt.joint(1).withSteps(0)));
        c.add(Case.invalid("withSteps(−1)", "steps", () -> Prompt.joint(1).withSteps(-1)));
        c.add(Case.invalid("guidance −0.5", "guidance", () -> Prompt.classConditional(1, -0.5)));
        c.add(Case.invalid("guidance NaN", "guidance", () -> Prompt.classConditional(1, Double.NaN)));
        c.add(Case.invalid("guidance +∞", "guidance", () -> Prompt.classConditional(1, Double.POSITIVE_INFINITY)));
        c.add(Case.invalid("withGuidance(−∞)", "guidance", () -> Prompt.joint(1).withGuidance(Double.NEGATIVE_INFINITY)));
        c.add(Case.invalid("withGuidance on a prompt without a class", "guidance", () -> Prompt.joint().withGuidance(2)));
        c.add(Case.invalid("class id −1", "classId", () -> Prompt.joint(-1)));
        c.add(Case.invalid("generate: class id = classes", "classId", () -> mdm.generate(Prompt.joint(C.classes()))));
        c.add(Case.invalid("generate: a text longer than textLength", "text", () -> mdm.generate(Prompt.textToImage(longText))));
        c.add(Case.invalid("generate: count 0", "count", () -> mdm.generate(Prompt.joint(1), 0)));
        c.add(Case.invalid("generate: null prompt", "prompt", () -> mdm.generate(null)));
        c.add(Case.invalid("textToImage: empty", "text", () -> mdm.textToImage("")));
        c.add(Case.invalid("textToImage: longer than textLength", "text", () -> mdm.textToImage(longText)));
        c.add(Case.invalid("caption: a [C, H, W + 1] image", "image", () -> mdm.caption(TinyModel.normal(r, ch, h, w + 1))));
        c.add(Case.invalid("caption: two channels", "image", () -> mdm.caption(TinyModel.normal(r, 2, h, w))));
        c.add(Case.invalid("caption: a NaN pixel", "image", () -> mdm.caption(with(oneImage, 6, Double.NaN))));
        c.add(Case.invalid("caption: a pixel of 1.5, outside [-1, 1]", "image", () -> mdm.caption(with(oneImage, 6, 1.5))));
        c.add(Case.invalid("caption: null", "image", () -> mdm.caption(null)));
        c.add(Case.invalid("captions: an empty batch", "images", () -> mdm.captions(Tensor.zeros(0, ch, h, w))));
        c.add(Case.invalid("captions: −∞", "images", () -> mdm.captions(with(images, 1, Double.NEGATIVE_INFINITY))));
        c.add(Case.invalid("answer: an empty question", "question", () -> mdm.answer(oneImage, "")));
        c.add(Case.invalid("answer: a question that fills the text", "question", () -> mdm.answer(oneImage, longText)));
        c.add(Case.invalid("answer: null question", "question", () -> mdm.answer(oneImage, null)));
        c.add(Case.invalid("answer: a +∞ pixel", "image", () -> mdm.answer(with(oneImage, 0, Double.POSITIVE_INFINITY), "what?")));
        c.add(Case.invalid("answers: one question for two images", "questions", () -> mdm.answers(images, List.of("what?"))));
        c.add(Case.invalid("complete: an empty prompt", "prompt", () -> mdm.complete("")));
        c.add(Case.invalid("complete: a prompt that fills the text", "prompt", () -> mdm.complete(longText)));
        c.add(Case.invalid("complete: null", "prompt", () -> mdm.complete(null)));
        // ---- files and builders: null arguments are NullPointerExceptions naming the argument
        c.add(Case.nul("save(null)", "path", () -> mdm.save(null)));
        c.add(Case.nul("exportOnnx(null)", "directory", () -> mdm.exportOnnx(null)));
        c.add(Case.nul("MDM.load(null)", "path", () -> MDM.load(null)));
        c.add(Case.nul("builder parameters(null)", "parameters", () -> MDM.builder().parameters(null)));
        c.add(Case.nul("builder config(null)", "config", () -> MDM.builder().config(null)));
        return c;
    }

    @TestFactory
    @DisplayName("each bad call is refused, naming the argument, and the model still gives the same outputs")
    Stream<DynamicTest> badCallsAreRefused() {
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.what() + " → " + c.type().getSimpleName() + " naming '"
                + c.argument() + "'", () -> {
                    Throwable thrown = catchThrowable(c.call());
                    assertThat(thrown).as(c.what()).isInstanceOf(c.type());
                    if (thrown instanceof InvalidInputException e) {
                        assertThat(e.argument()).as("argument named by: " + e.getMessage()).isEqualTo(c.argument());
                        assertThat(e.getMessage()).as(c.what()).matches("(?s)invalid argument '.+': expected .+, got .+");
                    } else {
                        assertThat(thrown.getMessage()).as(c.what()).contains(c.argument());
                    }
                    assertStillUsable();
                }));
    }

    private static void assertStillUsable() {
        assertThat(mdm.denoiser().predict(latents, time, classes).contentEquals(baseline))
                .as("the denoiser's output after the refused call is bit-identical to before").isTrue();
    }

    @Test
    @DisplayName("a closed MDM refuses every method with IllegalStateException naming it, and close stays idempotent")
    void closedMdm() {
        MDM closed = TinyModel.open();
        var encoder = closed.encoder();
        var denoiser = closed.denoiser();
        var block = closed.block(0);
        var scan = closed.scanSwitch();
        closed.close();
        closed.close();
        Tensor oneImage = TinyModel.images(new SplittableRandom(1), 1).reshape(C.imageChannels(), C.imageHeight(), C.imageWidth());
        Map<String, ThrowingCallable> calls = new java.util.LinkedHashMap<>();
        calls.put("backend()", closed::backend);
        calls.put("runtime()", closed::runtime);
        calls.put("encoder()", closed::encoder);
        calls.put("decoder()", closed::decoder);
        calls.put("scanSwitch()", closed::scanSwitch);
        calls.put("block(0)", () -> closed.block(0));
        calls.put("denoiser()", closed::denoiser);
        calls.put("loss()", closed::loss);
        calls.put("sampler()", closed::sampler);
        calls.put("parameters()", closed::parameters);
        calls.put("trainer()", closed::trainer);
        calls.put("save(path)", () -> closed.save(Path.of("never-written.safetensors")));
        calls.put("exportOnnx(dir)", () -> closed.exportOnnx(Path.of("never-written")));
        calls.put("generate(prompt)", () -> closed.generate(Prompt.joint(1).withSeed(1)));
        calls.put("textToImage(text)", () -> closed.textToImage("a shirt"));
        calls.put("caption(image)", () -> closed.caption(oneImage));
        calls.put("answer(image, question)", () -> closed.answer(oneImage, "what?"));
        calls.put("complete(prompt)", () -> closed.complete("a shirt"));
        calls.forEach((name, call) -> assertThat(catchThrowable(call)).as(name).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("MDM").hasMessageContaining("closed"));
        // components taken before close: the runtime under them is closed
        SplittableRandom r = new SplittableRandom(2);
        Map<String, ThrowingCallable> held = new java.util.LinkedHashMap<>();
        held.put("encoder.encodeImage", () -> encoder.encodeImage(TinyModel.images(r, 1)));
        held.put("denoiser.predict", () -> denoiser.predict(latents, time, classes));
        held.put("block.forward", () -> block.forward(TinyModel.normal(r, 1, C.sequenceLength(), C.dModel())));
        held.put("scanSwitch.permute", () -> scan.permute(0, TinyModel.normal(r, 1, C.sequenceLength(), C.dModel())));
        held.forEach((name, call) -> assertThat(catchThrowable(call)).as(name).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed"));
        assertThat(closed.isClosed()).isTrue();
        assertStillUsable();
    }

    @Test
    @DisplayName("a closed runtime and a closed mixer refuse use with IllegalStateException naming them; close is idempotent")
    void closedRuntimeAndMixer() {
        try (MDM other = TinyModel.open()) {
            ModelRuntime runtime = other.backend().load(C, ParameterInitializer.initialize(C, 3));
            MambaShape shape = MambaShape.of(C);
            MambaMixer mixer = other.backend().mambaMixer(shape, ParameterInitializer.initialize(C, 3).withPrefixRemoved("blocks.0.mixer."));
            Tensor u = TinyModel.normal(new SplittableRandom(4), 1, 5, C.dModel());
            assertThat(mixer.forward(u).shape()).containsExactly(1, 5, C.dModel());
            runtime.close();
            runtime.close();
            mixer.close();
            mixer.close();
            assertThat(catchThrowable(() -> runtime.denoiser().predict(latents, time, classes)))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("ModelRuntime is closed");
            assertThat(catchThrowable(() -> mixer.forward(u))).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("MambaMixer is closed");
            // the model the runtime and mixer came from is unaffected
            assertThat(other.denoiser().predict(latents, time, classes).shape()).isEqualTo(baseline.shape());
        }
        assertStillUsable();
    }
}

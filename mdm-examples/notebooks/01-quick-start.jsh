// 01 · Quick start: open a model, generate an image with its caption, caption an image, answer a question,
// save and reload. Runs in seconds on the tiny preset (8×8 images) with the default CPU backend.
// Run it: bin/notebook mdm-examples/notebooks/01-quick-start.jsh   (files go under target/notebooks/)

import dev.mdm.*;
import dev.mdm.task.*;
import dev.mdm.tensor.Tensor;
import dev.mdm.text.SentencePieceTokenizer;
import dev.mdm.examples.model.LoadedModel;
import dev.mdm.examples.model.ShippedModel;
import dev.mdm.examples.image.Images;
import java.nio.file.*;
import java.util.*;

// Which backends are here, and which one MDM picks (mdm.backend / MDM_BACKEND override the choice).
System.out.println(MDM.diagnose());

// The SentencePiece tokenizer of the project's captions ships with the examples.
var tokenizer = SentencePieceTokenizer.fromBytes(ShippedModel.tokenizerModel(), "fashion.model");
System.out.println("tokenizer: " + tokenizer.vocabSize() + " pieces; 'a photo of a coat' -> "
        + Arrays.toString(tokenizer.encode("a photo of a coat")));

// A tiny model with fresh weights (untrained, so its pictures and words are noise; notebook 03 trains one).
// configFor fits it to the tokenizer: its vocabulary, and 12 text tokens so every caption of the data fits.
var config = LoadedModel.configFor("tiny", tokenizer.vocabSize());
var mdm = MDM.builder().config(config).tokenizer(tokenizer).seed(7).build();
System.out.println(mdm);

// Joint generation: an image and its caption, sampled together from one noise (DPM-Solver++, 10 steps).
var generated = mdm.generate(Prompt.joint().withSteps(10).withSeed(1));
System.out.println("image " + Arrays.toString(generated.image().shape()) + ", caption: " + generated.caption().orElseThrow());

// Four images of class 2 with classifier-free guidance, written as an upscaled PNG grid.
var ofClass = mdm.generate(Prompt.classConditional(2, 2.0).withSteps(10).withSeed(2), 4);
var grid = Images.writePng(Images.grid(ofClass.stream().map(Generation::image).toList(), 4, 16),
        Path.of("target/notebooks/01-class-2.png"));
System.out.println("wrote " + grid.toAbsolutePath());

// Image to text: captioning and visual question answering are deterministic. By default the text starts from the
// prior's mean (temperature 0, decision D18) and heads for the mode of the model's captions; temperature 1 draws
// a sample instead (from the settings' seed, 0 unless withSeed(s) sets it: the same sample for the same seed, another
// for another; on this untrained model it may equal the caption), and withImageGuidance(w) guides the text on its
// image (decision D17) at twice the work.
var caption = mdm.caption(generated.image());
var sampled = mdm.caption(generated.image(), TextSampling.SAMPLE.withSeed(7));
var answer = mdm.answer(generated.image(), "what shape?");
System.out.println("caption: " + caption + " | a sample: " + sampled + " | answer: " + answer);
if (!caption.equals(mdm.caption(generated.image()))) throw new AssertionError("captioning must be deterministic");

// Save and reload: the checkpoint holds the config and weights; the reloaded model computes the same thing.
var file = Path.of("target/notebooks/01-tiny.safetensors");
Files.createDirectories(file.getParent());
mdm.save(file);
var again = MDM.builder().checkpoint(file).tokenizer(tokenizer).build();
var same = again.generate(Prompt.joint().withSteps(10).withSeed(1));
System.out.println("reloaded model, same seed, same caption: " + same.caption().orElseThrow());
if (!same.caption().equals(generated.caption())) throw new AssertionError("a reloaded model must reproduce the caption");

again.close();
mdm.close();
tokenizer.close();

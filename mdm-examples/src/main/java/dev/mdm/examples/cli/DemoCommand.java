package dev.mdm.examples.cli;

import dev.mdm.MDM;
import dev.mdm.MdmConfig;
import dev.mdm.data.Example;
import dev.mdm.data.FashionCaptions;
import dev.mdm.data.FashionMnist;
import dev.mdm.data.InvalidDataFileException;
import dev.mdm.examples.eval.TextMetrics;
import dev.mdm.examples.image.Images;
import dev.mdm.examples.model.LoadedModel;
import dev.mdm.examples.model.ModelChoice;
import dev.mdm.examples.model.ShippedModel;
import dev.mdm.examples.report.HtmlPage;
import dev.mdm.task.Generation;
import dev.mdm.task.Prompt;
import dev.mdm.tensor.Tensor;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code mdm demo}: the first thing to run; pictures and a page. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Show what the model does, in pictures: loads the shipped fashion model and tokenizer, generates "
                + "images with captions and images of each class, captions real Fashion-MNIST test images and answers "
                + "questions about them (when the files are installed), and writes PNG grids and index.html under --out.",
                "Open <out>/index.html in a browser."},
        footer = {"", "Examples:", "  mdm demo", "  mdm demo --out /tmp/demo --backend reference"})
public final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model;

    @Option(names = "--out", defaultValue = "mdm-demo", paramLabel = "DIR",
            description = "Where to write the pictures and index.html (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--samples", defaultValue = "8", paramLabel = "N",
            description = "Image+caption pairs to generate, and test images to caption (default ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--steps", defaultValue = "10", paramLabel = "N",
            description = "Sampler steps per generation (default ${DEFAULT-VALUE}: DPM-Solver++ needs few).")
    int steps;

    @Option(names = "--guidance", defaultValue = "2.0", paramLabel = "W",
            description = "Classifier-free guidance of the per-class images (default ${DEFAULT-VALUE}).")
    double guidance;

    @Option(names = "--fashion-dir", paramLabel = "DIR", description = "Directory of the Fashion-MNIST IDX files.")
    Path fashionDirectory;

    @Override
    public Integer call() {
        OptionChecks.atLeast("--samples", samples, 1);
        OptionChecks.atLeast("--steps", steps, 1);
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        long demoStart = System.nanoTime();
        Map<String, Double> timings = new LinkedHashMap<>();
        ModelChoice choice = model.choice("fashion").withSamplerSteps(steps);
        long t0 = System.nanoTime();
        try (LoadedModel loaded = LoadedModel.open(choice)) {
            timings.put("load model and tokenizer", seconds(t0));
            MDM mdm = loaded.mdm();
            MdmConfig config = mdm.config();
            int scale = GenerateCommand.scale(config);
            HtmlPage page = new HtmlPage("Multi-modal Diffusion Mamba: demo");
            page.paragraph("Model: " + loaded.origin() + ". Backend: " + loaded.backendDescription() + ". Preset: "
                    + config.imageChannels() + "×" + config.imageHeight() + "×" + config.imageWidth() + " images, "
                    + config.textLength() + " text tokens, d = " + config.dModel() + ", " + config.blocks() + " blocks. "
                    + "Sampler: DPM-Solver++, " + steps + " steps.");
            if (!loaded.trained()) {
                String why = "No trained fashion checkpoint ships with this build (" + ShippedModel.CHECKPOINT_RESOURCE
                        + " is absent), so the demo runs a freshly initialized model: its pictures and texts are noise. "
                        + "Train one with: " + ShippedModel.TRAIN_COMMAND + " and run: mdm demo --checkpoint "
                        + "mdm-train/model.safetensors";
                err.println("note: " + why);
                page.notice(why);
            }
            err.println("model: " + loaded.origin() + "; backend " + loaded.backendDescription());

            // 1. image and caption generated together
            t0 = System.nanoTime();
            List<Generation> joint = mdm.generate(Prompt.joint().withSeed(model.seed), samples);
            timings.put(samples + " image+caption pairs", seconds(t0));
            List<Tensor> jointImages = joint.stream().map(Generation::image).toList();
            Images.writePng(Images.grid(jointImages, 8, scale), out.resolve("joint.png"));
            List<HtmlPage.Card> cards = new ArrayList<>();
            for (int i = 0; i < joint.size(); i++) {
                Generation g = joint.get(i);
                cards.add(new HtmlPage.Card(Images.picture(g.image(), scale), g.caption().orElse("(no caption)"),
                        "sample " + (i + 1) + ", seed " + g.seed()));
            }
            page.section("Images and captions generated together").cards(cards);
            stdout.println("generated " + samples + " image+caption pairs: " + out.resolve("joint.png"));

            // 2. one image per class, with classifier-free guidance
            int classes = Math.min(config.classes(), 10);
            List<String> names = config.classes() == FashionCaptions.CLASS_NAMES.size() ? FashionCaptions.CLASS_NAMES : null;
            t0 = System.nanoTime();
            List<Tensor> perClass = new ArrayList<>();
            List<HtmlPage.Card> classCards = new ArrayList<>();
            for (int c = 0; c < classes; c++) {
                Generation g = mdm.generate(Prompt.classConditional(c, guidance).withSeed(model.seed + 100 + c));
                perClass.add(g.image());
                classCards.add(new HtmlPage.Card(Images.picture(g.image(), scale), names != null ? names.get(c) : "class " + c,
                        "guidance " + guidance));
            }
            timings.put(classes + " class-conditional images", seconds(t0));
            Images.writePng(Images.grid(perClass, 10, scale), out.resolve("classes.png"));
            page.section("One image per class (classifier-free guidance " + guidance + ")").cards(classCards);
            stdout.println("generated one image per class: " + out.resolve("classes.png"));

            // 3. captions and answers about real test images
            realImages(mdm, config, scale, page, timings, stdout, err);

            timings.put("total", seconds(demoStart));
            List<List<String>> rows = new ArrayList<>();
            timings.forEach((k, v) -> rows.add(List.of(k, String.format("%.2f s", v))));
            page.section("Timings").table(List.of("step", "wall time"), rows);
            page.paragraph("Made by 'mdm demo' (" + new VersionProvider().getVersion()[0] + ", "
                    + new VersionProvider().getVersion()[1] + ") on " + Runtime.getRuntime().availableProcessors() + " cores.");
            Path index = page.write(out.resolve("index.html"));
            stdout.printf("done in %.1f s; open %s%n", timings.get("total"), index.toAbsolutePath());
        }
        return ExitCodes.OK;
    }

    private void realImages(MDM mdm, MdmConfig config, int scale, HtmlPage page, Map<String, Double> timings,
                            PrintWriter stdout, PrintWriter err) {
        page.section("Captions and answers about real Fashion-MNIST test images");
        if (config.imageChannels() != 1 || config.imageHeight() != FashionMnist.SIDE || config.imageWidth() != FashionMnist.SIDE) {
            page.paragraph("Skipped: this model's images are not 1×28×28.");
            return;
        }
        FashionMnist test;
        try {
            test = fashionDirectory == null ? FashionMnist.load(FashionMnist.Split.TEST)
                    : FashionMnist.load(fashionDirectory, FashionMnist.Split.TEST, new FashionCaptions(0));
        } catch (InvalidDataFileException e) {
            String how = "The Fashion-MNIST files are not installed, so there are no real images to caption. Get them with: "
                    + "sudo apt-get install dataset-fashion-mnist (they go to " + FashionMnist.DEBIAN_DIRECTORY
                    + "), or pass --fashion-dir DIR holding the IDX files.";
            err.println("note: " + how);
            page.notice(how);
            return;
        }
        // test images spread over the set, so several classes show up
        List<Example> examples = new ArrayList<>();
        double[] pixels = new double[samples * FashionMnist.SIDE * FashionMnist.SIDE];
        for (int i = 0; i < samples; i++) {
            Example e = test.get(i * 997 % test.size());
            examples.add(e);
            System.arraycopy(e.image().toDoubleArray(), 0, pixels, i * e.image().size(), e.image().size());
        }
        Tensor batch = Tensor.of(pixels, samples, 1, FashionMnist.SIDE, FashionMnist.SIDE);
        long t0 = System.nanoTime();
        List<String> captions = mdm.captions(batch);
        timings.put(samples + " captions of test images", seconds(t0));
        List<String> questions = new ArrayList<>();
        for (Example e : examples) {
            questions.add(e.question());
        }
        t0 = System.nanoTime();
        List<String> answers = mdm.answers(batch, questions);
        timings.put(samples + " answers about test images", seconds(t0));
        List<HtmlPage.Card> cards = new ArrayList<>();
        List<List<String>> rows = new ArrayList<>();
        int rightClass = 0;
        int rightAnswer = 0;
        for (int i = 0; i < samples; i++) {
            Example e = examples.get(i);
            String truth = FashionCaptions.CLASS_NAMES.get(e.classId());
            boolean named = TextMetrics.namesExactly(captions.get(i), e.classId());
            boolean answered = TextMetrics.isCorrectAnswer(answers.get(i), e.answer());
            rightClass += named ? 1 : 0;
            rightAnswer += answered ? 1 : 0;
            cards.add(new HtmlPage.Card(Images.picture(e.image(), scale), captions.get(i), "truth: " + truth));
            rows.add(List.of(Integer.toString(i + 1), e.question(), answers.get(i), e.answer(), answered ? "yes" : "no"));
        }
        Images.writePng(Images.grid(examples.stream().map(Example::image).toList(), 8, scale), out.resolve("test-images.png"));
        page.cards(cards).paragraph(String.format("The caption names the right class for %d of %d images.", rightClass, samples));
        page.section("Questions about the same images").table(List.of("image", "question", "model's answer", "true answer", "right"), rows)
                .paragraph(String.format("%d of %d answers are right.", rightAnswer, samples));
        stdout.printf("captioned %d test images (%d name the right class) and answered %d questions (%d right): %s%n",
                samples, rightClass, samples, rightAnswer, out.resolve("test-images.png"));
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}

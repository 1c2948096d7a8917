package dev.mdm.examples.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.mdm.InvalidInputException;
import dev.mdm.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.imageio.ImageIO;

/**
 * What an evaluation found: a JSON-ready summary (numbers, and for each part not computed the reason) and sections of
 * sample images with their texts, written as {@code NAME.json} and {@code NAME.html} (with {@code NAME-images/*.png}).
 *
 * @param title the page title
 * @param summary nested maps, lists, strings, numbers and booleans, in the order they are shown
 * @param sections the image grids
 */
public record EvaluationReport(String title, Map<String, Object> summary, List<Section> sections) {
    /** Largest side a picture is upscaled to (nearest neighbour), so a 28×28 sample shows at 112×112. */
    static final int PICTURE_SIDE = 112;

    /**
     * One image of a grid.
     *
     * @param image [C, H, W] in [-1, 1], C = 1 (grey) or 3 (RGB)
     * @param caption what it was made from or what the model said
     * @param note a judgement, e.g. "✓ classified as sneaker"
     */
    public record Card(Tensor image, String caption, String note) {
        /** Checks the parts. */
        public Card {
            Objects.requireNonNull(image, "image");
            Objects.requireNonNull(caption, "caption");
            Objects.requireNonNull(note, "note");
        }
    }

    /**
     * A titled grid of images.
     *
     * @param title the heading
     * @param text a sentence above the grid
     * @param cards the images
     */
    public record Section(String title, String text, List<Card> cards) {
        /** Copies the cards. */
        public Section {
            Objects.requireNonNull(title, "title");
            Objects.requireNonNull(text, "text");
            cards = List.copyOf(cards);
        }
    }

    /** Copies the parts. */
    public EvaluationReport {
        Objects.requireNonNull(title, "title");
        summary = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(summary));
        sections = List.copyOf(sections);
    }

    /**
     * Writes {@code name.json} (the summary), {@code name.html} (summary and grids) and the pictures under
     * {@code name-images/}; each file is written to a temporary file and moved into place.
     *
     * @param directory created if needed
     * @param name the base name, e.g. {@code eval}
     * @return the HTML page
     */
    public Path write(Path directory, String name) {
        if (directory == null || name == null || !name.matches("[A-Za-z0-9._-]+")) {
            throw new InvalidInputException("directory/name", "a directory and a plain file name", directory + "/" + name);
        }
        try {
            Files.createDirectories(directory);
            String json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(summary);
            atomicWrite(directory.resolve(name + ".json"), json.getBytes(StandardCharsets.UTF_8));
            Path images = directory.resolve(name + "-images");
            Files.createDirectories(images);
            StringBuilder html = new StringBuilder();
            html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(escape(title))
                    .append("</title>\n<style>body{font-family:sans-serif;margin:2em;max-width:80em}"
                            + "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left;vertical-align:top}"
                            + ".grid{display:flex;flex-wrap:wrap;gap:.8em}figure{margin:0;width:" + (PICTURE_SIDE + 8) + "px;font-size:.8em}"
                            + "img{image-rendering:pixelated;border:1px solid #999}</style></head><body>\n<h1>")
                    .append(escape(title)).append("</h1>\n");
            html.append(table(summary));
            int picture = 0;
            for (Section s : sections) {
                html.append("<h2>").append(escape(s.title())).append("</h2>\n<p>").append(escape(s.text()))
                        .append("</p>\n<div class=\"grid\">\n");
                for (Card c : s.cards()) {
                    String file = String.format("%04d.png", picture++);
                    writePng(c.image(), images.resolve(file));
                    html.append("<figure><img src=\"").append(name).append("-images/").append(file).append("\" alt=\"")
                            .append(escape(c.caption())).append("\"><figcaption>").append(escape(c.caption()))
                            .append("<br><i>").append(escape(c.note())).append("</i></figcaption></figure>\n");
                }
                html.append("</div>\n");
            }
            html.append("</body></html>\n");
            Path page = directory.resolve(name + ".html");
            atomicWrite(page, html.toString().getBytes(StandardCharsets.UTF_8));
            return page;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report under " + directory, e);
        }
    }

    private static String table(Map<?, ?> map) {
        StringBuilder b = new StringBuilder("<table>\n");
        map.forEach((k, v) -> b.append("<tr><th>").append(escape(String.valueOf(k))).append("</th><td>")
                .append(v instanceof Map<?, ?> m ? table(m) : escape(format(v))).append("</td></tr>\n"));
        return b.append("</table>\n").toString();
    }

    private static String format(Object v) {
        if (v instanceof Double d) {
            return Math.abs(d) >= 1e-3 || d == 0 ? String.format(java.util.Locale.ROOT, "%.4f", d) : String.valueOf(d);
        }
        return String.valueOf(v);
    }

    /**
     * Renders an image as a picture, upscaled by nearest neighbour to about {@value #PICTURE_SIDE} pixels.
     *
     * @param image [C, H, W] in [-1, 1], C = 1 or 3
     * @return the picture
     */
    static BufferedImage picture(Tensor image) {
        if (image == null || image.rank() != 3 || (image.dim(0) != 1 && image.dim(0) != 3)) {
            throw new InvalidInputException("image", "a [1 or 3, H, W] tensor",
                    image == null ? "null" : java.util.Arrays.toString(image.shape()));
        }
        int c = image.dim(0);
        int h = image.dim(1);
        int w = image.dim(2);
        int scale = Math.max(1, PICTURE_SIDE / Math.max(h, w));
        double[] v = image.toDoubleArray();
        BufferedImage out = new BufferedImage(w * scale, h * scale, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h * scale; y++) {
            for (int x = 0; x < w * scale; x++) {
                int rgb = 0;
                for (int ch = 0; ch < 3; ch++) {
                    double value = v[((c == 1 ? 0 : ch) * h + y / scale) * w + x / scale];
                    int level = (int) Math.round((Math.clamp(Double.isFinite(value) ? value : -1, -1, 1) + 1) * 127.5);
                    rgb = rgb << 8 | level;
                }
                out.setRGB(x, y, rgb);
            }
        }
        return out;
    }

    private static void writePng(Tensor image, Path file) throws IOException {
        Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
        if (!ImageIO.write(picture(image), "png", tmp.toFile())) {
            throw new IOException("no PNG writer in javax.imageio");
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void atomicWrite(Path file, byte[] bytes) throws IOException {
        Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
        Files.write(tmp, bytes);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}

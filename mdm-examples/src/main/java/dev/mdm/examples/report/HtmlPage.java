package dev.mdm.examples.report;

import dev.mdm.examples.image.Images;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A self-contained HTML page (pictures inlined as data URIs, no scripts, no external files) for the demo and
 * evaluation reports. Text is escaped; only this class writes markup.
 */
public final class HtmlPage {
    private final StringBuilder body = new StringBuilder();
    private final String title;

    /** @param title the page title */
    public HtmlPage(String title) {
        this.title = title;
        body.append("<h1>").append(escape(title)).append("</h1>\n");
    }

    /**
     * @param text any text
     * @return the text with HTML's special characters escaped
     */
    public static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /**
     * @param heading a section heading
     * @return this page
     */
    public HtmlPage section(String heading) {
        body.append("<h2>").append(escape(heading)).append("</h2>\n");
        return this;
    }

    /**
     * @param text a paragraph
     * @return this page
     */
    public HtmlPage paragraph(String text) {
        body.append("<p>").append(escape(text)).append("</p>\n");
        return this;
    }

    /**
     * @param text a warning shown in a box
     * @return this page
     */
    public HtmlPage notice(String text) {
        body.append("<p class=\"notice\">").append(escape(text)).append("</p>\n");
        return this;
    }

    /**
     * @param text text shown as code
     * @return this page
     */
    public HtmlPage code(String text) {
        body.append("<pre>").append(escape(text)).append("</pre>\n");
        return this;
    }

    /**
     * A row of pictures, each with a caption under it.
     *
     * @param cards the pictures with their captions
     * @return this page
     */
    public HtmlPage cards(List<Card> cards) {
        body.append("<div class=\"cards\">\n");
        for (Card c : cards) {
            body.append("<figure><img src=\"").append(Images.dataUri(c.picture())).append("\" alt=\"")
                    .append(escape(c.caption())).append("\"><figcaption>").append(escape(c.caption()));
            if (!c.note().isEmpty()) {
                body.append("<br><small>").append(escape(c.note())).append("</small>");
            }
            body.append("</figcaption></figure>\n");
        }
        body.append("</div>\n");
        return this;
    }

    /**
     * @param picture a picture shown at its size
     * @param alt its description
     * @return this page
     */
    public HtmlPage picture(BufferedImage picture, String alt) {
        body.append("<p><img src=\"").append(Images.dataUri(picture)).append("\" alt=\"").append(escape(alt)).append("\"></p>\n");
        return this;
    }

    /**
     * @param header column names
     * @param rows cells, as text
     * @return this page
     */
    public HtmlPage table(List<String> header, List<List<String>> rows) {
        body.append("<table><tr>");
        header.forEach(h -> body.append("<th>").append(escape(h)).append("</th>"));
        body.append("</tr>\n");
        for (List<String> row : rows) {
            body.append("<tr>");
            row.forEach(cell -> body.append("<td>").append(escape(cell)).append("</td>"));
            body.append("</tr>\n");
        }
        body.append("</table>\n");
        return this;
    }

    /**
     * @param file where to write the page (its directory is created)
     * @return the file
     */
    public Path write(Path file) {
        String html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escape(title)
                + "</title>\n<style>\n"
                + "body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222;background:#fafafa}\n"
                + ".cards{display:flex;flex-wrap:wrap;gap:14px}\n"
                + "figure{margin:0;width:150px;background:#fff;border:1px solid #ddd;border-radius:6px;padding:6px;text-align:center}\n"
                + "figure img{width:140px;height:140px;image-rendering:pixelated}\n"
                + "figcaption{font-size:14px;margin-top:4px}\n"
                + "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 10px;text-align:left}\n"
                + "th{background:#eee}.notice{background:#fff3cd;border:1px solid #e0c060;padding:10px;border-radius:6px}\n"
                + "pre{background:#eee;padding:8px;border-radius:4px}\n"
                + "</style></head><body>\n" + body + "</body></html>\n";
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, html, StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * A picture with its caption.
     *
     * @param picture the picture
     * @param caption the text under it
     * @param note smaller text under the caption, or empty
     */
    public record Card(BufferedImage picture, String caption, String note) {
    }
}

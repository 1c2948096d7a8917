package dev.mdm.examples.image;

import dev.mdm.InvalidInputException;
import dev.mdm.tensor.Tensor;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Turns model images ([C, H, W] tensors in [-1, 1], C = 1 or 3) into PNG pictures and back. Pictures are upscaled by
 * nearest neighbour so that a 28×28 image is big enough to see and every model pixel stays a sharp square.
 */
public final class Images {
    private Images() {
    }

    /**
     * @param image [C, H, W] with C = 1 (grey) or 3 (RGB), values in [-1, 1] (clipped)
     * @param scale screen pixels per model pixel, ≥ 1
     * @return the picture
     */
    public static BufferedImage picture(Tensor image, int scale) {
        int[] s = image.shape();
        if (s.length != 3 || (s[0] != 1 && s[0] != 3)) {
            throw new InvalidInputException("image", "[C, H, W] with C = 1 or 3", java.util.Arrays.toString(s));
        }
        if (scale < 1) {
            throw new InvalidInputException("scale", "≥ 1", Integer.toString(scale));
        }
        int c = s[0];
        int h = s[1];
        int w = s[2];
        double[] v = image.toDoubleArray();
        BufferedImage out = new BufferedImage(w * scale, h * scale, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int r = level(v[y * w + x]);
                int g = c == 3 ? level(v[h * w + y * w + x]) : r;
                int b = c == 3 ? level(v[2 * h * w + y * w + x]) : r;
                int rgb = (r << 16) | (g << 8) | b;
                for (int dy = 0; dy < scale; dy++) {
                    for (int dx = 0; dx < scale; dx++) {
                        out.setRGB(x * scale + dx, y * scale + dy, rgb);
                    }
                }
            }
        }
        return out;
    }

    private static int level(double v) {
        double clipped = Double.isNaN(v) ? -1 : Math.max(-1, Math.min(1, v));
        return (int) Math.round((clipped + 1) * 127.5);
    }

    /**
     * @param images images of one size, [C, H, W] each
     * @param columns pictures per row, ≥ 1
     * @param scale screen pixels per model pixel
     * @return the images in a grid, separated by a 2-pixel dark border
     */
    public static BufferedImage grid(List<Tensor> images, int columns, int scale) {
        if (images.isEmpty()) {
            throw new InvalidInputException("images", "at least one image", "none");
        }
        int gap = 2;
        int cols = Math.min(columns, images.size());
        int rows = (images.size() + cols - 1) / cols;
        BufferedImage first = picture(images.get(0), scale);
        int cw = first.getWidth();
        int ch = first.getHeight();
        BufferedImage out = new BufferedImage(cols * (cw + gap) + gap, rows * (ch + gap) + gap, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setColor(new Color(40, 40, 48));
            g.fillRect(0, 0, out.getWidth(), out.getHeight());
            for (int i = 0; i < images.size(); i++) {
                BufferedImage p = i == 0 ? first : picture(images.get(i), scale);
                g.drawImage(p, gap + (i % cols) * (cw + gap), gap + (i / cols) * (ch + gap), null);
            }
        } finally {
            g.dispose();
        }
        return out;
    }

    /**
     * @param picture a picture
     * @param file the PNG to write (parent directories are created)
     * @return the file
     */
    public static Path writePng(BufferedImage picture, Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            if (!ImageIO.write(picture, "png", file.toFile())) {
                throw new IllegalStateException("no PNG writer in this JDK");
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param picture a picture
     * @return a {@code data:image/png;base64,...} URI, to inline the picture in an HTML page
     */
    public static String dataUri(BufferedImage picture) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            ImageIO.write(picture, "png", bytes);
            return "data:image/png;base64," + Base64.getEncoder().encodeToString(bytes.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads a picture as a model image: converted to {@code channels} (luminance for 1), resized by area averaging
     * to {@code height × width} when its size differs, scaled to [-1, 1].
     *
     * @param file a PNG, JPEG, GIF or BMP file
     * @param channels 1 or 3
     * @param height model image height
     * @param width model image width
     * @return [channels, height, width]
     */
    public static Tensor read(Path file, int channels, int height, int width) {
        if (channels != 1 && channels != 3) {
            throw new InvalidInputException("channels", "1 or 3", Integer.toString(channels));
        }
        BufferedImage src;
        try {
            src = ImageIO.read(file.toFile());
        } catch (IOException e) {
            throw new InvalidInputException("image", "a readable PNG, JPEG, GIF or BMP file", file + " (" + e.getMessage() + ")");
        }
        if (src == null) {
            throw new InvalidInputException("image", "a PNG, JPEG, GIF or BMP file", file + " (not an image ImageIO can read)");
        }
        int sh = src.getHeight();
        int sw = src.getWidth();
        double[] planes = new double[channels * sh * sw];
        for (int y = 0; y < sh; y++) {
            for (int x = 0; x < sw; x++) {
                int rgb = src.getRGB(x, y);
                double r = ((rgb >> 16) & 255) / 127.5 - 1;
                double g = ((rgb >> 8) & 255) / 127.5 - 1;
                double b = (rgb & 255) / 127.5 - 1;
                int i = y * sw + x;
                if (channels == 3) {
                    planes[i] = r;
                    planes[sh * sw + i] = g;
                    planes[2 * sh * sw + i] = b;
                } else {
                    planes[i] = 0.299 * r + 0.587 * g + 0.114 * b; // ITU-R BT.601 luma
                }
            }
        }
        return resize(Tensor.of(planes, channels, sh, sw), height, width);
    }

    /**
     * Resizes a model image by area averaging (used to fit 28×28 data to a smaller preset such as {@code tiny}).
     *
     * @param image [C, H, W]
     * @param height new height
     * @param width new width
     * @return [C, height, width]
     */
    public static Tensor resize(Tensor image, int height, int width) {
        int[] s = image.shape();
        int c = s[0];
        int sh = s[1];
        int sw = s[2];
        if (sh == height && sw == width) {
            return image;
        }
        double[] v = image.toDoubleArray();
        double[] out = new double[c * height * width];
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < height; y++) {
                double y0 = (double) y * sh / height;
                double y1 = (double) (y + 1) * sh / height;
                for (int x = 0; x < width; x++) {
                    double x0 = (double) x * sw / width;
                    double x1 = (double) (x + 1) * sw / width;
                    double sum = 0;
                    double weight = 0;
                    for (int sy = (int) y0; sy < Math.ceil(y1); sy++) {
                        double wy = Math.min(y1, sy + 1) - Math.max(y0, sy);
                        for (int sx = (int) x0; sx < Math.ceil(x1); sx++) {
                            double wx = Math.min(x1, sx + 1) - Math.max(x0, sx);
                            sum += wy * wx * v[(ch * sh + sy) * sw + sx];
                            weight += wy * wx;
                        }
                    }
                    out[(ch * height + y) * width + x] = sum / weight;
                }
            }
        }
        return Tensor.of(out, c, height, width);
    }
}

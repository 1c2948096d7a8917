package dev.mdm.spi;

import java.nio.file.Path;
import java.util.List;

/**
 * A loaded model that can write itself as standalone ONNX files: what a {@link ModelRuntime} of a backend with
 * {@link Capability#ONNX_EXPORT} implements, and what {@link dev.mdm.MDM#exportOnnx(Path)} calls.
 *
 * <p>The files, each with its weights embedded, a symbolic {@code batch} dimension and named, documented inputs and
 * outputs: {@value #DENOISER} (one denoiser evaluation: {@code latents}, {@code time_input}, {@code class_ids} →
 * {@code x0}), {@value #ENCODER_IMAGE} ({@code images} → {@code mean}, {@code log_var}), {@value #ENCODER_TEXT}
 * ({@code tokens} → {@code mean}, {@code log_var}), {@value #DECODER_IMAGE} ({@code latents} → {@code images}),
 * {@value #DECODER_TEXT} ({@code latents} → {@code logits}), and {@value #DESCRIPTION}, which lists every input and
 * output with its dtype and shape, the opset, and the model configuration. A protobuf message cannot reach 2 GB, so
 * an exporter may keep a large model's weights beside its graph as ONNX external data (a file the graph's
 * initializers name, such as {@value #DENOISER}{@code .data}), listed in the description with the graph.
 */
public interface OnnxExporter {
    /** The denoiser file. */
    String DENOISER = "denoiser.onnx";
    /** The image encoder file. */
    String ENCODER_IMAGE = "encoder_image.onnx";
    /** The text encoder file. */
    String ENCODER_TEXT = "encoder_text.onnx";
    /** The image decoder file. */
    String DECODER_IMAGE = "decoder_image.onnx";
    /** The text decoder file. */
    String DECODER_TEXT = "decoder_text.onnx";
    /** The JSON description of the files and the configuration. */
    String DESCRIPTION = "model.json";

    /**
     * Writes the files above into {@code directory}, creating it if needed and replacing files of the same names.
     * Each file is written to a temporary file first and then moved into place, so none is ever half-written.
     *
     * @param directory where to write
     * @return the paths written (data files included), the description last
     * @throws dev.mdm.MdmException if a file cannot be written
     */
    List<Path> exportOnnx(Path directory);
}

import dev.mdm.*;
import dev.mdm.model.*;
import java.nio.file.*;
public class Export {
    public static void main(String[] a) throws Exception {
        // a preset name (random weights, seed 11) or a checkpoint file (its weights, config and tokenizer)
        MDM.Builder builder = a[0].endsWith(".safetensors") ? MDM.builder().checkpoint(Path.of(a[0]))
                : MDM.builder().config(MdmConfig.preset(a[0])).seed(11);
        try (MDM mdm = builder.backend("onnx").build()) {
            MdmConfig cfg = mdm.config();
            System.out.println(mdm.exportOnnx(Path.of(a[1])));
            mdm.save(Path.of(a[1], "checkpoint.safetensors"));
            // reference output for the python check: denoiser on fixed inputs
            int n = cfg.latentTokens();
            double[] z = new double[2 * n * cfg.latentDim()];
            for (int i = 0; i < z.length; i++) z[i] = Math.sin(0.37 * i);
            var out = mdm.denoiser().predict(dev.mdm.tensor.Tensor.of(z, 2, n, cfg.latentDim()).to(dev.mdm.tensor.DType.F32),
                dev.mdm.tensor.Tensor.of(new double[]{999.0, 500.0}, 2), dev.mdm.tensor.Tensor.ofLongs(new long[]{3, cfg.classes()}, 2));
            dev.mdm.checkpoint.Safetensors.write(Path.of(a[1], "java-denoiser-output.safetensors"),
                java.util.Map.of("z", dev.mdm.tensor.Tensor.of(z, 2, n, cfg.latentDim()), "x0", out), java.util.Map.of());
        }
    }
}

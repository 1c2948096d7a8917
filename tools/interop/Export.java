import dev.mdm.*;
import dev.mdm.model.*;
import java.nio.file.*;
public class Export {
    public static void main(String[] a) throws Exception {
        MdmConfig cfg = MdmConfig.preset(a[0]);
        try (MDM mdm = MDM.builder().backend("onnx").config(cfg).seed(11).build()) {
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

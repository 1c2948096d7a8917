import dev.mdm.*;
import dev.mdm.backend.jcuda.JcudaBackendProvider;
import dev.mdm.model.*;
import dev.mdm.spi.*;
import dev.mdm.tck.reference.ReferenceBackendProvider;
import dev.mdm.tensor.Tensor;
import java.util.*;

/** Probe8: BF16 denoiser error against the float64 oracle at the paper's head sizes, by depth and batch. */
public class Probe8 {
  public static void main(String[] a) {
    SplittableRandom random = new SplittableRandom(20251122);
    try (Backend gpu = new JcudaBackendProvider().create(new BackendContext(Device.gpu(0), Precision.BF16));
         Backend oracle = new ReferenceBackendProvider().create(new BackendContext(Device.cpu(), Precision.FP64))) {
      for (int blocks : new int[] {1, 2, 3, 6}) {
        MdmConfig c = MdmConfig.builder().image(1, 16, 16).dModel(128).dState(128).headDim(64).chunkSize(64).blocks(blocks).build();
        Parameters p = ParameterInitializer.initialize(c, 7 + blocks);
        var m = new LinkedHashMap<>(p.asMap());
        for (String name : p.names()) {
          if (name.endsWith("norm.weight") || name.equals("norm_f.weight") || name.endsWith("mixer.D")) {
            double[] v = new double[(int) p.get(name).size()];
            for (int i = 0; i < v.length; i++) v[i] = random.nextDouble(0.5, 1.5);
            m.put(name, Tensor.of(v, p.get(name).shape()));
          }
        }
        Parameters w = Parameters.of(m);
        try (ModelRuntime g = gpu.load(c, w); ModelRuntime o = oracle.load(c, w)) {
          for (int batch : new int[] {2, 9, 33}) {
            double[] lat = new double[batch * c.latentTokens() * c.latentDim()];
            for (int i = 0; i < lat.length; i++) lat[i] = random.nextGaussian();
            double[] t = new double[batch]; long[] cls = new long[batch];
            for (int i = 0; i < batch; i++) { t[i] = random.nextDouble(0, c.timesteps() - 1); cls[i] = random.nextInt(c.classes() + 1); }
            Tensor L = Tensor.of(lat, batch, c.latentTokens(), c.latentDim());
            double[] got = g.denoiser().predict(L, Tensor.of(t, batch), Tensor.ofLongs(cls, batch)).toDoubleArray();
            double[] exp = o.denoiser().predict(L, Tensor.of(t, batch), Tensor.ofLongs(cls, batch)).toDoubleArray();
            double num = 0, den = 0, maxAbs = 0, worst = 0;
            for (int i = 0; i < got.length; i++) {
              double d = Math.abs(got[i] - exp[i]);
              num += d * d; den += exp[i] * exp[i]; maxAbs = Math.max(maxAbs, d);
              worst = Math.max(worst, d / (5e-3 + 2e-2 * Math.abs(exp[i])));
            }
            System.out.printf(Locale.ROOT, "PROBE8 blocks %d batch %2d relL2 %.2e maxAbs %.2e rms %.3f worst/allowed %.2f%n",
                blocks, batch, Math.sqrt(num / den), maxAbs, Math.sqrt(den / got.length), worst);
          }
        }
      }
    }
  }
}

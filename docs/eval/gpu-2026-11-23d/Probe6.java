import dev.mdm.MDM;
import dev.mdm.checkpoint.Checkpoint;
import dev.mdm.data.*;
import dev.mdm.model.Parameters;
import dev.mdm.sampling.*;
import dev.mdm.tensor.Tensor;
import java.nio.file.Path;
import java.util.*;

/**
 * Probe6 soup OUT A B [C ...]                      : OUT = mean of the checkpoints' weights
 * Probe6 cap DIR SPLIT N CKPT:STEPS:GRID:METHOD ... : caption accuracy (τ 0, w 1) of evenly spaced images of SPLIT
 */
public class Probe6 {
  public static void main(String[] a) throws Exception {
    if (a[0].equals("soup")) {
      List<Checkpoint> cs = new ArrayList<>();
      for (int i = 2; i < a.length; i++) cs.add(Checkpoint.load(Path.of(a[i])));
      Map<String, Tensor> mean = new LinkedHashMap<>();
      for (String name : cs.get(0).parameters().names()) {
        Tensor t0 = cs.get(0).parameters().get(name);
        float[] acc = new float[(int) t0.size()];
        for (Checkpoint c : cs) { float[] v = c.parameters().get(name).toFloatArray(); for (int i = 0; i < acc.length; i++) acc[i] += v[i] / cs.size(); }
        mean.put(name, Tensor.ofFloats(acc, t0.shape()));
      }
      Checkpoint.of(cs.get(0).config(), Parameters.of(mean)).withTokenizerModel(cs.get(0).tokenizerModel().orElseThrow())
          .withBackend("soup of " + String.join(", ", Arrays.asList(a).subList(2, a.length))).save(Path.of(a[1]));
      System.out.println("SOUP " + a[1]);
      return;
    }
    var split = FashionMnist.Split.valueOf(a[2]);
    var ds = FashionMnist.load(Path.of(a[1]), split, new FashionCaptions(0));
    int n = Integer.parseInt(a[3]);
    int[] labels = new int[n];
    List<float[]> batches = new ArrayList<>();
    for (int b0 = 0; b0 < n; b0 += 50) {
      int m = Math.min(50, n - b0); float[] buf = new float[m * 784];
      for (int i = 0; i < m; i++) { int idx = (int) ((long) (b0 + i) * ds.size() / n); labels[b0 + i] = ds.label(idx); System.arraycopy(ds.image(idx).toFloatArray(), 0, buf, i * 784, 784); }
      batches.add(buf);
    }
    for (int s = 4; s < a.length; s++) {
      String[] p = a[s].split(":");
      var settings = new SamplerSettings(SamplingMethod.valueOf(p[3]), SolverAlgorithm.DPM_SOLVER_PLUS_PLUS, StepGrid.valueOf(p[2]), Integer.parseInt(p[1]));
      var choice = dev.mdm.examples.model.ModelChoice.fresh("fashion").withBackend("jcuda").withCheckpoint(Path.of(p[0])).withSampler(settings);
      try (var lm = dev.mdm.examples.model.LoadedModel.open(choice)) {
        MDM mdm = lm.mdm();
        long t0 = System.nanoTime();
        List<String> caps = new ArrayList<>();
        for (float[] buf : batches) caps.addAll(mdm.captions(Tensor.ofFloats(buf, buf.length / 784, 1, 28, 28)));
        int right = 0, none = 0; int[][] conf = new int[10][11];
        for (int i = 0; i < n; i++) { int c = FashionCaptions.classNamed(caps.get(i)).orElse(-1); if (c == labels[i]) right++; if (c < 0) none++; conf[labels[i]][c < 0 ? 10 : c]++; }
        System.out.printf(Locale.ROOT, "RESULT %s n=%d %s caption %.4f none %d (%.1fs)%n", split, n, a[s], right / (double) n, none, (System.nanoTime() - t0) / 1e9);
        StringBuilder sb = new StringBuilder("PERCLASS");
        for (int c = 0; c < 10; c++) { int tot = 0; for (int k = 0; k < 11; k++) tot += conf[c][k]; sb.append(String.format(Locale.ROOT, " %.3f", conf[c][c] / (double) tot)); }
        System.out.println(sb);
      }
    }
  }
}

import dev.mdm.MDM;
import dev.mdm.data.*;
import dev.mdm.task.TextSampling;
import dev.mdm.tensor.Tensor;
import java.nio.file.Path;
import java.util.*;

/**
 * Probe7 DIR SPLIT N CKPT K TAU[,TAU...] [BATCH]
 *
 * Does voting over several captions of one image name the true class more often than the one mode-seeking
 * caption (τ 0)? Captions N evenly spaced images of SPLIT: once at τ 0 ("base"), once mirrored at τ 0, and K times at
 * each τ, where pass k rotates every batch by k·7+1 places so each image starts from another x_T (the text task's seed
 * is fixed). Prints the accuracy of every pass, of class-majority votes over several candidate sets (ties go to the
 * base caption), of a class-blind minimum-Bayes-risk choice (the candidate with the largest summed word-F1 to the
 * others) and the share of images where any candidate is right.
 */
public class Probe7 {
  static int cls(String s) { return FashionCaptions.classNamed(s).orElse(-1); }

  static double f1(String a, String b) {
    List<String> x = new ArrayList<>(Arrays.asList(a.trim().split("\\s+"))), y = Arrays.asList(b.trim().split("\\s+"));
    int common = 0;
    for (String w : y) if (x.remove(w)) common++;
    int na = a.trim().split("\\s+").length, nb = y.size();
    return common == 0 ? 0 : 2.0 * common / (na + nb);
  }

  /** n images evenly spaced through SPLIT of the IDX files in dir; their labels go to labels. */
  static float[][] evenlySpaced(String dir, String split, int n, int[] labels) {
    var ds = FashionMnist.load(Path.of(dir), FashionMnist.Split.valueOf(split), new FashionCaptions(0));
    float[][] imgs = new float[n][];
    for (int i = 0; i < n; i++) {
      int idx = (int) ((long) i * ds.size() / n);
      labels[i] = ds.label(idx);
      imgs[i] = ds.image(idx).toFloatArray();
    }
    return imgs;
  }

  /** The fashion preset with checkpoint ck on -Dbackend (default jcuda), 25 sampler steps. */
  static dev.mdm.examples.model.ModelChoice model(Path ck) {
    return dev.mdm.examples.model.ModelChoice.fresh("fashion").withBackend(System.getProperty("backend", "jcuda")).withCheckpoint(ck).withSamplerSteps(25);
  }

  public static void main(String[] a) throws Exception {
    int n = Integer.parseInt(a[2]);
    Path ck = Path.of(a[3]);
    int k = Integer.parseInt(a[4]);
    double[] taus = Arrays.stream(a[5].split(",")).mapToDouble(Double::parseDouble).toArray();
    int batch = a.length > 6 ? Integer.parseInt(a[6]) : 100;
    int[] labels = new int[n];
    float[][] imgs = evenlySpaced(a[0], a[1], n, labels), mirrored = new float[n][];
    for (int i = 0; i < n; i++) {
      mirrored[i] = new float[784];
      for (int r = 0; r < 28; r++) for (int c = 0; c < 28; c++) mirrored[i][r * 28 + c] = imgs[i][r * 28 + 27 - c];
    }
    var choice = model(ck);
    Map<String, List<String>> passes = new LinkedHashMap<>();
    try (var lm = dev.mdm.examples.model.LoadedModel.open(choice)) {
      MDM mdm = lm.mdm();
      passes.put("base", run(mdm, imgs, batch, 0, TextSampling.DEFAULT));
      passes.put("mirror", run(mdm, mirrored, batch, 0, TextSampling.DEFAULT));
      for (double tau : taus) for (int p = 0; p < k; p++) {
        long t0 = System.nanoTime();
        passes.put("t" + tau + "#" + p, run(mdm, imgs, batch, (p * 7 + 1) % batch, TextSampling.DEFAULT.withTemperature(tau)));
        if (p == 0) System.out.printf(Locale.ROOT, "TIME one pass of %d captions: %.1fs%n", n, (System.nanoTime() - t0) / 1e9);
      }
    }
    for (var e : passes.entrySet()) System.out.printf(Locale.ROOT, "PASS %-10s %.4f%n", e.getKey(), acc(e.getValue(), labels));
    List<String> sets = new ArrayList<>(List.of("base+mirror"));
    for (double tau : taus) { sets.add("base+t" + tau); sets.add("t" + tau); sets.add("base+mirror+t" + tau); }
    if (taus.length > 1) sets.add("base+all");
    for (String set : sets) {
      int vote = 0, mbr = 0, any = 0;
      for (int i = 0; i < n; i++) {
        List<String> cand = candidates(set, passes, i, taus, k);
        int[] count = new int[11];
        for (String c : cand) count[cls(c) + 1]++;
        int best = cls(passes.get("base").get(i));
        for (int c = 0; c < 10; c++) if (count[c + 1] > count[best + 1]) best = c;
        if (best == labels[i]) vote++;
        double bestScore = -1; String pick = null;
        for (String c : cand) { double s = 0; for (String d : cand) s += f1(c, d); if (s > bestScore) { bestScore = s; pick = c; } }
        if (cls(pick) == labels[i]) mbr++;
        if (count[labels[i] + 1] > 0) any++;
      }
      System.out.printf(Locale.ROOT, "SET %-22s vote %.4f  mbr %.4f  any %.4f%n", set, vote / (double) n, mbr / (double) n, any / (double) n);
    }
    System.out.println("EXAMPLES " + passes.get("base").subList(0, 3) + " " + passes.get("t" + taus[0] + "#0").subList(0, 3));
  }

  static List<String> candidates(String set, Map<String, List<String>> passes, int i, double[] taus, int k) {
    List<String> out = new ArrayList<>();
    if (set.startsWith("base")) out.add(passes.get("base").get(i));
    if (set.contains("mirror")) out.add(passes.get("mirror").get(i));
    for (double tau : taus) if (set.endsWith("t" + tau) || set.endsWith("all")) for (int p = 0; p < k; p++) out.add(passes.get("t" + tau + "#" + p).get(i));
    return out;
  }

  static double acc(List<String> caps, int[] labels) {
    int r = 0;
    for (int i = 0; i < labels.length; i++) if (cls(caps.get(i)) == labels[i]) r++;
    return r / (double) labels.length;
  }

  /** Captions every image, batch by batch, each batch rotated by {@code rot} places (so image j gets x_T row j+rot). */
  static List<String> run(MDM mdm, float[][] imgs, int batch, int rot, TextSampling s) {
    String[] out = new String[imgs.length];
    for (int b0 = 0; b0 < imgs.length; b0 += batch) {
      int m = Math.min(batch, imgs.length - b0);
      float[] buf = new float[m * 784];
      for (int j = 0; j < m; j++) System.arraycopy(imgs[b0 + (j + rot) % m], 0, buf, j * 784, 784);
      List<String> caps = mdm.captions(Tensor.ofFloats(buf, m, 1, 28, 28), s);
      for (int j = 0; j < m; j++) out[b0 + (j + rot) % m] = caps.get(j);
    }
    return Arrays.asList(out);
  }
}

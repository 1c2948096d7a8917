import dev.mdm.MDM;
import dev.mdm.data.*;
import dev.mdm.task.TextLayout;
import dev.mdm.task.TextSampling;
import dev.mdm.tensor.Tensor;
import java.nio.file.Path;
import java.util.*;
import java.util.random.RandomGeneratorFactory;

/**
 * Probe9 DIR SPLIT N CKPT K TAU T1,T2,... [BATCH]
 *
 * Does ranking the model's own candidate captions by its own denoising likelihood name the true class more often
 * than the mode-seeking caption? Captions N evenly spaced images of SPLIT at τ 0 ("base") and K times at τ (each pass
 * from other starting noise), then scores every distinct candidate c of an image by the text cross-entropy of
 * Dec_txt(x̂₀) against c's Lt ids, where x̂₀ is the denoiser's prediction from the clean image and c's text latents
 * noised to each listed t (the same noise for every candidate of an image: common random numbers), averaged over
 * the t's. Prints the accuracy of the base caption, of the lowest-score candidate per t and over all t, and the share
 * of images where any candidate is right.
 */
public class Probe9 {
  public static void main(String[] a) throws Exception {
    int n = Integer.parseInt(a[2]);
    Path ck = Path.of(a[3]);
    int k = Integer.parseInt(a[4]);
    double tau = Double.parseDouble(a[5]);
    int[] ts = Arrays.stream(a[6].split(",")).mapToInt(Integer::parseInt).toArray();
    int batch = a.length > 7 ? Integer.parseInt(a[7]) : 100;
    int[] labels = new int[n];
    float[][] imgs = Probe7.evenlySpaced(a[0], a[1], n, labels);
    try (var lm = dev.mdm.examples.model.LoadedModel.open(Probe7.model(ck))) {
      MDM mdm = lm.mdm();
      long t0 = System.nanoTime();
      List<List<String>> passes = new ArrayList<>();
      passes.add(Probe7.run(mdm, imgs, batch, 0, TextSampling.DEFAULT));
      for (int p = 0; p < k; p++) passes.add(Probe7.run(mdm, imgs, batch, (p * 7 + 1) % batch, TextSampling.DEFAULT.withTemperature(tau)));
      System.out.printf(Locale.ROOT, "TIME captions: %.1fs%n", (System.nanoTime() - t0) / 1e9);
      List<List<String>> cands = new ArrayList<>();
      int any = 0, rows = 0;
      for (int i = 0; i < n; i++) {
        LinkedHashSet<String> set = new LinkedHashSet<>();
        for (var pass : passes) set.add(pass.get(i));
        cands.add(new ArrayList<>(set));
        rows += set.size();
        for (String c : set) if (Probe7.cls(c) == labels[i]) { any++; break; }
      }
      System.out.printf(Locale.ROOT, "CANDIDATES %.2f per image, any right %.4f%n", rows / (double) n, any / (double) n);
      t0 = System.nanoTime();
      double[][][] score = score(mdm, imgs, cands, ts, 512);
      System.out.printf(Locale.ROOT, "TIME scoring %d rows x %d t: %.1fs%n", rows, ts.length, (System.nanoTime() - t0) / 1e9);
      System.out.printf(Locale.ROOT, "BASE %.4f%n", Probe7.acc(passes.get(0), labels));
      for (int j = 0; j <= ts.length; j++) {
        int right = 0;
        for (int i = 0; i < n; i++) {
          double best = Double.POSITIVE_INFINITY; String pick = null;
          for (int c = 0; c < cands.get(i).size(); c++) {
            double s = 0;
            if (j < ts.length) s = score[i][c][j]; else for (int q = 0; q < ts.length; q++) s += score[i][c][q];
            if (s < best) { best = s; pick = cands.get(i).get(c); }
          }
          if (Probe7.cls(pick) == labels[i]) right++;
        }
        System.out.printf(Locale.ROOT, "RERANK %-12s %.4f%n", j < ts.length ? "t=" + ts[j] : "sum", right / (double) n);
      }
    }
  }

  /** score[i][c][j]: summed text cross-entropy of candidate c of image i at the j-th t. */
  static double[][][] score(MDM mdm, float[][] imgs, List<List<String>> cands, int[] ts, int rowsPerCall) {
    var cfg = mdm.config();
    var tok = mdm.tokenizer().orElseThrow();
    TextLayout layout = TextLayout.of(cfg, tok);
    int nImg = cfg.imageTokens(), lt = cfg.textLength(), dz = cfg.latentDim(), n = nImg + lt;
    double[] ab = MDM.alphaBars(cfg);
    List<int[]> rowIndex = new ArrayList<>();
    for (int i = 0; i < imgs.length; i++) for (int c = 0; c < cands.get(i).size(); c++) rowIndex.add(new int[] {i, c});
    double[][][] out = new double[imgs.length][][];
    for (int i = 0; i < imgs.length; i++) out[i] = new double[cands.get(i).size()][ts.length];
    for (int r0 = 0; r0 < rowIndex.size(); r0 += rowsPerCall) {
      int m = Math.min(rowsPerCall, rowIndex.size() - r0);
      float[] pix = new float[m * 784];
      long[] ids = new long[m * lt];
      for (int r = 0; r < m; r++) {
        int[] ic = rowIndex.get(r0 + r);
        System.arraycopy(imgs[ic[0]], 0, pix, r * 784, 784);
        long[] packed = layout.caption(tok.encode(cands.get(ic[0]).get(ic[1]))).ids();
        System.arraycopy(packed, 0, ids, r * lt, lt);
      }
      Tensor idsT = Tensor.ofLongs(ids, m, lt);
      double[] muImg = mdm.encoder().encodeImage(Tensor.ofFloats(pix, m, 1, 28, 28)).mean().toDoubleArray();
      double[] muTxt = mdm.encoder().encodeText(idsT).mean().toDoubleArray();
      long[] classes = new long[m];
      Arrays.fill(classes, cfg.classes());
      for (int j = 0; j < ts.length; j++) {
        int t = ts[j];
        double sa = Math.sqrt(ab[t]), sb = Math.sqrt(1 - ab[t]);
        double[] z = new double[m * n * dz];
        for (int r = 0; r < m; r++) {
          int img = rowIndex.get(r0 + r)[0];
          System.arraycopy(muImg, r * nImg * dz, z, r * n * dz, nImg * dz);
          var rnd = RandomGeneratorFactory.of("L64X128MixRandom").create(img * 1000L + j);
          for (int q = 0; q < lt * dz; q++) z[(r * n + nImg) * dz + q] = sa * muTxt[r * lt * dz + q] + sb * rnd.nextGaussian();
        }
        double[] ti = new double[m];
        Arrays.fill(ti, t - 1);
        double[] x0 = mdm.denoiser().predict(Tensor.of(z, m, n, dz), Tensor.of(ti, m), Tensor.ofLongs(classes, m)).toDoubleArray();
        double[] lat = new double[m * lt * dz];
        for (int r = 0; r < m; r++) System.arraycopy(x0, (r * n + nImg) * dz, lat, r * lt * dz, lt * dz);
        Tensor logits = mdm.decoder().decodeText(Tensor.of(lat, m, lt, dz));
        int v = logits.dim(2);
        double[] l = logits.toDoubleArray();
        for (int r = 0; r < m; r++) {
          double ce = 0;
          for (int p = 0; p < lt; p++) {
            int off = (r * lt + p) * v;
            double mx = Double.NEGATIVE_INFINITY;
            for (int u = 0; u < v; u++) mx = Math.max(mx, l[off + u]);
            double se = 0;
            for (int u = 0; u < v; u++) se += Math.exp(l[off + u] - mx);
            ce += mx + Math.log(se) - l[off + (int) ids[r * lt + p]];
          }
          int[] ic = rowIndex.get(r0 + r);
          out[ic[0]][ic[1]][j] = ce;
        }
      }
    }
    return out;
  }
}

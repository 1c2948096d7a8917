import dev.mdm.MDM;
import dev.mdm.data.*;
import dev.mdm.tensor.Tensor;
import java.io.PrintWriter;
import java.nio.file.*;
import java.util.*;
import java.util.zip.GZIPOutputStream;

/**
 * Probe10 DIR CKPT OUT.tsv.gz [BATCH]
 *
 * How do the shipped model's captions miss? Captions every Fashion-MNIST test image at the defaults (τ 0, 25 steps)
 * and asks each "what is shown?" at the defaults too. Sorts every caption into: names the true class, names one other
 * class, names none, names two or more. Prints the counts, the captions' and the answers' confusion matrices, and the
 * most frequent captions that name no class or several. Writes index, label, caption, answer per image to OUT.
 */
public class Probe10 {
  static final List<String> NAMES = FashionCaptions.CLASS_NAMES;

  /** the classes a text names, as FashionCaptions.classNamed finds them (whole words, "trouser" too) */
  static List<Integer> named(String text) {
    String padded = " " + text.toLowerCase(Locale.ROOT).replaceAll("[^a-z-]+", " ").trim() + " ";
    List<Integer> out = new ArrayList<>();
    for (int c = 0; c < NAMES.size(); c++)
      if (padded.contains(" " + NAMES.get(c) + " ") || c == 1 && padded.contains(" trouser ")) out.add(c);
    return out;
  }

  public static void main(String[] a) throws Exception {
    int batch = a.length > 3 ? Integer.parseInt(a[3]) : 100;
    var ds = FashionMnist.load(Path.of(a[0]), FashionMnist.Split.TEST, new FashionCaptions(0));
    int n = ds.size();
    var choice = dev.mdm.examples.model.ModelChoice.fresh("fashion").withBackend(System.getProperty("backend", "jcuda"))
        .withCheckpoint(Path.of(a[1])).withSamplerSteps(25);
    String[] caps = new String[n], answers = new String[n];
    int[] labels = new int[n];
    long t0 = System.nanoTime();
    try (var lm = dev.mdm.examples.model.LoadedModel.open(choice)) {
      MDM mdm = lm.mdm();
      for (int b0 = 0; b0 < n; b0 += batch) {
        int m = Math.min(batch, n - b0);
        float[] buf = new float[m * 784];
        for (int j = 0; j < m; j++) {
          labels[b0 + j] = ds.label(b0 + j);
          System.arraycopy(ds.image(b0 + j).toFloatArray(), 0, buf, j * 784, 784);
        }
        Tensor images = Tensor.ofFloats(buf, m, 1, 28, 28);
        List<String> c = mdm.captions(images);
        List<String> ans = mdm.answers(images, Collections.nCopies(m, "what is shown?"));
        for (int j = 0; j < m; j++) { caps[b0 + j] = c.get(j); answers[b0 + j] = ans.get(j); }
      }
    }
    System.out.printf(Locale.ROOT, "TIME %d captions and answers: %.1f s%n", n, (System.nanoTime() - t0) / 1e9);
    int right = 0, other = 0, none = 0, several = 0, answerRight = 0, bothWrong = 0, answerRightCaptionWrong = 0;
    int[][] capConf = new int[10][11], ansConf = new int[10][11];  // column 10: no single class
    Map<String, Integer> noneCaps = new HashMap<>(), severalCaps = new HashMap<>();
    for (int i = 0; i < n; i++) {
      List<Integer> c = named(caps[i]);
      int y = labels[i];
      if (c.size() == 1 && c.get(0) == y) right++;
      else if (c.size() == 1) other++;
      else if (c.isEmpty()) { none++; noneCaps.merge(caps[i], 1, Integer::sum); }
      else { several++; severalCaps.merge(caps[i], 1, Integer::sum); }
      capConf[y][c.size() == 1 ? c.get(0) : 10]++;
      List<Integer> an = named(answers[i]);
      ansConf[y][an.size() == 1 ? an.get(0) : 10]++;
      boolean ar = an.size() == 1 && an.get(0) == y, cr = c.size() == 1 && c.get(0) == y;
      if (ar) answerRight++;
      if (ar && !cr) answerRightCaptionWrong++;
      if (!ar && !cr) bothWrong++;
    }
    System.out.printf(Locale.ROOT, "CAPTIONS right %d (%.2f %%), another class %d, no class %d, several classes %d%n",
        right, 100.0 * right / n, other, none, several);
    System.out.printf(Locale.ROOT, "ANSWERS (what is shown?) right %d (%.2f %%); answer right where the caption is wrong %d;"
        + " both wrong %d%n", answerRight, 100.0 * answerRight / n, answerRightCaptionWrong, bothWrong);
    printConfusion("CAPTION", capConf);
    printConfusion("ANSWER", ansConf);
    top("NO CLASS", noneCaps);
    top("SEVERAL", severalCaps);
    try (var w = new PrintWriter(new GZIPOutputStream(Files.newOutputStream(Path.of(a[2]))))) {
      w.println("index\tlabel\tcaption\tanswer");
      for (int i = 0; i < n; i++) w.println(i + "\t" + labels[i] + "\t" + caps[i] + "\t" + answers[i]);
    }
  }

  static void printConfusion(String what, int[][] m) {
    System.out.println(what + " confusion (rows: true class; columns: class named, last: none or several)");
    for (int y = 0; y < 10; y++) {
      StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%-10s", NAMES.get(y)));
      for (int c = 0; c <= 10; c++) s.append(String.format(Locale.ROOT, "%5d", m[y][c]));
      System.out.println(s);
    }
  }

  static void top(String what, Map<String, Integer> counts) {
    counts.entrySet().stream().sorted((x, y) -> y.getValue() - x.getValue()).limit(12)
        .forEach(e -> System.out.println(what + " " + e.getValue() + " x \"" + e.getKey() + "\""));
  }
}

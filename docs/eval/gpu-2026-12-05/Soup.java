import dev.mdm.checkpoint.Checkpoint;
import dev.mdm.model.Parameters;
import dev.mdm.tensor.Tensor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Soup OUT A B [C ...]: OUT = the element-wise mean of the checkpoints' weights (a "uniform model soup", Wortsman et
 * al. 2022), summed in double. Every checkpoint must have the first one's config and parameter names; OUT keeps the
 * first one's tokenizer. Scratch tool of session 21 (issue 7), compiled against the packed class path.
 */
public class Soup {
    public static void main(String[] a) {
        List<Checkpoint> cs = new ArrayList<>();
        for (int i = 1; i < a.length; i++) cs.add(Checkpoint.load(Path.of(a[i])));
        Checkpoint first = cs.get(0);
        Map<String, Tensor> mean = new LinkedHashMap<>();
        for (String name : first.parameters().names()) {
            Tensor t0 = first.parameters().get(name);
            double[] sum = new double[(int) t0.size()];
            for (Checkpoint c : cs) {
                if (!c.config().equals(first.config())) throw new IllegalArgumentException("config differs: " + c);
                double[] v = c.parameters().get(name).toDoubleArray();
                for (int i = 0; i < sum.length; i++) sum[i] += v[i];
            }
            float[] out = new float[sum.length];
            for (int i = 0; i < sum.length; i++) out[i] = (float) (sum[i] / cs.size());
            mean.put(name, Tensor.ofFloats(out, t0.shape()));
        }
        Checkpoint.of(first.config(), Parameters.of(mean)).withTokenizerModel(first.tokenizerModel().orElseThrow())
                .withBackend("uniform soup of " + String.join(", ", List.of(a).subList(1, a.length))).save(Path.of(a[0]));
        System.out.println("SOUP " + a[0] + " of " + cs.size());
    }
}

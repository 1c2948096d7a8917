import dev.mdm.checkpoint.Checkpoint;
import dev.mdm.model.Parameters;
import java.nio.file.Path;

/**
 * Turns a training checkpoint into the shipped model: the trained weights, config and tokenizer, without optimizer
 * state. (The EMA at decay 0.999 after ~1000 steps still holds 0.999^1000 ≈ 37 % of the initial weights, so the raw
 * weights are the better model at this budget.)
 */
public class ShipModel {
    public static void main(String[] a) {
        Checkpoint train = Checkpoint.load(Path.of(a[0]));
        long step = train.optimizerState().get("adam.step").getLong(0);
        Checkpoint.of(train.config(), train.parameters())
                .withTokenizerModel(train.tokenizerModel().orElseThrow())
                .withBackend(train.backend().orElse("djl") + "; trained weights after " + step + " AdamW steps of batch 8")
                .save(Path.of(a[1]));
        System.out.println("shipped " + a[1] + " from step " + step);
    }
}

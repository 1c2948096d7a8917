import dev.mdm.*;
import dev.mdm.data.*;
import dev.mdm.model.OptimizerSettings;
import dev.mdm.text.SentencePieceTokenizer;
import java.nio.file.*;

/** Trains the fashion preset on Fashion-MNIST with the DJL backend until killed; checkpoints every 50 steps. */
public class TrainFashion {
    public static void main(String[] a) throws Exception {
        Path tokPath = Path.of(a[0]);
        Path out = Path.of(a[1]);
        byte[] tokBytes = Files.readAllBytes(tokPath);
        var tok = SentencePieceTokenizer.load(tokPath);
        var data = FashionMnist.load(FashionMnist.Split.TRAIN);
        try (MDM mdm = MDM.builder().backend("djl").config(MdmConfig.fashion()).tokenizer(tok).seed(1).build()) {
            long t0 = System.nanoTime();
            var trainer = mdm.trainer().optimizer(new OptimizerSettings(5e-4, 0.9, 0.999, 1e-8, 0.0, 1.0, 0.999))
                    .batchSize(8).steps(Long.parseLong(a[2])).seed(7).checkpointEvery(50, out).tokenizerModel(tokBytes).build();
            trainer.fit(data, p -> {
                if (p.step() % 10 == 0) {
                    System.out.printf("step %d %.1fs %s%n", p.step(), (System.nanoTime() - t0) / 1e9, p.loss());
                }
            });
        }
    }
}

package dev.mdm.examples.eval;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mdm.data.FashionCaptions;
import dev.mdm.data.FashionMnist;
import java.nio.file.Files;
import java.nio.file.Path;

/** The real Fashion-MNIST splits for tests, loaded once; tests skip, saying why, when the Debian package is absent. */
final class FashionData {
    private static FashionMnist train;
    private static FashionMnist test;

    private FashionData() {
    }

    static void assumeInstalled() {
        assumeTrue(Files.isRegularFile(Path.of(FashionMnist.DEBIAN_DIRECTORY, "t10k-images-idx3-ubyte.gz"))
                        || Files.isRegularFile(Path.of(FashionMnist.DEBIAN_DIRECTORY, "t10k-images-idx3-ubyte")),
                "the Debian package dataset-fashion-mnist is not installed (no IDX files in " + FashionMnist.DEBIAN_DIRECTORY
                        + "); bin/setup-packages installs it");
    }

    static synchronized FashionMnist train() {
        assumeInstalled();
        if (train == null) {
            train = FashionMnist.load(Path.of(FashionMnist.DEBIAN_DIRECTORY), FashionMnist.Split.TRAIN, new FashionCaptions(0));
        }
        return train;
    }

    static synchronized FashionMnist test() {
        assumeInstalled();
        if (test == null) {
            test = FashionMnist.load(Path.of(FashionMnist.DEBIAN_DIRECTORY), FashionMnist.Split.TEST, new FashionCaptions(0));
        }
        return test;
    }
}

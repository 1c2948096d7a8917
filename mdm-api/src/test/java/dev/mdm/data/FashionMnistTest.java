package dev.mdm.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mdm.InvalidInputException;
import dev.mdm.tensor.DType;
import dev.mdm.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("FashionMnist")
class FashionMnistTest {

    private static Path tinyDirectory(Path dir, boolean gzip) {
        byte[] images = IdxBytes.images(4, 28, 28);
        byte[] labels = IdxBytes.labels(9, 0, 5, 7);
        IdxBytes.write(dir.resolve("t10k-images-idx3-ubyte" + (gzip ? ".gz" : "")), gzip ? IdxBytes.gzip(images) : images);
        IdxBytes.write(dir.resolve("t10k-labels-idx1-ubyte"), labels);
        return dir;
    }

    @Test
    @DisplayName("reads the Debian package's splits separately, images in [-1, 1] as [1, 28, 28]")
    void readsTheDebianPackage() {
        assumeTrue(Files.isRegularFile(Path.of(FashionMnist.DEBIAN_DIRECTORY, "t10k-images-idx3-ubyte.gz")),
                "the Debian package dataset-fashion-mnist is not installed (apt-get install dataset-fashion-mnist)");
        FashionMnist test = FashionMnist.load(FashionMnist.Split.TEST);
        assertThat(test.split()).isEqualTo(FashionMnist.Split.TEST);
        assertThat(test.size()).isEqualTo(10_000);
        Example first = test.get(0);
        assertThat(first.classId()).isEqualTo(9);
        assertThat(first.image().shape()).containsExactly(1, 28, 28);
        double[] v = first.image().toDoubleArray();
        assertThat(Arrays.stream(v).min().orElseThrow()).isEqualTo(-1.0);
        assertThat(Arrays.stream(v).max().orElseThrow()).isLessThanOrEqualTo(1.0).isGreaterThan(0.5);
        assertThat(FashionCaptions.classNamed(first.caption())).hasValue(9);
        FashionMnist train = FashionMnist.load(FashionMnist.Split.TRAIN);
        assertThat(train.size()).isEqualTo(60_000);
        // the splits are different images: no test image among the first training images
        Set<String> trainImages = new HashSet<>();
        for (int i = 0; i < 2000; i++) {
            trainImages.add(Arrays.toString(train.image(i).toBytes()));
        }
        for (int i = 0; i < 200; i++) {
            assertThat(trainImages).doesNotContain(Arrays.toString(test.image(i).toBytes()));
        }
    }

    @Test
    @DisplayName("reads any directory, gzip or not, scales pixels to [-1, 1] and captions each image from its class")
    void readsAGivenDirectory(@TempDir Path dir) {
        FashionCaptions captions = new FashionCaptions(5);
        FashionMnist data = FashionMnist.load(tinyDirectory(dir, true), FashionMnist.Split.TEST, captions);
        assertThat(data.size()).isEqualTo(4);
        assertThat(data.classNames()).hasSize(10).startsWith("t-shirt").endsWith("ankle boot");
        Tensor image = data.image(1);
        assertThat(image.dtype()).isEqualTo(DType.F32);
        assertThat(image.shape()).containsExactly(1, 28, 28);
        int pixel = 784 + 3; // image 1, pixel 3
        assertThat(image.toDoubleArray()[3]).isCloseTo(((pixel * 37) & 0xff) / 127.5 - 1, org.assertj.core.data.Offset.offset(1e-6));
        Example e = data.get(2);
        assertThat(e.classId()).isEqualTo(5);
        assertThat(e.caption()).isEqualTo(captions.caption(2, 5));
        QuestionAnswer qa = captions.question(2, 5);
        assertThat(e.question()).isEqualTo(qa.question());
        assertThat(e.answer()).isEqualTo(qa.answer());
        assertThatThrownBy(() -> data.get(4)).isInstanceOf(InvalidInputException.class).hasMessageContaining("0 ≤ index < 4");
    }

    @Test
    @DisplayName("says which package to install when the files are missing")
    void missingFilesNameThePackage(@TempDir Path dir) {
        assertThatThrownBy(() -> FashionMnist.load(dir, FashionMnist.Split.TRAIN, new FashionCaptions(0)))
                .isInstanceOf(InvalidDataFileException.class)
                .hasMessageContaining("train-images-idx3-ubyte: no such file, nor train-images-idx3-ubyte.gz")
                .hasMessageContaining("dataset-fashion-mnist");
    }

    @Test
    @DisplayName("rejects images that are not 28×28 and label counts that disagree with the images")
    void rejectsInconsistentFiles(@TempDir Path dir) {
        tinyDirectory(dir, false);
        IdxBytes.write(dir.resolve("t10k-labels-idx1-ubyte"), IdxBytes.labels(1, 2, 3));
        assertThatThrownBy(() -> FashionMnist.load(dir, FashionMnist.Split.TEST, new FashionCaptions(0)))
                .isInstanceOf(InvalidDataFileException.class).hasMessageContaining("has 3 labels but")
                .hasMessageContaining("has 4 images");
        IdxBytes.write(dir.resolve("t10k-images-idx3-ubyte"), IdxBytes.images(3, 32, 32));
        assertThatThrownBy(() -> FashionMnist.load(dir, FashionMnist.Split.TEST, new FashionCaptions(0)))
                .isInstanceOf(InvalidDataFileException.class).hasMessageContaining("images are 32×32");
    }
}

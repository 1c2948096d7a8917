package dev.mdm.backend.onnx;

import static dev.mdm.backend.onnx.Float32Tolerance.assertClose;
import static dev.mdm.backend.onnx.Float32Tolerance.gaussian;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mdm.Device;
import dev.mdm.Discretization;
import dev.mdm.InvalidInputException;
import dev.mdm.MdmConfig;
import dev.mdm.Precision;
import dev.mdm.model.MambaMixer;
import dev.mdm.model.MambaShape;
import dev.mdm.model.ParameterInitializer;
import dev.mdm.model.Parameters;
import dev.mdm.model.SsdRequest;
import dev.mdm.spi.Backend;
import dev.mdm.spi.BackendContext;
import dev.mdm.tck.reference.ReferenceBackendProvider;
import dev.mdm.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("ONNX graphs of the SSD, mixer, score entropy and scan switch match the float64 reference oracle")
class OnnxOperatorsTest {
    private static OnnxBackend backend;
    private static Backend reference;

    @BeforeAll
    static void open() {
        backend = new OnnxBackend(new BackendContext(Device.cpu(), Precision.FP32));
        reference = new ReferenceBackendProvider().create(new BackendContext(Device.cpu(), Precision.FP64));
    }

    @AfterAll
    static void close() {
        backend.close();
        reference.close();
    }

    @ParameterizedTest(name = "b={0} l={1} h={2} p={3} g={4} n={5} {6} D={7} z={8} rawDt={9}")
    @CsvSource({
            "1, 1, 2, 4, 1, 8, ZOH, true, false, false",
            "2, 63, 4, 8, 2, 8, ZOH, true, true, false",
            "2, 64, 4, 8, 1, 16, EULER, false, false, false",
            "1, 65, 4, 4, 4, 8, EULER, true, true, true",
            "2, 130, 2, 8, 1, 8, ZOH, true, false, true",
    })
    @DisplayName("the chunked SSD scan equals the reference, for lengths around the chunk")
    void ssdMatchesSequentialScan(int b, int l, int h, int p, int g, int n, Discretization disc, boolean withD,
                                  boolean withZ, boolean rawDt) {
        Random r = new Random(l * 31L + h);
        double[] x = gaussian(r, b * l * h * p, 1);
        double[] dtRaw = gaussian(r, b * l * h, 1);
        double[] dtBias = gaussian(r, h, 0.5);
        double[] delta = new double[dtRaw.length];
        for (int i = 0; i < delta.length; i++) {
            delta[i] = Math.exp(-3 + 2 * r.nextDouble());
        }
        double[] a = new double[h];
        for (int i = 0; i < h; i++) {
            a[i] = -(1 + 15 * r.nextDouble());
        }
        double[] bm = gaussian(r, b * l * g * n, 1);
        double[] cm = gaussian(r, b * l * g * n, 1);
        double[] d = withD ? gaussian(r, h, 1) : null;
        double[] z = withZ ? gaussian(r, b * l * h * p, 1) : null;
        SsdRequest req = new SsdRequest(Tensor.of(x, b, l, h, p), rawDt ? Tensor.of(dtRaw, b, l, h) : Tensor.of(delta, b, l, h),
                rawDt ? Tensor.of(dtBias, h) : null, Tensor.of(a, h), Tensor.of(bm, b, l, g, n), Tensor.of(cm, b, l, g, n),
                withD ? Tensor.of(d, h) : null, withZ ? Tensor.of(z, b, l, h, p) : null, disc);
        assertClose("ssd", backend.ssd(req), reference.ssd(req).toDoubleArray(), b, l, h, p);
    }

    @ParameterizedTest(name = "{0}, ngroups {1}, chunk {2}, length {3}")
    @CsvSource({"ZOH, 1, 8, 1", "ZOH, 2, 8, 19", "EULER, 1, 4, 37", "EULER, 2, 16, 16"})
    @DisplayName("the Mamba-2 mixer equals the reference")
    void mixerMatchesSpec(Discretization disc, int groups, int chunk, int length) {
        MambaShape shape = new MambaShape(16, 8, 4, 2, 8, groups, chunk, disc);
        Parameters weights = mixerWeights(shape, 11);
        Random r = new Random(5);
        double[] u = gaussian(r, 2 * length * 16, 1);
        try (MambaMixer mixer = backend.mambaMixer(shape, weights); MambaMixer oracle = reference.mambaMixer(shape, weights)) {
            Tensor in = Tensor.of(u, 2, length, 16);
            assertClose("mixer", mixer.forward(in), oracle.forward(in).toDoubleArray(), 2, length, 16);
        }
    }

    @Test
    @DisplayName("the chunk size changes nothing beyond float32 rounding")
    void chunkSizeIsOnlyASpeedKnob() {
        Random r = new Random(9);
        double[] u = gaussian(r, 45 * 16, 1);
        MambaShape small = new MambaShape(16, 8, 4, 2, 8, 1, 4, Discretization.ZOH);
        MambaShape large = new MambaShape(16, 8, 4, 2, 8, 1, 64, Discretization.ZOH);
        Parameters weights = mixerWeights(small, 3);
        try (MambaMixer a = backend.mambaMixer(small, weights); MambaMixer b = backend.mambaMixer(large, weights)) {
            Tensor ya = a.forward(Tensor.of(u, 1, 45, 16));
            assertClose("chunk 4 vs 64", ya, b.forward(Tensor.of(u, 1, 45, 16)).toDoubleArray(), 1, 45, 16);
        }
    }

    @Test
    @DisplayName("score entropy equals the reference, including ᾱ close to 1")
    void scoreEntropyMatchesSpec() {
        Random r = new Random(2);
        int m = 7;
        int k = 4;
        int dz = 5;
        double[] zt = gaussian(r, m * dz, 1);
        double[] zh = gaussian(r, m * dz, 1);
        double[] cand = gaussian(r, m * k * dz, 1);
        double[] ab = {0.9999, 0.5, 0.01, 0.3, 0.999, 0.7, 4e-5};
        Tensor[] in = {Tensor.of(zt, m, dz), Tensor.of(zh, m, dz), Tensor.of(cand, m, k, dz), Tensor.of(ab, m)};
        assertClose("se", backend.scoreEntropy(in[0], in[1], in[2], in[3]),
                reference.scoreEntropy(in[0], in[1], in[2], in[3]).toDoubleArray(), m);
    }

    @Test
    @DisplayName("the scan switch orders follow SPEC §5 and permute/unpermute are inverse")
    void scanSwitchOrders() {
        MdmConfig c = MdmConfig.tiny();
        var sw = backend.scanSwitch(c);
        assertThat(sw.imageOrder(0)).startsWith(0, 1, 2, 3);
        assertThat(sw.imageOrder(1)).startsWith(15, 14, 13);
        assertThat(sw.imageOrder(2)).startsWith(0, 4, 8, 12, 1);
        assertThat(sw.imageOrder(3)).startsWith(15, 11, 7, 3, 14);
        assertThat(sw.textOrder(1)).containsExactly(7, 6, 5, 4, 3, 2, 1, 0);
        var oracle = reference.scanSwitch(c);
        for (int order = 0; order < 4; order++) {
            assertThat(sw.imageOrder(order)).as("image order %d", order).containsExactly(oracle.imageOrder(order));
        }
        int len = c.sequenceLength();
        double[] x = gaussian(new Random(4), 2 * len * 3, 1);
        for (int block = 0; block < 4; block++) {
            Tensor permuted = sw.permute(block, Tensor.of(x, 2, len, 3));
            assertThat(permuted.toDoubleArray()).as("block %d", block)
                    .containsExactly(oracle.permute(block, Tensor.of(x, 2, len, 3)).toDoubleArray());
            assertThat(sw.unpermute(block, permuted).toDoubleArray()).containsExactly(x);
        }
    }

    @Test
    @DisplayName("bad SSD and score-entropy inputs are refused before ONNX Runtime sees them")
    void badInputsAreRefused() {
        Tensor x = Tensor.zeros(1, 4, 2, 2);
        Tensor dt = Tensor.of(new double[] {1, 1, 1, Double.NaN, 1, 1, 1, 1}, 1, 4, 2);
        Tensor bc = Tensor.zeros(1, 4, 1, 2);
        assertThatThrownBy(() -> backend.ssd(new SsdRequest(x, dt, null, Tensor.of(new double[] {-1, -1}, 2), bc, bc,
                null, null, Discretization.ZOH))).isInstanceOf(InvalidInputException.class).hasMessageContaining("dt");
        assertThatThrownBy(() -> backend.scoreEntropy(Tensor.zeros(2, 3), Tensor.zeros(2, 3), Tensor.zeros(2, 4, 3),
                Tensor.of(new double[] {0.5, 1.0}, 2))).isInstanceOf(InvalidInputException.class).hasMessageContaining("alphaBar");
        assertThatThrownBy(() -> backend.scoreEntropy(Tensor.zeros(2, 3), Tensor.zeros(2, 2), Tensor.zeros(2, 4, 3),
                Tensor.of(new double[] {0.5, 0.5}, 2))).isInstanceOf(InvalidInputException.class).hasMessageContaining("zhat0");
        MambaShape shape = new MambaShape(16, 8, 4, 2, 8, 1, 8, Discretization.ZOH);
        try (MambaMixer mixer = backend.mambaMixer(shape, mixerWeights(shape, 1))) {
            assertThatThrownBy(() -> mixer.forward(Tensor.zeros(1, 3, 15))).isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("'u'");
        }
    }

    static Parameters mixerWeights(MambaShape shape, long seed) {
        MdmConfig c = MdmConfig.builder().dModel(shape.dModel()).dState(shape.dState()).dConv(shape.dConv())
                .expand(shape.expand()).headDim(shape.headDim()).nGroups(shape.nGroups()).chunkSize(shape.chunkSize())
                .discretization(shape.discretization()).build();
        return ParameterInitializer.initialize(c, seed).withPrefixRemoved("blocks.0.mixer.");
    }
}

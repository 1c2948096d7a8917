package dev.mdm.backend.djl;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import dev.mdm.MdmConfig;
import dev.mdm.model.ParameterInitializer;
import dev.mdm.model.Parameters;
import dev.mdm.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("MdmNetwork's denoiser pass")
class MdmNetworkTest {
    /** What one pass computed and how many of its arrays were still open on the managers afterwards. */
    private record Pass(float[] values, int liveArrays) {
    }

    private static Pass pass(MdmConfig c, MdmNetwork.Intermediates intermediates) {
        Parameters p = ParameterInitializer.initialize(c, 3);
        int b = 2;
        Tensor latents = Fixtures.gaussian(Fixtures.random(9), 1, b, c.latentTokens(), c.latentDim());
        try (NDManager root = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            Map<String, NDArray> arrays = new LinkedHashMap<>();
            for (String name : p.names()) {
                arrays.put(name, HostTransfer.floats(root, p.get(name), DataType.FLOAT32));
            }
            int weights = root.getManagedArrays().size();
            MdmNetwork network = new MdmNetwork(c, DataType.FLOAT32);
            try (NDManager call = root.newSubManager(); NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray out = network.denoise(Weights.of(arrays), call, HostTransfer.floats(call, latents, DataType.FLOAT32),
                        new double[] {0, 700}, new long[] {1, c.classes()}, intermediates);
                // ops on a weight put their result on the weights' manager, so count both
                return new Pass(out.toFloatArray(), root.getManagedArrays().size() - weights);
            }
        }
    }

    @Test
    @DisplayName("freeing each block's intermediates leaves the arrays of a pass independent of the block count, "
            + "and computes exactly the x̂0 of the pass that keeps them for training")
    void inferenceFreesEachBlocksIntermediatesWithoutChangingTheResult() {
        MdmConfig two = MdmConfig.tiny().toBuilder().blocks(2).build();
        MdmConfig four = two.toBuilder().blocks(4).build();
        Pass keptTwo = pass(two, MdmNetwork.Intermediates.KEEP);
        Pass keptFour = pass(four, MdmNetwork.Intermediates.KEEP);
        Pass freedTwo = pass(two, MdmNetwork.Intermediates.FREE_PER_BLOCK);
        Pass freedFour = pass(four, MdmNetwork.Intermediates.FREE_PER_BLOCK);

        assertThat(freedTwo.values()).containsExactly(keptTwo.values());
        assertThat(freedFour.values()).containsExactly(keptFour.values());
        assertThat(keptFour.liveArrays()).as("training keeps every block's arrays")
                .isGreaterThan(keptTwo.liveArrays() + 40);
        assertThat(freedFour.liveArrays()).as("inference keeps none of a finished block's")
                .isEqualTo(freedTwo.liveArrays())
                .isLessThan(keptTwo.liveArrays());
    }
}

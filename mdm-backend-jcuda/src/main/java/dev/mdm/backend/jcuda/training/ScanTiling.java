package dev.mdm.backend.jcuda.training;

/**
 * How the register-tiled SSD scans ({@code tb_ssd_fwd_rNxP}, {@code tb_ssd_bwd_rNxP} in {@code train_block.cuh})
 * split one head's headDim×dState state over a thread block: each thread keeps {@code pPerThread} rows p and
 * {@code nPerLane} columns n of it in registers, the lanes of a warp span n (so the sums over n are warp shuffles),
 * and {@code warps} warps span p.
 *
 * @param nPerLane state columns per thread (1, 2 or 4; lanes along n = dState / nPerLane, at most 32)
 * @param pPerThread state rows per thread (1, 2, 4 or 8)
 * @param warps warps per block
 */
record ScanTiling(int nPerLane, int pPerThread, int warps) {
    /**
     * @param headDim P
     * @param dState N
     * @return the tiling, or null when N is not a power of two up to 128 or P does not split over whole warps
     */
    static ScanTiling of(int headDim, int dState) {
        if (dState < 1 || dState > 128 || Integer.bitCount(dState) != 1) {
            return null;
        }
        int nPerLane = Math.max(1, dState / 32);
        int rowsPerWarp = 32 / (dState / nPerLane);  // lane groups of a warp, one p-row each
        for (int pPerThread = 8; pPerThread >= 1; pPerThread /= 2) {
            int perWarp = rowsPerWarp * pPerThread;
            if (headDim % perWarp == 0 && headDim / perWarp <= 32) {
                return new ScanTiling(nPerLane, pPerThread, headDim / perWarp);
            }
        }
        return null;
    }

    /** @return the kernels' name suffix, e.g. {@code r2x8} */
    String suffix() {
        return "r" + nPerLane + "x" + pPerThread;
    }

    int threads() {
        return 32 * warps;
    }

    /** @return dynamic shared bytes of the backward: two buffers of per-warp Σ_p partials (2·N each) and 3 scalars */
    int backwardSharedBytes(int dState) {
        return 2 * 4 * (2 * warps * dState + 3 * warps);
    }
}

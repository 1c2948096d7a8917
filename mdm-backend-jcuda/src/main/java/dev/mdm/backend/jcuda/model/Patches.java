package dev.mdm.backend.jcuda.model;

import dev.mdm.MdmConfig;

/** Patchify and unpatchify of decision D6: tokens in row-major grid order, value index c·p² + dy·p + dx. */
public final class Patches {
    private Patches() {
    }

    /**
     * @param c sizes
     * @param images [b, C, H, W] row-major
     * @param batch b
     * @return [b·n_img, C·p²]
     */
    public static float[] patchify(MdmConfig c, double[] images, int batch) {
        int p = c.patch();
        int ch = c.imageChannels();
        int h = c.imageHeight();
        int w = c.imageWidth();
        int gw = c.gridWidth();
        int n = c.imageTokens();
        int pd = c.patchDim();
        float[] out = new float[batch * n * pd];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < n; t++) {
                int gy = t / gw;
                int gx = t % gw;
                for (int k = 0; k < ch; k++) {
                    for (int dy = 0; dy < p; dy++) {
                        for (int dx = 0; dx < p; dx++) {
                            out[(b * n + t) * pd + k * p * p + dy * p + dx] =
                                    (float) images[((b * ch + k) * h + gy * p + dy) * w + gx * p + dx];
                        }
                    }
                }
            }
        }
        return out;
    }

    /**
     * @param c sizes
     * @param patches [b·n_img, C·p²]
     * @param batch b
     * @return [b, C, H, W]
     */
    public static float[] unpatchify(MdmConfig c, float[] patches, int batch) {
        int p = c.patch();
        int ch = c.imageChannels();
        int h = c.imageHeight();
        int w = c.imageWidth();
        int gw = c.gridWidth();
        int n = c.imageTokens();
        int pd = c.patchDim();
        float[] out = new float[batch * ch * h * w];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < n; t++) {
                int gy = t / gw;
                int gx = t % gw;
                for (int k = 0; k < ch; k++) {
                    for (int dy = 0; dy < p; dy++) {
                        for (int dx = 0; dx < p; dx++) {
                            out[((b * ch + k) * h + gy * p + dy) * w + gx * p + dx] =
                                    patches[(b * n + t) * pd + k * p * p + dy * p + dx];
                        }
                    }
                }
            }
        }
        return out;
    }
}

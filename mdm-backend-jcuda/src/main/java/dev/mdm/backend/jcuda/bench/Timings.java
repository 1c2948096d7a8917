package dev.mdm.backend.jcuda.bench;

import java.util.Arrays;

/** The statistics the benchmarks report over the times (ms) of repeated runs of one thing. */
final class Timings {
    private Timings() {
    }

    /**
     * @param ms times, at least one
     * @return their median (the mean of the two middle values for an even count)
     */
    static double median(float[] ms) {
        float[] s = ms.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0;
    }

    /**
     * @param ms times, at least one
     * @return the smallest
     */
    static double min(float[] ms) {
        double m = Double.POSITIVE_INFINITY;
        for (float f : ms) {
            m = Math.min(m, f);
        }
        return m;
    }

    /**
     * @param ms times, at least one
     * @return the largest
     */
    static double max(float[] ms) {
        double m = Double.NEGATIVE_INFINITY;
        for (float f : ms) {
            m = Math.max(m, f);
        }
        return m;
    }
}

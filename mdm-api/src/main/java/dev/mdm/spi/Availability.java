package dev.mdm.spi;

import java.util.List;

/**
 * Whether a backend can run on this machine, and if not, every reason why (no driver, wrong CUDA major, missing
 * native jar …). Returned by {@link BackendProvider#probe()}.
 *
 * @param available true when {@link BackendProvider#create} is expected to succeed
 * @param reasons why not; empty when available
 */
public record Availability(boolean available, List<String> reasons) {
    /** Copies the reasons. */
    public Availability {
        reasons = List.copyOf(reasons);
    }

    /** @return the backend can run */
    public static Availability ready() {
        return new Availability(true, List.of());
    }

    /**
     * @param reasons one sentence each, saying what is missing and how to get it
     * @return the backend cannot run
     */
    public static Availability unavailable(String... reasons) {
        return new Availability(false, List.of(reasons));
    }
}

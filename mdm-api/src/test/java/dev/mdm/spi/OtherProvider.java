package dev.mdm.spi;

import dev.mdm.testing.FakeBackendProvider;

/** A second well-behaved provider, {@code other}, declared only in the temporary services file of the tests. */
public final class OtherProvider extends FakeBackendProvider {
    /** An available provider named {@code other}. */
    public OtherProvider() {
        super("other", 5, Availability.ready(), null);
    }
}

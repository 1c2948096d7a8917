package dev.mdm.spi;

/** A provider whose constructor throws, as one whose static initialisation or native probe blew up would. */
public final class ThrowingProvider implements BackendProvider {
    /** Always throws. */
    public ThrowingProvider() {
        throw new IllegalStateException("constructor failed on purpose");
    }

    @Override public String name() { return "throwing"; }
    @Override public int priority() { return 0; }
    @Override public Availability probe() { return Availability.ready(); }
    @Override public Backend create(BackendContext context) { throw new AssertionError("never constructed"); }
}

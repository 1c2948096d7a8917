package dev.mdm.examples.tck;

import dev.mdm.spi.BackendProvider;
import dev.mdm.tck.BackendCompatibilityKit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;

/**
 * The compatibility kit against whichever provider {@link KitLauncher} hands it. JUnit instantiates test classes
 * itself, so the provider travels through this field; {@link KitLauncher} sets it for one launch at a time.
 */
public class ProvidedBackendKit extends BackendCompatibilityKit {
    static final AtomicReference<BackendProvider> PROVIDER = new AtomicReference<>();

    /** Made by the JUnit engine. */
    public ProvidedBackendKit() {
    }

    @Override
    protected BackendProvider provider() {
        BackendProvider p = PROVIDER.get();
        Assumptions.assumeTrue(p != null, "no provider: run this kit through dev.mdm.examples.tck.KitLauncher");
        return p;
    }
}

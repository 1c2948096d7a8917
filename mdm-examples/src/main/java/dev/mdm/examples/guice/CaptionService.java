package dev.mdm.examples.guice;

import com.google.inject.Guice;
import com.google.inject.Inject;
import com.google.inject.Injector;
import dev.mdm.MDM;
import dev.mdm.guice.MdmModule;

/**
 * How an application that uses Guice gets an {@link MDM}: bind it with {@link MdmModule} from its configuration and
 * inject it where needed. Run it: {@code bin/mdm} is the CLI; this class is an example to read and copy.
 */
public final class CaptionService {
    private final MDM mdm;

    /** @param mdm the model, a singleton of the injector */
    @Inject
    public CaptionService(MDM mdm) {
        this.mdm = mdm;
    }

    /** @return what the service runs on */
    public String describe() {
        return mdm.toString();
    }

    /**
     * @param args ignored; settings come from {@code -Dmdm.*} system properties (e.g. {@code -Dmdm.backend=djl})
     */
    public static void main(String[] args) {
        Injector injector = Guice.createInjector(MdmModule.fromProperties(System.getProperties()));
        try (MDM mdm = injector.getInstance(MDM.class)) {
            System.out.println(injector.getInstance(CaptionService.class).describe());
        }
    }
}

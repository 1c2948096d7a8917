package dev.mdm.examples.guice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.Guice;
import com.google.inject.Injector;
import dev.mdm.ConfigurationException;
import dev.mdm.MDM;
import dev.mdm.guice.MdmModule;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The Guice MdmModule")
class MdmModuleTest {
    @Test
    @DisplayName("binds one MDM built from its settings, shared by everything that injects it")
    void bindsASingleton() {
        Injector injector = Guice.createInjector(new MdmModule(Map.of(
                "mdm.backend", "reference", "mdm.preset", "tiny", "mdm.seed", "3", "mdm.sampler.steps", "4",
                "server.port", "8080")));
        try (MDM mdm = injector.getInstance(MDM.class)) {
            assertThat(injector.getInstance(CaptionService.class).describe()).contains("reference");
            assertThat(injector.getInstance(MDM.class)).isSameAs(mdm);
            assertThat(mdm.sampler().settings().steps()).isEqualTo(4);
        }
    }

    @Test
    @DisplayName("reports every unknown key and bad value at once, before anything is built")
    void reportsEveryProblem() {
        assertThatThrownBy(() -> new MdmModule(Map.of("mdm.backnd", "djl", "mdm.device", "tpu", "mdm.seed", "x")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("unknown key 'mdm.backnd'")
                .hasMessageContaining("mdm.device: bad value 'tpu', expected cpu, gpu or gpu:N")
                .hasMessageContaining("mdm.seed: bad value 'x', expected a whole number");
    }
}

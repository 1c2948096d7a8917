package dev.mdm.examples.guice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.Guice;
import com.google.inject.Injector;
import dev.mdm.ConfigurationException;
import dev.mdm.InvalidInputException;
import dev.mdm.MDM;
import dev.mdm.guice.MdmModule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    @Test
    @DisplayName("leaves a backend's own properties alone, so that System.getProperties() can be passed as it is")
    void passesOverBackendProperties() {
        Properties p = new Properties();
        p.setProperty("mdm.backend", "reference");
        p.setProperty("mdm.jcuda.graphs", "false");
        p.setProperty("mdm.jcuda.wholeLoop", "false");
        Injector injector = Guice.createInjector(MdmModule.fromProperties(p));
        try (MDM mdm = injector.getInstance(MDM.class)) {
            assertThat(mdm.backend().name()).isEqualTo("reference");
        }
        assertThatThrownBy(() -> new MdmModule(Map.of("mdm.sampler.stpes", "4", "mdm.bakend", "djl", "mdm.smapler.steps", "4")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("unknown key 'mdm.sampler.stpes'").hasMessageContaining("unknown key 'mdm.bakend'")
                .hasMessageContaining("unknown key 'mdm.smapler.steps' (mdm.sampler.steps?)");
        Properties app = new Properties();  // an application's own mdm.* settings, a few letters from the SDK's
        app.setProperty("mdm.service.port", "8080");
        app.setProperty("mdm.spec.version", "2");
        app.setProperty("mdm.seeds.file", "seeds.txt");
        app.setProperty("mdm.backend", "reference");
        assertThat(MdmModule.fromProperties(app)).isNotNull();
    }

    @Test
    @DisplayName("refuses blank and missing values, a backend no jar provides and a seed beside a checkpoint when created")
    void refusesWhatCannotBeBuilt(@TempDir Path dir) throws IOException {
        Map<String, String> blank = new HashMap<>();
        blank.put("mdm.backend", " ");
        blank.put("mdm.device", null);
        assertThatThrownBy(() -> new MdmModule(blank)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("mdm.backend: no value (blank)").hasMessageContaining("mdm.device: no value (null)");
        assertThatThrownBy(() -> new MdmModule(Map.of("mdm.backend", "nonexistent"))).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("mdm.backend: no backend named 'nonexistent' (from mdm.backend); backends found: ")
                .hasMessageContaining("reference");
        assertThatThrownBy(() -> new MdmModule(Map.of("mdm.backend", "jcuda"))).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("add the artifact dev.mdm:mdm-backend-jcuda");
        Map<String, String> blankSeed = new HashMap<>(Map.of("mdm.preset", "tiny", "mdm.seed", " "));
        assertThatThrownBy(() -> new MdmModule(blankSeed)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("(1 problem)").hasMessageContaining("mdm.seed: no value (blank)");
        Path file = Files.writeString(dir.resolve("model.safetensors"), "not read before the module is used");
        assertThatThrownBy(() -> new MdmModule(Map.of("mdm.checkpoint", file.toString(), "mdm.seed", "3")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("mdm.checkpoint and mdm.seed both set");
        assertThatThrownBy(() -> new MdmModule(null)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("'settings'");
    }
}

package dev.mdm.guice;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.mdm.ConfigurationException;
import dev.mdm.Device;
import dev.mdm.MDM;
import dev.mdm.MdmConfig;
import dev.mdm.Precision;
import dev.mdm.sampling.SamplerSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * Binds one {@link MDM} as a singleton from string settings, for applications that use Guice.
 *
 * <pre>{@code
 * Injector injector = Guice.createInjector(new MdmModule(Map.of(
 *         "mdm.backend", "djl", "mdm.checkpoint", "/models/fashion.safetensors")));
 * MDM mdm = injector.getInstance(MDM.class);   // close it when the application stops
 * }</pre>
 *
 * <p>Keys: {@code mdm.backend} (name), {@code mdm.device} ({@code cpu}, {@code gpu:N}), {@code mdm.precision}
 * ({@code FP32}, {@code BF16}, {@code FP64}), {@code mdm.checkpoint} (a file) or {@code mdm.preset}
 * ({@code tiny}, {@code fashion}, {@code paper}) with {@code mdm.seed}, and {@code mdm.sampler.steps}. Unknown
 * {@code mdm.*} keys and bad values are all reported together when the module is created. Guice has no shutdown
 * hook: the application closes the MDM it got.
 */
public final class MdmModule extends AbstractModule {
    private static final Set<String> KEYS = Set.of("mdm.backend", "mdm.device", "mdm.precision", "mdm.checkpoint",
            "mdm.preset", "mdm.seed", "mdm.sampler.steps");

    private final Map<String, String> settings;

    /**
     * @param settings keys as above; keys not starting with {@code mdm.} are ignored, so a whole application
     *     configuration can be passed
     * @throws ConfigurationException listing every unknown key and bad value
     */
    public MdmModule(Map<String, String> settings) {
        this.settings = new TreeMap<>();
        settings.forEach((k, v) -> {
            if (k.startsWith("mdm.")) {
                this.settings.put(k, v);
            }
        });
        validate();
    }

    /**
     * @param properties e.g. {@code System.getProperties()}
     * @return a module from the {@code mdm.*} properties
     */
    public static MdmModule fromProperties(Properties properties) {
        Map<String, String> m = new TreeMap<>();
        properties.stringPropertyNames().forEach(k -> m.put(k, properties.getProperty(k)));
        return new MdmModule(m);
    }

    private void validate() {
        List<String> problems = new ArrayList<>();
        for (String k : settings.keySet()) {
            if (!KEYS.contains(k)) {
                problems.add("unknown key '" + k + "'; known keys: " + String.join(", ", new java.util.TreeSet<>(KEYS)));
            }
        }
        check(problems, "mdm.device", "cpu, gpu or gpu:N", Device::parse);
        check(problems, "mdm.precision", "one of " + java.util.Arrays.stream(Precision.values()).map(Enum::name)
                        .collect(java.util.stream.Collectors.joining(", ")),
                v -> Precision.valueOf(v.toUpperCase(Locale.ROOT)));
        check(problems, "mdm.preset", "tiny, fashion or paper", MdmConfig::preset);
        check(problems, "mdm.seed", "a whole number", Long::parseLong);
        check(problems, "mdm.sampler.steps", "a whole number ≥ 1", v -> {
            int n = Integer.parseInt(v);
            if (n < 1) {
                throw new IllegalArgumentException("must be >= 1");
            }
            return n;
        });
        String ckpt = settings.get("mdm.checkpoint");
        if (ckpt != null && !Files.isRegularFile(Path.of(ckpt))) {
            problems.add("mdm.checkpoint: no such file '" + ckpt + "'");
        }
        if (ckpt != null && settings.containsKey("mdm.preset")) {
            problems.add("mdm.checkpoint and mdm.preset both set; a checkpoint carries its own config");
        }
        if (!problems.isEmpty()) {
            throw new ConfigurationException("MdmModule settings", problems);
        }
    }

    private void check(List<String> problems, String key, String expected, java.util.function.Function<String, ?> parse) {
        String v = settings.get(key);
        if (v == null) {
            return;
        }
        try {
            parse.apply(v.trim());
        } catch (RuntimeException e) {
            problems.add(key + ": bad value '" + v + "', expected " + expected);
        }
    }

    @Override
    protected void configure() {
        // MDM is bound by the provider method below
    }

    @Provides
    @Singleton
    MDM provideMdm() {
        MDM.Builder b = MDM.builder();
        String v;
        if ((v = settings.get("mdm.backend")) != null) {
            b.backend(v);
        }
        if ((v = settings.get("mdm.device")) != null) {
            b.device(Device.parse(v));
        }
        if ((v = settings.get("mdm.precision")) != null) {
            b.precision(Precision.valueOf(v.trim().toUpperCase(Locale.ROOT)));
        }
        if ((v = settings.get("mdm.checkpoint")) != null) {
            b.checkpoint(Path.of(v));
        }
        if ((v = settings.get("mdm.preset")) != null) {
            b.config(MdmConfig.preset(v.trim()));
        }
        if ((v = settings.get("mdm.seed")) != null) {
            b.seed(Long.parseLong(v.trim()));
        }
        if ((v = settings.get("mdm.sampler.steps")) != null) {
            b.sampler(SamplerSettings.defaults().withSteps(Integer.parseInt(v.trim())));
        }
        return b.build();
    }
}

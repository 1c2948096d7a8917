package dev.mdm.guice;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.mdm.BackendNotFoundException;
import dev.mdm.BackendUnavailableException;
import dev.mdm.ConfigurationException;
import dev.mdm.Device;
import dev.mdm.InvalidInputException;
import dev.mdm.MDM;
import dev.mdm.MdmConfig;
import dev.mdm.Precision;
import dev.mdm.sampling.SamplerSettings;
import dev.mdm.spi.BackendRegistry;
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
 * keys of these names' namespaces ({@code mdm.bakend}, {@code mdm.sampler.stpes}) or within two edits of a key
 * ({@code mdm.smapler.steps}), bad values, a backend name that no backend on the class path has, and
 * settings that contradict each other are all reported together when the module is created. Keys of other
 * namespaces, such as a backend's own tuning properties ({@code mdm.jcuda.*}), are left to whoever reads them, so that {@code fromProperties(System.getProperties())} works beside them. Whether the backend
 * can run on this machine, and a step count above the model's diffusion timesteps, are found when the MDM is first
 * provided. Guice has no shutdown hook: the application closes the MDM it got.
 */
public final class MdmModule extends AbstractModule {
    private static final Set<String> KEYS = Set.of("mdm.backend", "mdm.device", "mdm.precision", "mdm.checkpoint",
            "mdm.preset", "mdm.seed", "mdm.sampler.steps");
    /**
     * the namespaces of {@link #KEYS}: an unknown key in one of them, or of one segment ({@code mdm.bakend}), is a
     * typo; a key of another namespace ({@code mdm.jcuda.graphs}) is another reader's setting
     */
    private static final Set<String> NAMESPACES = Set.of("backend", "device", "precision", "checkpoint", "preset", "seed",
            "sampler");

    private final Map<String, String> settings;

    /**
     * @param settings keys as above; keys not starting with {@code mdm.}, and keys of other {@code mdm.X.} namespaces
     *     (a backend's own, such as {@code mdm.jcuda.*}), are ignored, so a whole application configuration can be
     *     passed
     * @throws ConfigurationException listing every unknown key, bad value and contradiction
     * @throws InvalidInputException if {@code settings} is null
     */
    public MdmModule(Map<String, String> settings) {
        if (settings == null) {
            throw new InvalidInputException("settings", "a map of settings (may be empty)", "null");
        }
        this.settings = new TreeMap<>();
        settings.forEach((k, v) -> {
            if (k != null && k.startsWith("mdm.") && (k.indexOf('.', 4) < 0 || NAMESPACES.contains(namespace(k))
                    || nearest(k) != null)) {
                this.settings.put(k, v);
            }
        });
        validate();
    }

    /**
     * @return the key of {@link #KEYS} within two edits of {@code key} ({@code mdm.smapler.steps}: {@code
     *     mdm.sampler.steps}), a typo to report rather than another reader's setting; null when none is. Whole keys,
     *     not namespaces: a short namespace such as {@code seed} is two edits from many of an application's own
     *     ({@code mdm.spec.version}, {@code mdm.service.port})
     */
    private static String nearest(String key) {
        for (String known : KEYS) {
            if (!known.equals(key) && editDistance(known, key) <= 2) {
                return known;
            }
        }
        return null;
    }

    private static int editDistance(String a, String b) {
        int[] row = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            row[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int above = row[j];
                row[j] = Math.min(Math.min(row[j] + 1, row[j - 1] + 1), diagonal + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.length()];
    }

    /** @return {@code backend} for {@code mdm.backend}, {@code sampler} for {@code mdm.sampler.steps} */
    private static String namespace(String key) {
        String rest = key.substring("mdm.".length());
        int dot = rest.indexOf('.');
        return dot < 0 ? rest : rest.substring(0, dot);
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
        for (Map.Entry<String, String> e : settings.entrySet()) {
            if (!KEYS.contains(e.getKey())) {
                String near = nearest(e.getKey());
                problems.add("unknown key '" + e.getKey() + "'" + (near == null ? "" : " (" + near + "?)") + "; known keys: "
                        + String.join(", ", new java.util.TreeSet<>(KEYS)));
            } else if (e.getValue() == null || e.getValue().isBlank()) {
                problems.add(e.getKey() + ": no value (" + (e.getValue() == null ? "null" : "blank") + ")");
            }
        }
        String backend = settings.get("mdm.backend");
        if (backend != null && !backend.isBlank()) {
            try {
                BackendRegistry.discover().named(backend.trim(), "mdm.backend");
            } catch (BackendNotFoundException | BackendUnavailableException e) {
                problems.add("mdm.backend: " + e.getMessage());  // not on the class path (with the artifact), or twice
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
        if (ckpt != null && !ckpt.isBlank() && !Files.isRegularFile(Path.of(ckpt))) {
            problems.add("mdm.checkpoint: no such file '" + ckpt + "'");
        }
        // contradictions between values, once each has one (a blank one is reported above)
        ckpt = ckpt == null || ckpt.isBlank() ? null : ckpt;
        if (ckpt != null && hasValue("mdm.preset")) {
            problems.add("mdm.checkpoint and mdm.preset both set; a checkpoint carries its own config");
        }
        if (ckpt != null && hasValue("mdm.seed")) {
            problems.add("mdm.checkpoint and mdm.seed both set; mdm.seed draws fresh weights, a checkpoint carries its own");
        }
        if (!problems.isEmpty()) {
            throw new ConfigurationException("MdmModule settings", problems);
        }
    }

    private boolean hasValue(String key) {
        String v = settings.get(key);
        return v != null && !v.isBlank();
    }

    private void check(List<String> problems, String key, String expected, java.util.function.Function<String, ?> parse) {
        String v = settings.get(key);
        if (v == null || v.isBlank()) {
            return;  // reported as no value
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

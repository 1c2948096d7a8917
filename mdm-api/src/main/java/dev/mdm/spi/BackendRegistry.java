package dev.mdm.spi;

import dev.mdm.BackendNotFoundException;
import dev.mdm.BackendUnavailableException;
import dev.mdm.InvalidInputException;
import java.net.URL;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * The backends found on the class path plus any registered explicitly, and the selection rules ("Backend selection"
 * in the README; the failures in docs/RELIABILITY.md, "Backend selection and natives"): an explicit name; else
 * system property {@code mdm.backend} or environment {@code MDM_BACKEND}; else the available provider of highest
 * priority. Every failure says what to do: an unknown name lists the names found, a known name
 * whose module is absent names the artifact to add, "none available" lists every probe reason, and a provider that
 * failed to load is reported without hiding the others. Immutable.
 */
public final class BackendRegistry {
    /** The system property that selects a backend by name. */
    public static final String PROPERTY = "mdm.backend";
    /** The environment variable that selects a backend by name. */
    public static final String ENVIRONMENT = "MDM_BACKEND";

    private static final Map<String, String> KNOWN_ARTIFACTS = Map.of(
            "djl", "dev.mdm:mdm-backend-djl",
            "onnx", "dev.mdm:mdm-backend-onnx",
            "jcuda", "dev.mdm:mdm-backend-jcuda",
            "reference", "dev.mdm:mdm-tck");

    private final List<BackendProvider> providers;
    private final List<String> loadFailures;

    private BackendRegistry(List<BackendProvider> providers, List<String> loadFailures) {
        this.providers = List.copyOf(providers);
        this.loadFailures = List.copyOf(loadFailures);
    }

    /** @return the providers the context class loader's {@link ServiceLoader} finds */
    public static BackendRegistry discover() {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        return discover(cl != null ? cl : BackendRegistry.class.getClassLoader());
    }

    /**
     * @param loader where to look for {@code META-INF/services/dev.mdm.spi.BackendProvider}
     * @return the providers found, and a line per provider that failed to load
     */
    public static BackendRegistry discover(ClassLoader loader) {
        List<BackendProvider> found = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        Iterator<BackendProvider> it = ServiceLoader.load(BackendProvider.class, loader).iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                found.add(it.next());
            } catch (ServiceConfigurationError | LinkageError e) {
                // one broken provider must not hide the others: ServiceLoader moves on to the next entry
                failures.add(e.getMessage() + (e.getCause() != null ? " (cause: " + e.getCause() + ")" : ""));
            }
        }
        return new BackendRegistry(found, failures);
    }

    /**
     * @param providers exactly these providers, no discovery
     * @return a registry of them
     */
    public static BackendRegistry of(List<BackendProvider> providers) {
        return new BackendRegistry(providers, List.of());
    }

    /**
     * @param provider a provider to add, e.g. one not registered as a service
     * @return a registry with it added
     */
    public BackendRegistry with(BackendProvider provider) {
        List<BackendProvider> all = new ArrayList<>(providers);
        all.add(provider);
        return new BackendRegistry(all, loadFailures);
    }

    /** @return every provider, highest priority first */
    public List<BackendProvider> providers() {
        return providers.stream().sorted(Comparator.comparingInt(BackendProvider::priority).reversed()).toList();
    }

    /** @return one line per provider that was declared but failed to load */
    public List<String> loadFailures() {
        return loadFailures;
    }

    /**
     * Selects by the rules above, for {@code MDM.builder()}.
     *
     * @param requested an explicit name, or null to consult {@code mdm.backend}, {@code MDM_BACKEND}, then priority
     * @return the chosen provider, whose probe says it is available
     */
    public BackendProvider select(String requested) {
        return select(requested, "the builder");
    }

    /**
     * Selects by the rules above.
     *
     * @param requested an explicit name, or null to consult {@code mdm.backend}, {@code MDM_BACKEND}, then priority
     * @param requestedFrom where an explicit name came from, for the messages, e.g. {@code "--backend"}
     * @return the chosen provider, whose probe says it is available
     */
    public BackendProvider select(String requested, String requestedFrom) {
        String name = requested;
        String source = Objects.requireNonNullElse(requestedFrom, "the caller");
        if (name == null) {
            name = System.getProperty(PROPERTY);
            source = "system property " + PROPERTY;
        }
        if (name == null || name.isBlank()) {
            name = System.getenv(ENVIRONMENT);
            source = "environment variable " + ENVIRONMENT;
        }
        if (name != null && !name.isBlank()) {
            return selectNamed(name.trim().toLowerCase(Locale.ROOT), source);
        }
        List<String> reasons = new ArrayList<>();
        for (BackendProvider p : providers()) {
            Availability a = probe(p);
            if (a.available()) {
                requireUnique(p.name(), "priority");
                return p;
            }
            a.reasons().forEach(r -> reasons.add(p.name() + ": " + r));
        }
        loadFailures.forEach(f -> reasons.add("failed to load: " + f));
        if (providers.isEmpty() && loadFailures.isEmpty()) {
            reasons.add("no BackendProvider on the class path; add a backend, e.g. dev.mdm:mdm-backend-djl");
        }
        throw new BackendUnavailableException("no MDM backend is available", reasons);
    }

    private BackendProvider selectNamed(String name, String source) {
        BackendProvider p = named(name, source);
        Availability a = probe(p);
        if (!a.available()) {
            throw new BackendUnavailableException("backend '" + name + "' (from " + source + ") cannot run here",
                    a.reasons().stream().map(r -> name + ": " + r).toList());
        }
        return p;
    }

    /**
     * The provider of a name, whether or not it can run here (for tools that report on it, such as the TCK), with
     * the errors of {@link #select}.
     *
     * @param name a provider name
     * @param source where the name came from, for the messages, e.g. {@code "--backend"}
     * @return the one provider of that name
     * @throws BackendNotFoundException if none has it; the message lists the names found and the providers that
     *         failed to load
     * @throws BackendUnavailableException if several have it; the reasons name each class and its jar
     * @throws InvalidInputException if the name is null or blank
     */
    public BackendProvider named(String name, String source) {
        source = Objects.requireNonNullElse(source, "the caller");
        if (name == null || name.isBlank()) {
            throw new InvalidInputException("name", "a backend name", String.valueOf(name));
        }
        List<BackendProvider> matches = requireUnique(name, source);
        if (matches.isEmpty()) {
            String found = providers.isEmpty() ? "none" : providers().stream().map(BackendProvider::name).collect(Collectors.joining(", "));
            String artifact = KNOWN_ARTIFACTS.get(name.toLowerCase(Locale.ROOT));
            StringBuilder msg = new StringBuilder("no backend named '" + name + "' (from " + source + ")");
            if (artifact != null) {
                msg.append(": add the artifact ").append(artifact).append(" to the class path");
            }
            msg.append("; backends found: ").append(found);
            if (!loadFailures.isEmpty()) {
                msg.append("; failed to load: ").append(String.join("; ", loadFailures));
            }
            throw new BackendNotFoundException(msg.toString());
        }
        return matches.get(0);
    }

    /** Two jars providing one name is a class-path mistake the user must fix, not something to pick from silently. */
    private List<BackendProvider> requireUnique(String name, String source) {
        List<BackendProvider> matches = providers.stream().filter(p -> p.name().equalsIgnoreCase(name)).toList();
        if (matches.size() > 1) {
            throw new BackendUnavailableException("backend '" + name + "' (selected by " + source + ") is provided more than once; "
                    + "keep only one of these on the class path",
                    matches.stream().map(p -> p.getClass().getName() + " from " + location(p)).toList());
        }
        return matches;
    }

    /**
     * @param p a provider
     * @return its probe, with an exception thrown by the probe itself turned into a reason
     */
    public static Availability probe(BackendProvider p) {
        try {
            Availability a = p.probe();
            return a != null ? a : Availability.unavailable("probe() returned null");
        } catch (RuntimeException | LinkageError e) {
            return Availability.unavailable("probe failed: " + e);
        }
    }

    /** @return a readable report of every provider, its priority, availability and reasons, and load failures */
    public String diagnose() {
        StringBuilder sb = new StringBuilder();
        sb.append("MDM backends (").append(providers.size()).append(" found, highest priority first)\n");
        Map<String, Availability> seen = new LinkedHashMap<>();
        for (BackendProvider p : providers()) {
            Availability a = probe(p);
            seen.put(p.name(), a);
            sb.append(String.format(Locale.ROOT, "  %-10s priority %4d  %s  (%s)%n", p.name(), p.priority(),
                    a.available() ? "available" : "UNAVAILABLE", location(p)));
            a.reasons().forEach(r -> sb.append("      - ").append(r).append('\n'));
        }
        for (String f : loadFailures) {
            sb.append("  failed to load: ").append(f).append('\n');
        }
        KNOWN_ARTIFACTS.forEach((n, art) -> {
            if (!seen.containsKey(n)) {
                sb.append("  ").append(n).append(": not on the class path (artifact ").append(art).append(")\n");
            }
        });
        String chosen;
        try {
            chosen = select(null).name();
        } catch (RuntimeException e) {
            chosen = "none (" + e.getMessage().lines().findFirst().orElse("") + ")";
        }
        sb.append("  selected by default: ").append(chosen).append('\n');
        return sb.toString();
    }

    private static String location(BackendProvider p) {
        try {
            CodeSource cs = p.getClass().getProtectionDomain().getCodeSource();
            URL url = cs == null ? null : cs.getLocation();
            return url == null ? "unknown location" : url.getPath();
        } catch (SecurityException e) {
            return "unknown location";
        }
    }

    /**
     * @param name a provider name
     * @return that provider if registered
     * @throws InvalidInputException if the name is null or blank
     */
    public java.util.Optional<BackendProvider> find(String name) {
        if (name == null || name.isBlank()) {
            throw new InvalidInputException("name", "a backend name", String.valueOf(name));
        }
        return providers.stream().filter(p -> p.name().equalsIgnoreCase(name)).findFirst();
    }
}

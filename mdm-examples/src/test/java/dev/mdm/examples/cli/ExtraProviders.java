package dev.mdm.examples.cli;

import dev.mdm.spi.Availability;
import dev.mdm.spi.Backend;
import dev.mdm.spi.BackendContext;
import dev.mdm.spi.BackendProvider;
import dev.mdm.tck.reference.ReferenceBackendProvider;
import dev.mdm.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/** Providers registered beside the real ones, as a backend jar of one's own on the class path is. */
public final class ExtraProviders {
    private ExtraProviders() {
    }

    /** The reference under another name and priority 0: what each provider below changes of it is its point. */
    abstract static class ReferenceLike implements BackendProvider {
        private final String name;

        ReferenceLike(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public int priority() {
            return 0;
        }

        @Override
        public Availability probe() {
            return Availability.ready();
        }

        @Override
        public Backend create(BackendContext context) {
            return new ReferenceBackendProvider().create(context);
        }
    }

    /** A second provider of the name {@code reference}, as when two jars ship one backend. */
    public static final class SecondReference extends ReferenceLike {
        public SecondReference() {
            super("reference");
        }
    }

    /** A provider that ServiceLoader cannot make: its constructor is not public. */
    public static final class PrivateConstructor extends ReferenceLike {
        private PrivateConstructor() {
            super("priv");
        }
    }

    /** The reference, except that its SSD scan answers a tensor of the wrong shape. */
    public static final class SsdWrongShape extends ReferenceLike {
        public SsdWrongShape() {
            super("ssd-wrong-shape");
        }

        @Override
        public Backend create(BackendContext context) {
            Backend reference = super.create(context);
            return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
                    (proxy, method, args) -> {
                        if (method.getName().equals("ssd")) {
                            return Tensor.zeros(2, 3);
                        }
                        try {
                            return method.invoke(reference, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }
    }

    /**
     * @param dir where to write the service file
     * @param providers the provider classes it lists
     * @param run what to do with the context class loader (which BackendRegistry.discover() reads) seeing them too
     * @return what {@code run} returned
     */
    static <T> T withProviders(Path dir, List<Class<? extends BackendProvider>> providers, Supplier<T> run) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        try {
            Path services = Files.createDirectories(dir.resolve("META-INF/services"));
            Files.write(services.resolve(BackendProvider.class.getName()), providers.stream().map(Class::getName).toList());
            try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, ExtraProviders.class.getClassLoader())) {
                thread.setContextClassLoader(loader);
                return run.get();
            }
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}

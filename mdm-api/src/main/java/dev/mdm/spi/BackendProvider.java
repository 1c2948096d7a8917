package dev.mdm.spi;

/**
 * Entry point of a backend, found with {@link java.util.ServiceLoader} (register the class in
 * {@code META-INF/services/dev.mdm.spi.BackendProvider}). A provider is small and touches no native library before
 * {@link #create}: listing providers must be cheap and safe on any machine (the JDBC {@code Driver} rule).
 */
public interface BackendProvider {
    /** @return the short name users select it by, e.g. {@code "djl"} */
    String name();

    /** @return selection priority when none is named; higher wins (jcuda 300 &gt; djl 200 &gt; onnx 100 &gt; reference 0) */
    int priority();

    /**
     * Checks, cheaply and without side effects, whether this backend can run here.
     *
     * @return availability with every reason it cannot
     */
    Availability probe();

    /** @return the device used when the user names none: the CPU, or GPU 0 for a GPU backend */
    default dev.mdm.Device defaultDevice() {
        return dev.mdm.Device.cpu();
    }

    /**
     * Creates a backend. This is where native libraries load and devices open.
     *
     * @param context the device and precision asked for
     * @return an open backend; the caller closes it
     * @throws dev.mdm.BackendUnavailableException when it cannot honour the context
     */
    Backend create(BackendContext context);
}

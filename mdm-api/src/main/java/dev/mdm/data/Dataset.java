package dev.mdm.data;

/** A finite, indexable collection of {@link Example}s. Implementations are immutable and thread-safe. */
public interface Dataset {
    /** @return number of examples */
    int size();

    /**
     * @param index 0 ≤ index &lt; size()
     * @return that example
     */
    Example get(int index);

    /** @return class names, index = class id */
    java.util.List<String> classNames();
}

package dev.mdm.tck.reference;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The open/closed state of one reference object. A child is closed when it or any ancestor is, so closing a backend
 * makes everything it created unusable.
 */
final class ReferenceLifecycle {
    private final String name;
    private final ReferenceLifecycle parent;
    private final AtomicBoolean closed = new AtomicBoolean();

    ReferenceLifecycle(String name, ReferenceLifecycle parent) {
        this.name = name;
        this.parent = parent;
    }

    /** @return a child lifecycle named {@code childName} */
    ReferenceLifecycle child(String childName) {
        return new ReferenceLifecycle(childName, this);
    }

    /** @throws IllegalStateException naming the object when it or an ancestor is closed */
    void requireOpen() {
        for (ReferenceLifecycle l = this; l != null; l = l.parent) {
            if (l.closed.get()) {
                throw new IllegalStateException(name + " is closed" + (l == this ? "" : " (its " + l.name + " was closed)"));
            }
        }
    }

    /** Marks it closed; idempotent. */
    void close() {
        closed.set(true);
    }
}

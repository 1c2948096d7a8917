package dev.mdm.backend.djl;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * Open/closed state of a native-holding object, the children it closes with it, and the lock that lets many
 * readers (inference) run at once while a writer (an optimizer step, close) runs alone.
 */
final class Lifecycle {
    private final String name;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private final Set<AutoCloseable> children = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    Lifecycle(String name) {
        this.name = name;
    }

    /** @throws IllegalStateException naming the object once it is closed */
    void ensureOpen() {
        if (closed) {
            throw new IllegalStateException(name + " is closed");
        }
    }

    /** Runs a reader: concurrent with other readers, never with a writer or close. */
    <T> T read(Supplier<T> body) {
        lock.readLock().lock();
        try {
            ensureOpen();
            return body.get();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Runs a writer alone. */
    <T> T write(Supplier<T> body) {
        lock.writeLock().lock();
        try {
            ensureOpen();
            return body.get();
        } finally {
            lock.writeLock().unlock();
        }
    }

    <T extends AutoCloseable> T adopt(T child) {
        children.add(child);
        return child;
    }

    void release(AutoCloseable child) {
        children.remove(child);
    }

    /**
     * Marks closed (waiting for running calls), closes the children, then runs {@code freeNative}. Idempotent.
     *
     * @param freeNative frees what this object holds itself
     */
    void close(Runnable freeNative) {
        lock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
        } finally {
            lock.writeLock().unlock();
        }
        // every child and then this object's own memory, even when one of them fails: the first failure is thrown
        // with the others suppressed, after everything has been tried
        IllegalStateException failure = null;
        for (AutoCloseable c : children) {
            try {
                c.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("closing a child of " + name + " failed", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        children.clear();
        try {
            freeNative.run();
        } catch (RuntimeException e) {
            if (failure == null) {
                throw e;
            }
            failure.addSuppressed(e);
        }
        if (failure != null) {
            throw failure;
        }
    }
}

package id.ikd.verify;

import java.lang.ref.PhantomReference;
import java.lang.ref.ReferenceQueue;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One native object: its address, freed exactly once, by {@code close()} or, for an owner
 * that was never closed, once the owner is unreachable (the safety net).
 *
 * <p>Calls hold the read lock for their whole duration and freeing takes the write lock, so
 * a handle is never freed while a call (on any thread) uses it, and a call after the free
 * throws {@link IllegalStateException} instead of touching freed memory. Holding the lock
 * also keeps the native object alive while a call runs even if its Java owner has become
 * unreachable meanwhile.
 *
 * <p>The safety net is a phantom reference and a daemon thread rather than
 * {@code java.lang.ref.Cleaner}, which Android has only from API level 33.
 */
final class NativeHandle {
    /** Frees one native object. */
    interface Free {
        void free(long handle);
    }

    /** A native call with the handle's address. */
    interface Call<T> {
        T call(long handle);
    }

    private final State state;
    private final Collected reference;

    NativeHandle(Object owner, long handle, Free free, String what) {
        this.state = new State(handle, free, what);
        this.reference = new Collected(owner, state);
    }

    /** Runs a call that reads the native object. */
    <T> T read(Call<T> call) {
        ReentrantReadWriteLock.ReadLock lock = state.lock.readLock();
        lock.lock();
        try {
            return call.call(state.live());
        } finally {
            lock.unlock();
        }
    }

    /** Runs a call that changes the native object (no other call runs meanwhile). */
    <T> T write(Call<T> call) {
        ReentrantReadWriteLock.WriteLock lock = state.lock.writeLock();
        lock.lock();
        try {
            return call.call(state.live());
        } finally {
            lock.unlock();
        }
    }

    /** Frees the native object; a second close does nothing. */
    void close() {
        reference.release();
    }

    boolean isClosed() {
        ReentrantReadWriteLock.ReadLock lock = state.lock.readLock();
        lock.lock();
        try {
            return state.handle == 0;
        } finally {
            lock.unlock();
        }
    }

    /** The address and how to free it: everything the safety net needs, but not the owner. */
    private static final class State {
        final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
        final Free free;
        final String what;
        long handle;

        State(long handle, Free free, String what) {
            this.handle = handle;
            this.free = free;
            this.what = what;
        }

        long live() {
            if (handle == 0) {
                throw new IllegalStateException(what + " is closed");
            }
            return handle;
        }

        void free() {
            ReentrantReadWriteLock.WriteLock lock = this.lock.writeLock();
            lock.lock();
            try {
                if (handle != 0) {
                    long h = handle;
                    handle = 0;
                    free.free(h);
                }
            } finally {
                lock.unlock();
            }
        }
    }

    private static final ReferenceQueue<Object> QUEUE = new ReferenceQueue<>();
    // Phantom references must stay reachable until they are enqueued.
    private static final Set<Collected> PENDING =
            Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));

    static {
        Thread thread = new Thread(NativeHandle::reclaim, "ikd-verify-native-cleaner");
        thread.setDaemon(true);
        thread.start();
    }

    /** How many native objects are neither closed nor reclaimed yet (for the tests). */
    static int pending() {
        return PENDING.size();
    }

    private static void reclaim() {
        while (true) {
            try {
                ((Collected) QUEUE.remove()).release();
            } catch (InterruptedException e) {
                // A daemon thread: keep serving until the JVM exits.
            } catch (RuntimeException e) {
                // A failure freeing one object must not stop the others from being freed.
            }
        }
    }

    private static final class Collected extends PhantomReference<Object> {
        private final State state;

        Collected(Object owner, State state) {
            super(owner, QUEUE);
            this.state = state;
            PENDING.add(this);
        }

        void release() {
            PENDING.remove(this);
            clear();
            state.free();
        }
    }
}

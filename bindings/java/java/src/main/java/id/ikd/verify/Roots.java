package id.ikd.verify;

import java.util.Objects;

/**
 * The pinned root keys a signed trust list must be signed by. Holds a native object: close
 * it (try-with-resources) when done; an unclosed one is freed once unreachable.
 */
public final class Roots implements AutoCloseable {
    final NativeHandle handle;

    private Roots(long handle) {
        this.handle = new NativeHandle(this, handle, Native::rootsFree, "Roots");
    }

    /**
     * Reads the trust anchors JSON form:
     * {@code {"format": "ikd-trust-anchors/1", "roots": [{"name": ..., "public_key": hex}]}}.
     *
     * @param json the trust anchors JSON
     * @return the roots
     * @throws IkdException {@code roots_invalid}
     */
    public static Roots fromAnchorsJson(String json) {
        Objects.requireNonNull(json, "json");
        return new Roots(Native.rootsFromAnchorsJson(json));
    }

    /**
     * Reads root keys given as hex of their 32 raw bytes (at least one).
     *
     * @param keys the keys in hex
     * @return the roots
     * @throws IkdException {@code roots_invalid}
     */
    public static Roots fromHexKeys(String... keys) {
        Objects.requireNonNull(keys, "keys");
        for (String key : keys) {
            Objects.requireNonNull(key, "a key");
        }
        return new Roots(Native.rootsFromHexKeys(keys));
    }

    /** @return how many root keys there are */
    public int size() {
        return handle.read(Native::rootsCount);
    }

    /** Frees the native object; using the roots afterwards throws IllegalStateException. */
    @Override
    public void close() {
        handle.close();
    }
}

package id.ikd.verify;

import java.util.Objects;

/**
 * A verifier's trust data: issuer keys, where they came from, and status lists. Loading
 * never reads a clock: freshness is decided at each verification, against its time and
 * policy, and {@link #summaryJson} tells ahead.
 *
 * <p>Holds a native object: close it (try-with-resources) when done; an unclosed one is
 * freed once unreachable. A {@link Verifier} keeps its own copy, so trust data may be
 * closed once the verifiers are made.
 */
public final class TrustData implements AutoCloseable {
    final NativeHandle handle;

    private TrustData(long handle) {
        this.handle = new NativeHandle(this, handle, Native::trustFree, "TrustData");
    }

    /**
     * Reads a trust store in its JSON form ({@code ikd-trust-store/1}), keeping the order of
     * its keys.
     *
     * @param json the trust store JSON
     * @return the trust data
     * @throws IkdException {@code trust_store_invalid}
     */
    public static TrustData fromStoreJson(String json) {
        Objects.requireNonNull(json, "json");
        return new TrustData(Native.trustFromStoreJson(json));
    }

    /**
     * Verifies a signed trust list (its COSE_Sign1 bytes) against the pinned roots; its keys,
     * in their order, become the trust data.
     *
     * @param token the signed trust list
     * @param roots the pinned roots
     * @return the trust data
     * @throws IkdException {@code trust_list_invalid}
     */
    public static TrustData fromTrustList(byte[] token, Roots roots) {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(roots, "roots");
        return new TrustData(roots.handle.read(r -> Native.trustFromTrustList(token, r)));
    }

    /**
     * Verifies a status list token (its COSE_Sign1 bytes) against these keys and holds it
     * under its URI, replacing any list held under that URI.
     *
     * @param token the status list token
     * @return the status list's summary JSON ({@code uri}, {@code issuer}, {@code issued_at},
     *     {@code expires_at})
     * @throws IkdException {@code status_list_invalid}
     */
    public String addStatusList(byte[] token) {
        Objects.requireNonNull(token, "token");
        return handle.write(t -> Native.trustAddStatusList(t, token));
    }

    /** @return how many issuer keys are held */
    public int getKeyCount() {
        return handle.read(Native::trustKeyCount);
    }

    /**
     * What the trust data is and how fresh it is at {@code now} under {@code policy}: what a
     * verifier shows before anything is scanned, so that stale data is seen early.
     *
     * @param now Unix seconds
     * @param policy the policy whose freshness rules apply
     * @return the summary JSON ({@code source}, {@code keys}, {@code trust_list},
     *     {@code status_lists}, each part with its {@code freshness})
     */
    public String summaryJson(long now, Policy policy) {
        Objects.requireNonNull(policy, "policy");
        return handle.read(t -> Native.trustSummaryJson(t, now, policy.toJson()));
    }

    /** Frees the native object; using the trust data afterwards throws IllegalStateException. */
    @Override
    public void close() {
        handle.close();
    }
}

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
     * Verifies a trust bundle ({@code .ikdb}: a signed trust list and its status lists in
     * one file, for offices that receive their data on a USB stick) against the pinned roots
     * and installs it at {@code now} under the import rules. A bundle that is malformed, not
     * signed by a root, issued in the future or stale beyond the policy's grace period is
     * refused as a whole; each status list then stands alone.
     *
     * @param bundle the bundle's bytes
     * @param roots the pinned roots
     * @param now Unix seconds
     * @param policy the policy whose freshness rules apply
     * @return the trust data and what was installed
     * @throws IkdException {@code bundle_refused}, its message starting with the
     *     {@code bundle_…} code
     */
    public static BundleLoad fromBundle(byte[] bundle, Roots roots, long now, Policy policy) {
        return install(bundle, roots, now, policy, 0);
    }

    /**
     * Installs a trust bundle over this trust data, under the same rules as
     * {@link #fromBundle}: besides the pinned roots, the root that signed the list held and
     * the successors it names are accepted, and a bundle older than the one held is refused.
     * This trust data is left as it was; the result is new trust data.
     *
     * @param bundle the bundle's bytes
     * @param roots the pinned roots
     * @param now Unix seconds
     * @param policy the policy whose freshness rules apply
     * @return the new trust data and what was installed
     * @throws IkdException {@code bundle_refused}
     */
    public BundleLoad installBundle(byte[] bundle, Roots roots, long now, Policy policy) {
        return handle.read(held -> install(bundle, roots, now, policy, held));
    }

    private static BundleLoad install(byte[] bundle, Roots roots, long now, Policy policy, long inUse) {
        Objects.requireNonNull(bundle, "bundle");
        Objects.requireNonNull(roots, "roots");
        Objects.requireNonNull(policy, "policy");
        String[] summary = new String[1];
        long trust = roots.handle.read(
                r -> Native.trustFromBundle(bundle, r, inUse, now, policy.toJson(), summary));
        return new BundleLoad(new TrustData(trust), summary[0]);
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

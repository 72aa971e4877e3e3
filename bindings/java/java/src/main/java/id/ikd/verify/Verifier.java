package id.ikd.verify;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Trust data, a policy and a replay guard: what stays the same from one scan to the next.
 * Verifies scanned QR text; every outcome, valid or rejected, is a {@link Verdict}.
 *
 * <p>Thread-safe: one verifier may be shared by any number of threads (verifications run
 * in parallel; changing the trust data, policy or replay mode waits for them).
 *
 * <p>Holds a native object: close it when done (try-with-resources); an unclosed one is
 * freed once unreachable. After {@link #close()}, calls throw
 * {@link IllegalStateException}; a second close does nothing.
 *
 * <p>Time is always an argument, in Unix seconds: no call reads a clock on its own.
 * {@link #systemNow()} is a convenience for a caller that trusts the device clock.
 */
public final class Verifier implements AutoCloseable {
    private final NativeHandle handle;
    private volatile ReplayMode replayMode = ReplayMode.OFF;

    /**
     * A verifier with this trust data and the default policy, and no replay check (the Rust
     * SDK's defaults).
     *
     * @param trust the trust data (copied: it may be closed afterwards)
     */
    public Verifier(TrustData trust) {
        this(trust, Policy.defaults());
    }

    /**
     * A verifier with this trust data and policy, and no replay check (the SDK's default).
     *
     * @param trust the trust data (copied: it may be closed afterwards)
     * @param policy the policy
     */
    public Verifier(TrustData trust, Policy policy) {
        Objects.requireNonNull(trust, "trust");
        Objects.requireNonNull(policy, "policy");
        long h = trust.handle.read(t -> Native.verifierNew(t, policy.toJson()));
        this.handle = new NativeHandle(this, h, Native::verifierFree, "Verifier");
    }

    /**
     * Replaces the trust data (after an update), keeping the policy and the replay cache.
     *
     * @param trust the new trust data (copied)
     */
    public void setTrust(TrustData trust) {
        Objects.requireNonNull(trust, "trust");
        handle.read(v -> trust.handle.read(t -> {
            Native.verifierSetTrust(v, t);
            return null;
        }));
    }

    /**
     * Replaces the policy, keeping the trust data and the replay cache.
     *
     * @param policy the new policy
     */
    public void setPolicy(Policy policy) {
        Objects.requireNonNull(policy, "policy");
        handle.read(v -> {
            Native.verifierSetPolicy(v, policy.toJson());
            return null;
        });
    }

    /**
     * Sets how presentations shown twice are caught. Changing the mode starts an empty cache.
     *
     * @param mode the mode
     * @throws IkdException {@code replay_capacity_invalid} for a local cache of 0 or more
     *     than 1 000 000 entries
     */
    public void setReplayMode(ReplayMode mode) {
        Objects.requireNonNull(mode, "mode");
        handle.read(v -> {
            Native.verifierSetReplayMode(v, mode.kind(), mode.getCapacity());
            return null;
        });
        replayMode = mode;
    }

    /** @return the replay mode in force */
    public ReplayMode getReplayMode() {
        return replayMode;
    }

    /**
     * Verifies scanned QR text at {@code now}, without a challenge.
     *
     * @param qrText the QR text exactly as scanned
     * @param now Unix seconds
     * @return the verdict, valid or rejected
     */
    public Verdict verify(String qrText, long now) {
        return verify(qrText, now, null, null);
    }

    /**
     * Verifies scanned QR text at {@code now}, with the challenge this verifier showed.
     *
     * @param qrText the QR text exactly as scanned
     * @param now Unix seconds
     * @param challenge the challenge shown, or null for none
     * @return the verdict, valid or rejected
     */
    public Verdict verify(String qrText, long now, Challenge challenge) {
        return verify(qrText, now, challenge, null);
    }

    /**
     * Verifies scanned QR text at {@code now}, with the challenge this verifier showed, and
     * also gives the verdict as a disclosure purpose may see it
     * ({@link Verdict#getDisclosedJson()}).
     *
     * @param qrText the QR text exactly as scanned
     * @param now Unix seconds
     * @param challenge the challenge shown, or null for none
     * @param purpose one of {@link #purposes()}, or null for no disclosed verdict
     * @return the verdict, valid or rejected
     * @throws IkdException {@code purpose_unknown} (before verifying: nothing reaches the
     *     replay cache)
     */
    public Verdict verify(String qrText, long now, Challenge challenge, String purpose) {
        Objects.requireNonNull(qrText, "qrText");
        String nonce = challenge == null ? null : challenge.getNonce();
        String audience = challenge == null ? null : challenge.audienceOrNull();
        byte[] qr = qrText.getBytes(StandardCharsets.UTF_8);
        return new Verdict(handle.read(v -> Native.verifierVerify(v, qr, now, nonce, audience, purpose)));
    }

    /** @return the disclosure purposes: {@code kyc}, {@code identity}, {@code age_check}, {@code domicile} */
    public static List<String> purposes() {
        return Collections.unmodifiableList(Arrays.asList(Native.purposes()));
    }

    /**
     * The device clock, in Unix seconds: a convenience for a caller that trusts it. Every
     * verification still takes the time as an argument.
     *
     * @return Unix seconds
     * @throws IkdException {@code clock_unavailable} when the clock reads before 1970
     */
    public static long systemNow() {
        return Native.systemNow();
    }

    /**
     * A QR text's layers, <b>unverified</b>, for debugging.
     *
     * @param qrText the QR text
     * @return the inspection JSON
     */
    public static String inspectJson(String qrText) {
        Objects.requireNonNull(qrText, "qrText");
        return Native.inspectJson(qrText);
    }

    /** @return whether {@link #close()} was called (or the native object freed) */
    public boolean isClosed() {
        return handle.isClosed();
    }

    /** Frees the native object, once verifications running on other threads are done. */
    @Override
    public void close() {
        handle.close();
    }

    /** For the benchmark's native baseline, which verifies with this verifier's handle. */
    long handleForBench(NativeHandle.Call<Long> call) {
        return handle.read(call);
    }
}

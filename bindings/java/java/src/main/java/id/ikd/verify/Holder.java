package id.ikd.verify;

import java.util.Objects;

/** The holder side: presentations of a credential, for test and web wallets. */
public final class Holder {
    /** How long a presentation is valid by default: as long as the IKD app shows one. */
    public static final int DEFAULT_PRESENTATION_SECONDS = Native.defaultPresentationSeconds();

    private Holder() {}

    /**
     * Signs a presentation of the credential with the device key at {@code now}, valid for
     * {@code lifetimeSeconds}, binding the verifier's challenge when it showed one. The key
     * is not checked against the credential's {@code cnf} here: the verifier does.
     *
     * @param credentialQr the credential's QR text
     * @param key the device key
     * @param now Unix seconds
     * @param lifetimeSeconds how long it is valid ({@link #DEFAULT_PRESENTATION_SECONDS})
     * @param challenge the verifier's challenge, or null for none
     * @return the presentation's QR text
     * @throws IkdException {@code credential_invalid}, or {@code presentation_failed}
     */
    public static String present(
            String credentialQr, DeviceKey key, long now, int lifetimeSeconds, Challenge challenge) {
        Objects.requireNonNull(credentialQr, "credentialQr");
        Objects.requireNonNull(key, "key");
        return Native.present(
                credentialQr,
                key.getAlg(),
                key.secretForNative(),
                now,
                lifetimeSeconds,
                challenge == null ? null : challenge.getNonce(),
                challenge == null ? null : challenge.audienceOrNull());
    }
}

package id.ikd.verify;

import java.util.Objects;

/**
 * A holder's device key, Ed25519 ({@code EdDSA}) or P-256 ({@code ES256}), for test and web
 * wallets without a hardware keystore (a production wallet keeps its key in the platform's
 * keystore). The secret is held in Java memory: handle it as the secret it is.
 */
public final class DeviceKey {
    private final String alg;
    private final byte[] secret;
    private final byte[] publicKey;

    private DeviceKey(String alg, byte[] secret) {
        this.alg = Native.deviceKeyAlg(alg, secret);
        this.secret = secret.clone();
        this.publicKey = Native.deviceKeyPublic(alg, secret);
    }

    /**
     * A fresh key from the host's randomness.
     *
     * @param alg {@code EdDSA} or {@code ES256}, any case
     * @return the key
     * @throws IkdException {@code device_key_invalid}, or {@code randomness_unavailable}
     */
    public static DeviceKey generate(String alg) {
        Objects.requireNonNull(alg, "alg");
        return new DeviceKey(alg, Native.deviceKeyGenerate(alg));
    }

    /**
     * The key with this 32-byte secret (an Ed25519 seed, or a P-256 scalar).
     *
     * @param alg {@code EdDSA} or {@code ES256}, any case
     * @param secret the secret
     * @return the key
     * @throws IkdException {@code device_key_invalid}
     */
    public static DeviceKey fromSecret(String alg, byte[] secret) {
        Objects.requireNonNull(alg, "alg");
        Objects.requireNonNull(secret, "secret");
        return new DeviceKey(alg, secret.clone());
    }

    /** @return {@code EdDSA} or {@code ES256} */
    public String getAlg() {
        return alg;
    }

    /** @return a copy of the 32-byte secret, for the wallet to keep */
    public byte[] getSecret() {
        return secret.clone();
    }

    /**
     * @return the raw public key: 32 bytes for Ed25519, compressed SEC1 (33 bytes) for P-256;
     *     what an issuer binds as the credential's {@code cnf}
     */
    public byte[] getPublicKey() {
        return publicKey.clone();
    }

    byte[] secretForNative() {
        return secret;
    }
}

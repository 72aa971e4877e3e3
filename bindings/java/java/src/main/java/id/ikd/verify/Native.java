package id.ikd.verify;

/**
 * The native methods of the JNI library {@code ikd_java}. Handles are addresses of native
 * objects; {@link NativeHandle} makes sure none is used while, or after, it is freed.
 */
final class Native {
    static {
        System.loadLibrary("ikd_java");
    }

    private Native() {}

    /** Loads the library (the static initializer does the work). */
    static void load() {}

    static native long trustFromStoreJson(String json);

    static native long trustFromTrustList(byte[] token, long roots);

    /** {@code inUse} is 0 for none; {@code summaryOut[0]} receives the summary JSON. */
    static native long trustFromBundle(
            byte[] bundle, long roots, long inUse, long now, String policyJson, String[] summaryOut);

    static native String trustAddStatusList(long trust, byte[] token);

    static native int trustKeyCount(long trust);

    static native String trustSummaryJson(long trust, long now, String policyJson);

    static native void trustFree(long trust);

    static native long rootsFromAnchorsJson(String json);

    static native long rootsFromHexKeys(String[] keys);

    static native int rootsCount(long roots);

    static native void rootsFree(long roots);

    static native void policyCheck(String json);

    static native String[] challengeNew(String nonce, String audience);

    static native String[] challengeParse(String text);

    static native String[] challengeGenerate(int length, String audience);

    static native long systemNow();

    static native String inspectJson(String qr);

    static native String[] purposes();

    static native long verifierNew(long trust, String policyJson);

    static native void verifierSetTrust(long verifier, long trust);

    static native void verifierSetPolicy(long verifier, String policyJson);

    static native void verifierSetReplayMode(long verifier, int mode, int capacity);

    static native byte[] verifierVerify(
            long verifier, byte[] qrUtf8, long now, String nonce, String audience, String purpose);

    static native void verifierFree(long verifier);

    static native byte[] deviceKeyGenerate(String alg);

    static native String deviceKeyAlg(String alg, byte[] secret);

    static native byte[] deviceKeyPublic(String alg, byte[] secret);

    static native int defaultPresentationSeconds();

    static native String present(
            String credentialQr,
            String alg,
            byte[] secret,
            long now,
            int lifetimeSeconds,
            String nonce,
            String audience);
}

package id.ikd.verify;

import java.util.Objects;
import java.util.Optional;

/**
 * A challenge the verifier showed: the nonce a holder's presentation must bind, and
 * optionally the verifier's audience. Immutable; it holds no native resource.
 */
public final class Challenge {
    private final String nonce;
    private final String audience;
    private final String displayCode;
    private final String qrText;

    private Challenge(String[] fields) {
        this.nonce = fields[0];
        this.audience = fields[1];
        this.displayCode = fields[2];
        this.qrText = fields[3];
    }

    /**
     * A challenge from a code as shown or typed (normalised: upper case, {@code -} and
     * spaces dropped, {@code O} read as {@code 0}, {@code I} and {@code L} as {@code 1}).
     *
     * @param nonce the code
     * @return the challenge, without an audience
     * @throws IkdException {@code challenge_invalid}
     */
    public static Challenge of(String nonce) {
        return of(nonce, null);
    }

    /**
     * A challenge from a code and an audience.
     *
     * @param nonce the code
     * @param audience the verifier's audience, or null for none
     * @return the challenge
     * @throws IkdException {@code challenge_invalid}
     */
    public static Challenge of(String nonce, String audience) {
        Objects.requireNonNull(nonce, "nonce");
        return new Challenge(Native.challengeNew(nonce, audience));
    }

    /**
     * Reads a challenge's QR text: {@code IKDC:} + code, optionally {@code ;} + audience.
     *
     * @param text the QR text
     * @return the challenge
     * @throws IkdException {@code challenge_invalid}
     */
    public static Challenge parse(String text) {
        Objects.requireNonNull(text, "text");
        return new Challenge(Native.challengeParse(text));
    }

    /**
     * A fresh random challenge from the host's randomness.
     *
     * @param length its length in characters (8, the reference verifier's, is 40 bits)
     * @param audience the verifier's audience, or null for none
     * @return the challenge
     * @throws IkdException {@code challenge_invalid}, or {@code randomness_unavailable}
     */
    public static Challenge generate(int length, String audience) {
        return new Challenge(Native.challengeGenerate(length, audience));
    }

    /** @return the normalised nonce */
    public String getNonce() {
        return nonce;
    }

    /** @return the audience, if any */
    public Optional<String> getAudience() {
        return Optional.ofNullable(audience);
    }

    /** @return the code for people to read and type, in groups of four ({@code 7KQ2-M9XD}) */
    public String getDisplayCode() {
        return displayCode;
    }

    /** @return the QR text a wallet scans */
    public String toQrText() {
        return qrText;
    }

    String audienceOrNull() {
        return audience;
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof Challenge)) {
            return false;
        }
        Challenge that = (Challenge) other;
        return nonce.equals(that.nonce) && Objects.equals(audience, that.audience);
    }

    @Override
    public int hashCode() {
        return Objects.hash(nonce, audience);
    }

    @Override
    public String toString() {
        return qrText;
    }
}

package id.ikd.verify;

/**
 * Misuse: the caller's inputs could not be used (a trust store that does not parse, a
 * malformed challenge, an unknown purpose, ...). A credential that fails verification is
 * never an exception; it is a {@link Verdict} with a reason code.
 *
 * <p>{@link #getCode()} is one of the facade's stable, append-only codes, for example
 * {@code trust_store_invalid}, {@code policy_invalid}, {@code challenge_invalid},
 * {@code purpose_unknown}, {@code device_key_invalid}, or {@code internal} for a bug caught
 * in the native library. Messages are English and never contain credential content.
 */
public final class IkdException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String code;
    private final String detail;

    /**
     * An exception with a stable code and a message for people. The native library throws
     * these; applications need not.
     *
     * @param code the stable code
     * @param detail what went wrong
     */
    public IkdException(String code, String detail) {
        super(code + ": " + detail);
        this.code = code;
        this.detail = detail;
    }

    /** @return the stable code, such as {@code policy_invalid} */
    public String getCode() {
        return code;
    }

    /** @return what went wrong, without the code */
    public String getDetail() {
        return detail;
    }
}

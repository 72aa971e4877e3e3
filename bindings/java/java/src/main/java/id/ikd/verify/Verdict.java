package id.ikd.verify;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A verification's result, valid or rejected: the verdict JSON (exactly what
 * {@code ikd verify --json} prints and the service returns) and typed getters that say
 * what the JSON says. A plain value: it holds no native resource.
 */
public final class Verdict {
    // The slots of the native library's encoding (bindings/java/src/lib.rs, module `slot`).
    static final int JSON = 0;
    static final int REASON_CODE = 1;
    static final int STAGE = 2;
    static final int FIELD = 3;
    static final int CLAIM = 4;
    static final int COSE_TAG = 5;
    static final int DOC_TYPE_NUMBER = 6;
    static final int SIAK_CODE = 7;
    static final int DOC_TYPE = 8;
    static final int ISSUER_ID = 9;
    static final int ISSUER_NAME = 10;
    static final int WARNINGS = 11;
    static final int DISCLOSED_JSON = 12;
    static final int SLOTS = 13;

    private static final int ABSENT = -1;

    private final boolean valid;
    private final byte[] encoded;
    private final int[] offsets = new int[SLOTS];
    private final int[] lengths = new int[SLOTS];
    // Decoded on first use; a race decodes twice into equal immutable strings.
    private String json;

    /**
     * Reads the native encoding: a byte 1 (valid) or 0, then per slot a big-endian 32-bit
     * length (-1: absent) and that many bytes of UTF-8.
     */
    Verdict(byte[] encoded) {
        this.encoded = encoded;
        this.valid = encoded[0] == 1;
        int at = 1;
        for (int i = 0; i < SLOTS; i++) {
            int length =
                    ((encoded[at] & 0xff) << 24)
                            | ((encoded[at + 1] & 0xff) << 16)
                            | ((encoded[at + 2] & 0xff) << 8)
                            | (encoded[at + 3] & 0xff);
            at += 4;
            offsets[i] = at;
            lengths[i] = length;
            if (length != ABSENT) {
                at += length;
            }
        }
    }

    private String slot(int i) {
        return lengths[i] == ABSENT
                ? null
                : new String(encoded, offsets[i], lengths[i], StandardCharsets.UTF_8);
    }

    private Optional<String> optional(int i) {
        return Optional.ofNullable(slot(i));
    }

    /** @return whether the credential was accepted */
    public boolean isValid() {
        return valid;
    }

    /** @return the verdict JSON ({@code spec/schemas/verdict.schema.json}) */
    public String toJson() {
        String decoded = json;
        if (decoded == null) {
            decoded = slot(JSON);
            json = decoded;
        }
        return decoded;
    }

    /**
     * @return the verdict as the purpose given to {@link Verifier#verify(String, long,
     *     Challenge, String)} may see it ({@code disclosed-verdict.schema.json}); empty when
     *     no purpose was given
     */
    public Optional<String> getDisclosedJson() {
        return optional(DISCLOSED_JSON);
    }

    /** @return the reason code of a rejection, such as {@code signature_invalid} */
    public Optional<String> getReasonCode() {
        return optional(REASON_CODE);
    }

    /** @return the stage that rejected the credential, such as {@code signature} */
    public Optional<String> getStage() {
        return optional(STAGE);
    }

    /** @return the document field at fault, for the reasons that name one */
    public Optional<String> getReasonField() {
        return optional(FIELD);
    }

    /** @return the claim at fault, for {@code claims_malformed} */
    public Optional<String> getReasonClaim() {
        return optional(CLAIM);
    }

    /**
     * @return the tag found, for {@code cose_tag_wrong} (an unsigned 64-bit number: read
     *     values past {@code Long.MAX_VALUE} as unsigned)
     */
    public OptionalLong getCoseTag() {
        return number(COSE_TAG);
    }

    /** @return the document type number found, for {@code doc_type_unknown} (unsigned) */
    public OptionalLong getDocTypeNumber() {
        return number(DOC_TYPE_NUMBER);
    }

    /** @return the code found, for {@code siak_code_invalid} (unsigned) */
    public OptionalLong getSiakCode() {
        return number(SIAK_CODE);
    }

    /** @return the document type of a valid credential ({@code ktp}, {@code kk}, ...) */
    public Optional<String> getDocType() {
        return optional(DOC_TYPE);
    }

    /** @return the issuer id of a valid credential, as the trust data names it */
    public Optional<String> getIssuerId() {
        return optional(ISSUER_ID);
    }

    /** @return the issuer's name of a valid credential */
    public Optional<String> getIssuerName() {
        return optional(ISSUER_NAME);
    }

    /** @return the warning codes of a valid credential, in order; empty if none */
    public List<String> getWarningCodes() {
        String joined = slot(WARNINGS);
        if (joined == null || joined.isEmpty()) {
            return Collections.emptyList();
        }
        List<String> codes = new ArrayList<>();
        int start = 0;
        for (int comma = joined.indexOf(','); comma >= 0; comma = joined.indexOf(',', start)) {
            codes.add(joined.substring(start, comma));
            start = comma + 1;
        }
        codes.add(joined.substring(start));
        return Collections.unmodifiableList(codes);
    }

    private OptionalLong number(int slot) {
        String text = slot(slot);
        // BigInteger rather than Long.parseUnsignedLong, which Android has only from API 26;
        // longValue keeps the low 64 bits, the unsigned value's bit pattern.
        return text == null ? OptionalLong.empty() : OptionalLong.of(new BigInteger(text).longValue());
    }

    /** @return the verdict JSON */
    @Override
    public String toString() {
        return toJson();
    }
}

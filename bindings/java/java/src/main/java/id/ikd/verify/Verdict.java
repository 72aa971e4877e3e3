package id.ikd.verify;

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
    // The slots the native library fills (bindings/java/src/lib.rs, module `slot`).
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

    private final boolean valid;
    private final String[] slots;

    Verdict(boolean valid, String[] slots) {
        this.valid = valid;
        this.slots = slots;
    }

    /** @return whether the credential was accepted */
    public boolean isValid() {
        return valid;
    }

    /** @return the verdict JSON ({@code spec/schemas/verdict.schema.json}) */
    public String toJson() {
        return slots[JSON];
    }

    /**
     * @return the verdict as the purpose given to {@link Verifier#verify(String, long,
     *     Challenge, String)} may see it ({@code disclosed-verdict.schema.json}); empty when
     *     no purpose was given
     */
    public Optional<String> getDisclosedJson() {
        return Optional.ofNullable(slots[DISCLOSED_JSON]);
    }

    /** @return the reason code of a rejection, such as {@code signature_invalid} */
    public Optional<String> getReasonCode() {
        return Optional.ofNullable(slots[REASON_CODE]);
    }

    /** @return the stage that rejected the credential, such as {@code signature} */
    public Optional<String> getStage() {
        return Optional.ofNullable(slots[STAGE]);
    }

    /** @return the document field at fault, for the reasons that name one */
    public Optional<String> getReasonField() {
        return Optional.ofNullable(slots[FIELD]);
    }

    /** @return the claim at fault, for {@code claims_malformed} */
    public Optional<String> getReasonClaim() {
        return Optional.ofNullable(slots[CLAIM]);
    }

    /**
     * @return the tag found, for {@code cose_tag_wrong} (an unsigned 64-bit number: read
     *     values past {@code Long.MAX_VALUE} with {@code Long.toUnsignedString})
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
        return Optional.ofNullable(slots[DOC_TYPE]);
    }

    /** @return the issuer id of a valid credential, as the trust data names it */
    public Optional<String> getIssuerId() {
        return Optional.ofNullable(slots[ISSUER_ID]);
    }

    /** @return the issuer's name of a valid credential */
    public Optional<String> getIssuerName() {
        return Optional.ofNullable(slots[ISSUER_NAME]);
    }

    /** @return the warning codes of a valid credential, in order; empty if none */
    public List<String> getWarningCodes() {
        String joined = slots[WARNINGS];
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
        String text = slots[slot];
        return text == null ? OptionalLong.empty() : OptionalLong.of(Long.parseUnsignedLong(text));
    }

    /** @return the verdict JSON */
    @Override
    public String toString() {
        return slots[JSON];
    }
}

package id.ikd.verify;

import java.util.Objects;

/**
 * A verifier's policy: what it accepts and how old its trust data may be, in the policy
 * JSON form (every member optional; an absent member keeps the Rust SDK's default; an
 * unknown member is refused with {@code policy_invalid}):
 *
 * <pre>{@code
 * {"leeway_seconds": 60, "accepted_doc_types": ["ktp", "kk"], "bare_credentials": ["kk"],
 *  "presentation_leeway_seconds": 30, "presentation_max_age_seconds": 90,
 *  "freshness": {"trust_list": {"max_age_seconds": 604800, "grace_seconds": 2592000},
 *                "status_list": {"max_age_seconds": 259200, "grace_seconds": 345600}}}
 * }</pre>
 *
 * <p>Immutable; it holds no native resource.
 */
public final class Policy {
    private static final Policy DEFAULTS = new Policy("{}");

    private final String json;

    private Policy(String json) {
        this.json = json;
    }

    /**
     * The Rust SDK's default policy: 60 s of leeway, every document type, a bare credential
     * only for a KK, presentations at most 90 s old with 30 s of leeway, the trust list stale
     * after 7 days (warned for 30 more), status lists stale after 3 days (warned for 4 more).
     *
     * @return the default policy ({@code {}})
     */
    public static Policy defaults() {
        return DEFAULTS;
    }

    /**
     * Reads a policy JSON.
     *
     * @param json the policy JSON
     * @return the policy
     * @throws IkdException {@code policy_invalid} when it cannot be read
     */
    public static Policy fromJson(String json) {
        Objects.requireNonNull(json, "json");
        Native.policyCheck(json);
        return new Policy(json);
    }

    /** @return the policy JSON this policy was read from */
    public String toJson() {
        return json;
    }

    @Override
    public String toString() {
        return json;
    }
}

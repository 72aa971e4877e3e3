package id.ikd.verify;

/**
 * What loading a trust bundle gave: the trust data, and the summary of what was
 * installed.
 */
public final class BundleLoad {
    private final TrustData trust;
    private final String summaryJson;

    BundleLoad(TrustData trust, String summaryJson) {
        this.trust = trust;
        this.summaryJson = summaryJson;
    }

    /** @return the trust data with the bundle installed; close it when done */
    public TrustData trust() {
        return trust;
    }

    /**
     * @return the summary JSON: {@code sequence}, {@code unchanged}, {@code complete}, and
     *     {@code status_lists}, each with its {@code uri} and {@code outcome}
     *     ({@code installed}, or the {@code bundle_…} code of why the one held stays)
     */
    public String summaryJson() {
        return summaryJson;
    }
}

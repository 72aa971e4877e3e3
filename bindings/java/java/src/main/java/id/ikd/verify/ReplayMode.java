package id.ikd.verify;

/**
 * How a verifier guards against a presentation shown twice. There are no callbacks, so
 * nothing the host returns can make a check pass.
 */
public final class ReplayMode {
    /** No replay check: the Rust SDK's default. */
    public static final ReplayMode OFF = new ReplayMode(0, 0);

    /**
     * The host's shared replay store is out of reach: every presentation that reaches the
     * replay check is refused with {@code replay_check_unavailable}, never accepted
     * unchecked. Set it while the store is down, and another mode once it is back.
     */
    public static final ReplayMode UNAVAILABLE = new ReplayMode(2, 0);

    private final int kind;
    private final int capacity;

    private ReplayMode(int kind, int capacity) {
        this.kind = kind;
        this.capacity = capacity;
    }

    /**
     * An in-memory cache of the presentations accepted; a presentation shown twice is
     * {@code presentation_replayed}.
     *
     * @param capacity how many presentations it remembers (1 to 1 000 000; others are
     *     refused with {@code replay_capacity_invalid} when the mode is set)
     * @return the mode
     */
    public static ReplayMode local(int capacity) {
        return new ReplayMode(1, capacity);
    }

    /** @return whether this is a local cache */
    public boolean isLocal() {
        return kind == 1;
    }

    /** @return the local cache's capacity, 0 for the other modes */
    public int getCapacity() {
        return capacity;
    }

    int kind() {
        return kind;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ReplayMode
                && ((ReplayMode) other).kind == kind
                && ((ReplayMode) other).capacity == capacity;
    }

    @Override
    public int hashCode() {
        return kind * 31 + capacity;
    }

    @Override
    public String toString() {
        switch (kind) {
            case 0:
                return "off";
            case 1:
                return "local(" + capacity + ")";
            default:
                return "unavailable";
        }
    }
}

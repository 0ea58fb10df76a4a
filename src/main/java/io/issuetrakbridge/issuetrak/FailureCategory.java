package io.issuetrakbridge.issuetrak;

/**
 * Every way a command can fail, as published in the error reply's {@code Category}. Retry, pause,
 * reply and dead-letter decisions are switches over this set.
 */
public enum FailureCategory {
    /** The command itself is malformed; Issuetrak was never called. */
    VALIDATION(false),
    /** Issuetrak refused the note (400/404/422): sending it again cannot help. */
    REJECTED(false),
    /** Issuetrak refused our signature or key (401/403): no command can succeed until fixed. */
    UNAUTHORIZED(true),
    /** Issuetrak asked us to slow down (429). */
    THROTTLED(true),
    /** Issuetrak could not be reached or failed (5xx, refused, DNS, connect timeout): nothing was created. */
    UNAVAILABLE(true),
    /** The request was sent but no answer came (timeout, connection lost): the note may exist. */
    AMBIGUOUS(true);

    private final boolean retryable;

    FailureCategory(boolean retryable) {
        this.retryable = retryable;
    }

    /** Whether trying again later may succeed. */
    public boolean retryable() {
        return retryable;
    }
}

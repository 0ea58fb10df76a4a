package io.issuetrakbridge.issuetrak;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The sealed set of failures an Issuetrak call can end in. {@link ResponseClassifier} is the one
 * place that maps HTTP outcomes onto it. Messages never contain the API key or request headers.
 */
public abstract sealed class IssuetrakException extends RuntimeException {

    private final Integer status;

    private IssuetrakException(Integer status, String message, Throwable cause) {
        // No stack trace capture: these are expected outcomes on the hot path, not bugs.
        super(message, cause, false, false);
        this.status = status;
    }

    /** The category published in error replies and used for retry decisions. */
    public abstract FailureCategory category();

    /** The HTTP status when Issuetrak answered. */
    public OptionalInt status() {
        return status == null ? OptionalInt.empty() : OptionalInt.of(status);
    }

    /** 400, 404 or 422: the request itself is wrong. Carries Issuetrak's message. */
    public static final class Rejected extends IssuetrakException {
        public Rejected(int status, String message) {
            super(status, message, null);
        }

        @Override
        public FailureCategory category() {
            return FailureCategory.REJECTED;
        }
    }

    /** 401 or 403: wrong key, clock skew or a replayed request ID. */
    public static final class Unauthorized extends IssuetrakException {
        public Unauthorized(int status, String message) {
            super(status, message, null);
        }

        @Override
        public FailureCategory category() {
            return FailureCategory.UNAUTHORIZED;
        }
    }

    /** 429, with the server's Retry-After when it gave a usable one. */
    public static final class Throttled extends IssuetrakException {
        private final Duration retryAfter;

        public Throttled(String message, Duration retryAfter) {
            super(429, message, null);
            this.retryAfter = retryAfter;
        }

        public Optional<Duration> retryAfter() {
            return Optional.ofNullable(retryAfter);
        }

        @Override
        public FailureCategory category() {
            return FailureCategory.THROTTLED;
        }
    }

    /** 5xx, connection refused, DNS failure, connect timeout: the request did not take effect. */
    public static final class Unavailable extends IssuetrakException {
        public Unavailable(Integer status, String message, Throwable cause) {
            super(status, message, cause);
        }

        @Override
        public FailureCategory category() {
            return FailureCategory.UNAVAILABLE;
        }
    }

    /** Sent, then no answer (timeout, reset): the request may or may not have taken effect. */
    public static final class Ambiguous extends IssuetrakException {
        public Ambiguous(String message, Throwable cause) {
            super(null, message, cause);
        }

        @Override
        public FailureCategory category() {
            return FailureCategory.AMBIGUOUS;
        }
    }
}

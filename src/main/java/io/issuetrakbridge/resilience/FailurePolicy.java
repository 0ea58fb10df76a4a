package io.issuetrakbridge.resilience;

import java.time.Duration;
import java.util.function.DoubleSupplier;

import io.issuetrakbridge.config.BridgeConfig;
import io.issuetrakbridge.issuetrak.FailureCategory;
import io.issuetrakbridge.issuetrak.IssuetrakException;

/**
 * The one place that decides, per failure category, whether a command is retried, waits for
 * Issuetrak to accept us again, or is given up (error reply and dead letter).
 * <p>
 * Retries use exponential backoff with full jitter: attempt n waits a uniformly random time in
 * [0, min(maxDelay, initialDelay * multiplier^(n-1))], so a fleet of instances that failed together
 * does not retry together. A 429's Retry-After replaces the jittered delay, capped by maxDelay so a
 * server asking for an hour cannot park a command past its budget.
 * <p>
 * A 429 (THROTTLED) is Issuetrak asking us to wait, not a failure of the command: it is retried for as long as the
 * retry budget ({@code bridge.retry.budget}) lasts, whatever {@code bridge.retry.max-attempts} says, and the time a
 * command waits for the bridge's own request budget does not count against it (the caller leaves it out of
 * {@code elapsed}).
 */
public final class FailurePolicy {

    private final BridgeConfig.Retry retry;
    private final Duration settle;
    private final DoubleSupplier random;

    /**
     * @param settle the least wait after an AMBIGUOUS outcome before looking for the note: a request
     *        that timed out on our side may still be running on Issuetrak's, and a look that comes
     *        too early finds nothing and sends a second note. One request timeout by default.
     */
    public FailurePolicy(BridgeConfig.Retry retry, Duration settle, DoubleSupplier random) {
        this.retry = retry;
        this.settle = settle;
        this.random = random;
    }

    /**
     * @param failure what the last attempt ended in
     * @param attempts attempts made so far (sends to Issuetrak) that were not answered 429, at least 1
     * @param elapsed time spent on this command so far, pauses and waits for the request budget excluded
     */
    public Decision decide(IssuetrakException failure, int attempts, Duration elapsed) {
        switch (failure.category()) {
            case REJECTED:
            case VALIDATION:
                return Decision.giveUp();
            case UNAUTHORIZED:
                // A wrong key or skewed clock fails every command alike: burning this one teaches
                // nothing. Hold it and let the gate probe until the signature is accepted again.
                return Decision.pause();
            case THROTTLED:
            case UNAVAILABLE:
            case AMBIGUOUS:
                if (attempts >= retry.maxAttempts() && failure.category() != FailureCategory.THROTTLED) {
                    return Decision.giveUp();
                }
                Duration delay = delay(failure, attempts);
                if (failure instanceof IssuetrakException.Ambiguous && delay.compareTo(settle) < 0) {
                    delay = settle;
                }
                if (elapsed.plus(delay).compareTo(retry.budget()) > 0) {
                    return Decision.giveUp();
                }
                return Decision.retry(delay, failure instanceof IssuetrakException.Ambiguous);
            default:
                throw new IllegalStateException("unhandled category " + failure.category());
        }
    }

    Duration delay(IssuetrakException failure, int attempts) {
        if (failure instanceof IssuetrakException.Throttled throttled && throttled.retryAfter().isPresent()) {
            Duration asked = throttled.retryAfter().get();
            return asked.compareTo(retry.maxDelay()) > 0 ? retry.maxDelay() : asked;
        }
        double bound = retry.initialDelay().toNanos() * Math.pow(retry.multiplier(), attempts - 1);
        double capped = Math.min(bound, retry.maxDelay().toNanos());
        return Duration.ofNanos((long) (random.getAsDouble() * capped));
    }
}

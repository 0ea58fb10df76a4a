package io.issuetrakbridge.budget;

import java.time.Duration;

import io.github.bucket4j.Bandwidth;
import io.issuetrakbridge.config.BudgetRule;

/**
 * This instance's part of one rule, as a token bucket: it holds {@code capacity} requests and gains one every
 * {@code spacing}. The bucket can release at most {@code capacity + window / spacing} requests in any window of
 * the rule's length, wherever the window starts, and that sum is kept to {@code requests}, this instance's part of
 * the limit: so the instances of a group, whose parts add up to the limit, keep the rule together whichever way
 * Issuetrak counts its windows (fixed, sliding or a bucket of its own). The price is the burst: a bucket that could
 * hold the whole limit would let twice the limit through across one window boundary. The refill is spread over the
 * window plus a jitter allowance, so that requests that reach Issuetrak a little later than their turn, after others
 * that left later, do not crowd one window past the limit.
 *
 * @param rule the rule as configured
 * @param requests this instance's part of the limit: limit x partition share x throttle factor
 * @param capacity requests that may go at once after a quiet spell: {@code requests x burst}, at least 1
 * @param spacing one request more per this long, the rest of {@code requests} spread over the window
 * @param guaranteed false when {@code requests} is below one request: the instance then sends one a window at
 *        most, which a group of more instances than the limit can exceed
 */
public record RuleAllowance(BudgetRule rule, double requests, long capacity, Duration spacing, boolean guaranteed) {

    /**
     * @param share this instance's share of the group's budget, in (0, 1]
     * @param factor the throttle factor after 429s, in (0, 1]
     * @param burst part of the limit that may go at once, in [0, 1)
     * @param jitter how much later than its turn a request may reach Issuetrak than the others around it (queues,
     *        network) and still find room: the refill is spread over the window plus this
     */
    public static RuleAllowance of(BudgetRule rule, double share, double factor, double burst, Duration jitter) {
        double requests = rule.limit() * share * factor;
        long capacity = Math.max(1, (long) Math.floor(requests * burst));
        double refilled = requests - capacity;
        boolean guaranteed = refilled >= 0;
        if (refilled <= 0) {
            // Less than one request a window (or exactly one): one request per window / requests, never two a window.
            refilled = Math.min(requests, 1);
        }
        // Rounded up: a request a nanosecond late costs nothing, one early could cost a 429.
        long spacingNanos = (long) Math.ceil((rule.window().toNanos() + jitter.toNanos()) / refilled);
        return new RuleAllowance(rule, requests, capacity, Duration.ofNanos(spacingNanos), guaranteed);
    }

    /** Requests a second this allowance sustains. */
    public double sustainedPerSecond() {
        return 1e9 / spacing.toNanos();
    }

    /** The rule's Bucket4j bandwidth, named after the rule so that a new configuration inherits its tokens. */
    Bandwidth bandwidth() {
        return Bandwidth.builder().capacity(capacity).refillGreedy(1, spacing).id(rule.name()).build();
    }
}

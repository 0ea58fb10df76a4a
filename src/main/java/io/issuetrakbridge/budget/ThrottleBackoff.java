package io.issuetrakbridge.budget;

/**
 * How a 429 lowers this instance's own rate and how the rate comes back (additive increase, multiplicative
 * decrease, as TCP does with its window). Issuetrak's budget may be shared with other API users, whose requests
 * we cannot see: a 429 says that together we spent more than the budget.
 * <ul>
 * <li>A 429 halves the factor ({@link #DECREASE}): half our rate is freed at once, for whoever else spends the
 * budget. 429s within {@link #EPISODE_NANOS} of the last decrease are the same episode (requests already under
 * way when the first came back) and do not halve it again.</li>
 * <li>Every {@link #STEP_NANOS} without a 429 adds {@link #INCREASE} back, up to 1: from half to full in ten
 * seconds, long enough for the one-second rules Issuetrak documents to refill between steps, short enough that an
 * alert storm is not slowed for minutes by one 429.</li>
 * <li>Never below {@link #FLOOR}: a few 429s must not stop the bridge.</li>
 * </ul>
 * Times are {@link System#nanoTime()} values, passed in so that tests can move the clock.
 */
public final class ThrottleBackoff {

    public static final double DECREASE = 0.5;
    public static final double INCREASE = 0.05;
    public static final double FLOOR = 0.125;
    public static final long STEP_NANOS = 1_000_000_000L;
    public static final long EPISODE_NANOS = 1_000_000_000L;

    private double factorAtDecrease = 1.0;
    private long decreasedAt;
    private boolean decreased;

    /** The factor now, in [FLOOR, 1]. */
    public synchronized double factor(long now) {
        if (!decreased) {
            return 1.0;
        }
        long steps = (now - decreasedAt) / STEP_NANOS;
        double factor = Math.min(1.0, factorAtDecrease + steps * INCREASE);
        if (factor >= 1.0) {
            decreased = false;
        }
        return factor;
    }

    /** A 429 came back: returns true when it lowered the factor. */
    public synchronized boolean throttled(long now) {
        if (decreased && now - decreasedAt < EPISODE_NANOS) {
            return false;
        }
        factorAtDecrease = Math.max(FLOOR, factor(now) * DECREASE);
        decreasedAt = now;
        decreased = true;
        return true;
    }
}

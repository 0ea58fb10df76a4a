package io.issuetrakbridge.resilience;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How long Issuetrak has been unavailable: since the first failure after its last answer. Answers and
 * failures of concurrent calls arrive on several threads, so the start is marked and read in one atomic
 * step; marked and then read apart, an answer in between would leave "no start" to be read and the
 * downtime would come out as the machine's uptime.
 */
final class Downtime {

    /** No failure since the last answer. {@link System#nanoTime()} may be negative, so not -1. */
    private static final long UP = Long.MIN_VALUE;

    private final AtomicLong since = new AtomicLong(UP);

    /** Issuetrak answered: it is up. */
    void answered() {
        since.set(UP);
    }

    /**
     * An attempt failed as UNAVAILABLE at {@code now} ({@link System#nanoTime()}).
     *
     * @return how long Issuetrak has been unavailable, zero for the first failure after an answer
     */
    Duration failed(long now) {
        long start = since.updateAndGet(current -> current == UP ? now : current);
        return Duration.ofNanos(Math.max(0, now - start));
    }
}

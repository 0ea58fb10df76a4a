package io.issuetrakbridge.replay;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Spaces produced records evenly: the n-th record of a run goes out no earlier than n / rate seconds
 * after the run started. Starting with no credit means a run of n records takes at least n / rate
 * seconds, so the rate it reports never exceeds the one asked for.
 */
final class RatePacer {

    private final double nanosPerRecord;
    private final LongSupplier clock;
    private final long start;
    private long sent;

    RatePacer(double ratePerSecond, LongSupplier nanoClock) {
        this.nanosPerRecord = TimeUnit.SECONDS.toNanos(1) / ratePerSecond;
        this.clock = nanoClock;
        this.start = nanoClock.getAsLong();
    }

    /** Nanoseconds to wait before the next record may go; then counts it as sent. */
    long next() {
        sent++;
        long due = start + (long) Math.ceil(sent * nanosPerRecord);
        return Math.max(0, due - clock.getAsLong());
    }
}

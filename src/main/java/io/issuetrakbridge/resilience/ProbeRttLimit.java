package io.issuetrakbridge.resilience;

import java.time.Duration;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.random.RandomGenerator;

import com.netflix.concurrency.limits.Limit;
import com.netflix.concurrency.limits.MetricIds;
import com.netflix.concurrency.limits.MetricRegistry;
import com.netflix.concurrency.limits.limit.AbstractLimit;

/**
 * A Vegas limit whose no-load latency is measured again every few seconds, in a short phase at half the limit
 * (after BBR's ProbeRTT), so that it can rise as well as fall.
 *
 * <p>Why: Vegas's no-load latency is the lowest window average it has seen. Taken while the bridge was still warming
 * up (a cold JIT, CPU shared with the broker), it is too high; once the limit is past the server's knee every window
 * holds a queue, so no lower average comes again and the limit stays above the knee for good (the benchmark's 13-14
 * against 8 workers). And a server that became slower for good reads as a queue of {@code limit x (1 - old/new)}, so
 * the limit shrinks below the knee and stays there until the library's own rare probe.
 *
 * <p>The phase: every {@code interval} (jittered by +-25%, so that phases do not keep falling on the same moment of
 * some periodic load) the limit is held at {@code max(2, limit / 2)}. A request counts once it started with no more
 * than that many in flight (the queue left by the old limit has drained; half the limit is below a knee the limit
 * sits at most a third above). The counted requests make {@value #WINDOWS} windows of at least
 * {@value #WINDOW_SAMPLES} answers and {@code window}; the lower of their averages is the new no-load latency. A fresh
 * Vegas limit starts from the limit held before the phase with that no-load latency, and the limit is restored. Its
 * cost: half the limit for the drain and two windows (about 250 ms at 20 ms requests) in every {@code interval};
 * against a knee of 8 at a limit of 10-11, about 1% of the throughput at 10 s (AdaptiveConcurrencyTest).
 *
 * <p>It sees every answer (it sits before the windowing: a window needs 10 answers, which half the limit may not
 * give in one window of the library's, e.g. 2 requests at 42 ms in 100 ms). A 429, a 503 or a timeout during a phase
 * is no measure; a phase that sees no clean windows in {@value #MAX_PHASE_SAMPLES} answers ends without one, and the
 * Vegas limit goes on as it was.
 */
final class ProbeRttLimit extends AbstractLimit {

    static final int WINDOWS = 2;
    static final int WINDOW_SAMPLES = 10;
    private static final int MAX_PHASE_SAMPLES = 200;
    private static final MetricRegistry.SampleListener IGNORED = value -> { };

    private final BiFunction<Integer, MetricRegistry, Limit> vegas;
    private volatile long noLoadNanos;
    // Vegas reports the no-load latency it compares each window with as its min_rtt sample; nothing else is kept.
    private final MetricRegistry vegasMetrics = new MetricRegistry() {

        @Override
        public SampleListener distribution(String id, String... tagNameValuePairs) {
            return MetricIds.MIN_RTT_NAME.equals(id) ? value -> noLoadNanos = value.longValue() : IGNORED;
        }

        @Override
        public void gauge(String id, Supplier<Number> supplier, String... tagNameValuePairs) {
            // Vegas registers none; the bridge's own gauges report the limit.
        }
    };
    private final UnaryOperator<Limit> windowed;
    private final long windowNanos;
    private final long intervalNanos;
    private final RandomGenerator random;
    private Limit delegate;
    private boolean scheduled;
    private long nextProbeAt;
    // During a phase (probeLimit > 0): the limit held and the one to restore, answers seen, the open window, and the
    // lowest average of the closed ones.
    private int probeLimit;
    private int restoreLimit;
    private int phaseSamples;
    private long windowStart;
    private long windowSum;
    private int windowCount;
    private int windowsDone;
    private long lowestNanos;

    /**
     * @param vegas a Vegas limit starting at the given limit and reporting to the given metrics, with no no-load
     *        latency yet (its first sample becomes that), its own probe off
     * @param windowed the windowing that feeds a Vegas limit its window averages
     * @param initialLimit where the search starts
     * @param window the shortest window of a phase's measure
     * @param interval time between phases, on average
     * @param random draws the jitter
     */
    ProbeRttLimit(BiFunction<Integer, MetricRegistry, Limit> vegas, UnaryOperator<Limit> windowed, int initialLimit,
            Duration window, Duration interval, RandomGenerator random) {
        super(initialLimit);
        this.vegas = vegas;
        this.windowed = windowed;
        this.delegate = windowed.apply(vegas.apply(initialLimit, vegasMetrics));
        this.windowNanos = window.toNanos();
        this.intervalNanos = interval.toNanos();
        this.random = random;
    }

    /**
     * The no-load latency the limit now compares windows with, in nanoseconds: the last phase's measure, or a faster
     * window's average since (0 until the first window).
     */
    long noLoadNanos() {
        return noLoadNanos;
    }

    // Called for every answer, under AbstractLimit's lock; inflight: requests in flight when this one started.
    @Override
    protected int _update(long startTime, long rtt, int inflight, boolean didDrop) {
        long now = startTime + rtt;
        if (!scheduled) {
            scheduled = true;
            scheduleNext(now);
        }
        if (probeLimit > 0) {
            return probe(startTime, rtt, inflight, didDrop);
        }
        delegate.onSample(startTime, rtt, inflight, didDrop);
        if (now - nextProbeAt < 0) {
            return delegate.getLimit();
        }
        restoreLimit = delegate.getLimit();
        probeLimit = Math.max(2, restoreLimit / 2);
        phaseSamples = 0;
        windowCount = 0;
        windowsDone = 0;
        lowestNanos = Long.MAX_VALUE;
        return probeLimit;
    }

    private int probe(long startTime, long rtt, int inflight, boolean didDrop) {
        phaseSamples++;
        if (!didDrop && inflight <= probeLimit) {
            if (windowCount == 0) {
                windowStart = startTime;
                windowSum = 0;
            }
            windowSum += rtt;
            windowCount++;
            if (windowCount >= WINDOW_SAMPLES && startTime + rtt - windowStart >= windowNanos) {
                lowestNanos = Math.min(lowestNanos, windowSum / windowCount);
                windowsDone++;
                windowCount = 0;
            }
        }
        if (windowsDone < WINDOWS && phaseSamples < MAX_PHASE_SAMPLES) {
            return probeLimit;
        }
        if (lowestNanos < Long.MAX_VALUE) {
            Limit fresh = vegas.apply(restoreLimit, vegasMetrics);
            // A fresh Vegas limit takes its first sample as the no-load latency and keeps its limit.
            fresh.onSample(startTime, lowestNanos, probeLimit, false);
            delegate = windowed.apply(fresh);
            noLoadNanos = lowestNanos;
        }
        probeLimit = 0;
        scheduleNext(startTime + rtt);
        return delegate.getLimit();
    }

    private void scheduleNext(long now) {
        nextProbeAt = now + (long) (intervalNanos * random.nextDouble(0.75, 1.25));
    }
}

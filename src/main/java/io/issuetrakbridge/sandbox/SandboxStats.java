package io.issuetrakbridge.sandbox;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of the API requests the sandbox answered (admin calls are not counted), for tests and the
 * benchmark. LongAdders: written by the event loop, read rarely from elsewhere.
 */
public final class SandboxStats {

    private final ConcurrentMap<Integer, LongAdder> byStatus = new ConcurrentHashMap<>();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder delayedCreates = new LongAdder();
    private final LongAdder heldCreates = new LongAdder();
    private final LongAdder trickled = new LongAdder();
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger peakInFlight = new java.util.concurrent.atomic.AtomicInteger();

    void entered() {
        peakInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
    }

    void left() {
        inFlight.decrementAndGet();
    }

    /** The most API requests ever in progress at once since the last reset: how parallel the client is. */
    public int peakInFlight() {
        return peakInFlight.get();
    }

    void answered(int status) {
        byStatus.computeIfAbsent(status, s -> new LongAdder()).increment();
    }

    void dropped() {
        dropped.increment();
    }

    void delayedCreate() {
        delayedCreates.increment();
    }

    /** API requests answered with this status. */
    public long answered(Integer status) {
        LongAdder count = byStatus.get(status);
        return count == null ? 0 : count.sum();
    }

    void heldCreate() {
        heldCreates.increment();
    }

    void trickled() {
        trickled.increment();
    }

    /** Creates whose answer was held until released (hold creates). */
    public long heldCreates() {
        return heldCreates.sum();
    }

    /** API answers whose body trickled (trickle). */
    public long trickledAnswers() {
        return trickled.sum();
    }

    /** API requests answered, by status, in status order. */
    public Map<Integer, Long> byStatus() {
        Map<Integer, Long> snapshot = new TreeMap<>();
        byStatus.forEach((status, count) -> snapshot.put(status, count.sum()));
        return snapshot;
    }

    /** Connections closed without an answer: creates after storing (create-then-drop), any request (drop). */
    public long droppedConnections() {
        return dropped.sum();
    }

    /** Creates answered late on purpose (create-then-delay). */
    public long delayedCreates() {
        return delayedCreates.sum();
    }

    /** Sets every counter back to zero. */
    public void reset() {
        peakInFlight.set(inFlight.get());
        byStatus.clear();
        dropped.reset();
        delayedCreates.reset();
        heldCreates.reset();
        trickled.reset();
    }
}

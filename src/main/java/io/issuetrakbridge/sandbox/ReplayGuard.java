package io.issuetrakbridge.sandbox;

import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentMap;

/**
 * Remembers request IDs for as long as their timestamp could still pass the clock-skew check; after that a
 * replay fails on its timestamp anyway, so memory stays bounded by (request rate x 2 x skew) without a
 * cleanup timer: each check evicts a few expired IDs from the head of an insertion-ordered queue.
 */
final class ReplayGuard {

    private static final int EVICTIONS_PER_CHECK = 4;

    private record Seen(String requestId, long expiresAtMillis) {
    }

    private final ConcurrentMap<String, Long> expiryById = new ConcurrentHashMap<>();
    private final Queue<Seen> inArrivalOrder = new ConcurrentLinkedQueue<>();

    /**
     * Records the ID; false when it was already seen and has not expired.
     *
     * @param requestId lower-cased request ID (the signature covers the lower-cased form, so case variants
     *        are the same request)
     * @param expiresAtMillis when the request's timestamp stops passing the skew check
     */
    boolean firstUse(String requestId, long expiresAtMillis, long nowMillis) {
        evictExpired(nowMillis);
        Long previous = expiryById.putIfAbsent(requestId, expiresAtMillis);
        if (previous != null) {
            if (previous > nowMillis || !expiryById.replace(requestId, previous, expiresAtMillis)) {
                return false;
            }
        }
        inArrivalOrder.add(new Seen(requestId, expiresAtMillis));
        return true;
    }

    int size() {
        return expiryById.size();
    }

    private void evictExpired(long nowMillis) {
        for (int i = 0; i < EVICTIONS_PER_CHECK; i++) {
            Seen head = inArrivalOrder.peek();
            if (head == null || head.expiresAtMillis > nowMillis) {
                return;
            }
            if (inArrivalOrder.remove(head)) {
                // Only if not re-armed by a later legitimate reuse in the meantime.
                expiryById.remove(head.requestId, head.expiresAtMillis);
            }
        }
    }
}

package io.issuetrakbridge.budget;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.bucket4j.Bucket;
import io.issuetrakbridge.scheduling.GateQueue;
import io.issuetrakbridge.scheduling.Priority;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;

/**
 * The requests waiting for a token of one bucket, served in priority order. Each arrival reserves a token at once
 * (the bucket may go into debt) and so adds one turn, at the time Bucket4j says that token is there; when a turn
 * comes, it goes to whoever's turn it is then ({@link GateQueue}: the oldest high-priority waiter, else the oldest),
 * not necessarily to the request that reserved it. The turns are the bucket's, so the budget is spent at the same
 * pace as in plain arrival order; only who leaves on each changes. A high-priority request therefore waits for the
 * next turn, not behind every normal request queued before it.
 * <p>
 * There are never fewer turns to come than waiters: each arrival adds one of each, a turn takes at most one waiter,
 * and a waiter that gives up leaves its turn to the next (its token is spent either way, as it would be unused).
 */
final class BucketTurns {

    private final Bucket bucket;
    // Held only to pair a reservation with its place in the queue, and to take the next waiter.
    private final Object lock = new Object();
    private final GateQueue<Waiter> waiting = new GateQueue<>();

    BucketTurns(Bucket bucket) {
        this.bucket = bucket;
    }

    /** Reserves one token and completes, without blocking, on the turn this request is given. */
    Uni<Void> take(Priority priority) {
        return Uni.createFrom().emitter(emitter -> {
            Waiter waiter = new Waiter(emitter, new AtomicBoolean());
            long nanos;
            synchronized (lock) {
                nanos = bucket.consumeIgnoringRateLimits(1);
                waiting.add(waiter, priority);
            }
            emitter.onTermination(() -> {
                // Cancelled while waiting (one that got its turn has left the queue already).
                if (waiter.settled().compareAndSet(false, true)) {
                    synchronized (lock) {
                        waiting.remove(waiter);
                    }
                }
            });
            // Rounded up to whole milliseconds: Vert.x timers take nothing shorter, and a late request costs nothing.
            long millis = (nanos + 999_999) / 1_000_000;
            if (millis < 1) {
                turn();
            } else {
                Uni.createFrom().voidItem().onItem().delayIt().by(Duration.ofMillis(millis)).subscribe()
                        .with(ignored -> turn());
            }
        });
    }

    /** A token is there: the waiter whose turn it is goes. */
    private void turn() {
        while (true) {
            Waiter next;
            synchronized (lock) {
                next = waiting.poll();
            }
            if (next == null) {
                return;
            }
            if (next.settled().compareAndSet(false, true)) {
                next.emitter().complete(null);
                return;
            }
            // It gave up just now: the turn goes to the next.
        }
    }

    /** A request waiting for its turn; {@code settled} once it got one or gave up, whichever came first. */
    private record Waiter(UniEmitter<? super Void> emitter, AtomicBoolean settled) {
    }
}

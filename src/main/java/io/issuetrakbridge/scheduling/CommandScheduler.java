package io.issuetrakbridge.scheduling;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import io.issuetrakbridge.config.BridgeConfig;
import io.issuetrakbridge.ledger.PartitionOwnership;
import io.issuetrakbridge.metrics.BridgeMetrics;
import io.issuetrakbridge.resilience.KeyedSequencer;
import io.smallrye.mutiny.Uni;

/**
 * The window of commands being delivered, shared fairly between issues ({@link FairQueue}): the Uni glue between
 * the command stream and the pure scheduling rules.
 * <p>
 * The stream fetches up to {@link #fetchLimit()} records ({@code bridge.max-in-flight} plus
 * {@code bridge.scheduling.max-parked}); of those, at most {@code bridge.max-in-flight} deliveries are admitted at
 * once, at most {@code bridge.scheduling.max-per-issue} per issue. The rest wait parked: fetched, unacknowledged
 * (offsets are not committed past them), holding no slot. When the parking area is full the stream stops
 * requesting and the connector pauses the consumer: a hot issue's backlog waits in Kafka, not in the heap.
 * <p>
 * Admitted commands of one issue still deliver one at a time, in admission order ({@link KeyedSequencer}); the
 * second slot an issue may hold (the default cap of 2) is its next command waiting there, ready the moment the
 * previous one ends, without a trip back through the scheduler.
 * <p>
 * The priority lane goes on past the window: a command's {@link #priority} goes with its requests to the
 * concurrency limit and the request budget, which serve high-priority requests first too.
 */
@ApplicationScoped
public class CommandScheduler {

    /**
     * The priority header: the CloudEvents extension attribute {@code priority} in Kafka binary mode. {@code high}
     * (any case) puts the command in the priority lane; anything else, or none, is normal.
     */
    public static final String PRIORITY_HEADER = "ce_priority";

    private final FairQueue<Turn> queue;
    private final KeyedSequencer<Long> sequencer = new KeyedSequencer<>();
    private final PartitionOwnership ownership;
    private final int fetchLimit;
    /** Admitted commands waiting in the sequencer for their issue's previous delivery to end. */
    private final AtomicInteger awaitingIssue = new AtomicInteger();
    /** Per issue, its high-priority commands submitted whose delivery has not started; no entry for none. */
    private final ConcurrentHashMap<Long, Integer> highWaiting = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public CommandScheduler(BridgeConfig config, PartitionOwnership ownership, BridgeMetrics metrics) {
        this.ownership = ownership;
        this.queue = new FairQueue<>(config.maxInFlight(), config.scheduling().maxPerIssue(),
                System::currentTimeMillis);
        this.fetchLimit = config.maxInFlight() + config.scheduling().maxParked();
        for (FairQueue.Reason reason : FairQueue.Reason.values()) {
            // The admitted commands waiting in the sequencer wait for their issue's turn too.
            IntSupplier extra = reason == FairQueue.Reason.ISSUE_TURN ? awaitingIssue::get : () -> 0;
            metrics.commandsWaiting(reason.name().toLowerCase(Locale.ROOT),
                    () -> queue.waiting().get(reason) + extra.getAsInt());
        }
        metrics.window(queue::working, () -> queue.oldestWaitingMillis() / 1000.0);
    }

    /** Whether a {@value #PRIORITY_HEADER} header value asks for the priority lane. */
    public static boolean high(String priority) {
        return priority != null && priority.trim().toLowerCase(Locale.ROOT).equals("high");
    }

    /**
     * The effective priority of a command of {@code issueNumber}, for the gates its requests wait at: high when it is
     * high itself, or while a high-priority command of its issue waits (parked, or admitted and behind it in the
     * issue's sequence) to be delivered after it (priority inheritance: the high one cannot go before it). Read by
     * the gates while the command's delivery is under way: an issue has one at a time, so every high command of the
     * issue not yet started is then behind this one.
     */
    public Priority priority(long issueNumber, boolean high) {
        return high ? Priority.HIGH : () -> highWaiting.containsKey(issueNumber);
    }

    /** Records the command stream may hold at once: the window plus the parking area. */
    public int fetchLimit() {
        return fetchLimit;
    }

    /**
     * Queues a command's delivery behind its issue's earlier ones and runs it when the scheduler admits it. Takes
     * the command's place in its issue's order when called (not when subscribed): call it in the issue's order.
     * Fails with {@link PartitionOwnership.Revoked} when the partition was revoked (or the bridge is stopping)
     * before the command was admitted, even if it was assigned here again since: it never started, and stays
     * uncommitted for the partition's next owner, which fetches it again.
     */
    public Uni<Void> submit(long issueNumber, int partition, boolean high, Supplier<Uni<Void>> delivery) {
        Turn turn = new Turn(issueNumber, partition, ownership.tenure(partition), delivery);
        if (closed) {
            return Uni.createFrom().failure(new PartitionOwnership.Revoked(partition));
        }
        if (high) {
            turn.highWaiting.set(true);
            highWaiting.merge(issueNumber, 1, Integer::sum);
        }
        List<Turn> admitted = new ArrayList<>(1);
        queue.offer(issueNumber, high, turn, t -> admit(t, admitted));
        admitted.forEach(Turn::start);
        return Uni.createFrom().completionStage(turn.started).chain(place -> place)
                .onTermination().invoke(() -> finished(turn));
    }

    /**
     * Shutdown: parked commands are not started (they fail with {@link PartitionOwnership.Revoked}, uncommitted),
     * and no new one is queued. Admitted ones run on, subject to {@link PartitionOwnership#revoke}.
     */
    public void close() {
        closed = true;
        List<Turn> dropped = new ArrayList<>();
        queue.clear(dropped::add);
        dropped.forEach(Turn::drop);
    }

    /** Under the queue's lock, in admission order: takes the command's place in its issue's delivery sequence. */
    private boolean admit(Turn turn, List<Turn> admitted) {
        if (!ownership.holds(turn.partition, turn.tenure)) {
            turn.dropped = true;
            admitted.add(turn);
            return false;
        }
        turn.admitted = true;
        awaitingIssue.incrementAndGet();
        turn.place = sequencer.submit(turn.issue, () -> {
            awaitingIssue.decrementAndGet();
            delivering(turn);
            return turn.delivery.get();
        });
        admitted.add(turn);
        return true;
    }

    /** A high-priority command's delivery starts (or it ended without one): no longer promotes its issue. */
    private void delivering(Turn turn) {
        if (turn.highWaiting.compareAndSet(true, false)) {
            highWaiting.computeIfPresent(turn.issue, (issue, n) -> n == 1 ? null : n - 1);
        }
    }

    private void finished(Turn turn) {
        delivering(turn);
        if (turn.admitted) {
            release(turn.issue);
        } else if (!turn.dropped && !queue.withdraw(turn.issue, turn) && turn.admitted) {
            // Cancelled while being admitted by another thread: it holds a slot after all.
            release(turn.issue);
        }
    }

    private void release(long issue) {
        List<Turn> admitted = new ArrayList<>();
        queue.release(issue, t -> admit(t, admitted));
        admitted.forEach(Turn::start);
    }

    /** A command waiting for a slot. */
    private static final class Turn {
        private final long issue;
        private final int partition;
        /** The partition's tenure when the record was fetched: revoked since, it never starts. */
        private final Object tenure;
        private final Supplier<Uni<Void>> delivery;
        private final CompletableFuture<Uni<Void>> started = new CompletableFuture<>();
        /** A high-priority command counted in {@code highWaiting}, until its delivery starts or it ends. */
        private final AtomicBoolean highWaiting = new AtomicBoolean();
        private volatile boolean admitted;
        private volatile boolean dropped;
        private Uni<Void> place;

        Turn(long issue, int partition, Object tenure, Supplier<Uni<Void>> delivery) {
            this.issue = issue;
            this.partition = partition;
            this.tenure = tenure;
            this.delivery = delivery;
        }

        void start() {
            if (dropped) {
                drop();
            } else {
                started.complete(place);
            }
        }

        void drop() {
            dropped = true;
            started.completeExceptionally(new PartitionOwnership.Revoked(partition));
        }
    }
}

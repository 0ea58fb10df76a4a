package io.issuetrakbridge.ledger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;

/**
 * Which command partitions this instance owns, and how many POSTs it has in flight on each.
 * <p>
 * When a partition is revoked, no new POST starts for it, and the rebalance waits for those in
 * flight to end and record their outcome, so the partition's next owner finds CREATED or PENDING
 * in the ledger rather than racing a POST it cannot see.
 */
@ApplicationScoped
public class PartitionOwnership {

    private final Map<Integer, Slot> owned = new ConcurrentHashMap<>();

    /** Thrown into a command's pipeline when its partition was revoked: abandon it, uncommitted. */
    public static final class Revoked extends RuntimeException {
        public Revoked(int partition) {
            super("partition " + partition + " was revoked", null, false, false);
        }
    }

    /** In-flight work on one partition; {@code drained} completes once revoked and idle. */
    private static final class Slot {
        final AtomicInteger inFlight = new AtomicInteger();
        final CompletableFuture<Void> drained = new CompletableFuture<>();
        volatile boolean revoked;

        void exit() {
            if (inFlight.decrementAndGet() == 0 && revoked) {
                drained.complete(null);
            }
        }

        void revoke() {
            revoked = true;
            if (inFlight.get() == 0) {
                drained.complete(null);
            }
        }
    }

    void assigned(Collection<Integer> partitions) {
        partitions.forEach(p -> owned.putIfAbsent(p, new Slot()));
    }

    /**
     * Runs {@code work} (a POST and the ledger write of its outcome) if the partition is still ours,
     * counting it as in flight until it completes.
     */
    public <T> Uni<T> whileOwned(int partition, Supplier<Uni<T>> work) {
        return Uni.createFrom().deferred(() -> {
            Slot slot = owned.get(partition);
            if (slot == null) {
                return Uni.createFrom().failure(new Revoked(partition));
            }
            slot.inFlight.incrementAndGet();
            return work.get().onTermination().invoke(slot::exit);
        });
    }

    /** Whether the partition is still assigned to this instance. */
    public boolean owns(int partition) {
        return owned.containsKey(partition);
    }

    /**
     * Stops new work on the partitions and waits, up to {@code grace}, for work in flight on them.
     * Blocking by design: called from the consumer's rebalance callback, before offsets are committed
     * and the partitions handed over.
     */
    void revoke(Collection<Integer> partitions, Duration grace) {
        List<CompletableFuture<Void>> drains = new ArrayList<>();
        for (Integer p : partitions) {
            Slot slot = owned.remove(p);
            if (slot != null) {
                slot.revoke();
                drains.add(slot.drained);
            }
        }
        try {
            CompletableFuture.allOf(drains.toArray(CompletableFuture[]::new))
                    .get(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            Log.warnf("Partitions %s revoked with work still in flight after %s", partitions, grace);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }
}

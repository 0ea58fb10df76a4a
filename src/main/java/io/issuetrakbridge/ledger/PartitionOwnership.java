package io.issuetrakbridge.ledger;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import io.issuetrakbridge.resilience.InFlight;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;

/**
 * Which command partitions this instance owns, and the work that could create a note on each.
 * <p>
 * When a partition is revoked (rebalance, shutdown), no new POST starts for it, and the revocation
 * waits for those in flight to end and record their outcome in the ledger, so the partition's next
 * owner finds CREATED or PENDING rather than racing a POST it cannot see.
 */
@ApplicationScoped
public class PartitionOwnership {

    private final Map<Integer, InFlight> owned = new ConcurrentHashMap<>();

    /** Thrown into a command's pipeline when its partition was revoked: abandon it, uncommitted. */
    public static final class Revoked extends RuntimeException {
        public Revoked(int partition) {
            super("partition " + partition + " was revoked", null, false, false);
        }
    }

    void assigned(Collection<Integer> partitions) {
        partitions.forEach(p -> owned.put(p, new InFlight()));
    }

    /**
     * Runs {@code work} (a POST and the ledger write of its outcome) if the partition is still ours,
     * counting it as in flight until it completes.
     */
    public <T> Uni<T> whileOwned(int partition, Supplier<Uni<T>> work) {
        InFlight slot = owned.get(partition);
        if (slot == null) {
            return Uni.createFrom().failure(new Revoked(partition));
        }
        return slot.run(work, () -> new Revoked(partition));
    }

    /**
     * This instance's current tenure of the partition: a token that changes with every assignment, or null when it
     * does not own the partition. A record fetched under one tenure must not start under the next (after a
     * revocation and a new assignment the consumer fetches it again from the committed offset).
     */
    public Object tenure(int partition) {
        return owned.get(partition);
    }

    /** Whether the partition is still owned under {@code tenure}: not revoked since, even if assigned again. */
    public boolean holds(int partition, Object tenure) {
        return tenure != null && owned.get(partition) == tenure;
    }

    /** Whether this instance owns the commands partition now. */
    public boolean owns(int partition) {
        return owned.containsKey(partition);
    }

    /** Partitions currently owned. */
    public Set<Integer> owned() {
        return Set.copyOf(owned.keySet());
    }

    /**
     * Stops new work on the partitions and waits, up to {@code grace}, for work in flight on them.
     * Blocking by design: called from the consumer's rebalance callback (before offsets are
     * committed and the partitions handed over) and from shutdown.
     */
    public void revoke(Collection<Integer> partitions, Duration grace) {
        List<InFlight> leaving = partitions.stream().map(owned::remove).filter(s -> s != null).toList();
        leaving.forEach(InFlight::close);
        long deadline = System.nanoTime() + grace.toNanos();
        for (InFlight slot : leaving) {
            if (!slot.awaitDrained(Duration.ofNanos(deadline - System.nanoTime()))) {
                Log.warnf("Partitions %s revoked with %d POST(s) still in flight after %s", partitions, slot.count(),
                        grace);
                return;
            }
        }
    }
}

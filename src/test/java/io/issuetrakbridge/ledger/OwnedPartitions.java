package io.issuetrakbridge.ledger;

import java.util.Arrays;

/** A real {@link PartitionOwnership} that owns the given partitions, as after a rebalance assigned them (plain JUnit). */
public final class OwnedPartitions {

    private OwnedPartitions() {
    }

    public static PartitionOwnership of(Integer... partitions) {
        PartitionOwnership ownership = new PartitionOwnership();
        ownership.assigned(Arrays.asList(partitions));
        return ownership;
    }

    /** Assigns the partitions again, as a rebalance that gives them back does. */
    public static void assign(PartitionOwnership ownership, Integer... partitions) {
        ownership.assigned(Arrays.asList(partitions));
    }
}

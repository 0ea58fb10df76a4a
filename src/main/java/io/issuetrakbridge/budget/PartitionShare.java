package io.issuetrakbridge.budget;

/**
 * This instance's share of the group's budget: the commands partitions it owns over all the topic's partitions,
 * recomputed on every rebalance. The instances of a group own disjoint partitions, so their shares add up to 1
 * and their allowances to the budget, with no coordination beyond Kafka's own assignment. An instance that owns no
 * partition still keeps one partition's share for its probes.
 *
 * @param owned partitions this instance owns now
 * @param total partitions of the commands topic; 0 while unknown (before the first assignment)
 */
public record PartitionShare(int owned, int total) {

    /** Before the first assignment: the instance does not know the group, and sends only probes. */
    public static final PartitionShare UNKNOWN = new PartitionShare(0, 0);

    public PartitionShare {
        if (owned < 0 || total < 0 || (total > 0 && owned > total)) {
            throw new IllegalArgumentException("owned " + owned + " of " + total + " partitions");
        }
    }

    /** The share, in (0, 1]: {@code max(owned, 1) / total}, or 1 / 1 before the first assignment. */
    public double share() {
        if (total == 0) {
            // Probes only (nothing is assigned, so no command is delivered): the least one partition could have.
            return 1.0;
        }
        return Math.max(owned, 1) / (double) total;
    }
}

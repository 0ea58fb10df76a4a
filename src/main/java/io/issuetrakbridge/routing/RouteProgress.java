package io.issuetrakbridge.routing;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * How far one commands partition q has been read and routed by this instance, during one tenure of it: what its
 * {@link Mark} says. Plain logic; the caller gives offsets, timestamps and times.
 * <p>
 * Records are read in offset order but routed out of order (forwards of different issues run at once), so the
 * horizon follows the <em>routed prefix</em>: the records below the first one not yet routed. A record is routed
 * when it is read, unless it is forwarded: then when its copy is on the broker. The horizon is the greater of the
 * latest record timestamp in the prefix and the last time the prefix was found at the partition's end (nothing left
 * to read then, so whatever comes later was produced later, give or take the order window).
 */
public final class RouteProgress {

    private final String topic;
    private final int partition;
    /** Every record below it has been read here (or was committed before this tenure). */
    private long read;
    /** Every record below it has been routed. */
    private long routed;
    private long latestTimestamp = Long.MIN_VALUE;
    private long caughtUpAt = Long.MIN_VALUE;
    /** Records read and not yet in the prefix: offset to {timestamp, routed (1) or not (0)}. */
    private final TreeMap<Long, long[]> open = new TreeMap<>();
    /** Per home partition h, the position h's owner must have read up to: past our last copy there. */
    private final Map<Integer, Long> copies = new HashMap<>();
    /** Per home partition h, where the copies forwarded before this tenure (by earlier owners) end at most. */
    private final Map<Integer, Long> inherited = new HashMap<>();
    /** The position this tenure started at. */
    private final long start;

    /**
     * @param topic the commands topic
     * @param position the consumer's position when the partition was assigned: every record below it was processed
     *        by an earlier owner
     * @param ends the end offset of every commands partition when it was assigned: copies an earlier owner forwarded
     *        from q lie below them; where exactly, {@link #inherit} may tell
     */
    public RouteProgress(String topic, int partition, long position, Map<Integer, Long> ends) {
        this.topic = topic;
        this.partition = partition;
        this.read = position;
        this.routed = position;
        this.start = position;
        ends.forEach((home, end) -> {
            if (home != partition) {
                inherited.put(home, end);
            }
        });
    }

    /**
     * Among {@code marks} of this partition published by earlier tenures, the one that tells where the copies of the
     * records below {@code position} went: a mark whose routed prefix reaches {@code position} names, per home, a
     * position past every copy forwarded from the records below it (each tenure starts from its predecessor's, or from
     * the ends). The one with the shortest such prefix names the fewest copies. Empty when none reaches it: the
     * predecessor's last mark was older than its last commit (a crash within one interval of a commit), or marks
     * were off then.
     */
    public static Optional<Mark> predecessor(List<Mark> marks, int partition, long position) {
        return marks.stream().filter(mark -> mark.partition() == partition && mark.needs(partition) >= position)
                .min(Comparator.comparingLong((Mark mark) -> mark.needs(partition))
                        .thenComparing(Comparator.comparingLong(Mark::written).reversed()));
    }

    /**
     * The earlier tenures' copies end where {@code predecessor} ({@link #predecessor}) says, instead of at every
     * partition's end when this tenure started: a home partition then has to read only as far as they really went.
     */
    public synchronized void inherit(Mark predecessor) {
        if (predecessor.partition() != partition || predecessor.needs(partition) < start) {
            throw new IllegalArgumentException("mark " + predecessor + " does not cover position " + start);
        }
        inherited.clear();
        predecessor.needs().forEach((home, needs) -> {
            if (home != partition) {
                inherited.put(home, needs);
            }
        });
    }

    /** The position this tenure started at (the consumer's position when the partition was assigned). */
    public long start() {
        return start;
    }

    public int partition() {
        return partition;
    }

    /** A record was read (and placed where it waits or is processed); {@code forwarding}: its copy is under way. */
    public synchronized void read(long offset, long timestamp, boolean forwarding) {
        read = Math.max(read, offset + 1);
        open.put(offset, new long[] {timestamp, forwarding ? 0 : 1});
        fold();
    }

    /** The copy of the record at {@code offset} is on the broker, at {@code copyOffset} of partition {@code home}. */
    public synchronized void forwarded(long offset, int home, long copyOffset) {
        copies.merge(home, copyOffset + 1, Math::max);
        long[] record = open.get(offset);
        if (record != null) {
            record[1] = 1;
            fold();
        }
    }

    /**
     * The partition's end offset, asked of the broker after {@code askedAt}: if every record below it has been
     * routed, the partition was caught up at {@code askedAt}.
     */
    public synchronized void end(long endOffset, long askedAt) {
        if (routed >= endOffset) {
            caughtUpAt = Math.max(caughtUpAt, askedAt);
        }
    }

    /** The position up to which this partition's records have been read here. */
    public synchronized long read() {
        return read;
    }

    /** The mark to publish now. */
    public synchronized Mark mark(long now) {
        Map<Integer, Long> needs = new HashMap<>(inherited);
        copies.forEach((home, copy) -> needs.merge(home, copy, Math::max));
        needs.put(partition, routed);
        return new Mark(topic, partition, Math.max(latestTimestamp, caughtUpAt), needs, now);
    }

    private void fold() {
        while (!open.isEmpty() && open.firstEntry().getValue()[1] == 1) {
            Map.Entry<Long, long[]> first = open.pollFirstEntry();
            latestTimestamp = Math.max(latestTimestamp, first.getValue()[0]);
            routed = first.getKey() + 1;
        }
        if (open.isEmpty()) {
            routed = Math.max(routed, read);
        }
    }
}

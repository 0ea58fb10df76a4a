package io.issuetrakbridge.routing;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntFunction;

/**
 * The release rule of commands that wait for order with routing marks: plain logic over marks and positions the
 * caller gives, with the caller's clock.
 * <p>
 * A command with record timestamp T waiting on its home partition h may be processed once, for every partition q of
 * the commands topic, one of q's marks has a horizon of at least T + {@code window} and h's owner has read h past what
 * that mark needs of h. Then every record of every partition with a timestamp at or before T has reached h's owner
 * (if it belongs there): the earlier commands of the issue are waiting beside it, or done. The window covers what
 * the marks cannot see: a record's delivery from its producer to the broker, and the producer's clock running
 * behind the bridge's.
 * <p>
 * A command that has waited {@code maxWait} since it arrived is processed anyway ({@link Release#FORCED}).
 */
public final class OrderRule {

    /** What to do with a waiting command now. */
    public enum Release {
        /** Every earlier command of its issue has arrived: process it, in order. */
        IN_ORDER,
        /** It waited its longest: process it, whatever may still come. */
        FORCED,
        /** Keep it waiting. */
        WAIT
    }

    private final long windowMillis;
    private final long maxWaitMillis;

    public OrderRule(long windowMillis, long maxWaitMillis) {
        this.windowMillis = windowMillis;
        this.maxWaitMillis = maxWaitMillis;
    }

    /**
     * The latest record timestamp up to which every partition has been routed to {@code home} and read there: the
     * least, over partitions 0 to {@code partitions - 1}, of the latest horizon among the partition's marks whose
     * copies {@code home} has read; {@link Long#MIN_VALUE} when a partition has no such mark.
     * <p>
     * Any mark will do, not only the latest: each stays true once written, and an earlier one names fewer copies. The
     * latest alone would make {@code home} read every copy forwarded since, behind the records produced meanwhile:
     * while commands keep coming, a chase of a moving end.
     *
     * @param marks the marks of each partition (the recent ones, in any order), empty where there is none
     * @param readOnHome the position up to which {@code home}'s records have been read here
     */
    public static long horizon(int home, int partitions, IntFunction<List<Mark>> marks, long readOnHome) {
        long horizon = Long.MAX_VALUE;
        for (int q = 0; q < partitions; q++) {
            long best = Long.MIN_VALUE;
            for (Mark mark : marks.apply(q)) {
                if (readOnHome >= mark.needs(home)) {
                    best = Math.max(best, mark.horizon());
                }
            }
            if (best == Long.MIN_VALUE) {
                return Long.MIN_VALUE;
            }
            horizon = Math.min(horizon, best);
        }
        return partitions > 0 ? horizon : Long.MIN_VALUE;
    }

    /** Why a partition's marks do not let a command go yet ({@link #behind}). */
    public enum Behind {
        /** No mark of the partition has a horizon that late: its owner has to read (and forward) further. */
        HORIZON,
        /** Marks that late name copies on the home partition past what has been read there: the home has to read. */
        COPIES
    }

    /**
     * The partitions whose marks do not yet let a command with record timestamp {@code timestamp - window} on
     * {@code home} go, and why: what {@link #horizon} waits for, partition by partition (a stall's diagnosis).
     *
     * @param needed the horizon the command needs: its record timestamp plus the window
     */
    public static Map<Integer, Behind> behind(int home, int partitions, IntFunction<List<Mark>> marks,
            long readOnHome, long needed) {
        Map<Integer, Behind> behind = new TreeMap<>();
        for (int q = 0; q < partitions; q++) {
            boolean late = false;
            boolean usable = false;
            for (Mark mark : marks.apply(q)) {
                if (mark.horizon() >= needed) {
                    late = true;
                    usable |= readOnHome >= mark.needs(home);
                }
            }
            if (!usable) {
                behind.put(q, late ? Behind.COPIES : Behind.HORIZON);
            }
        }
        return behind;
    }

    /**
     * @param timestamp the command's record timestamp
     * @param arrived when it started waiting here, by the caller's clock
     * @param horizon {@link #horizon} of its home partition
     * @param now the caller's clock
     */
    /** The horizon a command with record timestamp {@code timestamp} needs. */
    public long needed(long timestamp) {
        return timestamp + windowMillis;
    }

    public Release release(long timestamp, long arrived, long horizon, long now) {
        if (horizon != Long.MIN_VALUE && timestamp <= horizon - windowMillis) {
            return Release.IN_ORDER;
        }
        return now - arrived >= maxWaitMillis ? Release.FORCED : Release.WAIT;
    }
}

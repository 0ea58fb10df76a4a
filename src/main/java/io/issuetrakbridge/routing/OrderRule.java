package io.issuetrakbridge.routing;

import java.util.function.IntFunction;

/**
 * The release rule of commands that wait for order with routing marks: plain logic over marks and positions the
 * caller gives, with the caller's clock.
 * <p>
 * A command with record timestamp T waiting on its home partition h may be processed once, for every partition q of
 * the commands topic, q's latest mark has a horizon of at least T + {@code window} and h's owner has read h past what
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
     * The latest record timestamp up to which every partition has been routed to {@code home} and read there:
     * the least horizon over the marks of partitions 0 to {@code partitions - 1}, or {@link Long#MIN_VALUE} when a
     * partition has no mark or {@code home} has not read what a mark needs of it.
     *
     * @param marks the latest mark of each partition, null where there is none
     * @param readOnHome the position up to which {@code home}'s records have been read here
     */
    public static long horizon(int home, int partitions, IntFunction<Mark> marks, long readOnHome) {
        long horizon = Long.MAX_VALUE;
        for (int q = 0; q < partitions; q++) {
            Mark mark = marks.apply(q);
            if (mark == null || readOnHome < mark.needs(home)) {
                return Long.MIN_VALUE;
            }
            horizon = Math.min(horizon, mark.horizon());
        }
        return partitions > 0 ? horizon : Long.MIN_VALUE;
    }

    /**
     * @param timestamp the command's record timestamp
     * @param arrived when it started waiting here, by the caller's clock
     * @param horizon {@link #horizon} of its home partition
     * @param now the caller's clock
     */
    public Release release(long timestamp, long arrived, long horizon, long now) {
        if (horizon != Long.MIN_VALUE && timestamp <= horizon - windowMillis) {
            return Release.IN_ORDER;
        }
        return now - arrived >= maxWaitMillis ? Release.FORCED : Release.WAIT;
    }
}

package io.issuetrakbridge.routing;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

import io.issuetrakbridge.config.BridgeConfig;
import io.quarkus.logging.Log;

/**
 * A commands partition's hand-over from one owner to the next, for its routing marks (README, Routing: Hand-over).
 * The new owner starts at the committed offset, and the copies its predecessors forwarded from the records below it
 * lie somewhere on the home partitions. Once the {@link MarkBoard} has read the marks topic as far as it went at the
 * assignment, the predecessor's first mark whose routed prefix reaches the committed offset says where they end
 * ({@link RouteProgress#predecessor}); until then the partition publishes no mark. Without such a mark, the tenure
 * keeps every commands partition's end at the assignment, which is always past them.
 */
@ApplicationScoped
public class HandOver {

    private final MarkBoard board;
    private final String marksTopic;
    /** How long a new owner waits for the board before its marks name every partition's end instead. */
    private final long patienceMillis;
    /** New tenures not yet settled: the marks topic's end offset when they began, and when. */
    private final Map<Integer, Pending> pending = new ConcurrentHashMap<>();

    public HandOver(BridgeConfig config, MarkBoard board) {
        this.board = board;
        this.marksTopic = config.topics().routingMarks();
        // The board reads marks a few milliseconds after they are written; far longer means it cannot read them.
        this.patienceMillis = Math.max(5_000, 10 * config.routing().marks().interval().toMillis());
    }

    /** Tenures that began now, on the polling thread of {@code consumer}, which asks the marks topic's end. */
    void began(Consumer<?, ?> consumer, Collection<Integer> partitions, Duration timeout) {
        TopicPartition marks = new TopicPartition(marksTopic, 0);
        long marksEnd;
        try {
            marksEnd = consumer.endOffsets(List.of(marks), timeout).getOrDefault(marks, -1L);
        } catch (RuntimeException e) {
            Log.infof("Routing marks: the end of %s is not known (%s); partitions %s keep every commands partition's "
                    + "end at their assignment as their predecessors' copies' end", marksTopic, e.getMessage(),
                    partitions);
            return;
        }
        long now = System.currentTimeMillis();
        partitions.forEach(partition -> pending.put(partition, new Pending(marksEnd, now)));
    }

    /**
     * Settles {@code tenure}'s inheritance once the board has read far enough (or after the patience).
     *
     * @return whether the tenure's marks may be published
     */
    boolean settled(RouteProgress tenure, long now) {
        int partition = tenure.partition();
        Pending waiting = pending.get(partition);
        if (waiting == null) {
            return true;
        }
        if (board.position() < waiting.marksEnd()) {
            if (now - waiting.since() < patienceMillis) {
                return false;
            }
            Log.infof("Routing marks: %s was not read up to offset %d within %d ms of partition %d's assignment; its "
                    + "marks name every commands partition's end when it was assigned", marksTopic,
                    waiting.marksEnd(), patienceMillis, partition);
        } else {
            RouteProgress.predecessor(board.marks(partition), partition, tenure.start()).ifPresentOrElse(
                    mark -> {
                        tenure.inherit(mark);
                        Log.infof("Routing marks: partition %d, taken over at offset %d, inherits where its "
                                + "predecessors' copies end from their mark written at %s: %s", partition,
                                tenure.start(), Instant.ofEpochMilli(mark.written()), mark.needs());
                    }, () -> {
                        if (tenure.start() > 0) {
                            Log.infof("Routing marks: no mark of partition %d covers its committed position %d; its "
                                    + "marks name every commands partition's end when it was assigned, so commands "
                                    + "waiting for order wait until those are read", partition, tenure.start());
                        }
                    });
        }
        pending.remove(partition);
        return true;
    }

    /** Whether {@code partition}'s current tenure, if any, has settled its inheritance. */
    boolean settled(int partition) {
        return !pending.containsKey(partition);
    }

    /** The tenure ended (revoked or lost). */
    void ended(int partition) {
        pending.remove(partition);
    }

    /** A tenure waiting for the board to read the marks topic up to {@code marksEnd}. */
    private record Pending(long marksEnd, long since) {
    }
}

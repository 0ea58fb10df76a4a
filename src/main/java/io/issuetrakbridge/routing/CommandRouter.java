package io.issuetrakbridge.routing;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.jboss.logging.Logger;

import io.issuetrakbridge.config.BridgeConfig;
import io.issuetrakbridge.issuetrak.CallContext;
import io.issuetrakbridge.ledger.PartitionOwnership;
import io.issuetrakbridge.messaging.CommandRecord;
import io.issuetrakbridge.messaging.NoteCommand;
import io.issuetrakbridge.messaging.OutcomePublisher;
import io.issuetrakbridge.messaging.RecordSender;
import io.issuetrakbridge.metrics.BridgeMetrics;
import io.issuetrakbridge.resilience.KeyedSequencer;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;

/**
 * Decides where a valid command is processed: on its issue's {@link HomePartition home partition} of the
 * commands topic, whichever partition it was produced to. The ledger is per partition, so this is what makes a
 * command ID create one note wherever its copies arrive, and what puts all of an issue's commands in one
 * sequence.
 * <ul>
 * <li>On its home partition, keyed by the issue number (a well-behaved producer): processed at once, in the
 * partition's order, as before there was routing.</li>
 * <li>Elsewhere: {@link #forward forwarded} to the home partition, key, value, headers and timestamp
 * unchanged, plus the resolved command ID and where it came from; acknowledged once the copy is on the
 * broker. A forwarded copy is never forwarded again, so instances that disagree for a moment about the
 * partition count (after partitions were added) cannot bounce a record between them.</li>
 * <li>Forwarded copies, and records on their home partition under another key or none, may come from a
 * producer that spread the issue over several partitions: they are processed {@link #inTimestampOrder in
 * timestamp order} ({@link TimestampOrder}), after {@code bridge.routing.order-window}.</li>
 * </ul>
 */
@ApplicationScoped
public class CommandRouter {

    private static final Logger LOG = Logger.getLogger(CommandRouter.class);

    /** How often commands waiting for routing marks are looked at again. */
    private static final long RECHECK_MILLIS = 20;

    /** Reasons of {@code issuetrak_bridge_routing_order_forced_total}. */
    static final String FORCED_BY_MAX_WAIT = "max-wait";
    static final String FORCED_BY_STALL = "stall";

    /** Header of a forwarded copy: {@code <partition>-<offset>} of the record it copies, in the commands topic. */
    public static final String FORWARDED_FROM_HEADER = "bridge-forwarded-from";

    /** What to do with a valid command. */
    public enum Route {
        /** Process it now, in its partition's order. */
        HERE,
        /** Process it here, in the order of its issue's record timestamps. */
        IN_TIMESTAMP_ORDER,
        /** Forward it to its home partition. */
        FORWARD
    }

    private final RecordSender sender;
    private final PartitionOwnership ownership;
    private final BridgeMetrics metrics;
    private final Vertx vertx;
    private final String commandsTopic;
    private final TimestampOrder<Long, Turn> order;
    /** Forwards of one issue leave one after another, so a resend cannot overtake a later forward. */
    private final KeyedSequencer<Long> forwards = new KeyedSequencer<>();
    private final RoutingMarks marks;
    private final MarkBoard board;
    /** Per home partition, its horizon as last computed (waiting commands are looked at often). */
    private final Map<Integer, Horizon> horizons = new ConcurrentHashMap<>();
    private final OrderRule rule;
    /** When a command was last released past bridge.routing.max-order-wait: one WARN per episode of them. */
    private final AtomicLong lastForced = new AtomicLong(Long.MIN_VALUE / 2);
    private final long maxOrderWaitMillis;
    /** Records fetched at most (the window plus the parking area): all of them waiting for order is a stall. */
    private final int fetchLimit;
    /** How long a stall is waited out before its earliest commands leave, when other instances' marks may end it. */
    private final long stallGraceMillis;
    /** The same when only this instance's reading can end it: long enough for its latest marks to be read back. */
    private final long selfStallGraceMillis;
    /** Where waiting commands wait without holding a fetched-record slot, while there is room. */
    private final WaitingRoom room;
    /** When a waiting command last left, or the waiting ones last filled less than the fetch limit. */
    private volatile long lastProgress = System.currentTimeMillis();
    private volatile int partitions;
    private volatile long timer = -1;

    public CommandRouter(RecordSender sender, PartitionOwnership ownership, BridgeMetrics metrics, Vertx vertx,
            BridgeConfig config, RoutingMarks marks, MarkBoard board) {
        this.sender = sender;
        this.ownership = ownership;
        this.metrics = metrics;
        this.vertx = vertx;
        this.marks = marks;
        this.board = board;
        this.commandsTopic = config.topics().commands();
        this.order = new TimestampOrder<>(config.routing().orderWindow(), System::currentTimeMillis);
        this.maxOrderWaitMillis = config.routing().maxOrderWait().toMillis();
        this.rule = new OrderRule(config.routing().orderWindow().toMillis(), maxOrderWaitMillis);
        this.fetchLimit = config.maxInFlight() + config.scheduling().maxParked();
        this.room = new WaitingRoom(config.routing().maxWaitingBytes());
        // A few marks of every other instance: what could still release a waiting command in order.
        this.stallGraceMillis = Math.max(1000, 4 * config.routing().marks().interval().toMillis());
        this.selfStallGraceMillis = 3 * config.routing().marks().interval().toMillis();
    }

    /**
     * Reports the commands waiting for order; with routing marks, they are looked at again as marks come in and time
     * passes.
     */
    void start(@Observes StartupEvent event) {
        metrics.commandsWaiting("order", this::waiting);
        if (marks.enabled()) {
            timer = vertx.setPeriodic(RECHECK_MILLIS, id -> releaseAll());
        }
    }

    @PreDestroy
    void stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    /**
     * The commands topic's partition count, as the consumer sees it on each assignment. A change moves the home
     * partition of most issues: logged at WARN.
     */
    public void partitionCount(int count) {
        int previous = partitions;
        partitions = count;
        if (previous != 0 && previous != count) {
            LOG.warnf("The commands topic %s now has %d partitions (it had %d): commands are routed to their issue's "
                    + "home partition by the new count from now on. A command first processed before the change and "
                    + "sent again may land on another home partition, whose ledger does not know it: it is then "
                    + "treated as new. The ledger topic must have %d partitions too.", commandsTopic, count, previous,
                    count);
        }
    }

    /** Where {@code command}, read from {@code record}, is processed. */
    public Route route(CommandRecord record, NoteCommand command) {
        int count = partitions;
        if (record.headerBytes(FORWARDED_FROM_HEADER) != null) {
            return Route.IN_TIMESTAMP_ORDER;
        }
        if (count == 0 || HomePartition.of(command.issueNumber(), count) == record.partition()) {
            return HomePartition.isIssueKey(record.key(), command.issueNumber()) ? Route.HERE
                    : Route.IN_TIMESTAMP_ORDER;
        }
        return Route.FORWARD;
    }

    /**
     * Copies the record to its home partition and acknowledges it once the copy is on the broker (acks=all),
     * while this instance owns the record's partition: a revocation waits for forwards in flight, and one that
     * has not started stays unacknowledged for the partition's next owner. A redelivered record is forwarded
     * again; its copies carry the same command ID, and the home partition's ledger answers the second one with
     * the first one's NoteID.
     */
    public Uni<Void> forward(CommandRecord record, NoteCommand command, CallContext context) {
        int home = HomePartition.of(command.issueNumber(), partitions);
        String reason = reason(record.key(), command.issueNumber());
        // The acknowledgement inside the owned stretch too: a revocation then commits the forwarded record's
        // offset instead of leaving it for the next owner to forward again.
        RouteProgress progress = marks.read(record, true);
        return ownership.whileOwned(record.partition(), () -> forwards.submit(command.issueNumber(),
                () -> sender.send(copy(record, command, home), context, () -> ownership.owns(record.partition())))
                .invoke(sent -> {
                    if (progress != null) {
                        progress.forwarded(record.offset(), home, sent.offset());
                    }
                })
                .chain(() -> Uni.createFrom().completionStage(record.message().ack())))
                .invoke(() -> {
                    metrics.forwarded(reason);
                    context.debug(LOG, "forwarded from partition %d to its home partition %d (%s)", record.partition(),
                            home, reason);
                });
    }

    /**
     * Why a record is not on its home partition: {@code no-key}, {@code other-key} (a key that is not the issue
     * number), {@code other-partitioner} (the issue number as key, but placed by another partitioner, e.g.
     * librdkafka's default CRC32, or by an explicit partition).
     */
    static String reason(byte[] key, long issueNumber) {
        if (key == null) {
            return "no-key";
        }
        return HomePartition.isIssueKey(key, issueNumber) ? "other-partitioner" : "other-key";
    }

    /**
     * The copy: key, value, headers and timestamp of the original, plus {@value #FORWARDED_FROM_HEADER} and the
     * {@code CommandId} the original resolved to, so that a copy of a command without an ID of its own keeps
     * the original's {@code <topic>-<partition>-<offset>} (the parser takes the header before the position).
     */
    static ProducerRecord<byte[], byte[]> copy(CommandRecord record, NoteCommand command, int home) {
        RecordHeaders headers = new RecordHeaders(record.headers().toArray());
        if (record.headerBytes(OutcomePublisher.COMMAND_ID_HEADER) == null) {
            headers.add(OutcomePublisher.COMMAND_ID_HEADER, command.commandId().getBytes(StandardCharsets.UTF_8));
        }
        headers.add(FORWARDED_FROM_HEADER,
                (record.partition() + "-" + record.offset()).getBytes(StandardCharsets.UTF_8));
        long timestamp = record.timestamp() == null ? -1 : record.timestamp().toEpochMilli();
        return new ProducerRecord<>(record.topic(), home, timestamp < 0 ? null : timestamp, record.key(),
                record.message().getPayload(), headers);
    }

    /**
     * Runs {@code submit} (which takes the command's place in its issue's sequence) once the command's turn has
     * come. Without routing marks, by {@link TimestampOrder}: {@code bridge.routing.order-window} after its
     * timestamp, and after every command of its issue with an earlier timestamp that arrived meanwhile. With them,
     * by {@link OrderRule}: once every partition's mark has passed its timestamp plus the window and its home
     * partition has read the copies those marks name, or after {@code bridge.routing.max-order-wait}. The command
     * takes its place in the line when this is called, so a record read after it is placed after it. It waits in
     * the {@link WaitingRoom} while there is room ({@code freeSlot} runs then: the stream may fetch another record),
     * else holding its fetched-record slot.
     */
    public Uni<Void> inTimestampOrder(CommandRecord record, NoteCommand command, CallContext context,
            Supplier<Uni<Void>> submit, Runnable freeSlot) {
        long issue = command.issueNumber();
        byte[] value = record.message().getPayload();
        WaitingRoom.Ticket ticket = room.enter(Math.max(1, value == null ? 0 : value.length), freeSlot);
        Turn turn = new Turn(submit, context);
        long wait = order.add(issue, place(record), turn);
        if (marks.enabled()) {
            release(issue);
        } else if (wait == 0) {
            release(issue);
        } else {
            vertx.setTimer(wait, id -> release(issue));
        }
        return Uni.createFrom().completionStage(turn.started).chain(started -> started)
                .onTermination().invoke(() -> {
                    ticket.leave();
                    lastProgress = System.currentTimeMillis();
                });
    }

    /** Where a record was first produced: its own place, or the original's for a forwarded copy. */
    static TimestampOrder.Place place(CommandRecord record) {
        long timestamp = record.timestamp() == null ? 0 : Math.max(0, record.timestamp().toEpochMilli());
        String from = record.header(FORWARDED_FROM_HEADER);
        if (from != null) {
            int dash = from.indexOf('-');
            try {
                return new TimestampOrder.Place(timestamp, Integer.parseInt(from.substring(0, dash)),
                        Long.parseLong(from.substring(dash + 1)));
            } catch (RuntimeException malformed) {
                // Not written by a bridge: order it by where it is.
            }
        }
        return new TimestampOrder.Place(timestamp, record.partition(), record.offset());
    }

    private void release(long issue) {
        List<Turn> released = new ArrayList<>();
        // Places in the issue's sequence are taken under the order's lock, in order; the work starts after it.
        if (marks.enabled()) {
            order.drain(issue, this::ready, (turn, how) -> {
                turn.place = turn.submit.get();
                turn.forced = how == OrderRule.Release.FORCED ? FORCED_BY_MAX_WAIT : null;
                released.add(turn);
            });
        } else {
            order.drain(issue, turn -> {
                turn.place = turn.submit.get();
                released.add(turn);
            });
        }
        released.forEach(this::started);
    }

    private void releaseAll() {
        order.keys().forEach(this::release);
        breakStall();
    }

    /**
     * Whether what the earliest waiting command waits for can only come from this instance reading further: every
     * partition holding it back is one whose marks this instance publishes and has not read far enough, or it waits
     * for copies on its home partition (this instance's) to be read. No other instance's mark can end the stall then.
     */
    private boolean selfBlocked() {
        int count = partitions;
        Optional<Map.Entry<Long, TimestampOrder.Place>> earliest = order.earliest();
        if (count == 0 || earliest.isEmpty()) {
            return false;
        }
        int home = HomePartition.of(earliest.get().getKey(), count);
        long read = marks.readPosition(home);
        if (read < 0) {
            return false;
        }
        Map<Integer, OrderRule.Behind> behind = OrderRule.behind(home, count, board::marks, read,
                rule.needed(earliest.get().getValue().timestamp()));
        return !behind.isEmpty() && behind.entrySet().stream()
                .allMatch(q -> q.getValue() == OrderRule.Behind.COPIES || marks.publishes(q.getKey()));
    }

    /**
     * When the waiting room is full and every fetched-record slot is held by a command waiting for order too, this
     * instance reads nothing more: its own partitions' marks stop, and so does whatever on its home partitions those
     * commands wait for. Nothing but a release moves then (README, Routing: a backlog larger than the buffer and the
     * room, partitions routed at different paces). Rather than wait {@code bridge.routing.max-order-wait}, after a
     * short grace the earliest waiting commands (by record timestamp, each the head of its issue's line) leave, half
     * the fetch limit of them, counted as forced; as they end, their room goes to the commands holding slots. The
     * grace: three mark intervals when only this instance's reading can end the stall ({@link #selfBlocked}: its
     * latest marks have been published and read back by then), else the larger of 1 s and four intervals, in which
     * other instances' marks could still let them go in order.
     */
    private void breakStall() {
        long now = System.currentTimeMillis();
        if (room.holdingSlots() < fetchLimit) {
            lastProgress = now;
            return;
        }
        long stalled = now - lastProgress;
        if (stalled < selfStallGraceMillis || stalled < stallGraceMillis && !selfBlocked()) {
            return;
        }
        lastProgress = now;
        List<Turn> released = new ArrayList<>();
        order.drainEarliest(fetchLimit - fetchLimit / 2, (turn, how) -> {
            turn.place = turn.submit.get();
            turn.forced = FORCED_BY_STALL;
            released.add(turn);
        });
        released.forEach(this::started);
    }

    /** {@link OrderRule} for the head of an issue's line, on its home partition by the current count. */
    private OrderRule.Release ready(long issue, TimestampOrder.Place place, long arrived, long now) {
        int count = partitions;
        if (count == 0) {
            return rule.release(place.timestamp(), arrived, Long.MIN_VALUE, now);
        }
        int home = HomePartition.of(issue, count);
        long read = marks.readPosition(home);
        if (read < 0) {
            // Its partition was revoked: let it go to the scheduler, which drops it unstarted (its next owner reads it
            // again), instead of holding a fetched record's place until the max wait.
            return OrderRule.Release.IN_ORDER;
        }
        long horizon = horizon(home, count, read);
        return rule.release(place.timestamp(), arrived, horizon, now);
    }

    /**
     * {@link OrderRule#horizon} of {@code home}, computed again only when a mark has been read or {@code home} read
     * further: waiting commands are looked at every {@value #RECHECK_MILLIS} ms, each partition keeps marks of the last
     * max wait.
     */
    private long horizon(int home, int count, long read) {
        long version = board.version();
        Horizon known = horizons.get(home);
        if (known != null && known.version() == version && known.read() == read && known.count() == count) {
            return known.horizon();
        }
        long horizon = OrderRule.horizon(home, count, board::marks, read);
        horizons.put(home, new Horizon(version, read, count, horizon));
        return horizon;
    }

    /** A home's horizon as last computed, and what it was computed from. */
    private record Horizon(long version, long read, int count, long horizon) {
    }

    private void started(Turn turn) {
        lastProgress = System.currentTimeMillis();
        if (turn.forced != null) {
            metrics.orderForced(turn.forced);
            long now = System.currentTimeMillis();
            // An episode: forced releases with less than the max wait between them. One WARN at its start.
            if (now - lastForced.getAndSet(now) > maxOrderWaitMillis) {
                turn.context.warn(LOG, "%s: an earlier command of its issue may still be unread on another partition "
                        + "(%s); further such commands are counted in issuetrak_bridge_routing_order_forced_total",
                        FORCED_BY_STALL.equals(turn.forced)
                                ? "processed before the routing marks let it go, because the waiting room and every "
                                        + "fetched record were full of commands waiting for them and none could leave"
                                : "processed after waiting bridge.routing.max-order-wait for the routing marks of "
                                        + "every partition",
                        FORCED_BY_STALL.equals(turn.forced)
                                ? "a backlog larger than bridge.routing.max-waiting-bytes and bridge.max-in-flight + "
                                        + "bridge.scheduling.max-parked"
                                : "an instance behind, a partition without an owner, or one that cannot publish "
                                        + "its marks");
            }
        }
        turn.started.complete(turn.place);
    }

    /** A command waiting for its turn. */
    private static final class Turn {
        private final Supplier<Uni<Void>> submit;
        private final CallContext context;
        private final CompletableFuture<Uni<Void>> started = new CompletableFuture<>();
        private Uni<Void> place;
        /** Null, or why it left before the marks let it go ({@code issuetrak_bridge_routing_order_forced_total}). */
        private String forced;

        Turn(Supplier<Uni<Void>> submit, CallContext context) {
            this.submit = submit;
            this.context = context;
        }
    }

    /** Commands waiting for their turn (tests, metrics). */
    public int waiting() {
        return order.size();
    }
}

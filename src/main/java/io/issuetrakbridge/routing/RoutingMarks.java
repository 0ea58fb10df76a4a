package io.issuetrakbridge.routing;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.issuetrakbridge.config.BridgeConfig;
import io.issuetrakbridge.messaging.Channels;
import io.issuetrakbridge.messaging.CommandRecord;
import io.issuetrakbridge.messaging.RecordSender;
import io.issuetrakbridge.metrics.BridgeMetrics;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.smallrye.reactive.messaging.kafka.KafkaConsumer;
import io.vertx.mutiny.core.Vertx;

/**
 * Publishes the routing marks of the commands partitions this instance owns (README, Routing): every
 * {@code bridge.routing.marks.interval}, for each owned partition, how far it has been routed ({@link RouteProgress})
 * after asking the broker for its end offset, so that an idle or caught-up partition's mark moves with the clock.
 * Off (every method a no-op) unless {@code bridge.routing.marks.enabled}.
 * <p>
 * The end offsets are asked on the connector's polling thread, as the lag is ({@code ConsumerLagMonitor}): it is
 * served while the consumer fetches nothing too.
 */
@ApplicationScoped
public class RoutingMarks {

    /** Bounds how long asking the end offsets holds up the polling thread when the broker is slow or gone. */
    private static final Duration END_OFFSETS_TIMEOUT = Duration.ofSeconds(2);

    private final boolean enabled;
    private final Duration interval;
    private final String commandsTopic;
    private final String marksTopic;
    private final Vertx vertx;
    private final KafkaClientService clients;
    private final RecordSender sender;
    private final BridgeMetrics metrics;
    private final ObjectMapper json;
    private final HandOver handOver;
    private final Map<Integer, RouteProgress> owned = new ConcurrentHashMap<>();
    /** One round at a time: a slow broker must not queue rounds up on the polling thread. */
    private final AtomicBoolean publishing = new AtomicBoolean();
    private volatile long timer = -1;

    public RoutingMarks(BridgeConfig config, Vertx vertx, KafkaClientService clients, RecordSender sender,
            BridgeMetrics metrics, ObjectMapper json, HandOver handOver) {
        this.handOver = handOver;
        this.enabled = config.routing().marks().enabled();
        this.interval = config.routing().marks().interval();
        this.commandsTopic = config.topics().commands();
        this.marksTopic = config.topics().routingMarks();
        this.vertx = vertx;
        this.clients = clients;
        this.sender = sender;
        this.metrics = metrics;
        this.json = json;
    }

    public boolean enabled() {
        return enabled;
    }

    void start(@Observes StartupEvent event) {
        if (enabled) {
            timer = vertx.setPeriodic(interval.toMillis(), id -> publish());
        }
    }

    /**
     * Partitions assigned to this instance (on the polling thread, before any of their records is handed out): a
     * new tenure starts at the consumer's position. Copies that earlier owners forwarded lie below the commands
     * partitions' current ends; the predecessor's last marks usually say exactly where ({@link HandOver}).
     */
    public void assigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        if (!enabled || partitions.isEmpty()) {
            return;
        }
        List<TopicPartition> all = consumer.partitionsFor(commandsTopic).stream()
                .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
        Map<Integer, Long> ends = new HashMap<>();
        consumer.endOffsets(all).forEach((tp, end) -> ends.put(tp.partition(), end));
        for (TopicPartition tp : partitions) {
            owned.put(tp.partition(), new RouteProgress(commandsTopic, tp.partition(), consumer.position(tp), ends));
        }
        handOver.began(consumer, partitions.stream().map(TopicPartition::partition).toList(), END_OFFSETS_TIMEOUT);
    }

    /**
     * Partitions revoked or lost (on the polling thread, after their work in flight ended): a last mark each, so that
     * the next owner knows where every copy of the records committed so far went (the connector commits before this
     * is called), then they are no longer this instance's to publish.
     */
    public void revoked(Collection<TopicPartition> partitions) {
        List<RouteProgress> last = partitions.stream().filter(tp -> handOver.settled(tp.partition()))
                .map(tp -> owned.get(tp.partition())).filter(Objects::nonNull).toList();
        if (!last.isEmpty()) {
            try {
                Multi.createFrom().iterable(last).onItem()
                        .transformToUniAndMerge(progress -> sendMark(progress, System.currentTimeMillis()))
                        .collect().last().await().atMost(END_OFFSETS_TIMEOUT);
            } catch (RuntimeException e) {
                Log.debugf("Routing marks: the last marks of %s were not all published (%s)", partitions,
                        e.getMessage());
            }
        }
        partitions.forEach(tp -> {
            owned.remove(tp.partition());
            handOver.ended(tp.partition());
        });
    }


    /**
     * A record was read and placed where it is processed or waits ({@code forwarding} false), or its forward is about
     * to start (true: report the copy to the returned progress). Null when marks are off or the partition is not
     * owned.
     */
    public RouteProgress read(CommandRecord record, boolean forwarding) {
        RouteProgress progress = owned.get(record.partition());
        if (progress != null) {
            long timestamp = record.timestamp() == null ? Long.MIN_VALUE : record.timestamp().toEpochMilli();
            progress.read(record.offset(), timestamp, forwarding);
        }
        return progress;
    }

    /** Whether this instance owns {@code partition} and publishes its marks (its hand-over is done). */
    public boolean publishes(int partition) {
        return owned.containsKey(partition) && handOver.settled(partition);
    }

    /** How far this instance has read {@code partition} in its current tenure; -1 when it does not own it. */
    public long readPosition(int partition) {
        RouteProgress progress = owned.get(partition);
        return progress == null ? -1 : progress.read();
    }

    private void publish() {
        if (owned.isEmpty() || !publishing.compareAndSet(false, true)) {
            return;
        }
        List<KafkaConsumer<Object, Object>> consumers = clients.getConsumers(Channels.COMMANDS);
        Multi.createFrom().iterable(consumers)
                .onItem().transformToUniAndConcatenate(consumer -> consumer.runOnPollingThread(RoutingMarks::ends))
                .collect().asList()
                .onTermination().invoke(() -> publishing.set(false))
                .subscribe().with(this::send, failure -> {
                    Log.debugf("Routing marks: end offsets not known (%s); publishing without them",
                            failure.getMessage());
                    send(List.of());
                });
    }

    /** The end offsets of the consumer's partitions, and the time just before they were asked. */
    private static Ends ends(Consumer<?, ?> consumer) {
        long askedAt = System.currentTimeMillis();
        var assigned = consumer.assignment();
        Map<Integer, Long> ends = new HashMap<>();
        if (!assigned.isEmpty()) {
            consumer.endOffsets(assigned, END_OFFSETS_TIMEOUT).forEach((tp, end) -> ends.put(tp.partition(), end));
        }
        return new Ends(askedAt, ends);
    }

    private record Ends(long askedAt, Map<Integer, Long> offsets) {
    }

    private void send(List<Ends> measured) {
        for (Ends ends : measured) {
            ends.offsets().forEach((partition, end) -> {
                RouteProgress progress = owned.get(partition);
                if (progress != null) {
                    progress.end(end, ends.askedAt());
                }
            });
        }
        long now = System.currentTimeMillis();
        for (RouteProgress progress : owned.values()) {
            if (handOver.settled(progress, now)) {
                sendMark(progress, now).subscribe().with(sent -> {
                }, failure -> Log.debugf(
                        "Routing marks: the mark of partition %d was not published (%s); the next one follows",
                        progress.partition(), failure.getMessage()));
            }
        }
    }

    private Uni<Void> sendMark(RouteProgress progress, long now) {
        Mark mark = progress.mark(now);
        byte[] value;
        try {
            value = json.writeValueAsBytes(mark);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a mark is plain data", e);
        }
        return sender.send(new ProducerRecord<>(marksTopic, 0, null,
                (commandsTopic + "/" + mark.partition()).getBytes(StandardCharsets.UTF_8), value))
                .invoke(metrics::routingMarkPublished).replaceWithVoid();
    }

    @PreDestroy
    void stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

}

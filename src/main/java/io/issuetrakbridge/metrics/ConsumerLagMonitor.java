package io.issuetrakbridge.metrics;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;

import io.issuetrakbridge.config.BridgeConfig;
import io.issuetrakbridge.messaging.Channels;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.smallrye.reactive.messaging.kafka.KafkaConsumer;
import io.vertx.mutiny.core.Vertx;

/**
 * Measures the lag of the commands partitions this instance owns every {@code bridge.metrics.lag-interval}:
 * the partition's end offset, asked of the broker, minus the consumer's position. It asks even while the
 * consumer fetches nothing (paused, or its window full), which is when the backlog grows.
 * <p>
 * A Kafka consumer may only be used from its own thread, so the measurement runs as a task on the
 * connector's polling thread, between two polls.
 */
@ApplicationScoped
public class ConsumerLagMonitor {

    /** Bounds how long a measurement holds up the polling thread when the broker is slow or gone. */
    static final Duration END_OFFSETS_TIMEOUT = Duration.ofSeconds(2);

    private final Vertx vertx;
    private final KafkaClientService clients;
    private final BridgeMetrics metrics;
    private final Duration interval;
    /** One round at a time: a slow broker must not queue measurements up on the polling thread. */
    private final AtomicBoolean measuring = new AtomicBoolean();
    private volatile long timer = -1;

    public ConsumerLagMonitor(Vertx vertx, KafkaClientService clients, BridgeMetrics metrics, BridgeConfig config) {
        this.vertx = vertx;
        this.clients = clients;
        this.metrics = metrics;
        this.interval = config.metrics().lagInterval();
    }

    void start(@Observes StartupEvent event) {
        timer = vertx.setPeriodic(interval.toMillis(), id -> measureAll());
    }

    private void measureAll() {
        if (measuring.compareAndSet(false, true)) {
            List<KafkaConsumer<Object, Object>> consumers = clients.getConsumers(Channels.COMMANDS);
            Multi.createFrom().iterable(consumers)
                    .onItem().transformToUniAndConcatenate(
                            consumer -> consumer.runOnPollingThread(ConsumerLagMonitor::measure))
                    .onTermination().invoke(() -> measuring.set(false))
                    .subscribe().with(metrics::consumerLag,
                            failure -> Log.debugf("Consumer lag not measured: %s", failure.getMessage()));
        }
    }

    /**
     * Records after the consumer's position, per assigned partition. A partition is left out while its
     * position is not known yet (just assigned, before its first poll) or its end offset did not come back.
     */
    static Map<TopicPartition, Long> measure(Consumer<?, ?> consumer) {
        Set<TopicPartition> assigned = consumer.assignment();
        if (assigned.isEmpty()) {
            return Map.of();
        }
        Map<TopicPartition, Long> ends = consumer.endOffsets(assigned, END_OFFSETS_TIMEOUT);
        Map<TopicPartition, Long> lag = new HashMap<>();
        for (TopicPartition partition : assigned) {
            Long end = ends.get(partition);
            if (end != null) {
                try {
                    lag.put(partition, Math.max(0, end - consumer.position(partition, Duration.ZERO)));
                } catch (TimeoutException positionNotKnownYet) {
                    // Measured next time.
                }
            }
        }
        return lag;
    }

    @PreDestroy
    void stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }
}

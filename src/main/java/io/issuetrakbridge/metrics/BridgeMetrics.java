package io.issuetrakbridge.metrics;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.common.TopicPartition;

import io.issuetrakbridge.issuetrak.FailureCategory;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The bridge's own meters, named {@code issuetrak.bridge.*} (Prometheus: {@code issuetrak_bridge_*}).
 * <p>
 * Consumer lag per partition is {@code issuetrak.bridge.consumer.lag{topic,partition}}, one gauge per
 * partition assigned to the commands consumer, registered on assignment, removed on revocation and
 * measured by {@link ConsumerLagMonitor}. Not the Kafka client's own per-partition {@code records-lag}:
 * it is recorded only when a fetch returns records, so it stands still while the bridge is paused, just
 * when the backlog grows. Also, Quarkus binds the client's metrics through Micrometer's
 * {@code KafkaClientMetrics}, which finds per-partition metrics only in a rescan every 60 s (not
 * configurable through Quarkus), so {@code kafka_consumer_fetch_manager_records_lag} would appear up to
 * a minute after an assignment; the per-consumer {@code kafka_consumer_fetch_manager_records_lag_max} is
 * there from the start.
 */
@ApplicationScoped
public class BridgeMetrics {

    private final MeterRegistry registry;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Counter received;
    private final Map<TopicPartition, LagGauge> lag = new ConcurrentHashMap<>();

    public BridgeMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.received = Counter.builder("issuetrak.bridge.commands.received")
                .description("Command records consumed").register(registry);
        registry.gauge("issuetrak.bridge.commands.in.flight", inFlight);
    }

    public void received() {
        received.increment();
        inFlight.incrementAndGet();
    }

    /** A command's outcome is published (or it was abandoned to another instance). */
    public void finished() {
        inFlight.decrementAndGet();
    }

    /**
     * @param how {@code created} (a 201), {@code reconciled} (an existing note adopted) or
     *        {@code duplicate} (the ledger already had it)
     */
    public void noteCreated(String how, Instant commandTime) {
        registry.counter("issuetrak.bridge.notes.created", "how", how).increment();
        endToEnd(commandTime, "created");
    }

    public void failed(FailureCategory category, Instant commandTime) {
        registry.counter("issuetrak.bridge.commands.failed", "category", category.name()).increment();
        registry.counter("issuetrak.bridge.dead.letters", "category", category.name()).increment();
        endToEnd(commandTime, "failed");
    }

    public void retried(FailureCategory category) {
        registry.counter("issuetrak.bridge.retries", "category", category.name()).increment();
    }

    /** @param outcome {@code adopted} or {@code none} */
    public void reconciled(String outcome) {
        registry.counter("issuetrak.bridge.reconciliations", "outcome", outcome).increment();
    }

    /** @param outcome {@code replayed}, {@code skipped-loop-guard} or {@code filtered} */
    public void replay(String outcome) {
        registry.counter("issuetrak.bridge.replays", "outcome", outcome).increment();
    }

    /** One Issuetrak call: {@code status} is the HTTP status, or the failure category when none came back. */
    public void issuetrakCall(String operation, String status, long nanos) {
        Timer.builder("issuetrak.bridge.issuetrak.requests")
                .description("Issuetrak API calls")
                .tags("operation", operation, "status", status)
                .publishPercentileHistogram()
                .register(registry)
                .record(Duration.ofNanos(nanos));
    }

    /** Starts reporting the lag of partitions just assigned to the commands consumer: NaN until measured. */
    public void partitionsAssigned(Collection<TopicPartition> partitions) {
        for (TopicPartition partition : partitions) {
            // A new consumer (the connector recreates it after a failure) replaces the old one's gauge.
            removeLagGauge(partition);
            AtomicReference<Double> records = new AtomicReference<>(Double.NaN);
            Gauge gauge = Gauge.builder("issuetrak.bridge.consumer.lag", records::get)
                    .description("Records of a commands partition after this instance's position: the partition's "
                            + "end offset minus the consumer's position, measured every bridge.metrics.lag-interval")
                    .tags("topic", partition.topic(), "partition", Integer.toString(partition.partition()))
                    .register(registry);
            lag.put(partition, new LagGauge(gauge, records));
        }
    }

    /** Stops reporting the lag of partitions revoked from (or lost by) the commands consumer. */
    public void partitionsRevoked(Collection<TopicPartition> partitions) {
        partitions.forEach(this::removeLagGauge);
    }

    /** A measurement ({@link ConsumerLagMonitor}); partitions revoked since it was taken are not reported again. */
    public void consumerLag(Map<TopicPartition, Long> records) {
        records.forEach((partition, value) -> {
            LagGauge current = lag.get(partition);
            if (current != null) {
                current.records().set(value.doubleValue());
            }
        });
    }

    private void removeLagGauge(TopicPartition partition) {
        LagGauge removed = lag.remove(partition);
        if (removed != null) {
            registry.remove(removed.gauge());
        }
    }

    /** One partition's gauge and its latest measurement. */
    private record LagGauge(Gauge gauge, AtomicReference<Double> records) {
    }

    private void endToEnd(Instant commandTime, String outcome) {
        if (commandTime != null && commandTime.toEpochMilli() > 0) {
            Duration latency = Duration.between(commandTime, Instant.now());
            if (!latency.isNegative()) {
                Timer.builder("issuetrak.bridge.command.latency")
                        .description("From the command record's timestamp to its outcome on the broker")
                        .tags("outcome", outcome)
                        .publishPercentileHistogram()
                        .register(registry)
                        .record(latency);
            }
        }
    }
}

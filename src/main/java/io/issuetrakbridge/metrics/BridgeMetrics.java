package io.issuetrakbridge.metrics;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;

import io.issuetrakbridge.issuetrak.FailureCategory;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The bridge's own meters, named {@code issuetrak.bridge.*} (Prometheus: {@code issuetrak_bridge_*}).
 * Consumer lag per partition comes from the Kafka client's own metrics
 * ({@code kafka_consumer_fetch_manager_records_lag_max} per consumer, which Quarkus binds; the per-partition
 * {@code kafka_consumer_fetch_manager_records_lag} after Micrometer's periodic rescan).
 */
@ApplicationScoped
public class BridgeMetrics {

    private final MeterRegistry registry;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Counter received;

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

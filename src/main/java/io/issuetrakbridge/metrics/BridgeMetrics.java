package io.issuetrakbridge.metrics;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.DoubleSupplier;
import java.util.function.IntSupplier;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.common.TopicPartition;

import io.issuetrakbridge.issuetrak.FailureCategory;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;

/**
 * The bridge's own meters, named {@code issuetrak.bridge.*} (Prometheus: {@code issuetrak_bridge_*}).
 * <p>
 * Each meter is registered once (per tag value) and kept: a command only increments what is already there,
 * without building and looking up a meter ID.
 * <p>
 * Consumer lag per partition is {@code issuetrak.bridge.consumer.lag{topic,partition}}, one row of a
 * {@link MultiGauge} per partition assigned to the commands consumer, added on assignment, removed on
 * revocation and measured by {@link ConsumerLagMonitor}. Not the Kafka client's own per-partition {@code records-lag}:
 * it is recorded only when a fetch returns records, so it stands still while the bridge is paused, just
 * when the backlog grows. Also, Quarkus binds the client's metrics through Micrometer's
 * {@code KafkaClientMetrics}, which finds per-partition metrics only in a rescan every 60 s (not
 * configurable through Quarkus), so {@code kafka_consumer_fetch_manager_records_lag} would appear up to
 * a minute after an assignment; the per-consumer {@code kafka_consumer_fetch_manager_records_lag_max} is
 * there from the start.
 * <p>
 * Every counter whose tag values are known in advance is registered at zero on start-up ({@link Startup}).
 * Prometheus' {@code increase()} and {@code rate()} see no increase in a series that first appears with the
 * value 1, so without this the first dead letter of a category would never fire the alert on dead letters
 * ({@code deploy/monitoring/}), and a sum of outcomes would be empty while one of its counters was missing.
 * <p>
 * {@code issuetrak.bridge.paused{reason}} is 1 for the reason {@code IssuetrakGate} is closed for, else 0.
 */
@Startup
@ApplicationScoped
public class BridgeMetrics {

    /** The categories for which {@code IssuetrakGate} closes: their paused series exist from the start. */
    private static final Set<FailureCategory> PAUSE_REASONS = EnumSet.of(FailureCategory.UNAUTHORIZED,
            FailureCategory.UNAVAILABLE);
    /** The operations whose requests wait for budget ({@code IssuetrakClient}): their wait series exist with a rule. */
    private static final List<String> BUDGET_OPERATIONS = List.of("create", "get", "list", "probe");

    private final AtomicInteger inFlight = new AtomicInteger();
    private final Counter received;
    private final PerTag<String, Counter> created;
    private final PerTag<FailureCategory, Counter> failed;
    private final PerTag<FailureCategory, Counter> deadLetters;
    private final PerTag<FailureCategory, Counter> retries;
    private final PerTag<String, Counter> reconciliations;
    private final PerTag<String, Counter> replays;
    private final PerTag<String, Counter> forwarded;
    private final PerTag<String, Counter> orderForced;
    private final Counter marksPublished;
    private final PerTag<String, Timer> endToEnd;
    /** Keyed by operation and status, both open sets (any HTTP status can come back). */
    private final PerTag<List<String>, Timer> issuetrakCalls;
    private final MultiGauge lagGauge;
    private final MeterRegistry registry;
    private final PerTag<String, Timer> budgetWaits;
    private final PerTag<String, Counter> budgetThrottled;
    /** The latest measurement of each partition assigned to the commands consumer: NaN until measured. */
    private final Map<TopicPartition, AtomicReference<Double>> lag = new ConcurrentHashMap<>();
    private final PerTag<FailureCategory, AtomicInteger> paused;

    public BridgeMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.budgetWaits = new PerTag<>(operation -> Timer.builder("issuetrak.bridge.budget.wait")
                .description("Time requests waited for budget before they were sent")
                .tags("operation", operation).register(registry));
        this.budgetThrottled = new PerTag<>(rule -> Counter.builder("issuetrak.bridge.budget.throttled")
                .description("429s from Issuetrak, charged to the rule this instance was nearest to")
                .tags("rule", rule).register(registry));
        this.received = Counter.builder("issuetrak.bridge.commands.received")
                .description("Command records consumed").register(registry);
        registry.gauge("issuetrak.bridge.commands.in.flight", inFlight);
        this.created = new PerTag<>(how -> registry.counter("issuetrak.bridge.notes.created", "how", how));
        this.failed = new PerTag<>(category -> registry.counter("issuetrak.bridge.commands.failed",
                "category", category.name()));
        this.deadLetters = new PerTag<>(category -> registry.counter("issuetrak.bridge.dead.letters",
                "category", category.name()));
        this.retries = new PerTag<>(category -> registry.counter("issuetrak.bridge.retries",
                "category", category.name()));
        this.reconciliations = new PerTag<>(outcome -> registry.counter("issuetrak.bridge.reconciliations",
                "outcome", outcome));
        this.replays = new PerTag<>(outcome -> registry.counter("issuetrak.bridge.replays", "outcome", outcome));
        this.forwarded = new PerTag<>(reason -> registry.counter("issuetrak.bridge.commands.forwarded",
                "reason", reason));
        this.orderForced = new PerTag<>(reason -> Counter.builder("issuetrak.bridge.routing.order.forced")
                .description("Commands that stopped waiting for routing marks before the marks let them go (after "
                        + "bridge.routing.max-order-wait, or to end a stall), possibly out of their issue's order")
                .tag("reason", reason).register(registry));
        // Both shown at zero from the start: an alert on their increase needs the series before the first one.
        orderForced.get("max-wait");
        orderForced.get("stall");
        this.marksPublished = Counter.builder("issuetrak.bridge.routing.marks.published")
                .description("Routing marks this instance wrote to the marks topic").register(registry);
        this.endToEnd = new PerTag<>(outcome -> Timer.builder("issuetrak.bridge.command.latency")
                .description("From the command record's timestamp to its outcome on the broker")
                .tags("outcome", outcome)
                .publishPercentileHistogram()
                .register(registry));
        this.issuetrakCalls = new PerTag<>(key -> Timer.builder("issuetrak.bridge.issuetrak.requests")
                .description("Issuetrak API calls")
                .tags("operation", key.get(0), "status", key.get(1))
                .publishPercentileHistogram()
                .register(registry));
        this.lagGauge = MultiGauge.builder("issuetrak.bridge.consumer.lag")
                .description("Records of a commands partition after this instance's position: the partition's "
                        + "end offset minus the consumer's position, measured every bridge.metrics.lag-interval")
                .register(registry);
        this.paused = new PerTag<>(reason -> {
            AtomicInteger value = new AtomicInteger();
            Gauge.builder("issuetrak.bridge.paused", value, AtomicInteger::get)
                    .description("1 while command processing is paused for this reason (Issuetrak refuses our key,"
                            + " or is unavailable), else 0")
                    .tag("reason", reason.name())
                    .register(registry);
            return value;
        });
        List.of("created", "reconciled", "duplicate").forEach(created::get);
        for (FailureCategory category : FailureCategory.values()) {
            failed.get(category);
            deadLetters.get(category);
            if (category.retryable()) {
                retries.get(category);
            }
        }
        List.of("adopted", "none").forEach(reconciliations::get);
        List.of("replayed", "skipped-loop-guard", "filtered").forEach(replays::get);
        PAUSE_REASONS.forEach(paused::get);
    }

    /** The gate closed for {@code reason}: its paused series 1, the others 0. */
    public void paused(FailureCategory reason) {
        paused.get(reason);
        paused.forEach((category, value) -> value.set(category == reason ? 1 : 0));
    }

    /** The gate opened again: every paused series 0. */
    public void resumed() {
        paused.forEach((category, value) -> value.set(0));
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
        created.get(how).increment();
        endToEnd(commandTime, "created");
    }

    public void failed(FailureCategory category, Instant commandTime) {
        failed.get(category).increment();
        deadLetters.get(category).increment();
        endToEnd(commandTime, "failed");
    }

    /**
     * A command record copied to its issue's home partition and acknowledged.
     *
     * @param reason {@code no-key}, {@code other-key} or {@code other-partitioner}
     */
    public void forwarded(String reason) {
        forwarded.get(reason).increment();
    }

    /**
     * A command left its wait for routing marks before they let it go: {@code max-wait} (after
     * bridge.routing.max-order-wait) or {@code stall} (the waiting room and every fetched record held waiting commands).
     */
    public void orderForced(String reason) {
        orderForced.get(reason).increment();
    }

    /** A routing mark is on the broker. */
    public void routingMarkPublished() {
        marksPublished.increment();
    }

    public void retried(FailureCategory category) {
        retries.get(category).increment();
    }

    /** @param outcome {@code adopted} or {@code none} */
    public void reconciled(String outcome) {
        reconciliations.get(outcome).increment();
    }

    /** @param outcome {@code replayed}, {@code skipped-loop-guard} or {@code filtered} */
    public void replay(String outcome) {
        replays.get(outcome).increment();
    }

    /** One Issuetrak call: {@code status} is the HTTP status, or the failure category when none came back. */
    public void issuetrakCall(String operation, String status, long nanos) {
        issuetrakCalls.get(List.of(operation, status)).record(Duration.ofNanos(nanos));
    }

    /**
     * Reports one request-budget rule: this instance's part of its limit and what it used of its latest window.
     * Its 429 counter, and the wait timer of every operation, start at zero here: requests wait for budget only
     * when a rule is configured, and Prometheus' {@code increase()} misses a series' first event otherwise.
     *
     * @param rule the rule as written, e.g. {@code 5/1s/writes}
     */
    public void budgetRule(String rule, Supplier<Number> limit, Supplier<Number> used) {
        Gauge.builder("issuetrak.bridge.budget.limit", limit)
                .description("This instance's part of the rule's limit now: limit x partition share x throttle factor")
                .tag("rule", rule).register(registry);
        Gauge.builder("issuetrak.bridge.budget.used", used)
                .description("Requests this instance sent in the rule's latest window")
                .tag("rule", rule).register(registry);
        budgetThrottled.get(rule);
        BUDGET_OPERATIONS.forEach(budgetWaits::get);
    }

    /** Reports the request budget's state: this instance's share, the throttle factor, requests waiting. */
    public void budget(Supplier<Number> share, Supplier<Number> throttleFactor, Supplier<Number> waiting) {
        Gauge.builder("issuetrak.bridge.budget.share", share)
                .description("This instance's share of the budget: owned commands partitions / all").register(registry);
        Gauge.builder("issuetrak.bridge.budget.throttle.factor", throttleFactor)
                .description("Rate left after 429s: halved by a 429, back by 0.05 a second").register(registry);
        Gauge.builder("issuetrak.bridge.budget.waiting", waiting)
                .description("Requests waiting for budget now").register(registry);
        commandsWaiting("budget", () -> waiting.get().intValue());
    }

    /** A request waited this long for budget before it was sent. */
    public void budgetWaited(String operation, long nanos) {
        budgetWaits.get(operation).record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /** Issuetrak answered 429; {@code rule} is the rule this instance had filled most. */
    public void budgetThrottled(String rule) {
        budgetThrottled.get(rule).increment();
    }

    /**
     * Reports the concurrency limit toward Issuetrak, the no-load latency it compares with and the requests waiting
     * under it, read when scraped
     * (called once, by the one {@code IssuetrakClient}).
     */
    public void issuetrakConcurrency(IntSupplier limit, DoubleSupplier noLoadLatencySeconds, IntSupplier waiting) {
        Gauge.builder("issuetrak.bridge.issuetrak.concurrency.limit", limit, IntSupplier::getAsInt)
                .description("Requests Issuetrak may have from this instance at once (issuetrak.concurrency.*)")
                .strongReference(true).register(registry);
        Gauge.builder("issuetrak.bridge.issuetrak.concurrency.no.load.latency", noLoadLatencySeconds,
                        DoubleSupplier::getAsDouble)
                .description("The no-load latency the adaptive limit compares Issuetrak's latency with; 0 when none")
                .baseUnit("seconds").strongReference(true).register(registry);
        Gauge.builder("issuetrak.bridge.issuetrak.concurrency.waiting", waiting, IntSupplier::getAsInt)
                .description("Requests waiting for the concurrency limit").strongReference(true).register(registry);
        commandsWaiting("concurrency", waiting);
    }

    /**
     * Reports, read when scraped, the commands fetched and waiting for {@code reason} (README, Metrics: issue_turn,
     * fairness_cap, priority, window from the scheduler; budget and concurrency from the Issuetrak gates).
     */
    public void commandsWaiting(String reason, IntSupplier waiting) {
        Gauge.builder("issuetrak.bridge.commands.waiting", waiting, IntSupplier::getAsInt)
                .description("Commands fetched and waiting, by what they wait for").tag("reason", reason)
                .strongReference(true).register(registry);
    }

    /** Reports the scheduler's window (called once, by the one {@code CommandScheduler}). */
    public void window(IntSupplier working, DoubleSupplier oldestWaitingSeconds) {
        Gauge.builder("issuetrak.bridge.commands.working", working, IntSupplier::getAsInt)
                .description("Commands admitted to the window (bridge.max-in-flight) and not finished")
                .strongReference(true).register(registry);
        Gauge.builder("issuetrak.bridge.commands.oldest.waiting", oldestWaitingSeconds, DoubleSupplier::getAsDouble)
                .description("Age of the oldest command parked for a window slot; 0 when none").baseUnit("seconds")
                .strongReference(true).register(registry);
    }

    /** Starts reporting the lag of partitions just assigned to the commands consumer: NaN until measured. */
    public synchronized void partitionsAssigned(Collection<TopicPartition> partitions) {
        // A new consumer (the connector recreates it after a failure) starts again from "not measured".
        partitions.forEach(partition -> lag.put(partition, new AtomicReference<>(Double.NaN)));
        registerLagRows();
    }

    /** Stops reporting the lag of partitions revoked from (or lost by) the commands consumer. */
    public synchronized void partitionsRevoked(Collection<TopicPartition> partitions) {
        partitions.forEach(lag::remove);
        registerLagRows();
    }

    /** A measurement ({@link ConsumerLagMonitor}); partitions revoked since it was taken are not reported again. */
    public void consumerLag(Map<TopicPartition, Long> records) {
        records.forEach((partition, value) -> {
            AtomicReference<Double> current = lag.get(partition);
            if (current != null) {
                current.set(value.doubleValue());
            }
        });
    }

    /** Rows replace the previous set: a revoked partition's gauge is removed, a reassigned one's reads its new value. */
    private void registerLagRows() {
        lagGauge.register(lag.entrySet().stream()
                .map(e -> MultiGauge.Row.of(Tags.of("topic", e.getKey().topic(),
                        "partition", Integer.toString(e.getKey().partition())), e.getValue(), AtomicReference::get))
                .toList(), true);
    }

    private void endToEnd(Instant commandTime, String outcome) {
        if (commandTime != null && commandTime.toEpochMilli() > 0) {
            Duration latency = Duration.between(commandTime, Instant.now());
            if (!latency.isNegative()) {
                endToEnd.get(outcome).record(latency);
            }
        }
    }

    /** Registers a meter the first time its tag value is seen, then hands out the same one. */
    private static final class PerTag<K, M> {

        private final Map<K, M> meters = new ConcurrentHashMap<>();
        private final Function<K, M> register;

        PerTag(Function<K, M> register) {
            this.register = register;
        }

        M get(K key) {
            M meter = meters.get(key);
            return meter != null ? meter : meters.computeIfAbsent(key, register);
        }

        void forEach(BiConsumer<K, M> action) {
            meters.forEach(action);
        }
    }
}

package io.issuetrakbridge.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import io.issuetrakbridge.issuetrak.FailureCategory;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The per-partition lag gauges: one per assigned partition, showing the latest measurement of exactly that
 * partition, gone once the partition is revoked. The paused gauge per reason, and the counters that exist at
 * zero before anything happened.
 */
class BridgeMetricsTest {

    private static final String TOPIC = "issuetrak.notes.commands";
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
    private static final TopicPartition P1 = new TopicPartition(TOPIC, 1);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final BridgeMetrics metrics = new BridgeMetrics(registry);

    @Test
    void aGaugePerAssignedPartitionShowsThatPartitionsLatestMeasurement() {
        metrics.partitionsAssigned(List.of(P0, P1));
        assertThat(lag(0).value()).as("not measured yet").isNaN();

        metrics.consumerLag(Map.of(P0, 42L, new TopicPartition(TOPIC, 2), 99L));
        assertThat(lag(0).value()).isEqualTo(42.0);
        assertThat(lag(1).value()).as("partition 1 not in the measurement").isNaN();
        assertThat(registry.find("issuetrak.bridge.consumer.lag").tag("partition", "2").gauges())
                .as("partition 2 is not assigned here").isEmpty();

        metrics.consumerLag(Map.of(P0, 0L, P1, 7L));
        assertThat(lag(0).value()).isZero();
        assertThat(lag(1).value()).isEqualTo(7.0);
    }

    @Test
    void revokedPartitionsStopBeingReported() {
        metrics.partitionsAssigned(List.of(P0, P1));
        metrics.partitionsRevoked(List.of(P0));
        // A measurement taken before the revocation arrives after it: it must not bring the gauge back.
        metrics.consumerLag(Map.of(P0, 5L, P1, 6L));

        assertThat(registry.find("issuetrak.bridge.consumer.lag").gauges())
                .extracting(gauge -> gauge.getId().getTag("partition")).containsExactly("1");

        // Assigned again (after a rebalance): one gauge again, not two, and not the old value.
        metrics.partitionsAssigned(List.of(P0));
        assertThat(registry.find("issuetrak.bridge.consumer.lag").tag("partition", "0").gauges()).hasSize(1);
        assertThat(lag(0).value()).isNaN();
        metrics.consumerLag(Map.of(P0, 3L));
        assertThat(lag(0).value()).isEqualTo(3.0);
    }

    @Test
    void eachTagValueCountsOnItsOwn() {
        metrics.noteCreated("created", null);
        metrics.noteCreated("created", null);
        metrics.noteCreated("duplicate", null);
        metrics.failed(FailureCategory.VALIDATION, null);
        metrics.retried(FailureCategory.UNAVAILABLE);
        metrics.issuetrakCall("create-note", "201", 1_000_000);
        metrics.issuetrakCall("create-note", "201", 3_000_000);
        metrics.issuetrakCall("create-note", "500", 2_000_000);

        assertThat(registry.get("issuetrak.bridge.notes.created").tag("how", "created").counter().count())
                .isEqualTo(2.0);
        assertThat(registry.get("issuetrak.bridge.notes.created").tag("how", "duplicate").counter().count())
                .isEqualTo(1.0);
        assertThat(registry.get("issuetrak.bridge.commands.failed").tag("category", "VALIDATION").counter().count())
                .isEqualTo(1.0);
        assertThat(registry.get("issuetrak.bridge.dead.letters").tag("category", "VALIDATION").counter().count())
                .isEqualTo(1.0);
        assertThat(registry.get("issuetrak.bridge.retries").tag("category", "UNAVAILABLE").counter().count())
                .isEqualTo(1.0);
        assertThat(registry.get("issuetrak.bridge.issuetrak.requests").tag("status", "201").timer().count())
                .isEqualTo(2);
        assertThat(registry.get("issuetrak.bridge.issuetrak.requests").tag("status", "201").timer()
                .totalTime(java.util.concurrent.TimeUnit.MILLISECONDS)).isEqualTo(4.0);
        assertThat(registry.get("issuetrak.bridge.issuetrak.requests").tag("status", "500").timer().count())
                .isEqualTo(1);
    }

    @Test
    void pausedIsOneForTheCurrentReasonOnlyAndZeroOnceResumed() {
        assertThat(paused("UNAUTHORIZED")).isZero();
        assertThat(paused("UNAVAILABLE")).isZero();

        metrics.paused(FailureCategory.UNAVAILABLE);
        assertThat(paused("UNAVAILABLE")).isEqualTo(1.0);
        assertThat(paused("UNAUTHORIZED")).isZero();

        metrics.paused(FailureCategory.UNAUTHORIZED);
        assertThat(paused("UNAUTHORIZED")).isEqualTo(1.0);
        assertThat(paused("UNAVAILABLE")).as("one reason at a time").isZero();

        metrics.resumed();
        assertThat(paused("UNAUTHORIZED")).isZero();
        assertThat(paused("UNAVAILABLE")).isZero();
        assertThat(registry.find("issuetrak.bridge.paused").gauges()).hasSize(2);
    }

    @Test
    void countersWithKnownLabelsExistAtZeroBeforeAnythingHappened() {
        assertThat(count("issuetrak.bridge.dead.letters", "category", "REJECTED")).isZero();
        assertThat(count("issuetrak.bridge.commands.failed", "category", "VALIDATION")).isZero();
        assertThat(count("issuetrak.bridge.retries", "category", "THROTTLED")).isZero();
        assertThat(count("issuetrak.bridge.notes.created", "how", "duplicate")).isZero();
        assertThat(count("issuetrak.bridge.reconciliations", "outcome", "adopted")).isZero();
        assertThat(count("issuetrak.bridge.replays", "outcome", "skipped-loop-guard")).isZero();
        assertThat(registry.find("issuetrak.bridge.dead.letters").counters()).hasSize(6);
        assertThat(registry.find("issuetrak.bridge.retries").counters()).as("retryable categories only")
                .extracting(counter -> counter.getId().getTag("category"))
                .containsExactlyInAnyOrder("UNAUTHORIZED", "THROTTLED", "UNAVAILABLE", "AMBIGUOUS");

        // The increments land on those same series.
        metrics.failed(FailureCategory.REJECTED, null);
        assertThat(count("issuetrak.bridge.dead.letters", "category", "REJECTED")).isEqualTo(1.0);
        assertThat(registry.find("issuetrak.bridge.dead.letters").counters()).hasSize(6);
    }

    @Test
    void aBudgetRulesThrottledCounterAndTheWaitTimersExistAtZeroOnceTheRuleIsReported() {
        assertThat(registry.find("issuetrak.bridge.budget.throttled").counters()).as("no rule yet").isEmpty();
        assertThat(registry.find("issuetrak.bridge.budget.wait").timers()).as("nothing waits without a rule").isEmpty();

        metrics.budgetRule("5/1s/writes", () -> 5, () -> 0);
        metrics.budgetRule("100/1m", () -> 100, () -> 0);

        assertThat(count("issuetrak.bridge.budget.throttled", "rule", "5/1s/writes")).isZero();
        assertThat(count("issuetrak.bridge.budget.throttled", "rule", "100/1m")).isZero();
        assertThat(registry.find("issuetrak.bridge.budget.wait").timers())
                .extracting(timer -> timer.getId().getTag("operation"))
                .containsExactlyInAnyOrder("create", "get", "list", "probe");
        assertThat(registry.get("issuetrak.bridge.budget.wait").tag("operation", "create").timer().count()).isZero();

        // The events land on those same series.
        metrics.budgetThrottled("100/1m");
        metrics.budgetWaited("create", 2_000_000);
        assertThat(count("issuetrak.bridge.budget.throttled", "rule", "100/1m")).isEqualTo(1.0);
        assertThat(registry.find("issuetrak.bridge.budget.throttled").counters()).hasSize(2);
        assertThat(registry.get("issuetrak.bridge.budget.wait").tag("operation", "create").timer().count())
                .isEqualTo(1);
        assertThat(registry.find("issuetrak.bridge.budget.wait").timers()).hasSize(4);
    }

    private double paused(String reason) {
        return registry.get("issuetrak.bridge.paused").tag("reason", reason).gauge().value();
    }

    private double count(String name, String tag, String value) {
        return registry.get(name).tag(tag, value).counter().count();
    }

    private Gauge lag(int partition) {
        return registry.get("issuetrak.bridge.consumer.lag")
                .tags("topic", TOPIC, "partition", Integer.toString(partition)).gauge();
    }
}

package io.issuetrakbridge.health;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import io.issuetrakbridge.ledger.TopicReport;
import io.issuetrakbridge.ledger.TopicShapeCheck;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * DOWN while the ledger topic cannot keep the exactly-once promise (missing, a partition count other than
 * the commands topic's, no compaction), with each problem and its fix. The topics are checked at start and on
 * every assignment; while DOWN, a readiness poll checks again (at most every 5 s), so an operator's fix
 * shows without a rebalance.
 */
@Readiness
@ApplicationScoped
public class KafkaTopicsReadinessCheck implements AsyncHealthCheck {

    private static final Duration RECHECK = Duration.ofSeconds(5);

    private final TopicShapeCheck topics;
    private final AtomicLong lastRecheck = new AtomicLong(System.nanoTime() - RECHECK.toNanos());

    public KafkaTopicsReadinessCheck(TopicShapeCheck topics) {
        this.topics = topics;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        // The check blocks on admin requests: never on the event loop that serves the probe.
        return Uni.createFrom().item(this::current).runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .map(KafkaTopicsReadinessCheck::response);
    }

    private TopicReport current() {
        var report = topics.lastReport();
        long now = System.nanoTime();
        long previous = lastRecheck.get();
        if ((report.isEmpty() || !report.get().healthy()) && now - previous >= RECHECK.toNanos()
                && lastRecheck.compareAndSet(previous, now)) {
            return topics.check();
        }
        return report.orElse(null);
    }

    private static HealthCheckResponse response(TopicReport report) {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("kafka-topics");
        if (report == null) {
            return response.down().withData("problem", "not checked yet").build();
        }
        response.status(report.healthy());
        for (int i = 0; i < report.problems().size(); i++) {
            response.withData("problem" + (i + 1), report.problems().get(i));
        }
        for (int i = 0; i < report.warnings().size(); i++) {
            response.withData("warning" + (i + 1), report.warnings().get(i));
        }
        return response.build();
    }
}

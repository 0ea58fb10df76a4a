package io.issuetrakbridge.health;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import io.issuetrakbridge.budget.RequestBudget;
import io.issuetrakbridge.config.IssuetrakConfig;
import io.issuetrakbridge.issuetrak.IssuetrakClient;
import io.issuetrakbridge.resilience.IssuetrakGate;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;

/**
 * Ready when Issuetrak answers us and command processing is not paused, judged from what the bridge already
 * knows, so that a probe every second costs Issuetrak nothing:
 * <ul>
 * <li>paused (wrong key, long outage): DOWN, from the gate, which probes by itself meanwhile;</li>
 * <li>Issuetrak answered a request within {@code issuetrak.probe-after-idle}: UP, from that traffic;</li>
 * <li>requests are waiting for the request budget: UP, and the data says so: waiting is the budget at work, not
 * ill health, and a probe would only queue behind them;</li>
 * <li>otherwise (idle): one signed probe, counted in the budget, whose answer then counts as traffic. A failed
 * probe is remembered for {@link #FAILED_PROBE_CACHE}, so polls of a failing Issuetrak do not each send one.</li>
 * </ul>
 * Kafka's part of readiness and liveness comes from the messaging connector's own checks.
 */
@Readiness
@ApplicationScoped
public class IssuetrakReadinessCheck implements AsyncHealthCheck {

    static final Duration FAILED_PROBE_CACHE = Duration.ofSeconds(10);

    private final IssuetrakClient client;
    private final IssuetrakGate gate;
    private final RequestBudget budget;
    private final long idleNanos;
    private final AtomicReference<Failure> lastFailure = new AtomicReference<>();
    private final AtomicReference<Uni<String>> probing = new AtomicReference<>();

    private record Failure(long at, String error) {
    }

    public IssuetrakReadinessCheck(IssuetrakClient client, IssuetrakGate gate, RequestBudget budget,
            IssuetrakConfig config) {
        this.client = client;
        this.gate = gate;
        this.budget = budget;
        this.idleNanos = config.probeAfterIdle().toNanos();
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("issuetrak")
                .withData("waitingForBudget", budget.waiting());
        var pause = gate.currentPause();
        if (pause.isPresent()) {
            return Uni.createFrom().item(response.down()
                    .withData("paused", true)
                    .withData("category", pause.get().category().name())
                    .withData("reason", pause.get().reason())
                    .build());
        }
        response.withData("paused", false);
        long now = System.nanoTime();
        var answered = budget.lastAnswer().filter(at -> now - at < idleNanos);
        if (answered.isPresent()) {
            return Uni.createFrom().item(response.up().withData("evidence", "traffic")
                    .withData("lastAnswerMsAgo", (now - answered.get()) / 1_000_000).build());
        }
        if (budget.waiting() > 0) {
            return Uni.createFrom().item(response.up().withData("evidence", "waiting for budget").build());
        }
        Failure failed = lastFailure.get();
        if (failed != null && now - failed.at() < FAILED_PROBE_CACHE.toNanos()) {
            return Uni.createFrom().item(response.down().withData("evidence", "probe")
                    .withData("reason", failed.error()).build());
        }
        return probe().map(error -> error == null ? response.up().withData("evidence", "probe").build()
                : response.down().withData("evidence", "probe").withData("reason", error).build());
    }

    /** One probe at a time, shared by the polls that arrive meanwhile; null when it succeeded. */
    private Uni<String> probe() {
        Uni<String> running = probing.get();
        if (running != null) {
            return running;
        }
        Uni<String> next = client.probe()
                .map(ok -> (String) null)
                .onFailure().recoverWithItem(Throwable::getMessage)
                .invoke(error -> lastFailure.set(error == null ? null : new Failure(System.nanoTime(), error)))
                .eventually(() -> probing.set(null))
                .memoize().indefinitely();
        return probing.compareAndSet(null, next) ? next : probing.get() == null ? next : probing.get();
    }
}

package io.issuetrakbridge.health;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import io.issuetrakbridge.issuetrak.IssuetrakClient;
import io.issuetrakbridge.resilience.IssuetrakGate;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;

/**
 * Ready when Issuetrak is reachable and accepts our signature, and command processing is not
 * paused. The signed probe is cached so that frequent readiness polls do not hammer Issuetrak.
 * Kafka's part of readiness and liveness comes from the messaging connector's own checks.
 */
@Readiness
@ApplicationScoped
public class IssuetrakReadinessCheck implements AsyncHealthCheck {

    private static final Duration CACHE = Duration.ofSeconds(10);

    private final IssuetrakClient client;
    private final IssuetrakGate gate;
    private final AtomicReference<Probe> last = new AtomicReference<>();

    private record Probe(long at, String error) {
    }

    public IssuetrakReadinessCheck(IssuetrakClient client, IssuetrakGate gate) {
        this.client = client;
        this.gate = gate;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("issuetrak");
        var pause = gate.currentPause();
        if (pause.isPresent()) {
            return Uni.createFrom().item(response.down()
                    .withData("paused", true)
                    .withData("category", pause.get().category().name())
                    .withData("reason", pause.get().reason())
                    .build());
        }
        Probe cached = last.get();
        Uni<Probe> probe = cached != null && System.nanoTime() - cached.at() < CACHE.toNanos()
                ? Uni.createFrom().item(cached)
                : client.probe()
                        .map(ok -> new Probe(System.nanoTime(), null))
                        .onFailure().recoverWithItem(f -> new Probe(System.nanoTime(), f.getMessage()))
                        .invoke(last::set);
        return probe.map(p -> p.error() == null
                ? response.up().withData("paused", false).build()
                : response.down().withData("paused", false).withData("reason", p.error()).build());
    }
}

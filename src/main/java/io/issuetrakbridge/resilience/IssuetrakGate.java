package io.issuetrakbridge.resilience;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import io.issuetrakbridge.config.BridgeConfig;
import io.issuetrakbridge.issuetrak.FailureCategory;
import io.issuetrakbridge.issuetrak.IssuetrakClient;
import io.issuetrakbridge.issuetrak.IssuetrakException;
import io.issuetrakbridge.metrics.BridgeMetrics;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;

/**
 * Open while Issuetrak accepts our requests; closed (paused) when it refuses our key or has been
 * unavailable for longer than {@code bridge.pause.unavailable-threshold}. Every attempt passes
 * through {@link #awaitOpen()}, so while closed no command is sent or burnt; the in-flight window
 * fills, the stream stops requesting, and the Kafka consumer stops fetching. A signed probe every
 * {@code bridge.pause.probe-interval} reopens it by itself.
 */
@ApplicationScoped
public class IssuetrakGate {

    /** Why the gate is closed, for readiness and logs. */
    public record Pause(FailureCategory category, String reason, CompletableFuture<Void> reopened) {
    }

    private final Vertx vertx;
    private final IssuetrakClient client;
    private final BridgeConfig.Pause config;
    private final BridgeMetrics metrics;
    private final AtomicReference<Pause> pause = new AtomicReference<>();
    private final Downtime downtime = new Downtime();
    private volatile long probeTimer = -1;

    public IssuetrakGate(Vertx vertx, IssuetrakClient client, BridgeConfig config, BridgeMetrics metrics) {
        this.vertx = vertx;
        this.client = client;
        this.config = config.pause();
        this.metrics = metrics;
    }

    /** Completes at once while open, else when a probe succeeds. */
    public Uni<Void> awaitOpen() {
        Pause current = pause.get();
        return current == null ? Uni.createFrom().voidItem() : Uni.createFrom().completionStage(current.reopened());
    }

    /** The current pause, empty while open. */
    public Optional<Pause> currentPause() {
        return Optional.ofNullable(pause.get());
    }

    /** Issuetrak answered (success or a REJECTED): it is up and accepts our key. */
    public void recordAnswer() {
        downtime.answered();
    }

    /**
     * Closes the gate because no command can get through: {@link FailurePolicy} decided to PAUSE.
     */
    public void pause(IssuetrakException failure) {
        // Its message (scrubbed by ResponseClassifier) tells a signature refused by the API (401 with Web API's
        // reason) from IIS refusing the client before any signature check (403 with IIS's page).
        close(failure.category(), "Issuetrak refuses our requests: " + failure.getMessage()
                + " (check issuetrak.api-key and the clock; a 403 page from IIS can also mean it does not admit this "
                + "client)");
    }

    /**
     * An attempt failed: tracks how long Issuetrak has been unavailable, the circuit's own measure,
     * and opens the circuit past {@code bridge.pause.unavailable-threshold}.
     */
    public void recordFailure(IssuetrakException failure) {
        switch (failure.category()) {
            case UNAVAILABLE -> {
                Duration down = downtime.failed(System.nanoTime());
                if (down.compareTo(config.unavailableThreshold()) >= 0) {
                    close(FailureCategory.UNAVAILABLE, "Issuetrak unavailable for " + down.toSeconds()
                            + "s (more than bridge.pause.unavailable-threshold): " + failure.getMessage());
                }
            }
            default -> {
                // THROTTLED and AMBIGUOUS mean Issuetrak is there: per-command backoff is enough;
                // UNAUTHORIZED pauses through FailurePolicy's PAUSE decision.
            }
        }
    }

    private synchronized void close(FailureCategory category, String reason) {
        Pause next = new Pause(category, reason, new CompletableFuture<>());
        if (pause.compareAndSet(null, next)) {
            Log.warnf("Pausing command processing: %s", reason);
            metrics.paused(category);
            probeTimer = vertx.setPeriodic(config.probeInterval().toMillis(), id -> probe());
        }
    }

    private void probe() {
        client.probe().subscribe().with(ok -> reopen(), failure -> Log.debugf("Issuetrak probe failed: %s",
                failure.getMessage()));
    }

    private synchronized void reopen() {
        Pause current = pause.getAndSet(null);
        if (current != null) {
            vertx.cancelTimer(probeTimer);
            downtime.answered();
            metrics.resumed();
            Log.infof("Issuetrak accepts our requests again: resuming (was paused: %s)", current.reason());
            current.reopened().complete(null);
        }
    }

    @PreDestroy
    void stop() {
        if (probeTimer >= 0) {
            vertx.cancelTimer(probeTimer);
        }
    }
}

package io.issuetrakbridge.messaging;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.issuetrakbridge.config.BridgeConfig;
import io.issuetrakbridge.ledger.PartitionOwnership;
import io.issuetrakbridge.scheduling.CommandScheduler;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;

/**
 * Any stop (SIGTERM, {@code q} in dev mode, the end of a test): stop sending, let what is in flight
 * finish within {@code bridge.shutdown-grace}, publish its outcomes, and leave the rest uncommitted for
 * redelivery. Runs on Quarkus' {@link ShutdownDelayInitiatedEvent} ({@code quarkus.shutdown.delay-enabled}),
 * the first step of its stop, while the HTTP client and the Kafka clients still run: by the time
 * ShutdownEvent observers get their turn, Quarkus has started closing them. The messaging connector,
 * destroyed afterwards, commits the acknowledged offsets and leaves the group.
 */
@ApplicationScoped
public class GracefulShutdown {

    private final PartitionOwnership ownership;
    private final CommandProcessor processor;
    private final CommandScheduler scheduler;
    private final Duration grace;
    private boolean drained;

    public GracefulShutdown(PartitionOwnership ownership, CommandProcessor processor, CommandScheduler scheduler,
            BridgeConfig config) {
        this.ownership = ownership;
        this.scheduler = scheduler;
        this.processor = processor;
        this.grace = config.shutdownGrace();
    }

    void onStop(@Observes ShutdownDelayInitiatedEvent event) {
        drain();
    }

    /** Stops sending and waits for what is in flight. Idempotent. */
    public synchronized void drain() {
        if (drained) {
            return;
        }
        drained = true;
        long deadline = System.nanoTime() + grace.toNanos();
        Log.infof("Shutting down: finishing commands in flight (grace %s)", grace);
        // 1. Parked commands do not start; no new POSTs; wait for those in flight and their ledger records.
        scheduler.close();
        ownership.revoke(ownership.owned(), grace);
        // 2. Wait for their replies and errors to be on the broker and their records acknowledged.
        boolean idle = processor.completing().awaitIdle(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        Log.infof("Shutdown: %s; unfinished commands stay uncommitted and are redelivered",
                idle ? "all started outcomes published" : "grace period over");
    }
}

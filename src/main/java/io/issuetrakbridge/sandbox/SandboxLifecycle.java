package io.issuetrakbridge.sandbox;

import java.time.Duration;
import java.util.List;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.issuetrakbridge.config.SandboxConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.core.Vertx;

/**
 * Starts the sandbox inside the service when {@code sandbox.enabled} (the dev profile), so that
 * {@code quarkus:dev} runs without a real Issuetrak. Does nothing otherwise.
 */
@ApplicationScoped
public class SandboxLifecycle {

    /**
     * Before the application's own start-up observers (default priority 2500) and the messaging connector
     * (which wires channels at 1000), so the first command already finds Issuetrak listening.
     */
    static final int STARTUP_PRIORITY = 100;

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final SandboxConfig config;
    private final Vertx vertx;
    private volatile SandboxServer server;

    public SandboxLifecycle(SandboxConfig config, Vertx vertx) {
        this.config = config;
        this.vertx = vertx;
    }

    void onStart(@Observes @Priority(STARTUP_PRIORITY) StartupEvent event) {
        if (!config.enabled()) {
            return;
        }
        SandboxSettings settings = new SandboxSettings(config.host(), config.port(), config.pathPrefix().orElse(""),
                config.apiKey().orElseThrow(() -> new IllegalStateException(
                        "sandbox.enabled=true needs sandbox.api-key (or issuetrak.api-key) to be set")),
                config.activeUsers(), config.minIssue(), config.maxIssue(), config.maxClockSkew(), config.tlsCertPem(),
                config.tlsKeyPem(), config.timeZone());
        // Blocking here is deliberate: start-up must not continue until the sandbox listens.
        server = SandboxServer.start(vertx, settings).await().atMost(START_TIMEOUT);
        server.rateLimits().rules(config.rateLimits().orElse(List.of()));
        server.workers().configure(new WorkerPool.Settings(config.workers(), config.queueLimit()));
        Log.infof("Issuetrak sandbox started in-process at %s (admin: %s%s)", server.baseUrl(), server.baseUrl(),
                SandboxServer.ADMIN_PATH);
    }

    void onStop(@Observes ShutdownEvent event) {
        SandboxServer running = server;
        if (running != null) {
            server = null;
            // Awaited so that a live reload can bind the same port again straight away.
            running.close().await().atMost(START_TIMEOUT);
        }
    }

    /** The running sandbox, or null when disabled. */
    public SandboxServer server() {
        return server;
    }
}

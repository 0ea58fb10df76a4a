package io.issuetrakbridge.sandbox;

import java.time.Duration;

import io.issuetrakbridge.config.ApiKey;
import io.vertx.mutiny.core.Vertx;

/** One Vert.x and one sandbox on a random port per test class; state reset between tests. */
abstract class SandboxTestSupport {

    // The test profile's key (application.properties); any Base64 text would do.
    static final String KEY = "dGVzdC1vbmx5LWtleS1ub3QtYS1zZWNyZXQtMzJieXQ=";

    static Vertx vertx;
    static SandboxServer sandbox;
    static SandboxTestClient client;

    static void startSandbox(SandboxSettings settings) {
        vertx = Vertx.vertx();
        sandbox = SandboxServer.start(vertx, settings).await().atMost(Duration.ofSeconds(10));
        client = new SandboxTestClient(origin(), KEY);
    }

    /** scheme://host:port, without the prefix: tests write absolute paths. */
    static String origin() {
        String base = sandbox.baseUrl();
        return base.substring(0, base.length() - sandbox.settings().pathPrefix().length());
    }

    static void stopSandbox() {
        if (sandbox != null) {
            sandbox.close().await().atMost(Duration.ofSeconds(10));
        }
        if (vertx != null) {
            vertx.closeAndAwait();
        }
    }

    static void resetSandbox() {
        sandbox.faults().reset();
        sandbox.workers().reset();
        sandbox.notes().clear();
        sandbox.stats().reset();
        sandbox.creates().clear();
        sandbox.apiKey(ApiKey.of(KEY));
        client.apiKey(KEY);
    }
}

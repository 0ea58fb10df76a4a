package io.issuetrakbridge.issuetrak;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.issuetrakbridge.config.ApiKey;
import io.issuetrakbridge.config.TestConfigs;
import io.issuetrakbridge.sandbox.SandboxServer;
import io.issuetrakbridge.sandbox.SandboxSettings;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vertx.mutiny.core.Vertx;

/** The sandbox over HTTPS (self-signed test certificate) on a random port, outside CDI. */
public class HttpsSandboxResource implements QuarkusTestResourceLifecycleManager {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private Vertx vertx;
    private SandboxServer sandbox;

    @Override
    public Map<String, String> start() {
        vertx = Vertx.vertx();
        SandboxSettings settings = SandboxSettings.defaults(ApiKey.of(TestConfigs.TEST_KEY))
                .withPathPrefix("/issuetrak")
                .withTls(resource("/sandbox-tls/sandbox-cert.pem"), resource("/sandbox-tls/sandbox-key.pem"));
        sandbox = SandboxServer.start(vertx, settings).await().atMost(WAIT);
        // The key too: the global SandboxTestResource sets one of its own for the plain-HTTP sandbox.
        return Map.of("issuetrak.base-url", sandbox.baseUrl(), "issuetrak.api-key", TestConfigs.TEST_KEY);
    }

    @Override
    public void stop() {
        if (sandbox != null) {
            sandbox.close().await().atMost(WAIT);
        }
        if (vertx != null) {
            vertx.closeAndAwait();
        }
    }

    private static Path resource(String name) {
        try {
            return Path.of(HttpsSandboxResource.class.getResource(name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}

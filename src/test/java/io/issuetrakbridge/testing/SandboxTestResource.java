package io.issuetrakbridge.testing;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import io.issuetrakbridge.config.ApiKey;
import io.issuetrakbridge.sandbox.SandboxServer;
import io.issuetrakbridge.sandbox.SandboxSettings;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vertx.mutiny.core.Vertx;

/**
 * Starts the Issuetrak sandbox on a random port, in its own Vert.x instance (as a separate
 * Issuetrak would be), and points the application's client at it. Tests reach it through an
 * {@link InjectSandbox} field to inject faults and count notes.
 */
public class SandboxTestResource implements QuarkusTestResourceLifecycleManager {

    private Vertx vertx;
    private SandboxServer sandbox;

    /** A fresh key per sandbox, shaped like Issuetrak's (Base64 of 32 random bytes). */
    public static String newApiKey() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    @Override
    public Map<String, String> start() {
        String key = newApiKey();
        vertx = Vertx.vertx();
        sandbox = SandboxServer.start(vertx, SandboxSettings.defaults(ApiKey.of(key)))
                .await().atMost(Duration.ofSeconds(30));
        return Map.of("issuetrak.base-url", sandbox.baseUrl(), "issuetrak.api-key", key);
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(sandbox,
                new TestInjector.AnnotatedAndMatchesType(InjectSandbox.class, SandboxServer.class));
    }

    @Override
    public void stop() {
        if (sandbox != null) {
            sandbox.close().await().atMost(Duration.ofSeconds(10));
        }
        if (vertx != null) {
            vertx.closeAndAwait();
        }
    }
}

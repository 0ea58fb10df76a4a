package io.issuetrakbridge.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.issuetrakbridge.budget.RequestBudget;
import io.issuetrakbridge.config.ApiKey;
import io.issuetrakbridge.config.IssuetrakConfig;
import io.issuetrakbridge.config.TestConfigs;
import io.issuetrakbridge.issuetrak.IssuetrakClient;
import io.issuetrakbridge.issuetrak.NoTlsConfigurations;
import io.issuetrakbridge.metrics.BridgeMetrics;
import io.issuetrakbridge.resilience.IssuetrakGate;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.issuetrakbridge.sandbox.SandboxServer;
import io.issuetrakbridge.sandbox.SandboxSettings;
import io.vertx.mutiny.core.Vertx;

/** Readiness against the sandbox over real HTTP: a base URL whose path is wrong is not ready, and says where it looked. */
class ReadinessBaseUrlTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private static Vertx vertx;
    private static SandboxServer sandbox;

    @BeforeAll
    static void startSandbox() {
        vertx = Vertx.vertx();
        sandbox = SandboxServer.start(vertx, SandboxSettings.defaults(ApiKey.of(TestConfigs.TEST_KEY))).await().atMost(WAIT);
    }

    @AfterAll
    static void stopSandbox() {
        sandbox.close().await().atMost(WAIT);
        vertx.closeAndAwait();
    }

    private static HealthCheckResponse readiness(String baseUrl) {
        IssuetrakConfig config = TestConfigs.issuetrak(Map.of("base-url", baseUrl));
        IssuetrakClient client = new IssuetrakClient(vertx, config, new ObjectMapper(), new NoTlsConfigurations());
        try {
            IssuetrakGate gate = new IssuetrakGate(vertx, client, TestConfigs.bridge(Map.of()),
                    new BridgeMetrics(new SimpleMeterRegistry()));
            // A budget that has seen no answer: the check is idle, so it probes.
            return new IssuetrakReadinessCheck(client, gate, new RequestBudget(config), config).call().await()
                    .atMost(WAIT);
        } finally {
            client.close();
        }
    }

    @Test
    void aWrongBaseUrlPathIsDownWithAReasonNamingTheUrl() {
        HealthCheckResponse response = readiness(sandbox.baseUrl() + "/helpdesk");

        assertThat(response.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(response.getData().orElseThrow().get("reason")).isEqualTo("No Issuetrak notes API at "
                + sandbox.baseUrl() + "/helpdesk/api/v1/notes/issue/0: it answered 404 to a signed GET; "
                + "check issuetrak.base-url");
    }

    @Test
    void theRightBaseUrlIsUp() {
        assertThat(readiness(sandbox.baseUrl()).getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
    }
}

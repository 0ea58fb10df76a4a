package io.issuetrakbridge.health;

import static io.issuetrakbridge.testing.CommandTopics.commandIds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.is;

import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.issuetrakbridge.messaging.NotePipelineTest;
import io.issuetrakbridge.sandbox.SandboxServer;
import io.issuetrakbridge.testing.CommandTopics;
import io.issuetrakbridge.testing.InjectCommandTopics;
import io.issuetrakbridge.testing.InjectSandbox;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/** What the running application reports and how it is wired, seen from outside. */
@QuarkusTest
@TestProfile(ReadinessTest.ShortIdle.class)
public class ReadinessTest {

    /**
     * Readiness trusts recent answers to real traffic for issuetrak.probe-after-idle (5m by default) and probes
     * only after that: a short idle period lets the probe tests below see probes without waiting minutes.
     */
    public static class ShortIdle implements QuarkusTestProfile {
        @Override
        public java.util.Map<String, String> getConfigOverrides() {
            return java.util.Map.of("issuetrak.probe-after-idle", "1s");
        }
    }

    @InjectCommandTopics
    CommandTopics topics;

    @InjectSandbox
    SandboxServer sandbox;

    @TestHTTPResource(value = "/", management = true)
    URL management;

    @BeforeEach
    void healthySandbox() {
        sandbox.faults().reset();
    }

    @Test
    void readinessCoversTheConsumerTheProducerTheTopicsAndIssuetrak() {
        String id = "ready-" + UUID.randomUUID();
        topics.send("8801", NotePipelineTest.command(id, 8801, "ready"));
        topics.await("replies", commandIds(List.of(id)), 1);

        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> RestAssured.given()
                .baseUri("http://" + management.getHost()).port(management.getPort())
                .get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'kafka-producer' }.status", is("UP"))
                .body("checks.find { it.name == 'issuetrak' }.status", is("UP"))
                .body("checks.find { it.name == 'kafka-topics' }.status", is("UP"))
                .body("checks.find { it.name.contains('Reactive Messaging') }.data.commands", is("[OK]")));
    }

    @Test
    void aFailedProbeWithoutAPauseIsDownWithItsReasonAndPollsWithinTheCacheReachIssuetrakOnce() {
        // Issuetrak answers 500 to everything; no command is sent, so nothing pauses: once the last answer is older
        // than probe-after-idle, the probe alone says DOWN.
        sandbox.faults().errorRate(1.0);
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> ready().statusCode(503)
                .body("checks.find { it.name == 'issuetrak' }.status", is("DOWN"))
                .body("checks.find { it.name == 'issuetrak' }.data.paused", is(false))
                .body("checks.find { it.name == 'issuetrak' }.data.reason",
                        is("Issuetrak answered 500 to GET /api/v1/notes/issue/0: An error has occurred.")));

        // Back to health: the cached DOWN is answered until a fresh probe, exactly one request, says UP...
        sandbox.faults().reset();
        sandbox.stats().reset();
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> ready().statusCode(200)
                .body("checks.find { it.name == 'issuetrak' }.status", is("UP")));
        // ...and the next poll, well within the cache period, is answered from the cache.
        ready().statusCode(200).body("checks.find { it.name == 'issuetrak' }.status", is("UP"));
        assertThat(sandbox.stats().byStatus()).as("requests Issuetrak answered, by status")
                .isEqualTo(java.util.Map.of(400, 1L));
    }

    @Test
    void startedIsUpOnceTheApplicationRuns() {
        RestAssured.given().baseUri("http://" + management.getHost()).port(management.getPort())
                .get("/q/health/started").then().statusCode(200).body("status", is("UP"));
    }

    private io.restassured.response.ValidatableResponse ready() {
        return RestAssured.given().baseUri("http://" + management.getHost()).port(management.getPort())
                .get("/q/health/ready").then();
    }

    @Test
    void mutinyCallbacksRunUndecorated() {
        // ExplicitContextOnly: no context capture around each callback (docs/BENCHMARKS.md).
        Runnable callback = () -> {
        };
        assertThat(Infrastructure.decorate(callback)).isSameAs(callback);
    }
}

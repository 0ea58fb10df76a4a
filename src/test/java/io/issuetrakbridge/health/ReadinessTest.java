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
import io.restassured.RestAssured;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/** What the running application reports and how it is wired, seen from outside. */
@QuarkusTest
public class ReadinessTest {

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
    void mutinyCallbacksRunUndecorated() {
        // ExplicitContextOnly: no context capture around each callback (docs/BENCHMARKS.md).
        Runnable callback = () -> {
        };
        assertThat(Infrastructure.decorate(callback)).isSameAs(callback);
    }
}

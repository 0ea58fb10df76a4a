package io.issuetrakbridge.observability;

import static io.issuetrakbridge.testing.CommandTopics.commandIds;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.issuetrakbridge.messaging.NotePipelineTest;
import io.issuetrakbridge.testing.CommandTopics;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;

/** The README's metric names exist on the management port's {@code /q/metrics} once commands flowed. */
@QuarkusTest
@TestProfile(ObservabilityProfile.class)
public class MetricsEndpointTest {

    private static CommandTopics topics;

    @TestHTTPResource(value = "/", management = true)
    URL management;

    @BeforeAll
    static void connect() {
        topics = new CommandTopics();
    }

    @AfterAll
    static void disconnect() {
        topics.close();
    }

    @Test
    void theDocumentedMetricsAreExposed() {
        String ok = "metrics-" + UUID.randomUUID();
        String bad = "metrics-bad-" + UUID.randomUUID();
        topics.send("31", NotePipelineTest.command(ok, 31, "counted"));
        topics.send("31", "{\"CommandId\": \"" + bad + "\", \"IssueNumber\": 31}");
        topics.await("replies", commandIds(List.of(ok)), 1);
        topics.await("errors", commandIds(List.of(bad)), 1);

        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            String metrics = RestAssured.given().baseUri("http://" + management.getHost())
                    .port(management.getPort()).get("/q/metrics").then().statusCode(200)
                    .extract().asString();
            assertThat(metrics).contains(
                    "issuetrak_bridge_commands_received_total",
                    "issuetrak_bridge_notes_created_total{how=\"created\"",
                    "issuetrak_bridge_commands_failed_total{category=\"VALIDATION\"",
                    "issuetrak_bridge_dead_letters_total{category=\"VALIDATION\"",
                    "issuetrak_bridge_commands_in_flight",
                    "issuetrak_bridge_command_latency_seconds_count{outcome=\"created\"",
                    "issuetrak_bridge_command_latency_seconds_bucket",
                    "issuetrak_bridge_issuetrak_requests_seconds_count{operation=\"create\",status=\"201\"",
                    "issuetrak_bridge_issuetrak_requests_seconds_bucket",
                    // Consumer lag of the commands consumer, from the Kafka client's own metrics (Quarkus binds
                    // them). The per-partition series appear only after Micrometer's periodic rescan.
                    "kafka_consumer_fetch_manager_records_lag_max{client_id=\"kafka-consumer-commands\"");
        });
    }
}

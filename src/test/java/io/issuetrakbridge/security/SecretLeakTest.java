package io.issuetrakbridge.security;

import static io.issuetrakbridge.messaging.NotePipelineTest.command;
import static io.issuetrakbridge.testing.CommandTopics.commandIds;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.issuetrakbridge.config.ApiKey;
import io.issuetrakbridge.config.IssuetrakConfig;
import io.issuetrakbridge.resilience.IssuetrakGate;
import io.issuetrakbridge.sandbox.SandboxServer;
import io.issuetrakbridge.testing.CommandTopics;
import io.issuetrakbridge.testing.InjectSandbox;
import io.issuetrakbridge.testing.SandboxTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The API key never leaves the process: not in logs, error replies, dead letters, metrics, health
 * output or exception messages, even when Issuetrak quotes our request headers back in its errors.
 * The Kafka secrets (SASL password, key and trust store passwords) are checked where they are real: against a
 * broker that requires them, in the packaged bridge's whole log, metrics, health output and every record it
 * wrote ({@code process/SecureKafkaIT}).
 */
@QuarkusTest
class SecretLeakTest {

    @InjectSandbox
    SandboxServer sandbox;

    @Inject
    IssuetrakConfig config;

    @Inject
    IssuetrakGate gate;

    @TestHTTPResource(value = "/", management = true)
    URL management;

    private final List<String> logged = Collections.synchronizedList(new ArrayList<>());
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            StringBuilder line = new StringBuilder(String.valueOf(record.getMessage()));
            if (record.getParameters() != null) {
                for (Object p : record.getParameters()) {
                    line.append(' ').append(p);
                }
            }
            for (Throwable t = record.getThrown(); t != null; t = t.getCause()) {
                line.append(' ').append(t);
            }
            logged.add(line.toString());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureLogs() {
        Logger.getLogger("").addHandler(capture);
        sandbox.faults().reset().echoRequests(true);
    }

    @AfterEach
    void restore() {
        Logger.getLogger("").removeHandler(capture);
        sandbox.faults().reset();
        sandbox.apiKey(config.apiKey());
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> gate.currentPause().isEmpty());
    }

    @Test
    void theApiKeyAppearsNowhere() {
        String key = config.apiKey().reveal();
        String rejectedId = "leak-" + UUID.randomUUID();
        try (CommandTopics topics = new CommandTopics()) {
            // 400 whose body quotes our request headers, signature included.
            topics.send("1", command(rejectedId, 9_999_999_999L, "no such issue"));
            ConsumerRecord<byte[], byte[]> error = topics.await("errors", commandIds(List.of(rejectedId)), 1).get(0);
            ConsumerRecord<byte[], byte[]> dead = topics.await("dead-letters", commandIds(List.of(rejectedId)), 1).get(0);
            String errorText = new String(error.value(), StandardCharsets.UTF_8);
            assertThat(errorText).contains("REJECTED").contains("Request: POST");
            // Issuetrak's echo of our signature is masked; the key itself never travels.
            assertThat(errorText).doesNotContain(key).contains("X-Issuetrak-API-Authorization: ****")
                    .doesNotContainPattern("Authorization: [A-Za-z0-9+/]{40,}");
            for (Header h : dead.headers()) {
                assertThat(new String(h.value(), StandardCharsets.UTF_8)).as("dead-letter header %s", h.key())
                        .doesNotContain(key);
            }

            // A wrong key: Issuetrak's 401 quotes the request too, and readiness reports the pause.
            sandbox.apiKey(ApiKey.of(SandboxTestResource.newApiKey()));
            String pausedId = "leak-401-" + UUID.randomUUID();
            topics.send("2", command(pausedId, 2, "paused"));
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> gate.currentPause().isPresent());
            String health = given().baseUri("http://" + management.getHost()).port(management.getPort())
                    .get("/q/health").then().extract().asString();
            assertThat(health).contains("UNAUTHORIZED").doesNotContain(key);
            String metrics = given().baseUri("http://" + management.getHost()).port(management.getPort())
                    .get("/q/metrics").then().statusCode(200).extract().asString();
            assertThat(metrics).contains("issuetrak_bridge_commands_failed_total").doesNotContain(key);

            sandbox.apiKey(config.apiKey());
            topics.await("replies", commandIds(List.of(pausedId)), 1);
        }
        // Lines still arrive from the application's threads: check a copy taken under the list's lock.
        List<String> lines;
        synchronized (logged) {
            lines = List.copyOf(logged);
        }
        assertThat(lines).isNotEmpty();
        assertThat(lines).noneMatch(line -> line.contains(key));
        assertThat(String.valueOf(config.apiKey())).isEqualTo("****");
    }
}

package io.issuetrakbridge.sandbox;

import static io.issuetrakbridge.sandbox.SandboxTestClient.noteJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.issuetrakbridge.config.ApiKey;

/**
 * Each injectable fault, switched through the admin endpoint (what a separate-process benchmark or a
 * {@code @QuarkusTest} uses) or through {@link SandboxServer#faults()}.
 */
class SandboxFaultsTest extends SandboxTestSupport {

    private static final String NOTES = "/api/v1/notes";
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() {
        startSandbox(SandboxSettings.defaults(ApiKey.of(KEY)));
    }

    @AfterAll
    static void stop() {
        stopSandbox();
    }

    @BeforeEach
    void reset() {
        resetSandbox();
    }

    @Test
    void latencyDelaysTheAnswer() {
        putFaults("{\"latencyMs\":300,\"jitterMs\":50}");

        long started = System.nanoTime();
        HttpResponse<String> created = client.post(NOTES, noteJson(6, "Admin", "slow"));
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(created.statusCode()).isEqualTo(201);
        // A lower bound only: a timer cannot fire early, however loaded the machine.
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    @Test
    void latencyLongerThanTheClientsTimeoutTimesOut() {
        sandbox.faults().latency(Duration.ofSeconds(5), Duration.ZERO);

        assertThatThrownBy(() -> client.sendOrThrow(client.sign("GET", NOTES + "/issue/6", "", ""),
                Duration.ofMillis(500))).isInstanceOf(HttpTimeoutException.class);
    }

    @Test
    void unavailableWindowAnswers503UntilItEnds() throws Exception {
        putFaults("{\"unavailableForMs\":60000}");

        HttpResponse<String> refused = client.post(NOTES, noteJson(6, "Admin", "during outage"));
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(JSON.readTree(refused.body()).get("Message").asText()).contains("unavailable");
        assertThat(sandbox.notes().size()).isZero();
        assertThat(JSON.readTree(client.admin("GET", "/faults", null).body()).get("unavailableForMs").asLong())
                .isPositive();

        putFaults("{\"unavailableForMs\":0}");
        assertThat(client.post(NOTES, noteJson(6, "Admin", "after outage")).statusCode()).isEqualTo(201);
    }

    @Test
    void unavailableWindowClosesByItself() {
        sandbox.faults().unavailableFor(Duration.ofMillis(300));

        assertThat(client.get(NOTES + "/issue/6").statusCode()).isEqualTo(503);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> client.get(NOTES + "/issue/6").statusCode() == 200);
    }

    @Test
    void errorRateOneAnswersEveryRequest500() throws Exception {
        putFaults("{\"errorRate\":1.0}");

        HttpResponse<String> failed = client.post(NOTES, noteJson(6, "Admin", "x"));

        assertThat(failed.statusCode()).isEqualTo(500);
        assertThat(JSON.readTree(failed.body()).get("Message").asText()).isEqualTo("An error has occurred.");
        assertThat(client.get(NOTES + "/issue/6").statusCode()).isEqualTo(500);
        assertThat(sandbox.notes().size()).isZero();
    }

    @Test
    void throttleRateAnswers429WithRetryAfter() {
        putFaults("{\"throttleRate\":1.0,\"retryAfterSeconds\":7}");

        HttpResponse<String> throttled = client.post(NOTES, noteJson(6, "Admin", "x"));

        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(throttled.headers().firstValue("Retry-After")).hasValue("7");
        assertThat(sandbox.notes().size()).isZero();
    }

    @Test
    void throttleWindowAnswers429WithTheRemainingWindowAsRetryAfter() {
        sandbox.faults().throttleFor(Duration.ofSeconds(30));

        HttpResponse<String> throttled = client.get(NOTES + "/issue/6");

        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(Long.parseLong(throttled.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 30L);

        sandbox.faults().throttleFor(Duration.ZERO);
        assertThat(client.get(NOTES + "/issue/6").statusCode()).isEqualTo(200);
    }

    @Test
    void createThenDelayCreatesTheNoteButAnswersLate() throws Exception {
        putFaults("{\"createThenDelayRate\":1.0,\"createThenDelayMs\":5000}");

        assertThatThrownBy(() -> client.sendOrThrow(client.sign("POST", NOTES, "", noteJson(6, "Admin", "late")),
                Duration.ofMillis(500))).isInstanceOf(HttpTimeoutException.class);

        assertThat(sandbox.notes().forIssue(6)).extracting(n -> n.noteText()).containsExactly("late");
        assertThat(sandbox.stats().delayedCreates()).isEqualTo(1);
    }

    @Test
    void createThenDelayStillAnswersWithTheNoteId() {
        sandbox.faults().createThenDelay(1.0, Duration.ofMillis(200));

        HttpResponse<String> created = client.post(NOTES, noteJson(6, "Admin", "late but answered"));

        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(sandbox.notes().get(Long.parseLong(created.body()))).isPresent();
    }

    @Test
    void createThenDropCreatesTheNoteAndClosesTheConnection() {
        putFaults("{\"createThenDropRate\":1.0}");

        assertThatThrownBy(() -> client.sendOrThrow(client.sign("POST", NOTES, "", noteJson(6, "Admin", "dropped")),
                Duration.ofSeconds(10))).isInstanceOf(IOException.class);

        assertThat(sandbox.notes().forIssue(6)).extracting(n -> n.noteText()).containsExactly("dropped");
        assertThat(sandbox.stats().droppedConnections()).isEqualTo(1);
        // Reads are not dropped: the bridge can reconcile while the fault is on.
        assertThat(client.get(NOTES + "/issue/6").statusCode()).isEqualTo(200);
    }

    @Test
    void faultsComeBeforeAuthentication() {
        sandbox.faults().unavailableFor(Duration.ofMinutes(1));
        client.apiKey("d3Jvbmcta2V5");

        assertThat(client.get(NOTES + "/issue/6").statusCode()).isEqualTo(503);
    }

    @Test
    void adminPutMergesAndDeleteResets() throws Exception {
        putFaults("{\"latencyMs\":5,\"errorRate\":0.25}");
        JsonNode merged = putFaults("{\"throttleRate\":0.5,\"retryAfterSeconds\":3}");

        assertThat(merged.get("latencyMs").asLong()).isEqualTo(5);
        assertThat(merged.get("errorRate").asDouble()).isEqualTo(0.25);
        assertThat(merged.get("throttleRate").asDouble()).isEqualTo(0.5);
        assertThat(merged.get("retryAfterSeconds").asLong()).isEqualTo(3);
        assertThat(sandbox.faults().current().errorRate()).isEqualTo(0.25);

        assertThat(client.admin("DELETE", "/faults", null).statusCode()).isEqualTo(204);
        JsonNode cleared = JSON.readTree(client.admin("GET", "/faults", null).body());
        cleared.fields().forEachRemaining(field -> assertThat(field.getValue().asDouble()).as(field.getKey()).isZero());
    }

    @Test
    void adminRefusesInvalidFaults() throws Exception {
        assertThat(client.admin("PUT", "/faults", "{\"errorRate\":1.5}").statusCode()).isEqualTo(400);
        assertThat(client.admin("PUT", "/faults", "{\"latencyMs\":-1}").statusCode()).isEqualTo(400);
        assertThat(client.admin("PUT", "/faults", "{\"latencyMs\":1.5}").statusCode()).isEqualTo(400);
        HttpResponse<String> typo = client.admin("PUT", "/faults", "{\"latency\":100}");
        assertThat(typo.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(typo.body()).get("Message").asText()).contains("latency");
        assertThat(client.admin("PUT", "/faults", "not json").statusCode()).isEqualTo(400);
        assertThat(sandbox.faults().current().errorRate()).isZero();
    }

    @Test
    void adminEndpointsStayReachableDuringAnOutage() {
        sandbox.faults().unavailableFor(Duration.ofMinutes(1)).latency(Duration.ofSeconds(30), Duration.ZERO);

        assertThat(client.admin("GET", "/stats", null).statusCode()).isEqualTo(200);
        assertThat(client.admin("DELETE", "/faults", null).statusCode()).isEqualTo(204);
        assertThat(client.get(NOTES + "/issue/6").statusCode()).isEqualTo(200);
    }

    @Test
    void statsCountAnswersByStatus() throws Exception {
        client.post(NOTES, noteJson(6, "Admin", "ok"));
        sandbox.faults().errorRate(1);
        client.post(NOTES, noteJson(6, "Admin", "fails"));

        JsonNode stats = JSON.readTree(client.admin("GET", "/stats", null).body());

        assertThat(stats.get("requests").get("201").asLong()).isEqualTo(1);
        assertThat(stats.get("requests").get("500").asLong()).isEqualTo(1);
        assertThat(stats.get("requestsTotal").asLong()).isEqualTo(2);
        assertThat(client.admin("DELETE", "/stats", null).statusCode()).isEqualTo(204);
        assertThat(sandbox.stats().byStatus()).isEmpty();
    }

    private static JsonNode putFaults(String json) {
        HttpResponse<String> response = client.admin("PUT", "/faults", json);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}

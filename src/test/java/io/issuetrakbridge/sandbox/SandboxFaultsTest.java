package io.issuetrakbridge.sandbox;

import static io.issuetrakbridge.sandbox.SandboxTestClient.noteJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;


/**
 * Each injectable fault, switched through the admin endpoint (what a separate-process benchmark or a
 * {@code @QuarkusTest} uses) or through {@link SandboxServer#faults()}.
 */
class SandboxFaultsTest extends DefaultSandboxTestSupport {

    private static final String NOTES = "/api/v1/notes";
    private static final ObjectMapper JSON = new ObjectMapper();

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
        assertThat(cleared.get("htmlErrorStatus").asInt()).isEqualTo(500);
        assertThat(cleared.get("holdCreates").asBoolean()).isFalse();
        assertThat(cleared.get("forbidden").asBoolean()).isFalse();
        cleared.properties().forEach(field -> {
            if (field.getValue().isNumber() && !field.getKey().equals("htmlErrorStatus")) {
                assertThat(field.getValue().asDouble()).as(field.getKey()).isZero();
            }
        });
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

    @Test
    void htmlErrorsAnswerTheStatusWithAnHtmlPageThroughTheAdminApi() throws Exception {
        JsonNode faults = putFaults("{\"htmlErrorRate\":1.0,\"htmlErrorStatus\":502}");
        assertThat(faults.get("htmlErrorStatus").asInt()).isEqualTo(502);

        HttpResponse<String> failed = client.post(NOTES, noteJson(6, "Admin", "x"));

        assertThat(failed.statusCode()).isEqualTo(502);
        assertThat(failed.headers().firstValue("Content-Type")).hasValueSatisfying(
                ct -> assertThat(ct).startsWith("text/html"));
        assertThat(failed.body()).startsWith("<!DOCTYPE html").contains("<title>502 - Web server received an invalid");
        assertThat(failed.body().length()).isGreaterThan(1024);
        assertThat(sandbox.notes().size()).isZero();
        assertThat(client.admin("PUT", "/faults", "{\"htmlErrorStatus\":404}").statusCode()).isEqualTo(400);
    }

    @Test
    void htmlErrorsDefaultTo500AndComeBeforeAuthentication() {
        sandbox.faults().htmlErrors(1.0, 500);

        HttpResponse<String> unsigned = client.send(client.sign("GET", NOTES + "/issue/6", "", "")
                .withHeader(SandboxTestClient.AUTHORIZATION, "forged"));

        assertThat(unsigned.statusCode()).isEqualTo(500);
        assertThat(unsigned.body()).contains("500 - Internal server error.");
    }

    @Test
    void forbiddenAnswersEveryRequestWithIissHtml403BeforeAuthenticationUntilTurnedOff() throws Exception {
        JsonNode faults = putFaults("{\"forbidden\":true}");
        assertThat(faults.get("forbidden").asBoolean()).isTrue();

        HttpResponse<String> create = client.post(NOTES, noteJson(6, "Admin", "refused"));
        HttpResponse<String> forged = client.send(client.sign("GET", NOTES + "/issue/6", "", "")
                .withHeader(SandboxTestClient.AUTHORIZATION, "forged"));

        assertThat(create.statusCode()).isEqualTo(403);
        assertThat(create.headers().firstValue("Content-Type")).hasValueSatisfying(
                ct -> assertThat(ct).startsWith("text/html"));
        assertThat(create.body()).startsWith("<!DOCTYPE html")
                .contains("<title>403 - Forbidden: Access is denied.</title>");
        // IIS refuses before the application: a forged signature meets the same 403, not Web API's 401.
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(sandbox.notes().size()).isZero();

        putFaults("{\"forbidden\":false}");
        assertThat(client.post(NOTES, noteJson(6, "Admin", "allowed")).statusCode()).isEqualTo(201);
    }

    @Test
    void createErrorsAnswerExactlyThatManyCreates500AndLeaveReadsAlone() throws Exception {
        JsonNode faults = putFaults("{\"createErrors\":2}");
        assertThat(faults.get("createErrors").asLong()).isEqualTo(2);

        assertThat(client.get(NOTES + "/issue/6").statusCode()).isEqualTo(200);
        HttpResponse<String> first = client.post(NOTES, noteJson(6, "Admin", "one"));
        assertThat(first.statusCode()).isEqualTo(500);
        assertThat(JSON.readTree(first.body()).get("Message").asText()).isEqualTo("An error has occurred.");
        assertThat(JSON.readTree(client.admin("GET", "/faults", null).body()).get("createErrors").asLong()).isEqualTo(1);
        assertThat(client.post(NOTES, noteJson(6, "Admin", "two")).statusCode()).isEqualTo(500);
        assertThat(client.post(NOTES, noteJson(6, "Admin", "three")).statusCode()).isEqualTo(201);

        assertThat(sandbox.notes().forIssue(6)).extracting(n -> n.noteText()).containsExactly("three");
        assertThat(sandbox.faults().current().createErrors()).isZero();
    }

    @Test
    void dropRateClosesTheConnectionBeforeAnythingIsStored() {
        JsonNode faults = putFaults("{\"dropRate\":1.0}");
        assertThat(faults.get("dropRate").asDouble()).isEqualTo(1.0);

        assertThatThrownBy(() -> client.sendOrThrow(client.sign("POST", NOTES, "", noteJson(6, "Admin", "lost")),
                Duration.ofSeconds(10))).isInstanceOf(IOException.class);
        assertThat(sandbox.notes().size()).isZero();
        assertThat(sandbox.stats().droppedConnections()).isEqualTo(1);
        // Reads too (the JDK client tries an idempotent GET twice, so it is not counted here).
        assertThatThrownBy(() -> client.sendOrThrow(client.sign("GET", NOTES + "/issue/6", "", ""),
                Duration.ofSeconds(10))).isInstanceOf(IOException.class);
    }

    @Test
    void createRequestsAreRecordedWithTheirBodiesAndAnswersButNoHeaders() throws Exception {
        sandbox.faults().createErrors(1);
        String body = "{\"IssueNumber\":6,\"CreatedBy\":\"Admin\",\"NoteText\":\"Zoë ✓\"}";
        client.post(NOTES, body);
        client.post(NOTES, body);
        client.get(NOTES + "/issue/6");

        HttpResponse<String> recorded = client.admin("GET", "/creates", null);
        assertThat(recorded.statusCode()).isEqualTo(200);
        JsonNode creates = JSON.readTree(recorded.body());
        assertThat(creates).hasSize(2);
        assertThat(creates.get(0).get("status").asInt()).isEqualTo(500);
        assertThat(creates.get(1).get("status").asInt()).isEqualTo(201);
        assertThat(creates.get(0).get("body").asText()).isEqualTo(body);
        assertThat(creates.get(1).get("body").asText()).isEqualTo(body);
        assertThat(creates.get(1).get("sequence").asLong()).isEqualTo(creates.get(0).get("sequence").asLong() + 1);
        assertThat(creates.get(0).fieldNames()).toIterable().containsExactly("sequence", "status", "body");
        assertThat(recorded.body()).doesNotContain(KEY).doesNotContain("Authorization");
        assertThat(sandbox.creates().all().get(0).body()).isEqualTo(body.getBytes(java.nio.charset.StandardCharsets.UTF_8));

        assertThat(client.admin("DELETE", "/creates", null).statusCode()).isEqualTo(204);
        assertThat(sandbox.creates().all()).isEmpty();
    }

    @Test
    void onlyTheLatestCreatesAreKept() {
        for (int i = 0; i < CreateRequests.CAPACITY + 5; i++) {
            client.post(NOTES, noteJson(6, "Admin", "n" + i));
        }
        List<CreateRequests.Recorded> kept = sandbox.creates().all();
        assertThat(kept).hasSize(CreateRequests.CAPACITY);
        assertThat(kept.get(0).text()).contains("\"n5\"");
        assertThat(kept.get(kept.size() - 1).text()).contains("\"n104\"");
    }

    @Test
    void trickleSendsTheHeadersThenTheBodyOnlyAfterTheGivenTime() throws Exception {
        putFaults("{\"trickleRate\":1.0,\"trickleMs\":1500}");
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        SandboxTestClient.Request signed = client.sign("POST", NOTES, "", noteJson(6, "Admin", "trickled"));
        java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest
                .newBuilder(java.net.URI.create(origin() + NOTES))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(signed.body()));
        signed.headers().forEach(request::header);

        long started = System.nanoTime();
        // Returns once the status line and headers are in; the body is read from the stream after.
        HttpResponse<java.io.InputStream> response = http.send(request.build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(201);
        long noteId = sandbox.notes().forIssue(6).get(0).noteId();
        assertThat(response.headers().firstValueAsLong("Content-Length"))
                .hasValue(Long.toString(noteId).length());
        String body;
        try (java.io.InputStream in = response.body()) {
            body = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(body).isEqualTo(Long.toString(noteId));
        // A lower bound only: the last byte is written by a timer that cannot fire early.
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(1500));
        assertThat(sandbox.stats().trickledAnswers()).isEqualTo(1);
        assertThat(JSON.readTree(client.admin("GET", "/stats", null).body()).get("trickledAnswers").asLong())
                .isEqualTo(1);
    }

    @Test
    void holdCreatesStoresTheNoteAndAnswersOnlyWhenReleased() throws Exception {
        JsonNode faults = putFaults("{\"holdCreates\":true}");
        assertThat(faults.get("holdCreates").asBoolean()).isTrue();

        java.util.concurrent.CompletableFuture<HttpResponse<String>> answer = java.util.concurrent.CompletableFuture
                .supplyAsync(() -> client.post(NOTES, noteJson(6, "Admin", "held")));
        await().atMost(Duration.ofSeconds(10)).until(() -> !heldNoteIds().isEmpty());

        long noteId = heldNoteIds().get(0);
        assertThat(sandbox.notes().get(noteId)).hasValueSatisfying(n -> assertThat(n.noteText()).isEqualTo("held"));
        assertThat(sandbox.faults().held()).containsExactly(noteId);
        // Held means no answer at all until released: the client is still waiting.
        assertThat(answer).isNotDone();

        HttpResponse<String> released = client.admin("POST", "/held/release", "");
        assertThat(released.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(released.body()).get("released").asInt()).isEqualTo(1);

        HttpResponse<String> created = answer.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(created.body()).isEqualTo(Long.toString(noteId));
        assertThat(heldNoteIds()).isEmpty();
        assertThat(sandbox.stats().heldCreates()).isEqualTo(1);
    }

    @Test
    void aHeldCreateWhoseClientGivesUpLeavesTheHeldListButNotTheStore() {
        sandbox.faults().holdCreates(true);

        assertThatThrownBy(() -> client.sendOrThrow(client.sign("POST", NOTES, "", noteJson(6, "Admin", "abandoned")),
                Duration.ofMillis(500))).isInstanceOf(HttpTimeoutException.class);

        assertThat(sandbox.notes().forIssue(6)).extracting(n -> n.noteText()).containsExactly("abandoned");
        await().atMost(Duration.ofSeconds(10)).until(() -> sandbox.faults().held().isEmpty());
        // Reads are never held: a client can find the note while creates are held.
        assertThat(client.get(NOTES + "/issue/6").statusCode()).isEqualTo(200);
    }

    @Test
    void resettingTheFaultsReleasesHeldCreates() throws Exception {
        sandbox.faults().holdCreates(true);
        java.util.concurrent.CompletableFuture<HttpResponse<String>> answer = java.util.concurrent.CompletableFuture
                .supplyAsync(() -> client.post(NOTES, noteJson(6, "Admin", "held then reset")));
        await().atMost(Duration.ofSeconds(10)).until(() -> !sandbox.faults().held().isEmpty());

        assertThat(client.admin("DELETE", "/faults", null).statusCode()).isEqualTo(204);

        assertThat(answer.get(10, java.util.concurrent.TimeUnit.SECONDS).statusCode()).isEqualTo(201);
        assertThat(sandbox.faults().current().holdCreates()).isFalse();
    }

    private static List<Long> heldNoteIds() throws IOException {
        HttpResponse<String> held = client.admin("GET", "/held", null);
        assertThat(held.statusCode()).isEqualTo(200);
        return List.of(JSON.readValue(held.body(), Long[].class));
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

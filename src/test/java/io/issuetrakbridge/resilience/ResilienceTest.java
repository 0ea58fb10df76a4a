package io.issuetrakbridge.resilience;

import static io.issuetrakbridge.messaging.NotePipelineTest.command;
import static io.issuetrakbridge.testing.CommandTopics.commandIds;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.issuetrakbridge.config.ApiKey;
import io.issuetrakbridge.issuetrak.FailureCategory;
import io.issuetrakbridge.issuetrak.dto.ReadNote;
import io.issuetrakbridge.sandbox.CreateRequests;
import io.issuetrakbridge.sandbox.SandboxServer;
import io.issuetrakbridge.testing.CommandTopics;
import io.issuetrakbridge.testing.InjectCommandTopics;
import io.issuetrakbridge.testing.InjectSandbox;
import io.issuetrakbridge.testing.SandboxTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.health.SmallRyeHealth;
import io.smallrye.health.SmallRyeHealthReporter;

/**
 * Outages, throttling and a wrong key, injected into the sandbox while commands flow through the
 * real broker: nothing lost, nothing duplicated, nothing dead-lettered that could have succeeded.
 */
@QuarkusTest
class ResilienceTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    @InjectCommandTopics
    CommandTopics topics;

    @InjectSandbox
    SandboxServer sandbox;

    @Inject
    SmallRyeHealthReporter health;

    @Inject
    IssuetrakGate gate;

    @Inject
    io.micrometer.core.instrument.MeterRegistry registry;

    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "bridge.max-in-flight")
    int maxInFlight;

    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "bridge.scheduling.max-parked")
    int maxParked;

    private ApiKey originalKey;

    @BeforeEach
    void healthySandbox() {
        sandbox.faults().reset();
        originalKey = sandbox.settings().apiKey();
    }

    @AfterEach
    void restore() {
        sandbox.faults().reset();
        sandbox.apiKey(originalKey);
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> gate.currentPause().isEmpty());
    }

    /** Sends {@code perIssue} commands to each of {@code issues} issues, interleaved; returns their IDs per issue. */
    private Map<Long, List<String>> sendBatch(String tag, int issues, int perIssue) {
        long base = 10_000 + (long) (Math.random() * 500_000);
        Map<Long, List<String>> ids = new java.util.LinkedHashMap<>();
        for (int n = 0; n < perIssue; n++) {
            for (int i = 0; i < issues; i++) {
                long issue = base + i;
                String id = tag + "-" + issue + "-" + n + "-" + UUID.randomUUID();
                ids.computeIfAbsent(issue, k -> new ArrayList<>()).add(id);
                topics.send(Long.toString(issue), command(id, issue, tag + " " + n));
            }
        }
        return ids;
    }

    private void assertEveryNoteOnceInOrderAndNoDeadLetters(String tag, Map<Long, List<String>> ids) {
        List<String> all = ids.values().stream().flatMap(List::stream).toList();
        List<ConsumerRecord<byte[], byte[]>> replies = topics.await("replies", commandIds(all), all.size());
        assertThat(replies.stream().map(r -> CommandTopics.headers(r).get("CommandId")).distinct()).hasSize(all.size());
        ids.forEach((issue, commandIds) -> {
            List<String> texts = sandbox.notes().forIssue(issue).stream().map(ReadNote::noteText).toList();
            List<String> expected = new ArrayList<>();
            for (int n = 0; n < commandIds.size(); n++) {
                expected.add(tag + " " + n);
            }
            // Exactly once each, in command order.
            assertThat(texts).as("notes of issue %d", issue).containsExactlyElementsOf(expected);
        });
        assertThat(topics.readNow("dead-letters", commandIds(all))).isEmpty();
        assertThat(topics.readNow("errors", commandIds(all))).isEmpty();
    }

    private HealthCheckResponse.Status readiness() {
        SmallRyeHealth report = health.getReadinessAsync().await().atMost(Duration.ofSeconds(10));
        return report.isDown() ? HealthCheckResponse.Status.DOWN : HealthCheckResponse.Status.UP;
    }

    private String readinessJson() {
        return health.getReadinessAsync().await().atMost(Duration.ofSeconds(10)).getPayload().toString();
    }

    @Test
    void aShortOutageIsRiddenOutByRetries() {
        // Shorter than bridge.pause.unavailable-threshold (3s in tests) and the retry budget.
        sandbox.faults().unavailableFor(Duration.ofSeconds(1));
        Map<Long, List<String>> ids = sendBatch("short-outage", 10, 3);
        assertEveryNoteOnceInOrderAndNoDeadLetters("short-outage", ids);
        assertThat(sandbox.stats().byStatus().getOrDefault(503, 0L)).isPositive();
    }

    @Test
    void aLongOutagePausesConsumptionAndEverythingCompletesWhenIssuetrakReturns() {
        sandbox.faults().unavailableFor(Duration.ofSeconds(30));
        Map<Long, List<String>> ids = sendBatch("long-outage", 10, 3);
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> gate.currentPause().isPresent());
        assertThat(readiness()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(readinessJson()).contains("UNAVAILABLE");
        long requestsWhilePaused = sandbox.stats().byStatus().getOrDefault(503, 0L);

        sandbox.faults().reset();
        assertEveryNoteOnceInOrderAndNoDeadLetters("long-outage", ids);
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> readiness() == HealthCheckResponse.Status.UP);
        assertThat(requestsWhilePaused).isPositive();
    }

    @Test
    void aWrongKeyPausesInsteadOfDeadLetteringAndFixingItResumes() {
        sandbox.apiKey(ApiKey.of(SandboxTestResource.newApiKey()));
        Map<Long, List<String>> ids = sendBatch("wrong-key", 5, 2);
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> gate.currentPause().isPresent());
        assertThat(gate.currentPause().get().category().name()).isEqualTo("UNAUTHORIZED");
        assertThat(readiness()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(readinessJson()).contains("UNAUTHORIZED").doesNotContain(originalKey.reveal());

        sandbox.apiKey(originalKey);
        assertEveryNoteOnceInOrderAndNoDeadLetters("wrong-key", ids);
    }

    @Test
    void a403FromIisPausesWithoutRetryingOrDeadLetteringAndTheCommandIsSentOnceMoreWhenLifted() throws Exception {
        long issue = 20_000 + (long) (Math.random() * 500_000);
        String id = "forbidden-" + UUID.randomUUID();
        double retriedBefore = counter("issuetrak.bridge.retries", "category", "UNAUTHORIZED");
        double failedBefore = counter("issuetrak.bridge.commands.failed", "category", "UNAUTHORIZED");
        double deadBefore = counter("issuetrak.bridge.dead.letters", "category", "UNAUTHORIZED");
        sandbox.faults().forbidden(true);
        topics.send(Long.toString(issue), command(id, issue, id));

        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> gate.currentPause().isPresent());
        String reason = "Issuetrak refuses our requests: Issuetrak answered 403 to POST /api/v1/notes: an HTML page "
                + "titled \"403 - Forbidden: Access is denied.\" (check issuetrak.api-key and the clock; a 403 page "
                + "from IIS can also mean it does not admit this client)";
        assertThat(gate.currentPause().get().category()).isEqualTo(FailureCategory.UNAUTHORIZED);
        assertThat(gate.currentPause().get().reason()).isEqualTo(reason);
        JsonObject check = readinessCheck("issuetrak");
        assertThat(check.getString("status")).isEqualTo("DOWN");
        assertThat(check.getJsonObject("data").getBoolean("paused")).isTrue();
        assertThat(check.getJsonObject("data").getString("category")).isEqualTo("UNAUTHORIZED");
        assertThat(check.getJsonObject("data").getString("reason")).isEqualTo(reason);
        assertThat(registry.get("issuetrak.bridge.paused").tag("reason", "UNAUTHORIZED").gauge().value()).isEqualTo(1.0);

        // Paused: only the gate's probes (GETs, every 200 ms in tests) reach Issuetrak; the command is neither sent
        // again nor answered nor dead-lettered, however long the 403 lasts.
        long forbiddenSoFar = sandbox.stats().answered(403);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> sandbox.stats().answered(403) >= forbiddenSoFar + 3);
        assertThat(triesOf(id)).containsExactly(403);
        assertThat(topics.readNow("replies", commandIds(List.of(id)))).isEmpty();
        assertThat(topics.readNow("errors", commandIds(List.of(id)))).isEmpty();
        assertThat(topics.readNow("dead-letters", commandIds(List.of(id)))).isEmpty();

        sandbox.faults().forbidden(false);
        long noteId = JSON.readTree(topics.await("replies", commandIds(List.of(id)), 1).get(0).value()).get("NoteID")
                .asLong();
        assertThat(sandbox.notes().get(noteId).orElseThrow().noteText()).isEqualTo(id);
        assertThat(sandbox.notes().forIssue(issue)).hasSize(1);
        assertThat(triesOf(id)).containsExactly(403, 201);
        assertThat(topics.readNow("errors", commandIds(List.of(id)))).isEmpty();
        assertThat(topics.readNow("dead-letters", commandIds(List.of(id)))).isEmpty();
        assertThat(counter("issuetrak.bridge.retries", "category", "UNAUTHORIZED")).isEqualTo(retriedBefore);
        assertThat(counter("issuetrak.bridge.commands.failed", "category", "UNAUTHORIZED")).isEqualTo(failedBefore);
        assertThat(counter("issuetrak.bridge.dead.letters", "category", "UNAUTHORIZED")).isEqualTo(deadBefore);
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> registry.get("issuetrak.bridge.paused").tag("reason", "UNAUTHORIZED").gauge().value() == 0.0);
    }

    /** The statuses the sandbox answered to each create carrying {@code text}, in the order they arrived. */
    private List<Integer> triesOf(String text) {
        return sandbox.creates().all().stream().filter(create -> create.text().contains(text))
                .map(CreateRequests.Recorded::status).toList();
    }

    private double counter(String name, String tag, String value) {
        return registry.get(name).tag(tag, value).counter().count();
    }

    private JsonObject readinessCheck(String name) {
        JsonObject payload = health.getReadinessAsync().await().atMost(Duration.ofSeconds(10)).getPayload();
        return payload.getJsonArray("checks").stream().map(JsonValue::asJsonObject)
                .filter(check -> name.equals(check.getString("name"))).findFirst().orElseThrow();
    }

    @Test
    void whileStalledTheRecordsFetchedButNotFinishedStayWithinTheWindow() {
        sandbox.apiKey(ApiKey.of(SandboxTestResource.newApiKey()));
        Map<Long, List<String>> ids = sendBatch("stalled", 100, 6);
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> gate.currentPause().isPresent());
        // 600 commands wait; the bridge fills its window, bridge.max-in-flight of them (100 issues, 2 slots each
        // at most), and holds no more; what else it fetched waits parked, bridge.scheduling.max-parked at most.
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> working() >= maxInFlight);
        Awaitility.await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                .until(() -> working() <= maxInFlight && inFlight() <= maxInFlight + maxParked);

        sandbox.apiKey(originalKey);
        assertEveryNoteOnceInOrderAndNoDeadLetters("stalled", ids);
    }

    private double inFlight() {
        return registry.get("issuetrak.bridge.commands.in.flight").gauge().value();
    }

    private double working() {
        return registry.get("issuetrak.bridge.commands.working").gauge().value();
    }

    @Test
    void a429IsWaitedOutForItsRetryAfter() throws Exception {
        sandbox.stats().reset();
        sandbox.faults().throttleFor(Duration.ofSeconds(1)).retryAfter(Duration.ofSeconds(1));
        Map<Long, List<String>> ids = sendBatch("throttled", 3, 1);
        assertEveryNoteOnceInOrderAndNoDeadLetters("throttled", ids);
        // Each command was throttled once and then waited the full Retry-After, outlasting the 1s
        // window. Ignoring it, the 20 ms backoff would have drawn several 429s per command.
        assertThat(sandbox.stats().byStatus().getOrDefault(429, 0L)).isBetween(1L, 3L);
    }
}

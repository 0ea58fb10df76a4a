package io.issuetrakbridge.sandbox;

import static io.issuetrakbridge.sandbox.SandboxTestClient.noteJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;


/** The fixed-workers model over real HTTP: requests beyond the workers queue, beyond the queue they get 503. */
class SandboxWorkersTest extends DefaultSandboxTestSupport {

    private static final String NOTES = "/api/v1/notes";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ExecutorService clients = Executors.newFixedThreadPool(8);

    @AfterEach
    void stopClients() {
        clients.shutdownNow();
    }

    @Test
    void requestsBeyondTheWorkersQueueAndOneBeyondTheQueueIsAnswered503() throws Exception {
        assertThat(client.admin("PUT", "/workers", "{\"workers\":2,\"queueLimit\":2}").statusCode()).isEqualTo(200);
        // Issue 7 is slow to store: its requests hold their worker until the test lets them finish.
        sandbox.faults().slowIssue(7, Duration.ofSeconds(3));

        List<CompletableFuture<HttpResponse<String>>> four = IntStream.range(0, 4)
                .mapToObj(i -> post(7, "note " + i)).toList();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode workers = workers();
            assertThat(workers.get("busy").asInt()).isEqualTo(2);
            assertThat(workers.get("queued").asInt()).isEqualTo(2);
        });

        HttpResponse<String> fifth = client.post(NOTES, noteJson(6, "Admin", "no room"));
        assertThat(fifth.statusCode()).isEqualTo(503);
        assertThat(JSON.readTree(fifth.body()).get("Message").asText()).isEqualTo("The service is unavailable.");

        for (CompletableFuture<HttpResponse<String>> answer : four) {
            assertThat(answer.get().statusCode()).isEqualTo(201);
        }
        JsonNode after = workers();
        assertThat(after.get("busy").asInt()).isZero();
        assertThat(after.get("queued").asInt()).isZero();
        assertThat(after.get("peakQueued").asInt()).isEqualTo(2);
        assertThat(after.get("rejected").asLong()).isEqualTo(1);
        assertThat(sandbox.notes().forIssue(7)).hasSize(4);
        assertThat(sandbox.stats().answered(Integer.valueOf(503))).isEqualTo(1);
    }

    @Test
    void theLatencyIsTheServiceTimeSoQueuedRequestsWaitForEachOther() {
        sandbox.workers().configure(new WorkerPool.Settings(1, 10));
        sandbox.faults().latency(Duration.ofMillis(300), Duration.ZERO);

        long started = System.nanoTime();
        List<CompletableFuture<HttpResponse<String>>> three = IntStream.range(0, 3)
                .mapToObj(i -> post(6, "note " + i)).toList();
        three.forEach(answer -> assertThat(answer.join().statusCode()).isEqualTo(201));
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        // A lower bound only (a timer cannot fire early): one worker serves three 300 ms requests one by one.
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(900));
        assertThat(workers().get("peakQueued").asInt()).isEqualTo(2);
    }

    @Test
    void moreWorkersStartQueuedRequestsAndOffStartsThemAll() {
        sandbox.workers().configure(new WorkerPool.Settings(1, 10));
        sandbox.faults().slowIssue(7, Duration.ofSeconds(3));
        CompletableFuture<HttpResponse<String>> slow = post(7, "holds the only worker");
        await().atMost(Duration.ofSeconds(10)).until(() -> sandbox.workers().busy() == 1);
        List<CompletableFuture<HttpResponse<String>>> waiting = IntStream.range(0, 3)
                .mapToObj(i -> post(6, "note " + i)).toList();
        await().atMost(Duration.ofSeconds(10)).until(() -> sandbox.workers().queued() == 3);

        client.admin("PUT", "/workers", "{\"workers\":2}");
        // One more worker: the queued requests go through it one by one while the slow one still holds its own.
        waiting.forEach(answer -> assertThat(answer.join().statusCode()).isEqualTo(201));

        List<CompletableFuture<HttpResponse<String>>> more = IntStream.range(0, 2)
                .mapToObj(i -> post(7, "slow " + i)).toList();
        await().atMost(Duration.ofSeconds(10)).until(() -> sandbox.workers().queued() == 1);
        assertThat(client.admin("DELETE", "/workers", null).statusCode()).isEqualTo(204);
        more.forEach(answer -> assertThat(answer.join().statusCode()).isEqualTo(201));
        assertThat(slow.join().statusCode()).isEqualTo(201);
        assertThat(sandbox.workers().busy()).isZero();
    }

    @Test
    void anUnknownFieldOrANegativeNumberIsRefused() throws Exception {
        HttpResponse<String> unknown = client.admin("PUT", "/workers", "{\"threads\":4}");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(unknown.body()).get("Message").asText()).contains("threads");
        HttpResponse<String> negative = client.admin("PUT", "/workers", "{\"workers\":-1}");
        assertThat(negative.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(negative.body()).get("Message").asText()).contains("workers must be >= 0");
        assertThat(workers().get("workers").asInt()).isZero();
    }

    private CompletableFuture<HttpResponse<String>> post(long issue, String text) {
        return CompletableFuture.supplyAsync(() -> client.post(NOTES, noteJson(issue, "Admin", text)), clients);
    }

    private JsonNode workers() {
        try {
            return JSON.readTree(client.admin("GET", "/workers", null).body());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

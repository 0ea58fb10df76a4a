package io.issuetrakbridge.issuetrak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.issuetrakbridge.config.ApiKey;
import io.issuetrakbridge.config.TestConfigs;
import io.issuetrakbridge.issuetrak.IssuetrakException.Ambiguous;
import io.issuetrakbridge.issuetrak.IssuetrakException.Rejected;
import io.issuetrakbridge.issuetrak.IssuetrakException.Throttled;
import io.issuetrakbridge.issuetrak.IssuetrakException.Unauthorized;
import io.issuetrakbridge.issuetrak.IssuetrakException.Unavailable;
import io.issuetrakbridge.issuetrak.dto.CreateNote;
import io.issuetrakbridge.issuetrak.dto.NotePage;
import io.issuetrakbridge.issuetrak.dto.ReadNote;
import io.issuetrakbridge.sandbox.SandboxServer;
import io.issuetrakbridge.sandbox.SandboxSettings;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;

/**
 * The client against the sandbox over real HTTP: every documented status code and every failure
 * category, built through the same constructor and configuration mapping the application uses.
 */
class IssuetrakClientTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String NON_ASCII = "Zoë – 日本語 ✓ <b>&amp;</b> \"quoted\" \\ 🎉";

    private static Vertx vertx;
    private static SandboxServer sandbox;
    private final List<IssuetrakClient> clients = new ArrayList<>();

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

    @BeforeEach
    void resetSandbox() {
        sandbox.faults().reset();
        sandbox.notes().clear();
        sandbox.apiKey(ApiKey.of(TestConfigs.TEST_KEY));
    }

    @AfterEach
    void closeClients() {
        clients.forEach(IssuetrakClient::close);
    }

    private IssuetrakClient client(String baseUrl, String... keyValues) {
        Map<String, String> entries = new HashMap<>();
        entries.put("base-url", baseUrl);
        entries.put("request-timeout", "5s");
        // These tests are about the HTTP exchange and the connection pool; the adaptive limit in front of the pool
        // (AdaptiveConcurrencyTest, AdaptiveConcurrencyKneeTest) would queue requests before they reach it.
        entries.put("concurrency.adaptive", "false");
        for (int i = 0; i < keyValues.length; i += 2) {
            entries.put(keyValues[i], keyValues[i + 1]);
        }
        IssuetrakClient client = new IssuetrakClient(vertx, TestConfigs.issuetrak(entries), new ObjectMapper(),
                new NoTlsConfigurations());
        clients.add(client);
        return client;
    }

    private IssuetrakClient client() {
        return client(sandbox.baseUrl());
    }

    private static CreateNote note(long issue, String createdBy, String text) {
        return new CreateNote(issue, "2024-03-05T07:08:09.1234567Z", createdBy, true, text, false, false);
    }

    private static <T extends IssuetrakException> T failure(Uni<?> call, Class<T> type) {
        return catchThrowableOfType(type, () -> call.await().atMost(WAIT));
    }

    @Test
    void createReturnsNoteIdAndNoteReadsBackByteExact() {
        IssuetrakClient client = client();

        long noteId = client.createNote(note(42, "APIUser", NON_ASCII), "cmd-1").await().atMost(WAIT);
        ReadNote read = client.getNote(noteId).await().atMost(WAIT);
        NotePage page = client.notesForIssue(42).await().atMost(WAIT);

        assertThat(noteId).isPositive();
        assertThat(read.noteId()).isEqualTo(noteId);
        assertThat(read.issueNumber()).isEqualTo(42);
        assertThat(read.createdBy()).isEqualTo("APIUser");
        assertThat(read.noteText().getBytes(StandardCharsets.UTF_8)).isEqualTo(NON_ASCII.getBytes(StandardCharsets.UTF_8));
        assertThat(sandbox.notes().get(noteId).orElseThrow().noteText()).isEqualTo(NON_ASCII);
        assertThat(page.totalCount()).isEqualTo(1);
        assertThat(page.collection()).extracting(ReadNote::noteId).containsExactly(noteId);
    }

    @Test
    void everySubscriptionIsSignedAfresh() {
        Uni<Long> create = client().createNote(note(7, "APIUser", "twice"));

        long first = create.await().atMost(WAIT);
        // Same Uni again (as a retry does): a reused request ID would be refused with 401.
        long second = create.await().atMost(WAIT);

        assertThat(second).isNotEqualTo(first);
    }

    @Test
    void getNoteStatuses() {
        IssuetrakClient client = client();

        assertThat(failure(client.getNote(-1), Rejected.class).status()).hasValue(400);
        assertThat(failure(client.getNote(987_654), Rejected.class).status()).hasValue(404);
    }

    @Test
    void nonNumericNoteIdIs422() {
        // The client cannot send a non-numeric ID, so sign and send this one by hand through the same parts.
        IssuetrakClient client = client();
        String path = client.notesPath() + "/abc";
        RequestSigner.SignedHeaders signed = new RequestSigner(ApiKey.of(TestConfigs.TEST_KEY))
                .sign("GET", path, "", null, Instant.now(), UUID.randomUUID());
        WebClient web = WebClient.create(vertx);
        try {
            HttpResponse<Buffer> response = web.getAbs(sandbox.baseUrl() + "/api/v1/notes/abc")
                    .putHeader(RequestSigner.TIMESTAMP_HEADER, signed.timestamp())
                    .putHeader(RequestSigner.REQUEST_ID_HEADER, signed.requestId())
                    .putHeader(RequestSigner.AUTHORIZATION_HEADER, signed.signature())
                    .send().await().atMost(WAIT);

            IssuetrakException outcome = new ResponseClassifier(ApiKey.of(TestConfigs.TEST_KEY))
                    .classify("GET " + path, response.statusCode(), null, response.bodyAsString(), signed.signature())
                    .orElseThrow();
            assertThat(outcome).isInstanceOf(Rejected.class);
            assertThat(outcome.status()).hasValue(422);
        } finally {
            web.close();
        }
    }

    @Test
    void notesOfIssueStatuses() {
        IssuetrakClient client = client();

        NotePage empty = client.notesForIssue(5).await().atMost(WAIT);
        Rejected missing = failure(client.notesForIssue(5_000_000), Rejected.class);

        assertThat(empty.totalCount()).isZero();
        assertThat(empty.collection()).isEmpty();
        assertThat(missing.status()).hasValue(400);
    }

    @Test
    void createRejectedForUnknownIssueOrInactiveUser() {
        IssuetrakClient client = client();

        Rejected badIssue = failure(client.createNote(note(5_000_000, "APIUser", "x")), Rejected.class);
        Rejected inactive = failure(client.createNote(note(1, "nobody", "x")), Rejected.class);

        assertThat(badIssue.status()).hasValue(400);
        assertThat(badIssue.getMessage()).contains("5000000");
        assertThat(inactive.status()).hasValue(400);
        assertThat(sandbox.notes().size()).isZero();
    }

    @Test
    void wrongKeyIsUnauthorized() {
        sandbox.apiKey(ApiKey.of("b3RoZXIta2V5LW90aGVyLWtleS1vdGhlci1rZXktMTI="));
        IssuetrakClient client = client();

        Unauthorized create = failure(client.createNote(note(1, "APIUser", "x")), Unauthorized.class);
        Unauthorized probe = failure(client.probe(), Unauthorized.class);

        assertThat(create.status()).hasValue(401);
        assertThat(create.getMessage()).doesNotContain(TestConfigs.TEST_KEY);
        assertThat(probe.status()).hasValue(401);
    }

    @Test
    void probeSucceedsWhenTheSignatureIsAccepted() {
        assertThatCode(() -> client().probe().await().atMost(WAIT)).doesNotThrowAnyException();
    }

    @Test
    void probeFailsNamingTheUrlWhenTheBaseUrlPathIsWrong() {
        // The sandbox is at the root: under /helpdesk there is no notes route, whatever the signature.
        IssuetrakClient client = client(sandbox.baseUrl() + "/helpdesk");

        Rejected probe = failure(client.probe(), Rejected.class);

        assertThat(probe.status()).hasValue(404);
        assertThat(probe).hasMessage("No Issuetrak notes API at " + sandbox.baseUrl()
                + "/helpdesk/api/v1/notes/issue/0: it answered 404 to a signed GET; check issuetrak.base-url");
    }

    @Test
    void throttledCarriesRetryAfter() {
        sandbox.faults().throttleRate(1.0).retryAfter(Duration.ofSeconds(7));

        Throttled throttled = failure(client().createNote(note(1, "APIUser", "x")), Throttled.class);

        assertThat(throttled.retryAfter()).contains(Duration.ofSeconds(7));
    }

    @Test
    void serverErrorsAreUnavailable() {
        IssuetrakClient client = client();
        sandbox.faults().errorRate(1.0);
        Unavailable error = failure(client.createNote(note(1, "APIUser", "x")), Unavailable.class);

        sandbox.faults().reset().unavailableFor(Duration.ofMinutes(5));
        Unavailable outage = failure(client.createNote(note(1, "APIUser", "x")), Unavailable.class);
        Unavailable probe = failure(client.probe(), Unavailable.class);

        assertThat(error.status()).hasValue(500);
        assertThat(outage.status()).hasValue(503);
        assertThat(probe.status()).hasValue(503);
        assertThat(sandbox.notes().size()).isZero();
    }

    @Test
    void connectionRefusedIsUnavailable() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }

        Unavailable refused = failure(client("http://127.0.0.1:" + closedPort).createNote(note(1, "APIUser", "x")),
                Unavailable.class);

        assertThat(refused.status()).isEmpty();
        assertThat(refused).hasMessageStartingWith("Cannot connect to Issuetrak");
    }

    @Test
    void unknownHostIsUnavailable() {
        // .invalid never resolves (RFC 2606).
        Unavailable unresolved = failure(client("http://nonexistent.invalid:8080").createNote(note(1, "APIUser", "x")),
                Unavailable.class);

        assertThat(unresolved.status()).isEmpty();
        assertThat(unresolved).hasMessageStartingWith("Cannot resolve");
    }

    @Test
    void createAnsweredTooLateIsAmbiguousAndTheNoteExists() {
        sandbox.faults().createThenDelay(1.0, Duration.ofSeconds(5));
        IssuetrakClient client = client(sandbox.baseUrl(), "request-timeout", "300ms");

        Ambiguous late = failure(client.createNote(note(11, "APIUser", "late")), Ambiguous.class);

        assertThat(late).hasMessageStartingWith("No answer from Issuetrak in time");
        assertThat(sandbox.notes().forIssue(11)).extracting(ReadNote::noteText).containsExactly("late");
    }

    @Test
    void createThenDroppedConnectionIsAmbiguousAndTheNoteExists() {
        sandbox.faults().createThenDrop(1.0);

        Ambiguous dropped = failure(client().createNote(note(12, "APIUser", "dropped")), Ambiguous.class);

        assertThat(dropped).hasMessageStartingWith("Connection to Issuetrak lost");
        assertThat(sandbox.notes().forIssue(12)).extracting(ReadNote::noteText).containsExactly("dropped");
    }

    @Test
    void anAnswerThatTricklesInIsAmbiguousAtTheRequestTimeout() {
        io.vertx.mutiny.core.http.HttpServer trickling = vertx.createHttpServer()
                .requestHandler(IssuetrakClientTest::trickle).listen(0, "127.0.0.1").await().atMost(WAIT);
        try {
            IssuetrakClient client = client("http://127.0.0.1:" + trickling.actualPort(), "request-timeout", "1s");

            Ambiguous stalled = failure(client.createNote(note(13, "APIUser", "trickled")), Ambiguous.class);

            assertThat(stalled).hasMessageStartingWith("No answer from Issuetrak in time")
                    .hasMessageContaining("issuetrak.request-timeout (1000 ms)");
        } finally {
            trickling.close().await().atMost(WAIT);
        }
    }

    @Test
    void theSandboxsTrickleFaultIsAmbiguousAtTheRequestTimeout() {
        // The vendor-like sandbox: status and headers at once, the body a byte at a time over 20 s.
        sandbox.faults().trickle(1.0, Duration.ofSeconds(20));
        IssuetrakClient client = client(sandbox.baseUrl(), "request-timeout", "1s");

        Ambiguous stalled = failure(client.createNote(note(14, "APIUser", "trickled")), Ambiguous.class);

        assertThat(stalled).hasMessageContaining("issuetrak.request-timeout (1000 ms)");
    }

    @Test
    void aCreateQueuedForTheOnlyConnectionPastTheDeadlineIsUnavailableAndNeverSent() {
        // One connection. "first" is held by the sandbox, so it holds the connection until its deadline resets it;
        // "second" waits for the connection and then holds it in turn; "third", queued behind both, waits longer
        // than the request timeout and gives up before it has a connection.
        IssuetrakClient client = client(sandbox.baseUrl(), "max-connections", "1", "request-timeout", "1s");
        CompletableFuture<Long> first = holdTheOnlyConnection(client, 21);
        CompletableFuture<Long> second = client.createNote(note(21, "APIUser", "second")).subscribeAsCompletionStage();

        Unavailable third = failure(client.createNote(note(21, "APIUser", "third")), Unavailable.class);

        assertThat(third).hasMessageStartingWith("No connection to Issuetrak");
        await().atMost(WAIT).until(() -> first.isDone() && second.isDone());
        assertThat(catchThrowable(first::join)).hasCauseInstanceOf(Ambiguous.class);
        assertThat(catchThrowable(second::join)).hasCauseInstanceOf(Ambiguous.class);
        assertThat(releaseAndCreateAnother(client, 21)).containsExactly("first", "second", "after");
    }

    @Test
    void aQueuedCreateWhoseCallerGivesUpIsNeverSent() {
        // The caller cancels while its create waits for the only connection, held by "first".
        IssuetrakClient client = client(sandbox.baseUrl(), "max-connections", "1", "request-timeout", "20s");
        CompletableFuture<Long> first = holdTheOnlyConnection(client, 23);

        client.createNote(note(23, "APIUser", "cancelled")).subscribe().with(id -> { }, failure -> { }).cancel();

        assertThat(releaseAndCreateAnother(client, 23)).containsExactly("first", "after");
        assertThat(first.join()).isPositive();
    }

    /** Answers 201 with headers at once, then one byte every 100 ms: never idle for long, never complete (600 bytes). */
    private static void trickle(io.vertx.mutiny.core.http.HttpServerRequest request) {
        request.response().setChunked(true).putHeader("Content-Type", "application/json").setStatusCode(201);
        request.response().writeAndForget("1");
        AtomicInteger sent = new AtomicInteger();
        vertx.setPeriodic(100, timer -> {
            if (sent.incrementAndGet() > 600 || request.response().closed()) {
                vertx.cancelTimer(timer);
            } else {
                request.response().writeAndForget("2");
            }
        });
    }

    /** Holds the only connection of {@code client} with a create ("first") whose answer the sandbox holds. */
    private CompletableFuture<Long> holdTheOnlyConnection(IssuetrakClient client, long issue) {
        sandbox.faults().holdCreates(true);
        CompletableFuture<Long> first = client.createNote(note(issue, "APIUser", "first")).subscribeAsCompletionStage();
        await().atMost(WAIT).until(() -> sandbox.faults().held().size() == 1);
        return first;
    }

    /**
     * Answers the held creates, then creates "after" on the one connection (any request still queued goes first):
     * the texts of the issue's notes then.
     */
    private List<String> releaseAndCreateAnother(IssuetrakClient client, long issue) {
        sandbox.faults().holdCreates(false);
        sandbox.faults().releaseHeld();
        client.createNote(note(issue, "APIUser", "after")).await().atMost(WAIT);
        return sandbox.notes().forIssue(issue).stream().map(ReadNote::noteText).toList();
    }

    @Test
    void aTricklingAnswerIsResetAtTheDeadlineAndFreesTheOnlyConnection() {
        // The first request's answer trickles; any later one is answered at once.
        AtomicInteger requests = new AtomicInteger();
        AtomicBoolean firstConnectionClosed = new AtomicBoolean();
        io.vertx.mutiny.core.http.HttpServer server = vertx.createHttpServer().requestHandler(request -> {
            if (requests.incrementAndGet() > 1) {
                request.response().setStatusCode(201).putHeader("Content-Type", "application/json").endAndForget("77");
                return;
            }
            request.connection().closeHandler(() -> firstConnectionClosed.set(true));
            trickle(request);
        }).listen(0, "127.0.0.1").await().atMost(WAIT);
        try {
            IssuetrakClient client = client("http://127.0.0.1:" + server.actualPort(), "max-connections", "1",
                    "request-timeout", "1s");

            Ambiguous trickled = failure(client.createNote(note(22, "APIUser", "trickled")), Ambiguous.class);

            assertThat(trickled).hasMessageContaining("issuetrak.request-timeout (1000 ms)");
            await().atMost(WAIT).untilTrue(firstConnectionClosed);
            assertThat(client.createNote(note(22, "APIUser", "next")).await().atMost(WAIT)).isEqualTo(77L);
        } finally {
            server.close().await().atMost(WAIT);
        }
    }

    @Test
    void anHtmlErrorPageBecomesItsStatusAndTitle() {
        sandbox.faults().htmlErrors(1.0, 503);

        Unavailable page = failure(client().createNote(note(15, "APIUser", "x")), Unavailable.class);

        assertThat(page.status()).hasValue(503);
        assertThat(page).hasMessage("Issuetrak answered 503 to POST /api/v1/notes: an HTML page titled "
                + "\"Service Unavailable\"");
    }

    @Test
    void anInvalidNoteIsRejectedWithTheModelStateMessages() {
        // CreatedBy missing: ASP.NET's 400 names the field.
        Rejected invalid = failure(client().createNote(new CreateNote(16, "2024-03-05T07:08:09.12", null, true, "x",
                false, false)), Rejected.class);

        assertThat(invalid.status()).hasValue(400);
        assertThat(invalid).hasMessage("Issuetrak answered 400 to POST /api/v1/notes: The request is invalid. "
                + "note.CreatedBy: The CreatedBy field is required.");
    }

    @Test
    void pathPrefixIsSentAndSigned() {
        SandboxServer prefixed = SandboxServer.start(vertx,
                SandboxSettings.defaults(ApiKey.of(TestConfigs.TEST_KEY)).withPathPrefix("/issuetrak")).await().atMost(WAIT);
        try {
            // Mixed case and a trailing slash, as an operator might paste it: sent as is, lower-cased for signing.
            String base = prefixed.baseUrl().replace("/issuetrak", "/IssueTrak/");
            IssuetrakClient client = client(base);

            long noteId = client.createNote(note(3, "APIUser", NON_ASCII)).await().atMost(WAIT);
            ReadNote read = client.getNote(noteId).await().atMost(WAIT);

            assertThat(client.notesPath()).isEqualTo("/IssueTrak/api/v1/notes");
            assertThat(read.noteText()).isEqualTo(NON_ASCII);
            assertThat(prefixed.notes().get(noteId)).isPresent();
        } finally {
            prefixed.close().await().atMost(WAIT);
        }
    }

    @Test
    void requestIdsAreNeverReused() {
        IssuetrakClient client = client();

        // Many calls at once through one pool: each must carry its own request ID or the sandbox answers 401.
        List<Uni<Long>> creates = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            creates.add(client.createNote(note(20, "APIUser", "n" + i)));
        }
        List<Long> ids = Uni.join().all(creates).andFailFast().await().atMost(WAIT);

        assertThat(ids).doesNotHaveDuplicates().hasSize(50);
        assertThat(sandbox.notes().forIssue(20)).hasSize(50);
    }
}

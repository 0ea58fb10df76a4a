package io.issuetrakbridge.replay;

import static io.issuetrakbridge.testing.CommandTopics.commandIds;
import static io.issuetrakbridge.testing.CommandTopics.headers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.issuetrakbridge.issuetrak.dto.ReadNote;
import io.issuetrakbridge.routing.CommandRouter;
import io.issuetrakbridge.sandbox.SandboxServer;
import io.issuetrakbridge.testing.CommandTopics;
import io.issuetrakbridge.testing.InjectCommandTopics;
import io.issuetrakbridge.testing.InjectSandbox;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * The replay API on the management port, against the real broker, the running bridge and the sandbox.
 * The dead-letter topic is shared by every test of this application, so each test selects its own
 * records by offset range or command IDs.
 */
@QuarkusTest
class ReplayApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Beyond the sandbox's issues: Issuetrak answers 400, the command fails every time. */
    private static final long NO_SUCH_ISSUE = 9_999_999_999L;

    @InjectCommandTopics
    CommandTopics topics;

    @TestHTTPResource(value = "/", management = true)
    URL management;

    @InjectSandbox
    SandboxServer sandbox;

    private ReplayApi api;

    @BeforeEach
    void setUp() {
        sandbox.faults().reset();
        api = new ReplayApi(management);
    }

    static String command(String commandId, long issue, String text) {
        try {
            return """
                    {"CommandId": %s, "IssueNumber": %d, "CreatedBy": "bridge", "NoteText": %s}
                    """.formatted(JSON.writeValueAsString(commandId), issue, JSON.writeValueAsString(text));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static List<Header> dlqHeaders(String commandId, String category, String reason, int commandPartition,
            Header... extra) {
        List<Header> h = new ArrayList<>();
        h.add(header("CommandId", commandId));
        h.add(header("dead-letter-exception-class-name", "io.issuetrakbridge.issuetrak.IssuetrakException"));
        h.add(header("dead-letter-reason", reason));
        h.add(header("dead-letter-topic", CommandTopics.topic("commands")));
        h.add(header("dead-letter-partition", Integer.toString(commandPartition)));
        h.add(header("dead-letter-offset", "0"));
        h.add(header("dead-letter-category", category));
        h.add(header("dead-letter-attempts", "3"));
        h.addAll(List.of(extra));
        return h;
    }

    /**
     * Records of the commands topic with one of these IDs that the bridge did not forward: what the replay wrote
     * (a replayed command not on its issue's home partition is also copied there, routing/CommandRouter).
     */
    static java.util.function.Predicate<ConsumerRecord<byte[], byte[]>> notForwarded(List<String> ids) {
        return commandIds(ids).and(r -> r.headers().lastHeader(CommandRouter.FORWARDED_FROM_HEADER) == null);
    }

    static Header header(String name, String value) {
        return new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8));
    }

    static String json(Map<String, ?> body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String> listed(JsonPath answer) {
        return answer.getList("entries.commandId", String.class);
    }

    /** Hand-made dead letters of valid commands (the bridge creates their notes when replayed); their IDs. */
    private List<String> validDeadLetters(String prefix, int count, List<Long> offsets) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String id = prefix + "-" + i + "-" + UUID.randomUUID();
            ids.add(id);
            long issue = 100 + (long) (Math.random() * 10_000);
            offsets.add(api.deadLetter(id, command(id, issue, "replayed " + id), null,
                    dlqHeaders(id, "UNAVAILABLE", "Issuetrak answered 503", 0)).offset());
        }
        return ids;
    }

    @Test
    void aDryRunListsWhatEachFilterSelectsAndProducesNothing() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        Instant t0 = Instant.now().minus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        long i1 = 11, i2 = 22, i3 = 33;
        String a = "a-" + run, b = "b-" + run, c = "c-" + run, d = "d-" + run;
        long offA = api.deadLetter(a, command(a, i1, "a"), t0.toEpochMilli(),
                dlqHeaders(a, "UNAVAILABLE", "Issuetrak answered 503", 1)).offset();
        long offB = api.deadLetter(b, command(b, i2, "b"), t0.plusSeconds(3600).toEpochMilli(),
                dlqHeaders(b, "REJECTED", "400 Bad Request: no such issue", 2)).offset();
        long offC = api.deadLetter(c, command(c, i1, "c"), t0.plusSeconds(7200).toEpochMilli(),
                dlqHeaders(c, "AMBIGUOUS", "no answer within 2s", 0, header("replay-count", "1"))).offset();
        long offD = api.deadLetter(d, command(d, i3, "d"), t0.plusSeconds(10800).toEpochMilli(),
                dlqHeaders(d, "UNAVAILABLE", "connection refused", 1)).offset();
        Function<Map<String, Object>, List<String>> select = filters -> {
            Map<String, Object> body = new java.util.HashMap<>(filters);
            body.put("dryRun", true);
            // Only this test's records: the offset range is itself a filter under test (last case).
            body.putIfAbsent("partition", 0);
            body.putIfAbsent("fromOffset", offA);
            body.putIfAbsent("toOffset", offD);
            return listed(api.dryRun(json(body)));
        };

        assertThat(select.apply(Map.of())).containsExactly(a, b, c, d);
        assertThat(select.apply(Map.of("categories", List.of("UNAVAILABLE")))).containsExactly(a, d);
        assertThat(select.apply(Map.of("categories", List.of("ambiguous", "Rejected")))).containsExactly(b, c);
        assertThat(select.apply(Map.of("reasonContains", "NO SUCH ISSUE"))).containsExactly(b);
        assertThat(select.apply(Map.of("issueNumbers", List.of(i1)))).containsExactly(a, c);
        assertThat(select.apply(Map.of("issueNumbers", List.of(i2, i3)))).containsExactly(b, d);
        assertThat(select.apply(Map.of("from", t0.plusSeconds(3600).toString(), "to", t0.plusSeconds(10800).toString())))
                .containsExactly(b, c);
        assertThat(select.apply(Map.of("fromOffset", offB, "toOffset", offC))).containsExactly(b, c);
        assertThat(listed(api.dryRun(json(Map.of("dryRun", true, "commandIds", List.of(d, a)))))).containsExactly(a, d);

        JsonPath answer = api.dryRun(json(Map.of("dryRun", true, "commandIds", List.of(c), "fromOffset", offA)));
        assertThat(answer.getString("state")).isEqualTo("COMPLETED");
        assertThat(answer.getBoolean("dryRun")).isTrue();
        assertThat(answer.getLong("selected")).isEqualTo(1);
        assertThat(answer.getLong("replayed")).isEqualTo(1);
        Map<String, Object> entry = answer.getMap("entries[0]");
        assertThat(entry).containsEntry("partition", 0).containsEntry("commandId", c)
                .containsEntry("category", "AMBIGUOUS").containsEntry("reason", "no answer within 2s")
                .containsEntry("replayCount", 1).containsEntry("issueNumber", (int) i1)
                .containsEntry("outcome", "WOULD_REPLAY");
        assertThat(((Number) entry.get("offset")).longValue()).isEqualTo(offC);

        // Nothing reached the commands topic.
        assertThat(topics.readNow("commands", notForwarded(List.of(a, b, c, d)))).isEmpty();
    }

    @Test
    void aRequestWithAnUnknownFieldOrBadValuesIsRefusedNamingThem() {
        api.authorized().contentType(ContentType.JSON).body("{\"dryRun\": true, \"catgories\": [\"REJECTED\"]}")
                .post(ReplayRoutes.PATH).then().statusCode(400).body(containsString("catgories"));
        api.authorized().contentType(ContentType.JSON).body("{\"categories\": [\"NOPE\"], \"limit\": 0}")
                .post(ReplayRoutes.PATH).then().statusCode(400)
                .body(containsString("NOPE"), containsString("limit must be 1 or more"));
        api.authorized().contentType(ContentType.JSON).body("{\"from\": \"yesterday\"}")
                .post(ReplayRoutes.PATH).then().statusCode(400);
    }

    @Test
    void aRunProducesNoFasterThanItsRate() {
        List<Long> offsets = new ArrayList<>();
        List<String> ids = validDeadLetters("rate", 6, offsets);
        double rate = 5;
        JsonPath done = api.run(json(Map.of("commandIds", ids, "fromOffset", offsets.get(0), "ratePerSecond", rate)));
        assertThat(done.getString("state")).isEqualTo("COMPLETED");
        assertThat(done.getLong("replayed")).isEqualTo(6);
        assertThat(done.getDouble("ratePerSecond")).isEqualTo(rate);
        // The n-th record waits for n / rate seconds: a lower bound the pacer enforces, not a measurement.
        assertThat(done.getLong("durationMs")).isGreaterThanOrEqualTo((long) (6 / rate * 1000));
        assertThat(done.getDouble("replayedPerSecond")).isLessThanOrEqualTo(rate);
        assertThat(topics.readNow("commands", notForwarded(ids))).hasSize(6);
    }

    @Test
    void aCommandThatFailsEveryTimeStopsAtTheMaximumReplayCount() {
        String id = "loop-" + UUID.randomUUID();
        topics.send("loop", command(id, NO_SUCH_ISSUE, "fails every time"));
        ConsumerRecord<byte[], byte[]> first = topics.await("dead-letters", commandIds(List.of(id)), 1).get(0);
        assertThat(headers(first)).doesNotContainKey("replay-count");

        String filter = json(Map.of("commandIds", List.of(id), "fromOffset", first.offset()));
        String resume = json(Map.of("commandIds", List.of(id), "resume", true));
        for (int replay = 1; replay <= 3; replay++) {
            JsonPath done = api.run(replay == 1 ? filter : resume);
            assertThat(done.getLong("replayed")).as("replay %d", replay).isEqualTo(1);
            // The bridge's dead-letter handler copies the replayed command's headers: its count comes back.
            ConsumerRecord<byte[], byte[]> again = topics.await("dead-letters", commandIds(List.of(id)), replay + 1)
                    .get(replay);
            assertThat(headers(again)).containsEntry("replay-count", Integer.toString(replay))
                    .containsEntry("CommandId", id).containsEntry("dead-letter-category", "REJECTED");
        }

        JsonPath guarded = api.run(resume);
        assertThat(guarded.getLong("replayed")).isZero();
        assertThat(guarded.getLong("skipped")).isEqualTo(1);
        assertThat(guarded.getString("entries[0].outcome")).isEqualTo("SKIPPED_MAX_REPLAYS");
        assertThat(guarded.getInt("entries[0].replayCount")).isEqualTo(3);

        List<ConsumerRecord<byte[], byte[]>> commands = topics.readNow("commands", notForwarded(List.of(id)));
        assertThat(commands).extracting(r -> headers(r).get("replay-count")).containsExactly("1", "2", "3");
        assertThat(commands).allSatisfy(r -> assertThat(headers(r).keySet()).noneMatch(k -> k.startsWith("dead-letter-")));
        assertThat(topics.readNow("dead-letters", commandIds(List.of(id)))).hasSize(4);
    }

    @Test
    void anInterruptedReplayResumesAfterTheLastReplayedRecordAndReplaysEachOnce() {
        List<Long> offsets = new ArrayList<>();
        List<String> ids = validDeadLetters("resume", 8, offsets);

        // Interrupted by its limit.
        JsonPath first = api.run(json(Map.of("commandIds", ids, "fromOffset", offsets.get(0), "limit", 2)));
        assertThat(first.getLong("replayed")).isEqualTo(2);
        assertThat(first.getLong("positions.0")).isEqualTo(offsets.get(1) + 1);

        // Interrupted by the operator, half-way at a slow rate; a second run meanwhile is refused.
        String slow = api.start(json(Map.of("commandIds", ids, "resume", true, "ratePerSecond", 4)));
        api.authorized().contentType(ContentType.JSON).body("{\"dryRun\": true}").post(ReplayRoutes.PATH)
                .then().statusCode(409);
        Awaitility.await().until(() -> api.status().getLong("replayed") >= 1);
        api.authorized().delete(ReplayRoutes.PATH).then().statusCode(202);
        JsonPath second = api.awaitEnd(slow);
        assertThat(second.getString("state")).isEqualTo("CANCELLED");
        assertThat(second.getLong("replayed")).isBetween(1L, 5L);

        JsonPath third = api.run(json(Map.of("commandIds", ids, "resume", true)));
        assertThat(third.getString("state")).isEqualTo("COMPLETED");
        assertThat(first.getLong("replayed") + second.getLong("replayed") + third.getLong("replayed")).isEqualTo(8);

        List<ConsumerRecord<byte[], byte[]>> replayed = topics.readNow("commands", notForwarded(ids));
        Map<String, Long> perCommand = replayed.stream()
                .collect(Collectors.groupingBy(r -> headers(r).get("CommandId"), Collectors.counting()));
        assertThat(perCommand).hasSize(8).allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1));
        assertThat(replayed).allSatisfy(r -> assertThat(headers(r)).containsEntry("replay-count", "1"));
        assertThat(topics.await("replies", commandIds(ids), 8)).hasSize(8);
    }

    @Test
    void aReplayedCommandThatSucceededBeforeGetsTheSameNoteIdAndNoSecondNote() throws Exception {
        String id = "dup-" + UUID.randomUUID();
        long issue = 700 + (long) (Math.random() * 1000);
        String text = "exactly once " + id;
        String value = command(id, issue, text);
        RecordMetadata sent = topics.send("dup", value);
        ConsumerRecord<byte[], byte[]> reply = topics.await("replies", commandIds(List.of(id)), 1).get(0);
        long noteId = JSON.readTree(reply.value()).get("NoteID").asLong();

        // The same command in the DLQ, as after an ambiguous failure that had in fact created the note.
        long offset = api.deadLetter("dup", value, null, dlqHeaders(id, "AMBIGUOUS", "no answer within 2s",
                sent.partition(), header("dead-letter-timestamp", Long.toString(sent.timestamp())))).offset();
        JsonPath done = api.run(json(Map.of("commandIds", List.of(id), "fromOffset", offset)));
        assertThat(done.getLong("replayed")).isEqualTo(1);

        List<ConsumerRecord<byte[], byte[]>> replies = topics.await("replies", commandIds(List.of(id)), 2);
        for (ConsumerRecord<byte[], byte[]> r : replies) {
            assertThat(JSON.readTree(r.value()).get("NoteID").asLong()).isEqualTo(noteId);
        }
        assertThat(sandbox.notes().forIssue(issue).stream().map(ReadNote::noteText).filter(text::equals)).hasSize(1);
        ConsumerRecord<byte[], byte[]> replayed = topics.readNow("commands", notForwarded(List.of(id))).get(0);
        assertThat(replayed.partition()).isEqualTo(sent.partition());
        assertThat(replayed.timestamp()).isEqualTo(sent.timestamp());
        assertThat(headers(replayed)).containsEntry("replay-count", "1").containsEntry("CommandId", id);
    }

    @Test
    void theApiWantsTheBearerTokenAndNeverEchoesWhatItGot() {
        String wrong = ReplayApi.token() + "x";
        api.anonymous().get(ReplayRoutes.STATUS_PATH).then().statusCode(401)
                .header("WWW-Authenticate", containsString("Bearer"));
        api.anonymous().contentType(ContentType.JSON).body("{}").post(ReplayRoutes.PATH).then().statusCode(401);
        api.anonymous().header("Authorization", "Bearer " + wrong).delete(ReplayRoutes.PATH).then().statusCode(401)
                .body(not(containsString(wrong)));
        api.anonymous().header("Authorization", "Basic " + ReplayApi.token()).get(ReplayRoutes.STATUS_PATH)
                .then().statusCode(401);
        api.authorized().get(ReplayRoutes.STATUS_PATH).then().statusCode(200);
        // Health moved to the management port with the replay API, and needs no token.
        api.anonymous().get("/q/health/live").then().statusCode(200);
    }
}

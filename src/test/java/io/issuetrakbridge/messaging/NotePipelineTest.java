package io.issuetrakbridge.messaging;

import static io.issuetrakbridge.testing.CommandTopics.commandIds;
import static io.issuetrakbridge.testing.CommandTopics.headers;
import static io.issuetrakbridge.testing.CommandTopics.text;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.issuetrakbridge.issuetrak.dto.ReadNote;
import io.issuetrakbridge.sandbox.CreateRequests;
import io.issuetrakbridge.sandbox.SandboxServer;
import io.issuetrakbridge.testing.CommandTopics;
import io.issuetrakbridge.testing.InjectCommandTopics;
import io.issuetrakbridge.testing.InjectSandbox;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.reply.KafkaRequestReply;
import jakarta.inject.Inject;

/**
 * End to end on a real broker and the sandbox: commands produced with a plain Kafka producer, replies,
 * errors and dead letters read back with every header checked.
 */
@QuarkusTest
public class NotePipelineTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    @InjectCommandTopics
    CommandTopics topics;

    @InjectSandbox
    SandboxServer sandbox;

    @Inject
    RequestReplyClient requester;

    @BeforeEach
    void healthySandbox() {
        sandbox.faults().reset();
    }

    public static String command(String commandId, long issue, String text) {
        return """
                {"CommandId": "%s", "IssueNumber": %d, "CreatedBy": "bridge", "NoteText": %s, "IsPrivate": true}
                """.formatted(commandId, issue, quote(text));
    }

    static String quote(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(byte[] value) throws Exception {
        return JSON.readTree(value);
    }

    @Test
    void createsTheNoteAndRepliesWithItsIdAsACloudEvent() throws Exception {
        String id = "cmd-" + UUID.randomUUID();
        String text = "Disk <b>full</b> &amp; Zoë 日本 ✓";
        topics.send("42", command(id, 42, text));

        ConsumerRecord<byte[], byte[]> reply = topics.await("replies", commandIds(List.of(id)), 1).get(0);
        JsonNode value = json(reply.value());
        assertThat(value.get("CommandId").asText()).isEqualTo(id);
        assertThat(value.get("IssueNumber").asLong()).isEqualTo(42);
        long noteId = value.get("NoteID").asLong();
        assertThat(text(reply.key())).isEqualTo("42");
        Map<String, String> h = headers(reply);
        assertThat(h).containsEntry("ce_specversion", "1.0")
                .containsEntry("ce_type", OutcomePublisher.TYPE_CREATED)
                .containsEntry("ce_source", "issuetrak-bridge")
                .containsEntry("ce_subject", id)
                .containsEntry("content-type", "application/json")
                .containsEntry("CommandId", id)
                .containsKeys("ce_id", "ce_time");
        assertThat(h.get("ce_id")).isNotEqualTo(id);

        ReadNote stored = sandbox.notes().get(noteId).orElseThrow();
        assertThat(stored.noteText()).isEqualTo(text);
        assertThat(stored.issueNumber()).isEqualTo(42);
        assertThat(stored.createdBy()).isEqualTo("bridge");
        assertThat(stored.isPrivate()).isTrue();
        assertThat(stored.isRichText()).isFalse();
    }

    @Test
    void withTracingOffACommandsTraceparentPassesThroughUnchangedAndNoneIsInvented() {
        String traced = "traced-" + UUID.randomUUID();
        String untraced = "untraced-" + UUID.randomUUID();
        String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        topics.send("6101", command(traced, 6101, "traced"),
                new RecordHeader("traceparent", traceparent.getBytes(StandardCharsets.UTF_8)));
        topics.send("6102", command(untraced, 6102, "untraced"));

        // The same span ID as the command's: the bridge made no span of its own (the SDK is off in tests).
        assertThat(headers(topics.await("replies", commandIds(List.of(traced)), 1).get(0)))
                .containsEntry("traceparent", traceparent);
        assertThat(sandbox.lastTraceparent(6101)).contains(traceparent);
        assertThat(headers(topics.await("replies", commandIds(List.of(untraced)), 1).get(0)))
                .doesNotContainKey("traceparent");
        assertThat(sandbox.lastTraceparent(6102)).isEmpty();
    }

    @Test
    void commandIdComesFromCeIdThenTheFieldThenThePosition() throws Exception {
        String ceId = "ce-" + UUID.randomUUID();
        topics.send("7", command("field-id-ignored", 7, "from ce_id"),
                new RecordHeader("ce_id", ceId.getBytes(StandardCharsets.UTF_8)));
        assertThat(topics.await("replies", commandIds(List.of(ceId)), 1)).hasSize(1);

        String unique = "no id " + UUID.randomUUID();
        RecordMetadata sent = topics.send("7", """
                {"IssueNumber": 7, "CreatedBy": "bridge", "NoteText": "%s"}""".formatted(unique));
        String positionId = sent.topic() + "-" + sent.partition() + "-" + sent.offset();
        ConsumerRecord<byte[], byte[]> reply = topics.await("replies", commandIds(List.of(positionId)), 1).get(0);
        assertThat(json(reply.value()).get("CommandId").asText()).isEqualTo(positionId);
    }

    @Test
    void createdDateDefaultsToTheRecordTimestampSoARetrySendsTheSameBytes() throws Exception {
        String id = "dated-" + UUID.randomUUID();
        // Kafka's timestamps are whole milliseconds; the bridge sends its default CreatedDate cut to 10 ms.
        java.time.Instant recordTime = java.time.Instant.parse("2026-11-23T10:15:30.127Z");
        // Exactly one 500 (UNAVAILABLE): the note is created by the retry, later than the record's time, and must
        // still carry the record's time.
        sandbox.faults().createErrors(1);
        topics.sendAt(recordTime, "9", command(id, 9, id));
        long noteId = json(topics.await("replies", commandIds(List.of(id)), 1).get(0).value()).get("NoteID").asLong();

        String expected = "{\"IssueNumber\":9,\"CreatedDate\":\"2026-11-23T10:15:30.1200000\",\"CreatedBy\":\"bridge\","
                + "\"ShouldSuppressEmailForCreateOperation\":false,\"NoteText\":\"" + id + "\",\"IsPrivate\":true,"
                + "\"IsRichText\":false}";
        List<CreateRequests.Recorded> tries = sandbox.creates().all().stream()
                .filter(create -> create.text().contains(id)).toList();
        assertThat(tries).extracting(CreateRequests.Recorded::status).containsExactly(500, 201);
        assertThat(tries.get(0).body()).isEqualTo(expected.getBytes(StandardCharsets.UTF_8));
        assertThat(tries.get(1).body()).isEqualTo(tries.get(0).body());
        // Stored as SQL Server datetime, written back without trailing zeros.
        assertThat(sandbox.notes().get(noteId).orElseThrow().createdDate()).isEqualTo("2026-11-23T10:15:30.12");
    }

    static Stream<Arguments> badCommands() {
        String big = "x".repeat(262_145);
        return Stream.of(
                Arguments.of("malformed JSON", "{\"IssueNumber\": 1,".getBytes(StandardCharsets.UTF_8),
                        "invalid JSON at line 1, column 19: the value ends inside an object"),
                Arguments.of("JSON array", "[1,2]".getBytes(StandardCharsets.UTF_8), "must be a JSON object, not an array"),
                Arguments.of("JSON scalar", "42".getBytes(StandardCharsets.UTF_8), "must be a JSON object, not the number 42"),
                Arguments.of("JSON null", "null".getBytes(StandardCharsets.UTF_8), "must be a JSON object, not null"),
                Arguments.of("wrong type", "{\"IssueNumber\": \"one\", \"CreatedBy\": \"bridge\", \"NoteText\": \"t\"}"
                        .getBytes(StandardCharsets.UTF_8), "IssueNumber must be a whole number, not a string"),
                Arguments.of("wrong boolean", "{\"IssueNumber\": 3, \"CreatedBy\": \"bridge\", \"NoteText\": \"t\", \"IsPrivate\": \"yes\"}"
                        .getBytes(StandardCharsets.UTF_8), "IsPrivate must be true or false, not a string"),
                Arguments.of("missing IssueNumber", "{\"CreatedBy\": \"bridge\", \"NoteText\": \"t\"}"
                        .getBytes(StandardCharsets.UTF_8), "IssueNumber is required"),
                Arguments.of("missing CreatedBy", "{\"IssueNumber\": 3, \"NoteText\": \"t\"}"
                        .getBytes(StandardCharsets.UTF_8), "CreatedBy is required"),
                Arguments.of("missing NoteText", "{\"IssueNumber\": 3, \"CreatedBy\": \"bridge\"}"
                        .getBytes(StandardCharsets.UTF_8), "NoteText is required"),
                Arguments.of("IssueNumber zero", "{\"IssueNumber\": 0, \"CreatedBy\": \"bridge\", \"NoteText\": \"t\"}"
                        .getBytes(StandardCharsets.UTF_8), "IssueNumber must be greater than 0, was 0"),
                Arguments.of("IssueNumber negative", "{\"IssueNumber\": -5, \"CreatedBy\": \"bridge\", \"NoteText\": \"t\"}"
                        .getBytes(StandardCharsets.UTF_8), "IssueNumber must be greater than 0, was -5"),
                Arguments.of("empty NoteText", "{\"IssueNumber\": 3, \"CreatedBy\": \"bridge\", \"NoteText\": \"\"}"
                        .getBytes(StandardCharsets.UTF_8), "NoteText must not be empty"),
                Arguments.of("oversize NoteText", ("{\"IssueNumber\": 3, \"CreatedBy\": \"bridge\", \"NoteText\": \"" + big + "\"}")
                        .getBytes(StandardCharsets.UTF_8), "more than the 262144 allowed"),
                Arguments.of("bad CreatedDate", "{\"IssueNumber\": 3, \"CreatedBy\": \"bridge\", \"NoteText\": \"t\", \"CreatedDate\": \"yesterday\"}"
                        .getBytes(StandardCharsets.UTF_8), "CreatedDate is not an ISO 8601 date-time"),
                Arguments.of("empty value", new byte[0], "record value is empty"),
                Arguments.of("null value", null, "record value is empty"),
                Arguments.of("undecodable bytes", new byte[] { '{', '"', 'N', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}' },
                        "record value is not valid UTF-8: byte 0xC3 at offset 6"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badCommands")
    void refusesABadCommandWithAValidationErrorAndADeadLetterThenGoesOn(String name, byte[] value, String message)
            throws Exception {
        String id = "bad-" + UUID.randomUUID();
        RecordHeader idHeader = new RecordHeader("ce_id", id.getBytes(StandardCharsets.UTF_8));
        RecordMetadata sent = topics.send("k-" + id, value, idHeader);
        // The next record on the same key is still processed.
        String nextId = "next-" + UUID.randomUUID();
        topics.send("k-" + id, command(nextId, 5, "after " + name), new RecordHeader("ce_id",
                nextId.getBytes(StandardCharsets.UTF_8)));

        ConsumerRecord<byte[], byte[]> error = topics.await("errors", commandIds(List.of(id)), 1).get(0);
        JsonNode e = json(error.value());
        assertThat(e.get("CommandId").asText()).isEqualTo(id);
        assertThat(e.get("Category").asText()).isEqualTo("VALIDATION");
        assertThat(e.get("Message").asText()).contains(message);
        assertThat(e.get("Retryable").asBoolean()).isFalse();
        assertThat(e.get("Attempts").asInt()).isZero();
        assertThat(e.has("Status")).isFalse();
        assertThat(text(error.key())).isEqualTo("k-" + id);
        assertThat(headers(error)).containsEntry("ce_type", OutcomePublisher.TYPE_FAILED).containsEntry("ce_specversion", "1.0")
                .containsEntry("ce_subject", id).containsEntry("content-type", "application/json");

        ConsumerRecord<byte[], byte[]> dead = topics.await("dead-letters",
                r -> r.headers().lastHeader("ce_id") != null && id.equals(text(r.headers().lastHeader("ce_id").value())),
                1).get(0);
        assertThat(dead.value()).isEqualTo(value == null ? null : value);
        assertThat(text(dead.key())).isEqualTo("k-" + id);
        Map<String, String> h = headers(dead);
        assertThat(h).containsEntry("ce_id", id)
                .containsEntry("dead-letter-topic", sent.topic())
                .containsEntry("dead-letter-partition", Integer.toString(sent.partition()))
                .containsEntry("dead-letter-offset", Long.toString(sent.offset()))
                .containsEntry("dead-letter-category", "VALIDATION")
                .containsEntry("dead-letter-attempts", "0")
                .containsEntry("dead-letter-exception-class-name", InvalidCommandException.class.getName());
        assertThat(h.get("dead-letter-reason")).contains(message);

        assertThat(topics.await("replies", commandIds(List.of(nextId)), 1)).hasSize(1);
    }

    @Test
    void aReplyTopicKafkaWouldRefuseIsAValidationErrorBeforeAnyNoteIsCreated() throws Exception {
        // Found only after the POST, Kafka's refusal would leave the command unacknowledged with its note made.
        String id = "bad-reply-topic-" + UUID.randomUUID();
        topics.send("7", command(id, 7, id), new RecordHeader(KafkaRequestReply.DEFAULT_REPLY_TOPIC_HEADER,
                "no such topic!".getBytes(StandardCharsets.UTF_8)));

        JsonNode e = json(topics.await("errors", commandIds(List.of(id)), 1).get(0).value());
        assertThat(e.get("Category").asText()).isEqualTo("VALIDATION");
        assertThat(e.get("IssueNumber").asLong()).isEqualTo(7);
        assertThat(e.get("Message").asText()).contains(KafkaRequestReply.DEFAULT_REPLY_TOPIC_HEADER)
                .contains("no such topic!");
        assertThat(headers(topics.await("dead-letters", commandIds(List.of(id)), 1).get(0)))
                .containsEntry("dead-letter-category", "VALIDATION");
        assertThat(sandbox.notes().forIssue(7).stream().filter(n -> n.noteText().equals(id))).isEmpty();
    }

    @Test
    void aNoteIssuetrakRefusesIsAnErrorWithItsStatusAndADeadLetter() throws Exception {
        String id = "rej-" + UUID.randomUUID();
        // Issue numbers beyond the sandbox's configured range do not exist: Issuetrak answers 400.
        topics.send("x", command(id, 9_999_999_999L, "no such issue"));
        JsonNode e = json(topics.await("errors", commandIds(List.of(id)), 1).get(0).value());
        assertThat(e.get("Category").asText()).isEqualTo("REJECTED");
        assertThat(e.get("Status").asInt()).isEqualTo(400);
        assertThat(e.get("IssueNumber").asLong()).isEqualTo(9_999_999_999L);
        assertThat(e.get("Retryable").asBoolean()).isFalse();
        assertThat(e.get("Attempts").asInt()).isEqualTo(1);
        ConsumerRecord<byte[], byte[]> dead = topics.await("dead-letters", commandIds(List.of(id)), 1).get(0);
        assertThat(headers(dead)).containsEntry("dead-letter-category", "REJECTED").containsEntry("dead-letter-attempts", "1");
    }

    @Test
    void notesOfOneIssueAreCreatedInCommandOrder() throws Exception {
        long issue = 500 + (long) (Math.random() * 1000);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String id = "ord-" + i + "-" + UUID.randomUUID();
            ids.add(id);
            // Interleave another issue's commands so the ordering is not trivially sequential.
            topics.send(Long.toString(issue), command(id, issue, "step " + i));
            topics.send("other", command("other-" + UUID.randomUUID(), issue + 5000, "noise " + i));
        }
        topics.await("replies", commandIds(ids), ids.size());
        List<String> texts = sandbox.notes().forIssue(issue).stream().map(ReadNote::noteText).toList();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            expected.add("step " + i);
        }
        assertThat(texts).containsExactlyElementsOf(expected);
    }

    @Test
    void aQuarkusUpstreamGetsTheNoteIdThroughKafkaRequestReply() throws Exception {
        String id = "rr-" + UUID.randomUUID();
        String answer = requester.bridge().request(command(id, 77, "asked politely"))
                .await().atMost(Duration.ofSeconds(60));
        JsonNode reply = JSON.readTree(answer);
        assertThat(reply.get("CommandId").asText()).isEqualTo(id);
        long noteId = reply.get("NoteID").asLong();
        assertThat(sandbox.notes().get(noteId).orElseThrow().noteText()).isEqualTo("asked politely");
        // The reply went to the requester's topic, not to the shared replies topic.
        assertThat(topics.readNow("replies", commandIds(List.of(id)))).isEmpty();
    }

    @Test
    void aQuarkusUpstreamGetsTheErrorThroughKafkaRequestReplyWithItsCorrelationId() throws Exception {
        // request() completes only with a record carrying its own correlation ID on its reply topic.
        String id = "rr-bad-" + UUID.randomUUID();
        String answer = requester.bridge().request("{\"CommandId\": \"" + id + "\", \"IssueNumber\": 78}")
                .await().atMost(Duration.ofSeconds(60));
        JsonNode error = JSON.readTree(answer);
        assertThat(error.get("CommandId").asText()).isEqualTo(id);
        assertThat(error.get("Category").asText()).isEqualTo("VALIDATION");
        assertThat(error.get("Message").asText()).isEqualTo("CreatedBy is required");
        // Errors also go to the shared errors topic (README), and the command is dead-lettered.
        assertThat(topics.await("errors", commandIds(List.of(id)), 1)).hasSize(1);
        assertThat(headers(topics.await("dead-letters", commandIds(List.of(id)), 1).get(0)))
                .containsEntry("dead-letter-category", "VALIDATION");
    }
}

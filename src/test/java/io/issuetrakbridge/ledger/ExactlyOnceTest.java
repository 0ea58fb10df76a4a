package io.issuetrakbridge.ledger;

import static io.issuetrakbridge.messaging.NotePipelineTest.command;
import static io.issuetrakbridge.testing.CommandTopics.commandIds;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.issuetrakbridge.issuetrak.dto.ReadNote;
import io.issuetrakbridge.sandbox.SandboxServer;
import io.issuetrakbridge.testing.CommandTopics;
import io.issuetrakbridge.testing.InjectCommandTopics;
import io.issuetrakbridge.testing.InjectSandbox;
import io.quarkus.test.junit.QuarkusTest;

/**
 * One note per command, counted in the sandbox, when Issuetrak creates notes but the answers never
 * arrive (the request timeout is 2s in tests), and when a producer sends the same command twice.
 */
@QuarkusTest
class ExactlyOnceTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    @InjectCommandTopics
    CommandTopics topics;

    @InjectSandbox
    SandboxServer sandbox;

    @AfterEach
    void healthy() {
        sandbox.faults().reset();
    }

    private static long noteId(ConsumerRecord<byte[], byte[]> reply) {
        try {
            return JSON.readTree(reply.value()).get("NoteID").asLong();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void ambiguousOutcomesCreateNoDuplicates() {
        sandbox.stats().reset();
        // Most creates succeed on Issuetrak's side but their answers come late (after our 2s timeout) or never.
        sandbox.faults().createThenDelay(0.4, Duration.ofSeconds(3)).createThenDrop(0.3);
        long base = 600_000 + (long) (Math.random() * 100_000);
        List<String> ids = new ArrayList<>();
        for (int n = 0; n < 3; n++) {
            for (int i = 0; i < 20; i++) {
                String id = "amb-" + n + "-" + UUID.randomUUID();
                ids.add(id);
                topics.send(Long.toString(base + i), command(id, base + i, id));
            }
        }
        List<ConsumerRecord<byte[], byte[]>> replies = topics.await("replies", commandIds(ids), ids.size());
        assertThat(sandbox.stats().delayedCreates()).as("creates answered late").isPositive();
        assertThat(sandbox.stats().droppedConnections()).as("creates never answered").isPositive();

        Map<String, List<ReadNote>> notesByText = sandbox.notes().all().stream()
                .filter(n -> n.issueNumber() >= base && n.issueNumber() < base + 20)
                .collect(Collectors.groupingBy(ReadNote::noteText));
        for (String id : ids) {
            assertThat(notesByText.get(id)).as("notes for %s", id).hasSize(1);
        }
        for (ConsumerRecord<byte[], byte[]> reply : replies) {
            String id = CommandTopics.headers(reply).get("CommandId");
            assertThat(noteId(reply)).isEqualTo(notesByText.get(id).get(0).noteId());
        }
        // Per-issue order survives the retries.
        for (int i = 0; i < 20; i++) {
            List<String> texts = sandbox.notes().forIssue(base + i).stream().map(ReadNote::noteText).toList();
            List<String> expected = List.of(ids.get(i), ids.get(20 + i), ids.get(40 + i));
            assertThat(texts).containsExactlyElementsOf(expected);
        }
        assertThat(topics.readNow("dead-letters", commandIds(ids))).isEmpty();
    }

    @Test
    void theSameCommandTwiceCreatesOneNoteAndBothRepliesCarryItsId() {
        String id = "twice-" + UUID.randomUUID();
        RecordHeader ceId = new RecordHeader("ce_id", id.getBytes(StandardCharsets.UTF_8));
        topics.send("31", command("ignored", 31, id), ceId);
        topics.await("replies", commandIds(List.of(id)), 1);
        topics.send("31", command("ignored", 31, id), ceId);

        List<ConsumerRecord<byte[], byte[]>> replies = topics.await("replies", commandIds(List.of(id)), 2);
        assertThat(replies).hasSize(2);
        assertThat(noteId(replies.get(0))).isEqualTo(noteId(replies.get(1)));
        assertThat(sandbox.notes().forIssue(31).stream().filter(n -> n.noteText().equals(id))).hasSize(1);
    }
}

package io.issuetrakbridge.scheduling;

import static io.issuetrakbridge.messaging.NotePipelineTest.command;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.LongStream;

import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.issuetrakbridge.issuetrak.dto.ReadNote;
import io.issuetrakbridge.sandbox.SandboxServer;
import io.issuetrakbridge.testing.CommandTopics;
import io.issuetrakbridge.testing.InjectCommandTopics;
import io.issuetrakbridge.testing.InjectSandbox;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Fairness and the priority lane end to end: real broker, real sandbox over HTTP, the default window
 * ({@code bridge.max-in-flight=16}, {@code bridge.scheduling.max-per-issue=2}). The sandbox numbers notes in the
 * order it creates them, so every assertion is about creation order, none about time.
 */
@QuarkusTest
class SchedulingTest {

    @InjectCommandTopics
    CommandTopics topics;

    @InjectSandbox
    SandboxServer sandbox;

    @AfterEach
    void healthy() {
        sandbox.faults().reset();
    }

    @Test
    void otherIssuesAreNotHeldBackByAHotIssuesBacklog() {
        sandbox.faults().latency(Duration.ofMillis(20), Duration.ZERO);
        long hot = 200_000 + (long) (Math.random() * 500) * 1_000; // the sandbox's issues end at 1,000,000
        List<CommandTopics.Keyed> batch = new ArrayList<>();
        for (int n = 0; n < 300; n++) {
            batch.add(keyed(hot, "hot-" + n + "-" + UUID.randomUUID(), "hot " + n));
        }
        List<Long> others = LongStream.rangeClosed(1, 100).map(i -> hot + i).boxed().toList();
        for (long issue : others) {
            batch.add(keyed(issue, "other-" + issue + "-" + UUID.randomUUID(), "other"));
        }
        // The hot issue's 300 commands are produced first, each on its issue's home partition.
        topics.sendAll(batch);

        await().atMost(Duration.ofSeconds(60)).until(() -> sandbox.notes().forIssue(hot).size() == 300);
        List<ReadNote> hotNotes = sandbox.notes().forIssue(hot);
        assertThat(hotNotes.stream().map(ReadNote::noteText))
                .containsExactlyElementsOf(LongStream.range(0, 300).mapToObj(n -> "hot " + n).toList());
        long halfDone = hotNotes.get(149).noteId();
        List<Long> otherNoteIds = others.stream()
                .map(issue -> sandbox.notes().forIssue(issue))
                .peek(notes -> assertThat(notes).hasSize(1))
                .map(notes -> notes.get(0).noteId())
                .toList();
        // Every other issue's note was created before the hot issue's 150th.
        assertThat(otherNoteIds).allSatisfy(id -> assertThat(id).isLessThan(halfDone));
    }

    @Test
    void aHighPriorityCommandOvertakesTheBacklogOfOtherIssues() {
        // Slow enough that a backlog of 400 issues takes seconds to work through 16 at a time, and that the urgent
        // record's trip from the producer to the bridge costs few windows of notes.
        sandbox.faults().latency(Duration.ofMillis(200), Duration.ZERO);
        long base = 100_000 + (long) (Math.random() * 100) * 1_000;
        List<CommandTopics.Keyed> backlog = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            backlog.add(keyed(base + i, "backlog-" + i + "-" + UUID.randomUUID(), "backlog"));
        }
        topics.sendAll(backlog);
        long urgentIssue = base + 999;
        // Produced once the backlog is on the broker, behind it.
        topics.send(Long.toString(urgentIssue), command("urgent-" + UUID.randomUUID(), urgentIssue, "urgent"),
                new RecordHeader(CommandScheduler.PRIORITY_HEADER, "high".getBytes(StandardCharsets.UTF_8)));
        long lastBeforeUrgentWasSent = sandbox.notes().all().stream().mapToLong(ReadNote::noteId).max().orElse(0);

        await().atMost(Duration.ofSeconds(60)).until(() -> LongStream.range(0, 400)
                .allMatch(i -> sandbox.notes().forIssue(base + i).size() == 1)
                && sandbox.notes().forIssue(urgentIssue).size() == 1);
        long urgent = sandbox.notes().forIssue(urgentIssue).get(0).noteId();
        long backlogAfterUrgent = LongStream.range(0, 400)
                .filter(i -> sandbox.notes().forIssue(base + i).get(0).noteId() > urgent).count();
        // The backlog was still there (first come, first served, the urgent note would have been the last) ...
        assertThat(backlogAfterUrgent).isGreaterThan(200);
        // ... and the urgent note was among the first created after it was produced: before it, the window of 16
        // in flight when it was produced, and at most two more windows while its record travelled to the bridge.
        assertThat(urgent - lastBeforeUrgentWasSent).isLessThanOrEqualTo(48);
    }

    private static CommandTopics.Keyed keyed(long issue, String id, String text) {
        return new CommandTopics.Keyed(Long.toString(issue), command(id, issue, text));
    }
}

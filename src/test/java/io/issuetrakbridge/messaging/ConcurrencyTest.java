package io.issuetrakbridge.messaging;

import static io.issuetrakbridge.messaging.NotePipelineTest.command;
import static io.issuetrakbridge.testing.CommandTopics.commandIds;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.issuetrakbridge.issuetrak.dto.ReadNote;
import io.issuetrakbridge.sandbox.SandboxServer;
import io.issuetrakbridge.testing.CommandTopics;
import io.issuetrakbridge.testing.InjectCommandTopics;
import io.issuetrakbridge.testing.InjectSandbox;
import io.quarkus.test.junit.QuarkusTest;

/** Many issues at once from a single partition, and a slow issue that holds back only itself. */
@QuarkusTest
class ConcurrencyTest {

    @InjectCommandTopics
    CommandTopics topics;

    @InjectSandbox
    SandboxServer sandbox;

    @AfterEach
    void healthy() {
        sandbox.faults().reset();
    }

    @Test
    void aSlowIssueDelaysOnlyItsOwnCommandsEvenOnOnePartition() {
        // Slow, but within the 2s request timeout of the test profile.
        Duration slowness = Duration.ofMillis(1500);
        // Every issue here is on its home partition, 0 (of the test's 3): none is forwarded, none waits for order, so
        // the timing below is the scheduler's alone.
        long slow = CommandTopics.issueHomedOn(0, 3, 700_000 + (long) (Math.random() * 90_000));
        // Every call takes 200 ms, so the bridge's own per-command CPU cannot make the calls sequential.
        sandbox.faults().latency(Duration.ofMillis(200), Duration.ZERO).slowIssue(slow, slowness);
        sandbox.stats().reset();

        // One batch on one partition: the slow issue's two commands first, then forty other issues.
        List<CommandTopics.Keyed> batch = new ArrayList<>();
        List<String> slowIds = new ArrayList<>();
        for (int n = 0; n < 2; n++) {
            String id = "slow-" + n + "-" + UUID.randomUUID();
            slowIds.add(id);
            batch.add(new CommandTopics.Keyed(Long.toString(slow), command(id, slow, "slow " + n)));
        }
        List<String> fastIds = new ArrayList<>();
        long fastIssue = slow;
        for (int i = 1; i <= 40; i++) {
            String id = "fast-" + i + "-" + UUID.randomUUID();
            fastIds.add(id);
            fastIssue = CommandTopics.issueHomedOn(0, 3, fastIssue + 1);
            batch.add(new CommandTopics.Keyed(Long.toString(fastIssue), command(id, fastIssue, "fast")));
        }
        topics.sendAll(0, batch);

        List<ConsumerRecord<byte[], byte[]>> fast = topics.await("replies", commandIds(fastIds), fastIds.size());
        List<ConsumerRecord<byte[], byte[]>> slowReplies = topics.await("replies", commandIds(slowIds), 2);
        long lastFast = fast.stream().mapToLong(ConsumerRecord::timestamp).max().orElseThrow();
        long firstSlow = slowReplies.stream().mapToLong(ConsumerRecord::timestamp).min().orElseThrow();
        // Every fast issue (200 ms each) finished before the slow issue's first note (1.7 s) was answered,
        // although all of them sat behind it in the same partition.
        assertThat(lastFast).isLessThan(firstSlow);
        // And the slow issue's two notes are still in command order.
        assertThat(sandbox.notes().forIssue(slow).stream().map(ReadNote::noteText)).containsExactly("slow 0", "slow 1");
        // One partition, yet many requests to Issuetrak at once.
        assertThat(sandbox.stats().peakInFlight()).isGreaterThan(10);
    }
}

package io.issuetrakbridge.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import io.issuetrakbridge.testing.BridgeProcess;
import io.issuetrakbridge.testing.CommandTopics;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;

/**
 * Issue 13: partitions added to the commands topic (and the ledger, as the README asks). The bridge logs a WARN
 * with the old and new counts, and from then on routes commands by the new count.
 */
class PartitionChangeIT extends ProcessTestSupport {

    @Test
    void addedPartitionsAreLoggedAndCommandsAreRoutedByTheNewCount() throws Exception {
        newTopics("grow", 2);
        ConsumerTask<byte[], byte[]> replies = follow("replies");
        // The consumer notices new partitions on its next metadata refresh: 5 minutes by default, 1 s here.
        BridgeProcess bridge = startBridge("first", Map.of("kafka.metadata.max.age.ms", "1000"));
        bridge.awaitReady(Duration.ofSeconds(90));

        // Issue 31: murmur2("31") = 1765490875, home partition 1 of 2 and 3 of 4.
        String before = "before-" + System.nanoTime();
        kafka.send(1, "31", command(before));
        awaitReply(replies, before);
        assertThat(bridge.logLines("partitions (it had")).isEmpty();

        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createPartitions(Map.of(topics.commands(), NewPartitions.increaseTo(4),
                    topics.ledger(), NewPartitions.increaseTo(4))).all().get(30, TimeUnit.SECONDS);
        }
        bridge.awaitLog("now has 4 partitions (it had 2)", Duration.ofSeconds(60));
        assertThat(bridge.logLines("now has 4 partitions (it had 2)")).singleElement().asString().contains("WARN");

        // Partition 1, issue 31's home before the change, is not its home any more: forwarded to partition 3.
        String after = "after-" + System.nanoTime();
        kafka.send(1, "31", command(after));
        ConsumerRecord<byte[], byte[]> reply = awaitReply(replies, after);
        assertThat(noteIdOf(reply)).isPositive();
        List<ConsumerRecord<byte[], byte[]>> copies = kafka.readNow("commands", CommandTopics.commandIds(List.of(after)));
        assertThat(copies).singleElement().satisfies(copy -> {
            assertThat(copy.partition()).isEqualTo(3);
            assertThat(new String(copy.headers().lastHeader("bridge-forwarded-from").value(), StandardCharsets.UTF_8))
                    .startsWith("1-");
        });
    }

    private static String command(String id) {
        return """
                {"CommandId": "%s", "IssueNumber": 31, "CreatedBy": "bridge", "NoteText": "command %s #0 of issue 31"}"""
                .formatted(id, id);
    }

    private static ConsumerRecord<byte[], byte[]> awaitReply(ConsumerTask<byte[], byte[]> replies, String id) {
        org.awaitility.Awaitility.await("a reply to " + id).atMost(Duration.ofSeconds(60))
                .until(() -> replies.getRecords().stream().anyMatch(r -> id.equals(commandIdOf(r))));
        return replies.getRecords().stream().filter(r -> id.equals(commandIdOf(r))).findFirst().orElseThrow();
    }
}

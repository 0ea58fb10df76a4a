package io.issuetrakbridge.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.Test;

import io.issuetrakbridge.config.TestConfigs;
import io.issuetrakbridge.issuetrak.dto.CreateNote;
import io.issuetrakbridge.messaging.CommandRecord;
import io.issuetrakbridge.messaging.NoteCommand;
import io.opentelemetry.context.Context;

/** Where a command is processed, what a forwarded copy carries, and how it is placed in its issue's order. */
class CommandRouterTest {

    private static final byte[] VALUE = "{\"IssueNumber\":42}".getBytes(StandardCharsets.UTF_8);

    private static CommandRecord record(String key, long timestamp, Header... headers) {
        return new CommandRecord(Message.of(VALUE), "commands", 2, 17,
                key == null ? null : key.getBytes(StandardCharsets.UTF_8), new RecordHeaders(headers),
                Instant.ofEpochMilli(timestamp), Context.root());
    }

    private static NoteCommand command(String id) {
        return new NoteCommand(id, new CreateNote(42, null, "ci", false, "text", false, false));
    }

    private static String text(ProducerRecord<byte[], byte[]> copy, String header) {
        Header h = copy.headers().lastHeader(header);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Test
    void aCopyKeepsKeyValueHeadersAndTimestampAndAddsTheIdAndWhereItCameFrom() {
        CommandRecord original = record("tenant-7", 1_764_000_000_123L,
                new RecordHeader("ce_id", "demo-1".getBytes(StandardCharsets.UTF_8)),
                new RecordHeader("traceparent", "00-abc-def-01".getBytes(StandardCharsets.UTF_8)));
        ProducerRecord<byte[], byte[]> copy = CommandRouter.copy(original, command("demo-1"), 1);

        assertThat(copy.topic()).isEqualTo("commands");
        assertThat(copy.partition()).isEqualTo(1);
        assertThat(copy.timestamp()).isEqualTo(1_764_000_000_123L);
        assertThat(new String(copy.key(), StandardCharsets.UTF_8)).isEqualTo("tenant-7");
        assertThat(copy.value()).isEqualTo(VALUE);
        assertThat(Arrays.stream(copy.headers().toArray()).map(Header::key).toList())
                .containsExactly("ce_id", "traceparent", "CommandId", "bridge-forwarded-from");
        assertThat(text(copy, "ce_id")).isEqualTo("demo-1");
        assertThat(text(copy, "CommandId")).isEqualTo("demo-1");
        assertThat(text(copy, "bridge-forwarded-from")).isEqualTo("2-17");
    }

    @Test
    void aCommandWithoutAnIdKeepsItsOriginalPositionAsItsId() {
        ProducerRecord<byte[], byte[]> copy = CommandRouter.copy(record(null, 5_000), command("commands-2-17"), 0);
        assertThat(copy.key()).isNull();
        assertThat(text(copy, "CommandId")).isEqualTo("commands-2-17");
    }

    @Test
    void aCommandIdHeaderIsNotAddedTwice() {
        CommandRecord original = record("42", 5_000,
                new RecordHeader("CommandId", "replayed-9".getBytes(StandardCharsets.UTF_8)));
        ProducerRecord<byte[], byte[]> copy = CommandRouter.copy(original, command("replayed-9"), 1);
        assertThat(copy.headers().headers("CommandId")).hasSize(1);
    }

    @Test
    void aCopyIsPlacedWhereItsOriginalWas() {
        CommandRecord copy = new CommandRecord(Message.of(VALUE), "commands", 1, 900, null,
                new RecordHeaders(List.of(new RecordHeader("bridge-forwarded-from",
                        "2-17".getBytes(StandardCharsets.UTF_8)))), Instant.ofEpochMilli(5_000), Context.root());
        assertThat(CommandRouter.place(copy)).isEqualTo(new TimestampOrder.Place(5_000, 2, 17));
        assertThat(CommandRouter.place(record("x", 5_000))).isEqualTo(new TimestampOrder.Place(5_000, 2, 17));
    }

    private static CommandRecord on(int partition, String key, Header... headers) {
        return new CommandRecord(Message.of(VALUE), "commands", partition, 17,
                key == null ? null : key.getBytes(StandardCharsets.UTF_8), new RecordHeaders(headers),
                Instant.ofEpochMilli(5_000), Context.root());
    }

    @Test
    void onlyTheIssueKeyOnTheHomePartitionIsProcessedAtOnce() {
        CommandRouter router = new CommandRouter(null, null, null, null, TestConfigs.bridge(Map.of()), null, null);
        router.partitionCount(3);
        NoteCommand issue42 = command("c-1");
        // murmur2("42") = 417700972, 417700972 % 3 = 1: issue 42's home among 3 partitions is 1.
        assertThat(router.route(on(1, "42"), issue42)).isEqualTo(CommandRouter.Route.HERE);
        assertThat(router.route(on(1, "tenant-7"), issue42)).isEqualTo(CommandRouter.Route.IN_TIMESTAMP_ORDER);
        assertThat(router.route(on(1, null), issue42)).isEqualTo(CommandRouter.Route.IN_TIMESTAMP_ORDER);
        assertThat(router.route(on(0, "42"), issue42)).isEqualTo(CommandRouter.Route.FORWARD);
        assertThat(router.route(on(2, null), issue42)).isEqualTo(CommandRouter.Route.FORWARD);
        // A forwarded copy is never forwarded again, even where the count says it is not home.
        Header mark = new RecordHeader("bridge-forwarded-from", "0-3".getBytes(StandardCharsets.UTF_8));
        assertThat(router.route(on(1, "42", mark), issue42)).isEqualTo(CommandRouter.Route.IN_TIMESTAMP_ORDER);
        assertThat(router.route(on(2, "42", mark), issue42)).isEqualTo(CommandRouter.Route.IN_TIMESTAMP_ORDER);
        // With 6 partitions (417700972 % 6 = 4) the same record is routed by the new count.
        router.partitionCount(6);
        assertThat(router.route(on(1, "42"), issue42)).isEqualTo(CommandRouter.Route.FORWARD);
        assertThat(router.route(on(4, "42"), issue42)).isEqualTo(CommandRouter.Route.HERE);
    }

    @Test
    void theReasonSaysWhyARecordIsNotOnItsHomePartition() {
        Map<String, String> reasons = Map.of(
                "no-key", CommandRouter.reason(null, 42),
                "other-key", CommandRouter.reason("tenant-7".getBytes(StandardCharsets.UTF_8), 42),
                "other-partitioner", CommandRouter.reason("42".getBytes(StandardCharsets.UTF_8), 42));
        reasons.forEach((expected, actual) -> assertThat(actual).isEqualTo(expected));
    }
}

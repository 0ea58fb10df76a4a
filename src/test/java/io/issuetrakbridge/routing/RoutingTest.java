package io.issuetrakbridge.routing;

import static io.issuetrakbridge.messaging.NotePipelineTest.command;
import static io.issuetrakbridge.testing.CommandTopics.commandIds;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.issuetrakbridge.issuetrak.dto.ReadNote;
import io.issuetrakbridge.sandbox.SandboxServer;
import io.issuetrakbridge.testing.CommandTopics;
import io.issuetrakbridge.testing.InjectCommandTopics;
import io.issuetrakbridge.testing.InjectSandbox;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;

/**
 * One note per command ID whatever partition each copy arrives on and whatever key its producer chose, and one
 * issue's notes in its producer's order when that producer spreads the issue over every partition. The test
 * topics have 3 partitions. With routing marks, on by default ({@link RoutingWithoutMarksTest}: without).
 */
@QuarkusTest
class RoutingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PARTITIONS = 3;

    @InjectCommandTopics
    CommandTopics topics;

    @InjectSandbox
    SandboxServer sandbox;

    @Inject
    MeterRegistry registry;

    private static long noteId(ConsumerRecord<byte[], byte[]> reply) {
        try {
            return JSON.readTree(reply.value()).get("NoteID").asLong();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private KafkaProducer<byte[], byte[]> producer() {
        return producer(topics.bootstrap());
    }

    /** A producer that picks partitions and keys as told. */
    static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        return new KafkaProducer<>(java.util.Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()));
    }

    static byte[] bytes(String text) {
        return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
    }

    private double forwarded() {
        return registry.find("issuetrak.bridge.commands.forwarded").counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }

    @Test
    void theSameCommandIdOnEveryPartitionUnderAnyKeyCreatesOneNote() throws Exception {
        long issue = 810_000 + (long) (Math.random() * 100_000);
        String id = "everywhere-" + UUID.randomUUID();
        String value = command(id, issue, id);
        double forwardedBefore = forwarded();
        // Every partition, each with the issue number as key, another key and no key: nine copies at once.
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (int partition = 0; partition < PARTITIONS; partition++) {
                for (String key : Arrays.asList(Long.toString(issue), "tenant-7", null)) {
                    sent.add(producer.send(new ProducerRecord<>(CommandTopics.topic("commands"), partition, bytes(key),
                            bytes(value), List.<Header>of(new RecordHeader("ce_id", bytes(id))))));
                }
            }
            producer.flush();
            for (Future<RecordMetadata> f : sent) {
                f.get(30, TimeUnit.SECONDS);
            }
        }

        List<ConsumerRecord<byte[], byte[]>> replies = topics.await("replies", commandIds(List.of(id)), 9);
        assertThat(replies).hasSize(9);
        List<ReadNote> notes = sandbox.notes().forIssue(issue);
        assertThat(notes).as("notes of issue %d", issue).hasSize(1);
        assertThat(replies).allSatisfy(reply -> assertThat(noteId(reply)).isEqualTo(notes.get(0).noteId()));
        // The six copies that were not on the issue's home partition were forwarded there.
        assertThat(forwarded() - forwardedBefore).isGreaterThanOrEqualTo(6);
        assertThat(topics.readNow("errors", commandIds(List.of(id)))).isEmpty();
    }

    @Test
    void aForwardedCommandWithoutAnIdKeepsTheIdOfWhereItWasProduced() throws Exception {
        long issue = 910_000 + (long) (Math.random() * 50_000);
        int away = (HomePartitionOf.issue(issue) + 1) % PARTITIONS;
        String text = "no id " + UUID.randomUUID();
        String value = """
                {"IssueNumber": %d, "CreatedBy": "bridge", "NoteText": "%s"}""".formatted(issue, text);
        RecordMetadata original;
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            original = producer.send(new ProducerRecord<>(CommandTopics.topic("commands"), away, null,
                    bytes(value))).get(30, TimeUnit.SECONDS);
        }
        String expectedId = CommandTopics.topic("commands") + "-" + away + "-" + original.offset();
        List<ConsumerRecord<byte[], byte[]>> replies = topics.await("replies", commandIds(List.of(expectedId)), 1);
        assertThat(noteId(replies.get(0))).isEqualTo(sandbox.notes().forIssue(issue).get(0).noteId());
    }

    @Test
    void oneIssueSentRoundRobinOverEveryPartitionIsCreatedInOrder() throws Exception {
        for (String key : Arrays.asList(null, "tenant-7")) {
            long issue = 960_000 + (long) (Math.random() * 30_000);
            List<String> ids = new ArrayList<>();
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            // One producer, partitions 0, 1, 2, 0, 1, 2, ...: all sent before the bridge reads any, so it reads
            // them in whatever order its fetches return. Timestamps a millisecond apart, as a producer sending one
            // command after another gets from its clock (equal ones could not be told apart across partitions).
            long start = System.currentTimeMillis();
            try (KafkaProducer<byte[], byte[]> producer = producer()) {
                for (int i = 0; i < 12; i++) {
                    String id = "round-robin-" + i + "-" + UUID.randomUUID();
                    ids.add(id);
                    sent.add(producer.send(new ProducerRecord<>(CommandTopics.topic("commands"), i % PARTITIONS,
                            start + i, bytes(key), bytes(command(id, issue, "note " + i)))));
                }
                producer.flush();
                for (Future<RecordMetadata> f : sent) {
                    f.get(30, TimeUnit.SECONDS);
                }
            }
            topics.await("replies", commandIds(ids), ids.size());
            assertThat(sandbox.notes().forIssue(issue).stream().map(ReadNote::noteText)).as("key %s", key)
                    .containsExactly("note 0", "note 1", "note 2", "note 3", "note 4", "note 5", "note 6", "note 7",
                            "note 8", "note 9", "note 10", "note 11");
        }
    }

    /** Test data only: picks a partition that is not an issue's home, with Kafka's own partitioning. */
    private static final class HomePartitionOf {
        static int issue(long issue) {
            byte[] key = Long.toString(issue).getBytes(StandardCharsets.UTF_8);
            return org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2(key))
                    % PARTITIONS;
        }
    }
}

package io.issuetrakbridge.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.issuetrakbridge.health.KafkaProducerReadinessCheck;
import io.issuetrakbridge.issuetrak.CallContext;
import io.issuetrakbridge.testing.EmbeddedKafka;
import io.issuetrakbridge.testing.KafkaTopics;

/** The bridge's producer against a real broker: what it writes, when it fails, what readiness says. */
class RecordSenderTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final AtomicInteger resends = new AtomicInteger();
    private String topic;
    private RecordSender sender;

    @BeforeEach
    void start() {
        topic = "sender-" + UUID.randomUUID();
        KafkaTopics.create(EmbeddedKafka.bootstrapServers(), Map.of(topic, 2));
        sender = sender(Map.of("bootstrap.servers", EmbeddedKafka.bootstrapServers(),
                // Consumer settings of the shared kafka.* namespace must not reach the producer.
                "group.id", "ignored", "auto.offset.reset", "earliest"));
    }

    private RecordSender sender(Map<String, Object> kafka) {
        if (sender != null) {
            sender.close();
        }
        sender = new RecordSender(RecordSender.config(kafka, Duration.ofMillis(1)), Duration.ofMillis(50),
                Duration.ofMillis(200), resends::incrementAndGet);
        return sender;
    }

    @Test
    void aTopicWhoseMetadataNeverArrivesIsNotWaitedForAgain() {
        // Kafka waits max.block.ms for a topic's metadata (a requester's reply topic that does not exist
        // where auto-creation is off; here, no broker answers at all) while holding the sending thread:
        // sending again would hold every other command's writes each time.
        RecordSender unreachable = sender(Map.of("bootstrap.servers", "127.0.0.1:" + closedPort(),
                "max.block.ms", "300"));

        assertThatThrownBy(() -> unreachable.send(new ProducerRecord<>(topic, bytes("k"), bytes("v")),
                CallContext.of("c-missing", 1L), () -> true).await().atMost(WAIT))
                .isInstanceOf(org.apache.kafka.common.errors.TimeoutException.class)
                .hasMessageContaining("not present in metadata");
        assertThat(resends).hasValue(0);
    }

    private static int closedPort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterEach
    void stop() {
        sender.close();
    }

    @Test
    void aSendCompletesOnceTheRecordIsOnTheBrokerWithItsPartitionKeyAndHeaders() {
        RecordHeaders headers = new RecordHeaders();
        headers.add("CommandId", bytes("c-1"));
        RecordMetadata sent = sender.send(new ProducerRecord<>(topic, 1, bytes("42"), bytes("{\"NoteID\":7}"), headers))
                .await().atMost(WAIT);

        assertThat(sent.partition()).isEqualTo(1);
        ConsumerRecord<byte[], byte[]> read = readOne(new TopicPartition(topic, 1), sent.offset());
        assertThat(new String(read.key(), StandardCharsets.UTF_8)).isEqualTo("42");
        assertThat(new String(read.value(), StandardCharsets.UTF_8)).isEqualTo("{\"NoteID\":7}");
        assertThat(new String(read.headers().lastHeader("CommandId").value(), StandardCharsets.UTF_8))
                .isEqualTo("c-1");
    }

    @Test
    void aFailedSendFailsItsUniAndMakesReadinessDownUntilASendSucceeds() {
        KafkaProducerReadinessCheck readiness = new KafkaProducerReadinessCheck(sender);
        sender.send(new ProducerRecord<>(topic, bytes("k"), bytes("v"))).await().atMost(WAIT);
        assertThat(readiness.call().getStatus()).isEqualTo(HealthCheckResponse.Status.UP);

        assertThatThrownBy(() -> sender.send(new ProducerRecord<>("not a valid topic!", bytes("k"), bytes("v")))
                .await().atMost(WAIT)).isInstanceOf(InvalidTopicException.class);
        HealthCheckResponse down = readiness.call();
        assertThat(down.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(down.getData()).hasValueSatisfying(data -> assertThat(data.get("error").toString())
                .contains("InvalidTopicException"));

        sender.send(new ProducerRecord<>(topic, bytes("k"), bytes("v"))).await().atMost(WAIT);
        assertThat(readiness.call().getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
    }

    @Test
    void afterCloseASendFailsInsteadOfHanging() {
        sender.close();
        assertThatThrownBy(() -> sender.send(new ProducerRecord<>(topic, bytes("k"), bytes("v"))).await().atMost(WAIT))
                .isInstanceOf(java.util.concurrent.RejectedExecutionException.class);
    }

    @Test
    void theGuaranteesAreFixedWhateverTheKafkaSettingsSay() {
        Map<String, Object> config = RecordSender.config(Map.of("bootstrap.servers", "b:9092", "acks", "1",
                "enable.idempotence", "false", "security.protocol", "SASL_SSL", "group.id", "g"), Duration.ofMillis(3));
        assertThat(config).containsEntry("acks", "all").containsEntry("enable.idempotence", "true")
                .containsEntry("linger.ms", "3").containsEntry("security.protocol", "SASL_SSL")
                .doesNotContainKey("group.id");
    }

    private static ConsumerRecord<byte[], byte[]> readOne(TopicPartition partition, long offset) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, EmbeddedKafka.bootstrapServers(),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()))) {
            consumer.assign(List.of(partition));
            consumer.seek(partition, offset);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    return record;
                }
            }
            throw new AssertionError("nothing at " + partition + "@" + offset);
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}

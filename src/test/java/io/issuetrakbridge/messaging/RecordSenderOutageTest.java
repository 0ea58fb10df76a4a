package io.issuetrakbridge.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.issuetrakbridge.issuetrak.CallContext;
import io.issuetrakbridge.testing.EmbeddedKafka;

/**
 * The bridge's producer when a broker is lost and the cluster refuses acks=all writes for longer than
 * the producer's own retries last: it sends them again by itself, and stops once they are no longer
 * wanted. A real two-broker cluster of its own; one broker is shut down, and the partitions' replicas on
 * both brokers with {@code min.insync.replicas=2} make the survivor refuse writes with
 * NOT_ENOUGH_REPLICAS (retriable) until the topic accepts one in-sync replica.
 */
class RecordSenderOutageTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String RECOVERING = "recovering-" + UUID.randomUUID();
    private static final String ABANDONED = "abandoned-" + UUID.randomUUID();

    private static KafkaClusterTestKit cluster;

    private final AtomicInteger resends = new AtomicInteger();
    private RecordSender sender;

    @BeforeAll
    static void loseABroker() throws Exception {
        cluster = EmbeddedKafka.startCluster(2);
        try (Admin admin = admin()) {
            admin.createTopics(List.of(RECOVERING, ABANDONED).stream()
                    .map(name -> new NewTopic(name, Map.of(0, List.of(0, 1))).configs(Map.of("min.insync.replicas", "2")))
                    .toList()).all().get(30, TimeUnit.SECONDS);
        }
        // Both take writes while both brokers run: what follows is the lost broker's doing.
        RecordSender healthy = sender(new AtomicInteger());
        try {
            healthy.send(new ProducerRecord<>(RECOVERING, bytes("k"), bytes("before"))).await().atMost(WAIT);
            healthy.send(new ProducerRecord<>(ABANDONED, bytes("k"), bytes("before"))).await().atMost(WAIT);
        } finally {
            healthy.close();
        }
        cluster.brokers().get(1).shutdown();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        cluster.close();
    }

    @AfterEach
    void closeSender() {
        if (sender != null) {
            sender.close();
        }
    }

    @Test
    void aRecordTheClusterRefusesForAWhileIsSentAgainUntilTheBrokerTakesIt() throws Exception {
        sender = sender(resends);

        CompletableFuture<RecordMetadata> sent = sender.send(new ProducerRecord<>(RECOVERING, bytes("k"),
                bytes("kept")), CallContext.of("c-resent", 1L), () -> true).subscribeAsCompletionStage();
        // Two failed deliveries: the producer's own retries ran out twice, and the bridge's went on.
        Awaitility.await().atMost(WAIT).until(() -> resends.get() >= 2);
        assertThat(sent).isNotDone();
        acceptOneInSyncReplica(RECOVERING);

        RecordMetadata metadata = sent.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(metadata.offset()).as("refused writes are not appended: one copy, after 'before'").isEqualTo(1);
        assertThat(read(new TopicPartition(RECOVERING, 0), 2)).extracting(r -> text(r.value()))
                .containsExactly("before", "kept");
    }

    @Test
    void aRecordNoLongerWantedIsNotSentAgainAndItsFailureSurfaces() {
        sender = sender(resends);
        AtomicBoolean owned = new AtomicBoolean(true);

        CompletableFuture<RecordMetadata> sent = sender.send(new ProducerRecord<>(ABANDONED, bytes("k"), bytes("v")),
                CallContext.of("c-revoked", 1L), owned::get).subscribeAsCompletionStage();
        Awaitility.await().atMost(WAIT).until(() -> resends.get() >= 1);
        owned.set(false);

        assertThatThrownBy(() -> sent.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .hasCauseInstanceOf(RetriableException.class);
    }

    /** The producer gives up on a write after 1.5 s instead of 2 minutes; the bridge sends again after 50-200 ms. */
    private static RecordSender sender(AtomicInteger resends) {
        return new RecordSender(RecordSender.config(Map.of("bootstrap.servers", cluster.bootstrapServers(),
                "delivery.timeout.ms", "1500", "request.timeout.ms", "1000", "retry.backoff.ms", "50"),
                Duration.ofMillis(1)), Duration.ofMillis(50), Duration.ofMillis(200), resends::incrementAndGet);
    }

    private static void acceptOneInSyncReplica(String topic) throws Exception {
        try (Admin admin = admin()) {
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, topic), List.of(
                    new AlterConfigOp(new ConfigEntry("min.insync.replicas", "1"), AlterConfigOp.OpType.SET))))
                    .all().get(30, TimeUnit.SECONDS);
        }
    }

    private static Admin admin() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        return Admin.create(props);
    }

    private static List<ConsumerRecord<byte[], byte[]>> read(TopicPartition partition, int count) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()))) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            List<ConsumerRecord<byte[], byte[]>> records = new java.util.ArrayList<>();
            Awaitility.await().atMost(WAIT).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return records.size() >= count;
            });
            return records;
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}

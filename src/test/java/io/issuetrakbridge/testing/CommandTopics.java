package io.issuetrakbridge.testing;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.eclipse.microprofile.config.ConfigProvider;

import java.util.UUID;
import java.util.function.Function;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;

import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;

/**
 * The application's topics as a test sees them: a plain Kafka producer for commands (as an upstream
 * system would write them) and the companion to read replies, errors and dead letters.
 * <p>
 * In a {@code @QuarkusTest} the broker and topic names come from the application's config; tests
 * that run the packaged service as a process pass them explicitly ({@link #CommandTopics(String, Function)}).
 */
public final class CommandTopics implements AutoCloseable {

    private final String bootstrap;
    private final Function<String, String> topicNames;
    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaCompanion companion;

    /** Broker and topics of the Quarkus application under test. */
    public CommandTopics() {
        this(ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class), CommandTopics::topic);
    }

    /**
     * @param topicNames from a short name ({@code commands}, {@code replies}, {@code errors},
     *        {@code dead-letters}, {@code ledger}) to the topic's real name
     */
    public CommandTopics(String bootstrap, Function<String, String> topicNames) {
        this.bootstrap = bootstrap;
        this.topicNames = topicNames;
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        this.producer = new KafkaProducer<>(props);
        this.companion = new KafkaCompanion(bootstrap);
    }

    /** A topic's name in the Quarkus application's config ({@code bridge.topics.<name>}). */
    public static String topic(String name) {
        return ConfigProvider.getConfig().getValue("bridge.topics." + name, String.class);
    }

    public String bootstrap() {
        return bootstrap;
    }

    /** Sends one command record and waits for the broker's ack. */
    public RecordMetadata send(String key, byte[] value, Header... headers) {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topicNames.apply("commands"), null,
                key == null ? null : key.getBytes(StandardCharsets.UTF_8), value, List.of(headers));
        try {
            return producer.send(record).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not send a command", e);
        }
    }

    /** Sends one command record with the given record timestamp (CreateTime). */
    public RecordMetadata sendAt(java.time.Instant timestamp, String key, String json) {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topicNames.apply("commands"), null,
                timestamp.toEpochMilli(), key.getBytes(StandardCharsets.UTF_8), json.getBytes(StandardCharsets.UTF_8));
        try {
            return producer.send(record).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not send a command", e);
        }
    }

    public RecordMetadata send(String key, String json, Header... headers) {
        return send(key, json == null ? null : json.getBytes(StandardCharsets.UTF_8), headers);
    }

    /** Sends to an explicit partition, for tests about ordering and partitions. */
    public RecordMetadata send(int partition, String key, String json) {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topicNames.apply("commands"), partition,
                key.getBytes(StandardCharsets.UTF_8), json.getBytes(StandardCharsets.UTF_8));
        try {
            return producer.send(record).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not send a command", e);
        }
    }

    /** A command to send: the record key (null for none) and the JSON value. */
    public record Keyed(String key, String json) {
    }

    /** Sends many commands in order, pipelined, and waits until the broker has acknowledged them all. */
    public void sendAll(List<Keyed> commands) {
        sendAll(null, commands);
    }

    /** Sends commands in one batch to one partition (null: by key), waiting for the broker's acks at the end. */
    public void sendAll(Integer partition, List<Keyed> commands) {
        sendPlaced(commands.stream().map(c -> new Placed(partition, null, c.key(), c.json())).toList());
    }

    /**
     * A command to send as a producer that picks partitions and timestamps itself would: the partition (null: by
     * key), the record timestamp in epoch milliseconds (null: the producer's clock), the key (null for none).
     */
    public record Placed(Integer partition, Long timestamp, String key, String json) {
    }

    /** Sends many commands in order, pipelined, each where it says, and waits until the broker has acknowledged them all. */
    public void sendPlaced(List<Placed> commands) {
        List<java.util.concurrent.Future<RecordMetadata>> sent = new java.util.ArrayList<>(commands.size());
        for (Placed command : commands) {
            sent.add(producer.send(new ProducerRecord<>(topicNames.apply("commands"), command.partition(),
                    command.timestamp(), command.key() == null ? null : command.key().getBytes(StandardCharsets.UTF_8),
                    command.json().getBytes(StandardCharsets.UTF_8))));
        }
        producer.flush();
        try {
            for (java.util.concurrent.Future<RecordMetadata> f : sent) {
                f.get(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new IllegalStateException("could not send the commands", e);
        }
    }

    /**
     * Starts reading a topic from its beginning in the background; the task's records grow as the
     * topic does. Stop it when done.
     */
    public ConsumerTask<byte[], byte[]> follow(String name) {
        return companion.consume(byte[].class, byte[].class)
                .withProp("auto.offset.reset", "earliest")
                .withGroupId("test-" + UUID.randomUUID())
                .fromTopics(topicNames.apply(name));
    }

    /**
     * Waits until {@code count} records of a topic match {@code filter} and returns them in topic
     * order. Tests of one application share its topics, so every test filters on its own commands.
     */
    public List<ConsumerRecord<byte[], byte[]>> await(String name, Predicate<ConsumerRecord<byte[], byte[]>> filter,
            int count) {
        ConsumerTask<byte[], byte[]> task = companion.consume(byte[].class, byte[].class)
                .withProp("auto.offset.reset", "earliest")
                .withGroupId("test-" + UUID.randomUUID())
                .fromTopics(topicNames.apply(name));
        try {
            Awaitility.await().atMost(Duration.ofSeconds(60))
                    .until(() -> matching(task, filter).size() >= count);
            return matching(task, filter);
        } finally {
            task.stop();
        }
    }

    /** Every record of a topic matching {@code filter}, read up to the topic's current end. */
    public List<ConsumerRecord<byte[], byte[]>> readNow(String name, Predicate<ConsumerRecord<byte[], byte[]>> filter) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topicNames.apply(name)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<byte[], byte[]>> records = new java.util.ArrayList<>();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (filter.test(r)) {
                        records.add(r);
                    }
                });
            }
            return records;
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> matching(ConsumerTask<byte[], byte[]> task,
            Predicate<ConsumerRecord<byte[], byte[]>> filter) {
        return task.getRecords().stream().filter(filter).toList();
    }

    /** Filter: records whose CommandId header is one of {@code ids}. */
    public static Predicate<ConsumerRecord<byte[], byte[]>> commandIds(java.util.Collection<String> ids) {
        return record -> {
            Header h = record.headers().lastHeader("CommandId");
            return h != null && ids.contains(new String(h.value(), StandardCharsets.UTF_8));
        };
    }

    public KafkaCompanion companion() {
        return companion;
    }

    /**
     * The first issue number from {@code from} on whose key a Java producer's default partitioner (murmur2 of the
     * decimal number) puts on {@code partition} of {@code partitions}: its commands sent there explicitly are on their
     * home partition, processed there and never forwarded (README, Routing).
     */
    public static long issueHomedOn(int partition, int partitions, long from) {
        long issue = from;
        while (org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2(
                Long.toString(issue).getBytes(StandardCharsets.UTF_8))) % partitions != partition) {
            issue++;
        }
        return issue;
    }

    public static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    public static Map<String, String> headers(ConsumerRecord<?, ?> record) {
        java.util.LinkedHashMap<String, String> map = new java.util.LinkedHashMap<>();
        for (Header h : record.headers()) {
            map.put(h.key(), h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8));
        }
        return map;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
        companion.close();
    }
}

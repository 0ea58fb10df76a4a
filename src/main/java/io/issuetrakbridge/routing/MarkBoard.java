package io.issuetrakbridge.routing;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.issuetrakbridge.config.BridgeConfig;
import io.issuetrakbridge.config.KafkaClientSettings;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;

/**
 * The latest routing mark of every partition of this bridge's commands topic, read from the marks topic by every instance (assigned, not
 * subscribed: each instance reads all of it). Starts a little before the topic's end, where the latest mark of every
 * owned partition is, and follows it on a thread of its own. Off unless {@code bridge.routing.marks.enabled}.
 */
@ApplicationScoped
public class MarkBoard {

    /** How far before the end a start-up reads: owners publish several marks a second each, so this covers seconds. */
    private static final long START_BEFORE_END = 2000;

    private final boolean enabled;
    private final String topic;
    private final String commandsTopic;
    private final Map<String, Object> kafka;
    private final ObjectMapper json;
    private final Map<Integer, Mark> latest = new ConcurrentHashMap<>();
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private volatile Thread reader;
    private volatile boolean stopping;

    public MarkBoard(BridgeConfig config, @Identifier("default-kafka-broker") Map<String, Object> kafka,
            ObjectMapper json) {
        this.enabled = config.routing().marks().enabled();
        this.topic = config.topics().routingMarks();
        this.commandsTopic = config.topics().commands();
        this.kafka = kafka;
        this.json = json;
    }

    void start(@Observes StartupEvent event) {
        if (!enabled) {
            return;
        }
        reader = new Thread(this::follow, "issuetrak-bridge-routing-marks");
        reader.setDaemon(true);
        reader.start();
    }

    /** The latest mark of {@code partition}, null when none has been read. */
    public Mark latest(int partition) {
        return latest.get(partition);
    }

    private void follow() {
        Map<String, Object> props = KafkaClientSettings.consumer(kafka);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "issuetrak-bridge-routing-marks");
        // Marks are wanted as soon as they are written: do not let the broker wait to fill a fetch.
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "50");
        // The topic check creates the topic with its shape (one partition, compacted); a broker's defaults must not.
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        while (!stopping) {
            try (KafkaConsumer<byte[], byte[]> marks = new KafkaConsumer<>(props)) {
                consumer = marks;
                if (marks.partitionsFor(topic, Duration.ofSeconds(5)).isEmpty()) {
                    // Not created yet (the topic check does it at start): look again shortly.
                    pause(Duration.ofMillis(200));
                    continue;
                }
                TopicPartition tp = new TopicPartition(topic, 0);
                List<TopicPartition> tps = List.of(tp);
                marks.assign(tps);
                long end = marks.endOffsets(tps).get(tp);
                long begin = marks.beginningOffsets(tps).get(tp);
                marks.seek(tp, Math.max(begin, end - START_BEFORE_END));
                while (!stopping) {
                    for (ConsumerRecord<byte[], byte[]> record : marks.poll(Duration.ofMillis(200))) {
                        take(record);
                    }
                }
            } catch (WakeupException stopped) {
                return;
            } catch (RuntimeException e) {
                if (stopping) {
                    return;
                }
                // Waiting commands wait meanwhile (at most bridge.routing.max-order-wait): not fatal.
                Log.warnf("Routing marks: reading %s failed (%s); reading it again", topic, e.toString());
                pause(Duration.ofSeconds(1));
            }
        }
    }

    private void take(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null) {
            return;
        }
        try {
            Mark mark = json.readValue(record.value(), Mark.class);
            if (commandsTopic.equals(mark.topic())) {
                latest.put(mark.partition(), mark);
            }
        } catch (java.io.IOException | RuntimeException e) {
            Log.warnf("Routing marks: the record at offset %d of %s is not a mark (%s); skipped", record.offset(),
                    topic, e.getMessage());
        }
    }

    private static void pause(Duration pause) {
        try {
            // Waiting for the broker or the topic, which notify no one: do not spin on them.
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @PreDestroy
    void stop() {
        stopping = true;
        KafkaConsumer<byte[], byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
    }
}

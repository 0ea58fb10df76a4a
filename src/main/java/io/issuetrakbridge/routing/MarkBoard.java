package io.issuetrakbridge.routing;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

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
 * The recent routing marks of every partition of this bridge's commands topic, read from the marks topic by every
 * instance (assigned, not subscribed: each instance reads all of it). Starts a little before the topic's end, where
 * the latest mark of every owned partition is, and follows it on a thread of its own. Off unless
 * {@code bridge.routing.marks.enabled}.
 * <p>
 * Not only the latest mark: every mark stays true once written, and an older one names fewer copies. A waiting command
 * needs a mark whose horizon covers its timestamp, and its home must have read the copies that mark names; the latest
 * mark names copies forwarded since, which the home has to read too, behind the records produced meanwhile, so while
 * commands keep coming the home chases a moving end and the command waits for the max wait (README, Routing). So the
 * marks of the last {@code bridge.routing.max-order-wait} are kept, less those another mark makes useless (a horizon
 * as late and no more copies named).
 */
@ApplicationScoped
public class MarkBoard {

    /**
     * How far before the end a start-up reads: every owner publishes one mark per partition every interval (about 40 a
     * second for 6 partitions at 150 ms), so this reaches back minutes, past the last marks of an owner that died
     * while others went on (a hand-over waits a session timeout, 45 s by default), at a few MB read once.
     */
    private static final long START_BEFORE_END = 20_000;

    private final boolean enabled;
    private final String topic;
    private final String commandsTopic;
    private final Map<String, Object> kafka;
    private final ObjectMapper json;
    /** Bounds a partition's history whatever the clocks do: one owner publishes a few marks a second. */
    private static final int MAX_KEPT = 1024;

    private final long keepMillis;
    private final Map<Integer, Deque<Received>> history = new ConcurrentHashMap<>();
    private final AtomicLong version = new AtomicLong();
    /** The marks topic has been read below this offset; -1 before the first read. */
    private volatile long position = -1;
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
        this.keepMillis = config.routing().maxOrderWait().toMillis();
    }

    void start(@Observes StartupEvent event) {
        if (!enabled) {
            return;
        }
        reader = new Thread(this::follow, "issuetrak-bridge-routing-marks");
        reader.setDaemon(true);
        reader.start();
    }

    /** The marks of {@code partition} kept, oldest first; empty when none has been read. */
    public List<Mark> marks(int partition) {
        Deque<Received> kept = history.get(partition);
        if (kept == null) {
            return List.of();
        }
        synchronized (kept) {
            List<Mark> marks = new ArrayList<>(kept.size());
            kept.forEach(received -> marks.add(received.mark()));
            return marks;
        }
    }

    /**
     * The offset of the marks topic's one partition below which every mark has been read (and {@link #add added});
     * -1 before the reader has started.
     */
    public long position() {
        return position;
    }

    /** Changes whenever a mark is read: what was computed from the marks before may be stale. */
    public long version() {
        return version.get();
    }

    /**
     * Adds {@code mark}, read at {@code now}: drops the marks it makes useless and those read more than the max order
     * wait ago (no command waiting now arrived before that), keeping at least the new one.
     */
    void add(Mark mark, long now) {
        Deque<Received> kept = history.computeIfAbsent(mark.partition(), p -> new ArrayDeque<>());
        synchronized (kept) {
            kept.removeIf(old -> old.at() < now - keepMillis || covers(mark, old.mark()));
            kept.addLast(new Received(mark, now));
            while (kept.size() > MAX_KEPT) {
                kept.removeFirst();
            }
        }
        version.incrementAndGet();
    }

    /** Whether {@code mark} lets go whatever {@code old} lets go: a horizon as late, no more copies named. */
    static boolean covers(Mark mark, Mark old) {
        if (mark.horizon() < old.horizon()) {
            return false;
        }
        Set<Integer> homes = new HashSet<>(mark.needs().keySet());
        homes.addAll(old.needs().keySet());
        return homes.stream().allMatch(home -> mark.needs(home) <= old.needs(home));
    }

    private record Received(Mark mark, long at) {
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
                    position = marks.position(tp);
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
                add(mark, System.currentTimeMillis());
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

package io.issuetrakbridge.ledger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.issuetrakbridge.config.BridgeConfig;
import io.issuetrakbridge.config.KafkaClientSettings;
import io.issuetrakbridge.issuetrak.CallContext;
import io.issuetrakbridge.messaging.RecordSender;
import io.quarkus.logging.Log;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;

/**
 * The bridge's memory of command outcomes, kept in a compacted Kafka topic so that instances stay
 * stateless and any instance can take over any partition.
 * <p>
 * The ledger is co-partitioned with the commands topic: a command read from commands partition p is
 * recorded in ledger partition p. When this instance is assigned p, it reads ledger partition p to
 * its end before processing any record of p (see {@link LedgerRebalanceListener}), so it knows every
 * command of p that was ever started or finished, whichever instance did it.
 * <p>
 * Protocol per command: PENDING is durable (acks=all) before the POST; CREATED(NoteID) is durable
 * before the offset is committed. So a redelivered command finds CREATED (reply again with the same
 * NoteID, send nothing), PENDING (a POST may have happened: reconcile first), or nothing (never sent).
 * <p>
 * In memory an entry is kept for {@code bridge.ledger.retention} after it was written
 * ({@link LedgerWindow}), the topic's own retention, so memory follows what the topic holds.
 */
@ApplicationScoped
public class CommandLedger {

    private final RecordSender out;
    private final PartitionOwnership ownership;
    private final ObjectMapper mapper;
    private final Map<String, Object> kafkaConfig;
    private final String topic;
    private final Duration retention;
    private final Map<Integer, LedgerWindow> partitions = new ConcurrentHashMap<>();

    public CommandLedger(RecordSender out, PartitionOwnership ownership, ObjectMapper mapper,
            @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig, BridgeConfig config) {
        this.out = out;
        this.ownership = ownership;
        this.mapper = mapper;
        this.kafkaConfig = kafkaConfig;
        this.topic = config.topics().ledger();
        this.retention = config.ledger().retention();
    }

    /** What the ledger knows of a command read from commands partition {@code partition}. */
    public Optional<LedgerEntry> lookup(int partition, String commandId) {
        LedgerWindow window = partitions.get(partition);
        if (window == null) {
            return Optional.empty();
        }
        synchronized (window) {
            return window.get(commandId);
        }
    }

    /** NoteIDs other commands of this partition own on an issue: never adopted by reconciliation. */
    public Set<Long> claimedNotes(int partition, long issueNumber) {
        LedgerWindow window = partitions.get(partition);
        if (window == null) {
            return Set.of();
        }
        synchronized (window) {
            return window.notesOf(issueNumber);
        }
    }

    /** Records that a POST may be sent. Completes once durable. */
    public Uni<Void> pending(int partition, CallContext command) {
        return write(partition, command, LedgerEntry.pending(command.issueNumber()));
    }

    /** Records the note a command created. Completes once durable. */
    public Uni<Void> created(int partition, CallContext command, long noteId) {
        return write(partition, command, LedgerEntry.created(command.issueNumber(), noteId));
    }

    /**
     * Written until the broker has it, while the partition is ours: once it is revoked, its next owner
     * restores the ledger and decides, and the entry is not ours to write any more.
     */
    private Uni<Void> write(int partition, CallContext command, LedgerEntry entry) {
        String commandId = command.commandId();
        byte[] value;
        try {
            value = mapper.writeValueAsBytes(entry);
        } catch (Exception e) {
            return Uni.createFrom().failure(e);
        }
        byte[] key = commandId.getBytes(StandardCharsets.UTF_8);
        return out.send(new ProducerRecord<>(topic, partition, key, value), command, () -> ownership.owns(partition))
                .invoke(() -> {
                    LedgerWindow window = partitions.computeIfAbsent(partition, p -> new LedgerWindow(retention));
                    long now = System.currentTimeMillis();
                    synchronized (window) {
                        window.put(key, entry, now, now);
                    }
                })
                .replaceWithVoid();
    }

    /**
     * Reads ledger partitions to their end. Blocking by design: called from the consumer's rebalance
     * callback, so no record of these partitions is handed out before their history is known.
     */
    void restore(Collection<Integer> assigned) {
        if (assigned.isEmpty()) {
            return;
        }
        long started = System.nanoTime();
        Map<String, Object> props = KafkaClientSettings.consumer(kafkaConfig);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        int records = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> tps = assigned.stream().map(p -> new TopicPartition(topic, p)).toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> end = consumer.endOffsets(tps);
            Map<Integer, LedgerWindow> restored = new java.util.HashMap<>();
            tps.forEach(tp -> restored.put(tp.partition(), new LedgerWindow(retention)));
            long now = System.currentTimeMillis();
            while (tps.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    records++;
                    LedgerWindow window = restored.get(record.partition());
                    if (record.key() == null || record.key().length > LedgerIndex.MAX_ID_BYTES) {
                        // Not written by a bridge (every entry is keyed by its command ID): nothing to learn.
                        Log.warnf("Ledger: skipping a record without a command ID as its key at %s-%d@%d", topic,
                                record.partition(), record.offset());
                    } else if (record.value() == null) {
                        window.remove(record.key());
                    } else {
                        // Skipped when older than the retention: the topic drops it too, a segment at a time.
                        window.put(record.key(), mapper.readValue(record.value(), LedgerEntry.class), record.timestamp(),
                                now);
                    }
                }
            }
            // Tombstones (written by hand: a bridge never forgets) leave their records' bytes behind.
            restored.replaceAll((p, window) -> window.hasGarbage() ? window.compacted() : window);
            // Published through the concurrent map: the indexes are complete before any thread sees them.
            partitions.putAll(restored);
        } catch (Exception e) {
            // Without its history a partition cannot be processed safely: fail the rebalance, the
            // consumer retries the assignment rather than risk a duplicate note.
            throw new IllegalStateException("could not restore ledger partitions " + assigned + " of " + topic, e);
        }
        Log.infof("Ledger: restored partitions %s (%d records) in %d ms", assigned, records,
                Duration.ofNanos(System.nanoTime() - started).toMillis());
    }

    /** Forgets partitions this instance no longer owns: their next owner restores them. */
    void forget(Collection<Integer> revoked) {
        revoked.forEach(partitions::remove);
    }
}

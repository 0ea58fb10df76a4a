package io.issuetrakbridge.replay;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.issuetrakbridge.config.BridgeConfig;
import io.issuetrakbridge.config.KafkaClientSettings;
import io.issuetrakbridge.config.ReplayConfig;
import io.issuetrakbridge.messaging.CommandProcessor;
import io.issuetrakbridge.metrics.BridgeMetrics;
import io.quarkus.logging.Log;
import io.smallrye.common.annotation.Identifier;

/**
 * Copies selected dead letters back into the commands topic, one run at a time, on a thread of its
 * own (plain Kafka clients block, and a run may last hours at a low rate).
 * <p>
 * A replayed record keeps the dead letter's key, value and headers, minus the dead-letter-* headers,
 * plus {@code replay-count} raised by one. It goes to the commands partition it was first read from,
 * because the bridge's ledger is per partition: that is where it finds an already-created note and
 * answers with the original NoteID instead of creating another. The command's original timestamp goes
 * back on the record too, since a command without CreatedDate takes its CreatedDate from it.
 * <p>
 * Progress is the replay group's committed offset on the dead-letter topic, committed after each
 * produced record is acknowledged (acks=all): a run interrupted at any point and resumed replays
 * nothing twice. The window left: a crash after the ack and before the commit replays that one record
 * again, and the ledger then answers it with its original NoteID (or it fails again, as it did before).
 */
@ApplicationScoped
public class DeadLetterReplayer {

    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration ACK_TIMEOUT = Duration.ofSeconds(60);
    /** Longest uninterrupted wait while pacing, so a cancel is seen promptly at low rates. */
    private static final long MAX_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private final Map<String, Object> kafkaConfig;
    private final ReplayConfig config;
    private final String deadLetterTopic;
    private final String commandsTopic;
    private final ObjectMapper mapper;
    private final BridgeMetrics metrics;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "dlq-replay");
        t.setDaemon(true);
        return t;
    });
    private final AtomicReference<ReplayRun> running = new AtomicReference<>();
    private volatile ReplayRun last;

    public DeadLetterReplayer(@Identifier("default-kafka-broker") Map<String, Object> kafkaConfig, ReplayConfig config,
            BridgeConfig bridge, ObjectMapper mapper, BridgeMetrics metrics) {
        this.kafkaConfig = kafkaConfig;
        this.config = config;
        this.deadLetterTopic = bridge.topics().deadLetters();
        this.commandsTopic = bridge.topics().commands();
        this.mapper = mapper;
        this.metrics = metrics;
    }

    /** Starts a run of a valid request, or returns empty when one is running already. */
    Optional<ReplayRun> start(ReplayRequest request) {
        double rate = request.ratePerSecond() != null ? request.ratePerSecond() : config.defaultRate();
        ReplayRun run = new ReplayRun(request, rate, config.maxListed());
        if (!running.compareAndSet(null, run)) {
            return Optional.empty();
        }
        last = run;
        executor.execute(() -> execute(run));
        return Optional.of(run);
    }

    /** The running run, else the last one since start-up. */
    Optional<ReplayRun> last() {
        return Optional.ofNullable(last);
    }

    /** Asks the running run to stop after the record in hand; false when none runs. */
    Optional<ReplayRun> cancel() {
        ReplayRun run = running.get();
        if (run != null) {
            run.cancel();
        }
        return Optional.ofNullable(run);
    }

    @PreDestroy
    void stop() {
        cancel();
        executor.shutdown();
        try {
            // The run commits after every record, so stopping mid-way loses nothing.
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void execute(ReplayRun run) {
        ReplayRequest request = run.request();
        Log.infof("Replay %s: %s from %s to %s (%s, rate %.1f/s%s%s)", run.id(), request.dryRun() ? "dry run" : "starting",
                deadLetterTopic, commandsTopic, run.filter().describe(), run.rate(),
                request.limit() == null ? "" : ", limit " + request.limit(), request.resume() ? ", resumed" : "");
        ReplayStatus.State end = ReplayStatus.State.COMPLETED;
        String failure = null;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig());
                KafkaProducer<byte[], byte[]> producer = request.dryRun() ? null
                        : new KafkaProducer<>(producerConfig())) {
            if (!replay(run, consumer, producer)) {
                end = run.cancelRequested() ? ReplayStatus.State.CANCELLED : ReplayStatus.State.COMPLETED;
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            end = ReplayStatus.State.FAILED;
            failure = e.getClass().getSimpleName() + ": " + e.getMessage();
            Log.errorf(e, "Replay %s failed; its progress up to the failure is committed", run.id());
        } finally {
            running.set(null);
            run.finish(end, failure);
        }
        ReplayStatus s = run.snapshot();
        Log.infof("Replay %s %s: scanned %d, selected %d, %s %d, skipped %d (max replays) in %d ms", run.id(), s.state(),
                s.scanned(), s.selected(), request.dryRun() ? "would replay" : "replayed", s.replayed(), s.skipped(),
                s.durationMs());
    }

    /** @return true when every selected partition was scanned to its end; false when stopped by limit or cancel */
    private boolean replay(ReplayRun run, KafkaConsumer<byte[], byte[]> consumer,
            KafkaProducer<byte[], byte[]> producer) throws Exception {
        ReplayRequest request = run.request();
        List<TopicPartition> partitions = consumer.partitionsFor(deadLetterTopic).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition()))
                .filter(tp -> request.partition() == null || tp.partition() == request.partition())
                .sorted(java.util.Comparator.comparingInt(TopicPartition::partition))
                .toList();
        if (partitions.isEmpty()) {
            throw new IllegalArgumentException("the dead-letter topic " + deadLetterTopic + " has no partition "
                    + request.partition());
        }
        int commandPartitions = consumer.partitionsFor(commandsTopic).size();
        // Records dead-lettered during the run (a replayed command failing again) wait for the next run.
        Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        Map<TopicPartition, OffsetAndMetadata> committed = request.resume() ? consumer.committed(Set.copyOf(partitions))
                : Map.of();
        RatePacer pacer = new RatePacer(run.rate(), System::nanoTime);
        for (TopicPartition tp : partitions) {
            long start = begin.get(tp);
            OffsetAndMetadata resumeAt = committed.get(tp);
            if (resumeAt != null) {
                start = Math.max(start, resumeAt.offset());
            }
            if (request.fromOffset() != null) {
                start = Math.max(start, request.fromOffset());
            }
            long stop = end.get(tp);
            if (request.toOffset() != null) {
                stop = Math.min(stop, request.toOffset() + 1);
            }
            run.position(tp.partition(), start);
            if (start < stop && !scan(run, consumer, producer, pacer, tp, start, stop, commandPartitions)) {
                return false;
            }
        }
        return true;
    }

    private boolean scan(ReplayRun run, KafkaConsumer<byte[], byte[]> consumer, KafkaProducer<byte[], byte[]> producer,
            RatePacer pacer, TopicPartition tp, long start, long stop, int commandPartitions) throws Exception {
        boolean dryRun = producer == null;
        consumer.assign(List.of(tp));
        consumer.seek(tp, start);
        while (consumer.position(tp) < stop) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL).records(tp)) {
                if (record.offset() >= stop) {
                    break;
                }
                if (run.cancelRequested()) {
                    return false;
                }
                run.scanned();
                DeadLetter deadLetter = DeadLetter.of(record, mapper);
                if (!run.filter().matches(deadLetter)) {
                    count(dryRun, "filtered");
                } else if (deadLetter.replayCount() >= config.maxReplays()) {
                    run.selected();
                    run.skipped(deadLetter);
                    count(dryRun, "skipped-loop-guard");
                    Log.infof("Replay %s: command %s at %s-%d not replayed: replayed %d times already "
                            + "(bridge.replay.max-replays)", run.id(), deadLetter.commandId(), tp.topic(),
                            record.offset(), deadLetter.replayCount());
                } else {
                    run.selected();
                    if (!dryRun) {
                        if (!pace(run, pacer)) {
                            return false;
                        }
                        produce(producer, deadLetter, commandPartitions);
                        consumer.commitSync(Map.of(tp, new OffsetAndMetadata(record.offset() + 1)));
                        count(false, "replayed");
                        Log.debugf("Replay %s: command %s at %s-%d replayed (replay-count %d)", run.id(),
                                deadLetter.commandId(), tp.topic(), record.offset(), deadLetter.replayCount() + 1);
                    }
                    run.replayed(deadLetter);
                }
                run.position(tp.partition(), record.offset() + 1);
                if (run.limitReached()) {
                    return false;
                }
            }
        }
        run.position(tp.partition(), stop);
        if (!dryRun) {
            // Scanned to the end: what was left behind was filtered or skipped, a resume need not read it again.
            consumer.commitSync(Map.of(tp, new OffsetAndMetadata(stop)));
        }
        return true;
    }

    private static boolean pace(ReplayRun run, RatePacer pacer) throws InterruptedException {
        long wait = pacer.next();
        long until = System.nanoTime() + wait;
        while (wait > 0) {
            if (run.cancelRequested()) {
                return false;
            }
            TimeUnit.NANOSECONDS.sleep(Math.min(wait, MAX_PAUSE_NANOS));
            wait = until - System.nanoTime();
        }
        return !run.cancelRequested();
    }

    private void produce(KafkaProducer<byte[], byte[]> producer, DeadLetter deadLetter, int commandPartitions)
            throws Exception {
        ConsumerRecord<byte[], byte[]> record = deadLetter.record();
        ProducerRecord<byte[], byte[]> command = new ProducerRecord<>(commandsTopic,
                originalPartition(record, commandPartitions), originalTimestamp(record), record.key(), record.value(),
                ReplayHeaders.forReplay(record.headers(), deadLetter.replayCount() + 1));
        producer.send(command).get(ACK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The commands partition the command was read from, when it still exists; else the key decides. */
    private Integer originalPartition(ConsumerRecord<byte[], byte[]> record, int commandPartitions) {
        String topic = DeadLetter.text(record.headers(), DeadLetter.TOPIC_HEADER);
        String partition = DeadLetter.text(record.headers(), DeadLetter.PARTITION_HEADER);
        if (!commandsTopic.equals(topic) || partition == null) {
            return null;
        }
        try {
            int p = Integer.parseInt(partition.trim());
            return p >= 0 && p < commandPartitions ? p : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Long originalTimestamp(ConsumerRecord<byte[], byte[]> record) {
        String millis = DeadLetter.text(record.headers(), CommandProcessor.DLQ_TIMESTAMP_HEADER);
        if (millis == null) {
            return null;
        }
        try {
            long t = Long.parseLong(millis.trim());
            return t >= 0 ? t : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private void count(boolean dryRun, String outcome) {
        if (!dryRun) {
            metrics.replay(outcome);
        }
    }

    private Map<String, Object> consumerConfig() {
        Map<String, Object> props = KafkaClientSettings.consumer(kafkaConfig);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.consumerGroup());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "issuetrak-bridge-replay-consumer");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // A committed position below the log start (retention deleted it) means: from the oldest kept.
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "500");
        return props;
    }

    private Map<String, Object> producerConfig() {
        Map<String, Object> props = KafkaClientSettings.producer(kafkaConfig);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "issuetrak-bridge-replay-producer");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        return props;
    }
}

package io.issuetrakbridge.messaging;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.issuetrakbridge.config.BridgeConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * The bridge's one Kafka producer: ledger entries, replies and errors all leave through it.
 * <p>
 * A plain producer rather than SmallRye emitters: with three records per command, the emitters'
 * per-message machinery (message wrapping, context propagation, the tracing instrumenter) was the
 * largest part of the bridge's CPU (docs/BENCHMARKS.md), and three producers meant three streams of
 * small requests where one carries them together. The guarantees are the same: acks=all,
 * idempotent, and a send completes only once the broker has the record.
 * <p>
 * {@code send()} runs on a thread of its own, as SmallRye's sink does, because Kafka's send blocks
 * while it fetches a topic's metadata (a requester's new reply topic, or any topic after an idle
 * spell) and must never block an event loop. Completion comes back on the caller's Vert.x context.
 */
@ApplicationScoped
public class RecordSender {

    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private final KafkaProducer<byte[], byte[]> producer;
    private final ExecutorService sendingThread;
    private final KafkaClientMetrics meters;
    private volatile Exception lastFailure;

    @Inject
    public RecordSender(@Identifier("default-kafka-broker") Map<String, Object> kafka, BridgeConfig config,
            MeterRegistry registry) {
        this(config(kafka, config.producer().linger()));
        meters.bindTo(registry);
    }

    /** Outside CDI (tests): a producer over {@code kafka} settings, no meters registered. */
    public RecordSender(Map<String, Object> settings) {
        this.producer = new KafkaProducer<>(settings);
        this.meters = new KafkaClientMetrics(producer);
        this.sendingThread = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "issuetrak-bridge-kafka-sender");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** The producer settings: the global {@code kafka.*} ones (security included) plus what the guarantees need. */
    static Map<String, Object> config(Map<String, Object> kafka, Duration linger) {
        Map<String, Object> props = new HashMap<>(kafka);
        // Consumer-only settings of the shared kafka.* namespace would only draw "unknown config" warnings.
        props.keySet().removeIf(k -> k.startsWith("group.") || k.startsWith("auto.") || k.startsWith("enable.auto")
                || k.endsWith(".deserializer") || k.equals("client.id"));
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "issuetrak-bridge");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, Long.toString(linger.toMillis()));
        return props;
    }

    /**
     * Sends one record; the Uni completes once the broker has it (acks=all), on the caller's Vert.x
     * context when there is one.
     */
    public Uni<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
        return Uni.createFrom().emitter(done -> {
            Context caller = Vertx.currentContext();
            try {
                sendingThread.execute(() -> {
                    try {
                        producer.send(record, (metadata, failure) -> complete(done, caller, metadata, failure));
                    } catch (RuntimeException e) {
                        complete(done, caller, null, e);
                    }
                });
            } catch (RuntimeException rejected) {
                // Closed: the bridge is stopping.
                done.fail(rejected);
            }
        });
    }

    /** The failure of the latest send, if it failed: readiness reports it until a send succeeds. */
    public Optional<Exception> lastFailure() {
        return Optional.ofNullable(lastFailure);
    }

    private void complete(UniEmitter<? super RecordMetadata> done, Context caller, RecordMetadata metadata,
            Exception failure) {
        lastFailure = failure;
        if (caller == null) {
            finish(done, metadata, failure);
        } else {
            // The callback runs on the producer's I/O thread, which must not run our next steps.
            caller.runOnContext(ignored -> finish(done, metadata, failure));
        }
    }

    private static void finish(UniEmitter<? super RecordMetadata> done, RecordMetadata metadata, Exception failure) {
        if (failure != null) {
            done.fail(failure);
        } else {
            done.complete(metadata);
        }
    }

    @PreDestroy
    void close() {
        sendingThread.shutdown();
        try {
            sendingThread.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // Flushes what is still buffered: outcomes of commands that finished during the drain.
        producer.close(CLOSE_TIMEOUT);
        meters.close();
    }
}

package io.issuetrakbridge.messaging;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.issuetrakbridge.config.BridgeConfig;
import io.issuetrakbridge.config.KafkaClientSettings;
import io.issuetrakbridge.issuetrak.CallContext;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import org.jboss.logging.Logger;

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

    private static final Logger LOG = Logger.getLogger(RecordSender.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
    /** Metric: records sent again after Kafka refused them with a retriable error. */
    public static final String RESENDS_METRIC = "issuetrak.bridge.kafka.resends";

    private final KafkaProducer<byte[], byte[]> producer;
    private final ExecutorService sendingThread;
    private final KafkaClientMetrics meters;
    private final Duration backoff;
    private final Duration maxBackoff;
    private final Runnable resent;
    private volatile Exception lastFailure;

    @Inject
    public RecordSender(@Identifier("default-kafka-broker") Map<String, Object> kafka, BridgeConfig config,
            MeterRegistry registry) {
        this(config(kafka, config.producer().linger()), config.producer().retryBackoff(),
                config.producer().retryMaxBackoff(), registry.counter(RESENDS_METRIC)::increment);
        meters.bindTo(registry);
    }

    /**
     * Outside CDI (tests): a producer over {@code kafka} settings, no meters registered.
     *
     * @param resent called each time a record is sent again
     */
    public RecordSender(Map<String, Object> settings, Duration backoff, Duration maxBackoff, Runnable resent) {
        this.backoff = backoff;
        this.maxBackoff = maxBackoff;
        this.resent = resent;
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
        Map<String, Object> props = KafkaClientSettings.producer(kafka);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "issuetrak-bridge");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, Long.toString(linger.toMillis()));
        return props;
    }

    /**
     * Sends one record once; the Uni completes once the broker has it (acks=all), on the caller's
     * Vert.x context when there is one.
     */
    public Uni<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
        return Uni.createFrom().deferred(() -> once(record, Vertx.currentContext()));
    }

    /**
     * Sends one record about a command until the broker has it: a failure Kafka calls retriable, left
     * after the producer's own retries, is sent again after a back-off (doubling up to the maximum) for
     * as long as {@code wanted} holds, e.g. while this instance owns the command's partition. Without
     * this, a Kafka outage longer than {@code delivery.timeout.ms} left the command unacknowledged until
     * a restart. Sending again may put a second copy of the record on the topic when the first one's
     * fate was unknown: ledger entries overwrite each other, and replies are at-least-once anyway.
     */
    public Uni<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, CallContext about, BooleanSupplier wanted) {
        return Uni.createFrom().deferred(() -> {
            // Captured once: the back-off resubscribes from a timer thread, which has no Vert.x context.
            Context caller = Vertx.currentContext();
            return once(record, caller)
                    .onFailure(failure -> sendAgain(failure, record, about, wanted))
                    .retry().withBackOff(backoff, maxBackoff).indefinitely();
        });
    }

    /**
     * Whether a failed send is worth repeating: when Kafka calls it retriable, and when an ACL is missing. A
     * metadata time-out (the topic does not exist and is not
     * created for us) is retriable to Kafka but not here: it holds the sending thread, and with it every
     * other command's writes, for {@code max.block.ms} each time.
     */
    private boolean sendAgain(Throwable failure, ProducerRecord<byte[], byte[]> record, CallContext about,
            BooleanSupplier wanted) {
        if (failure instanceof TopicAuthorizationException && wanted.getAsBoolean()) {
            // An ACL an operator has yet to grant: named, and tried again, so the command is answered once
            // it is granted, with no restart. Each try is refused at once: it holds no other command's writes.
            about.error(LOG, null, "Kafka denies this bridge WRITE on topic %s (%s): grant it (README, Kafka ACLs); "
                    + "sending again after a back-off (%s, doubling up to %s)", record.topic(), failure.getMessage(),
                    backoff, maxBackoff);
            return true;
        }
        boolean missingTopic = failure instanceof TimeoutException && failure.getMessage() != null
                && failure.getMessage().contains("not present in metadata");
        if (!(failure instanceof RetriableException) || missingTopic || !wanted.getAsBoolean()) {
            return false;
        }
        about.warn(LOG, "Kafka has not taken a record for %s after the producer's own retries (%s); sending it "
                + "again after a back-off (%s, doubling up to %s)", record.topic(), failure, backoff, maxBackoff);
        resent.run();
        return true;
    }

    private Uni<RecordMetadata> once(ProducerRecord<byte[], byte[]> record, Context caller) {
        return Uni.createFrom().emitter(done -> {
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

package io.issuetrakbridge.messaging;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.issuetrakbridge.config.BridgeConfig;
import io.issuetrakbridge.issuetrak.CallContext;
import io.issuetrakbridge.ledger.PartitionOwnership;
import io.issuetrakbridge.tracing.CommandTracing;
import io.opentelemetry.api.trace.Span;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.reply.KafkaRequestReply;

/**
 * Publishes a command's outcome: a reply with the NoteID or an error, keyed like the command, as a
 * binary-mode CloudEvent, with the command ID as a header. The returned Uni completes when the
 * broker has acknowledged the record (acks=all), and only then is the command's offset released.
 * <p>
 * A command sent through SmallRye's {@code KafkaRequestReply} carries the requester's reply topic,
 * partition and correlation ID as headers: its outcome goes there, with that correlation ID, so
 * the requester's {@code request(...)} completes. Errors also go to the errors topic, where
 * operators watch.
 */
@ApplicationScoped
public class OutcomePublisher {

    /** Header carrying the command ID on every outcome, for correlation without parsing values. */
    public static final String COMMAND_ID_HEADER = "CommandId";
    public static final String TYPE_CREATED = "issuetrak.note.created";
    public static final String TYPE_FAILED = "issuetrak.note.failed";

    private static final byte[] SPEC_VERSION = bytes("1.0");
    private static final byte[] CONTENT_TYPE = bytes("application/json");

    private final RecordSender sender;
    private final PartitionOwnership ownership;
    private final CommandTracing tracing;
    private final ObjectMapper mapper;
    private final String repliesTopic;
    private final String errorsTopic;
    private final byte[] source;

    public OutcomePublisher(RecordSender sender, PartitionOwnership ownership, CommandTracing tracing,
            ObjectMapper mapper, BridgeConfig config) {
        this.sender = sender;
        this.ownership = ownership;
        this.tracing = tracing;
        this.mapper = mapper;
        this.repliesTopic = config.topics().replies();
        this.errorsTopic = config.topics().errors();
        this.source = bytes(config.source());
    }

    /** Publishes the NoteID reply; to the requester's topic when the command came through KafkaRequestReply. */
    public Uni<Void> noteCreated(CommandRecord record, String commandId, long issueNumber, long noteId) {
        byte[] value = json(new NoteCreatedReply(commandId, issueNumber, noteId));
        return publish(record, new CallContext(commandId, issueNumber, record.trace()), TYPE_CREATED, value, true);
    }

    /** Publishes the error to the errors topic, and to the requester's topic for KafkaRequestReply commands. */
    public Uni<Void> failed(CommandRecord record, NoteFailedReply reply) {
        byte[] value = json(reply);
        CallContext command = new CallContext(reply.commandId(), reply.issueNumber(), record.trace());
        Uni<Void> toErrors = publish(record, command, TYPE_FAILED, value, false);
        if (record.header(replyTopicHeader()) == null || !usableReplyTopic(record)) {
            return toErrors;
        }
        return Uni.combine().all()
                .unis(toErrors, publish(record, command, TYPE_FAILED, value, true))
                .discardItems();
    }

    /**
     * Published until the broker has it, while the command's partition is ours: once it is revoked, the
     * record is redelivered to the partition's next owner, which answers it from the ledger.
     */
    private Uni<Void> publish(CommandRecord record, CallContext command, String type, byte[] value,
            boolean toRequester) {
        String commandId = command.commandId();
        String topic = toRequester ? repliesTopic : errorsTopic;
        Integer partition = null;
        RecordHeaders headers = new RecordHeaders();
        headers.add(COMMAND_ID_HEADER, bytes(commandId));
        // CloudEvents 1.0, Kafka protocol binding, binary mode: attributes as ce_ headers, data as the value.
        headers.add("ce_specversion", SPEC_VERSION);
        headers.add("ce_id", bytes(UUID.randomUUID().toString()));
        headers.add("ce_source", source);
        headers.add("ce_type", bytes(type));
        headers.add("ce_subject", bytes(commandId));
        headers.add("ce_time", bytes(DateTimeFormatter.ISO_INSTANT.format(Instant.now())));
        headers.add("content-type", CONTENT_TYPE);
        String replyTopic = toRequester ? record.header(replyTopicHeader()) : null;
        if (replyTopic != null) {
            topic = replyTopic;
            byte[] requested = record.headerBytes(KafkaRequestReply.DEFAULT_REPLY_PARTITION_HEADER);
            if (requested != null && requested.length == Integer.BYTES) {
                int p = KafkaRequestReply.replyPartitionFromBytes(requested);
                partition = p >= 0 ? p : null;
            }
            byte[] correlation = record.headerBytes(KafkaRequestReply.DEFAULT_REPLY_CORRELATION_ID_HEADER);
            if (correlation != null) {
                headers.add(KafkaRequestReply.DEFAULT_REPLY_CORRELATION_ID_HEADER, correlation);
            }
        }
        Span span = tracing.publishing(record.trace(), topic, headers);
        return sender.send(new ProducerRecord<>(topic, partition, record.key(), value, headers), command,
                () -> ownership.owns(record.partition()))
                .onTermination().invoke((sent, failure, cancelled) -> CommandTracing.end(span, failure))
                .replaceWithVoid();
    }

    /** False for a reply topic the parser refuses: its VALIDATION error goes to the errors topic only. */
    private static boolean usableReplyTopic(CommandRecord record) {
        try {
            CommandParser.checkReplyTopic(record.header(replyTopicHeader()));
            return true;
        } catch (InvalidCommandException refused) {
            return false;
        }
    }

    private static String replyTopicHeader() {
        return KafkaRequestReply.DEFAULT_REPLY_TOPIC_HEADER;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private byte[] json(Object value) {
        try {
            return mapper.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            // Our own records of strings and numbers: cannot fail short of a bug.
            throw new IllegalStateException("cannot serialize " + value.getClass().getSimpleName(), e);
        }
    }
}

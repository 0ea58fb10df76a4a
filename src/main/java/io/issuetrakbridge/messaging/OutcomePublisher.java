package io.issuetrakbridge.messaging;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.common.header.internals.RecordHeader;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.issuetrakbridge.config.BridgeConfig;
import io.smallrye.reactive.messaging.TracingMetadata;
import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.reply.KafkaRequestReply;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;

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

    private final MutinyEmitter<byte[]> replies;
    private final MutinyEmitter<byte[]> errors;
    private final ObjectMapper mapper;
    private final URI source;

    public OutcomePublisher(
            // Unbounded is bounded in practice: at most bridge.max-in-flight outcomes are pending.
            @Channel(Channels.REPLIES) @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER) MutinyEmitter<byte[]> replies,
            @Channel(Channels.ERRORS) @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER) MutinyEmitter<byte[]> errors,
            ObjectMapper mapper, BridgeConfig config) {
        this.replies = replies;
        this.errors = errors;
        this.mapper = mapper;
        this.source = URI.create(config.source());
    }

    /** Publishes the NoteID reply; to the requester's topic when the command came through KafkaRequestReply. */
    public Uni<Void> noteCreated(CommandRecord record, String commandId, long issueNumber, long noteId) {
        byte[] value = json(new NoteCreatedReply(commandId, issueNumber, noteId));
        return replies.sendMessage(message(record, commandId, TYPE_CREATED, value, true));
    }

    /** Publishes the error to the errors topic, and to the requester's topic for KafkaRequestReply commands. */
    public Uni<Void> failed(CommandRecord record, NoteFailedReply reply) {
        byte[] value = json(reply);
        Uni<Void> toErrors = errors.sendMessage(message(record, reply.commandId(), TYPE_FAILED, value, false));
        if (record.header(replyTopicHeader()) == null) {
            return toErrors;
        }
        return Uni.combine().all()
                .unis(toErrors, replies.sendMessage(message(record, reply.commandId(), TYPE_FAILED, value, true)))
                .discardItems();
    }

    private Message<byte[]> message(CommandRecord record, String commandId, String type, byte[] value,
            boolean toRequester) {
        List<RecordHeader> headers = new ArrayList<>(2);
        headers.add(new RecordHeader(COMMAND_ID_HEADER, commandId.getBytes(StandardCharsets.UTF_8)));
        OutgoingKafkaRecordMetadata.OutgoingKafkaRecordMetadataBuilder<byte[]> kafka = OutgoingKafkaRecordMetadata
                .<byte[]> builder().withKey(record.key());
        String replyTopic = toRequester ? record.header(replyTopicHeader()) : null;
        if (replyTopic != null) {
            kafka.withTopic(replyTopic);
            byte[] partition = record.headerBytes(KafkaRequestReply.DEFAULT_REPLY_PARTITION_HEADER);
            if (partition != null && partition.length == Integer.BYTES) {
                int p = KafkaRequestReply.replyPartitionFromBytes(partition);
                if (p >= 0) {
                    kafka.withPartition(p);
                }
            }
            byte[] correlation = record.headerBytes(KafkaRequestReply.DEFAULT_REPLY_CORRELATION_ID_HEADER);
            if (correlation != null) {
                headers.add(new RecordHeader(KafkaRequestReply.DEFAULT_REPLY_CORRELATION_ID_HEADER, correlation));
            }
        }
        kafka.withHeaders(new ArrayList<>(headers));
        OutgoingCloudEventMetadata<byte[]> cloudEvent = OutgoingCloudEventMetadata.<byte[]> builder()
                .withId(UUID.randomUUID().toString())
                .withSource(source)
                .withType(type)
                .withSubject(commandId)
                .withDataContentType("application/json")
                .withTimestamp(ZonedDateTime.now(ZoneOffset.UTC))
                .build();
        Message<byte[]> outcome = Message.of(value).addMetadata(kafka.build()).addMetadata(cloudEvent);
        // A new message starts no trace of its own: the connector's send span (and the traceparent header
        // it writes) continues the command's trace.
        return TracingMetadata.fromMessage(record.message())
                .map(tracing -> outcome.addMetadata(TracingMetadata.withCurrent(tracing.getCurrentContext())))
                .orElse(outcome);
    }

    private static String replyTopicHeader() {
        return KafkaRequestReply.DEFAULT_REPLY_TOPIC_HEADER;
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

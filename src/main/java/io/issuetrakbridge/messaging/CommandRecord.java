package io.issuetrakbridge.messaging;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.eclipse.microprofile.reactive.messaging.Message;

import io.issuetrakbridge.tracing.CommandTracing;
import io.opentelemetry.context.Context;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;

/**
 * A command record as consumed, before and after parsing: what outcomes need to route, key and
 * correlate their records.
 *
 * @param trace the context of the command's processing span, a child of the record's {@code traceparent}
 *        header; {@link Context#root()} when tracing is off
 */
public record CommandRecord(Message<byte[]> message, String topic, int partition, long offset, byte[] key,
        Headers headers, Instant timestamp, Context trace) {

    /** Reads the record's metadata and starts its processing span; end it with {@link CommandTracing#finished}. */
    @SuppressWarnings("unchecked")
    static CommandRecord of(Message<byte[]> message, CommandTracing tracing) {
        IncomingKafkaRecordMetadata<byte[], byte[]> meta = message.getMetadata(IncomingKafkaRecordMetadata.class)
                .orElseThrow(() -> new IllegalStateException("not a Kafka record"));
        return new CommandRecord(message, meta.getTopic(), meta.getPartition(), meta.getOffset(), meta.getKey(),
                meta.getHeaders(), meta.getTimestamp(),
                tracing.received(meta.getTopic(), meta.getPartition(), meta.getOffset(), meta.getHeaders()));
    }

    /** The command ID used when neither a ce_id header nor a CommandId field gives one. */
    public String positionId() {
        return topic + "-" + partition + "-" + offset;
    }

    /** The last value of a header as UTF-8 text, or null. */
    public String header(String name) {
        Header header = headers.lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** The last value of a header as raw bytes, or null. */
    public byte[] headerBytes(String name) {
        Header header = headers.lastHeader(name);
        return header == null ? null : header.value();
    }
}

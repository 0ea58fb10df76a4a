package io.issuetrakbridge.replay;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.issuetrakbridge.messaging.CommandProcessor;
import io.issuetrakbridge.messaging.OutcomePublisher;

/**
 * A record of the dead-letter topic, with what filters and reports need read from its headers and
 * value once.
 *
 * @param timestamp when it was dead-lettered (the dead letter's own record timestamp)
 * @param commandId the CommandId header (the bridge sets it on every dead letter), else ce_id, else null
 * @param category the dead-letter-category header, or null
 * @param reason the dead-letter-reason header, or null
 * @param replayCount how often this command was replayed before it failed this time (0 if never)
 * @param issueNumber the command's IssueNumber when its value is a JSON object with a whole one, else null
 */
public record DeadLetter(ConsumerRecord<byte[], byte[]> record, int partition, long offset, Instant timestamp,
        String commandId, String category, String reason, int replayCount, Long issueNumber) {

    /** SmallRye's header with the failure's message. */
    static final String REASON_HEADER = "dead-letter-reason";
    /** SmallRye's headers naming where the command was read. */
    static final String TOPIC_HEADER = "dead-letter-topic";
    static final String PARTITION_HEADER = "dead-letter-partition";

    static DeadLetter of(ConsumerRecord<byte[], byte[]> record, ObjectMapper mapper) {
        Headers headers = record.headers();
        String commandId = text(headers, OutcomePublisher.COMMAND_ID_HEADER);
        if (commandId == null) {
            commandId = text(headers, "ce_id");
        }
        return new DeadLetter(record, record.partition(), record.offset(), Instant.ofEpochMilli(record.timestamp()),
                commandId, text(headers, CommandProcessor.DLQ_CATEGORY_HEADER), text(headers, REASON_HEADER),
                ReplayHeaders.replayCount(headers), issueNumber(record.value(), mapper));
    }

    /** The last value of a header as UTF-8 text, or null. */
    static String text(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static Long issueNumber(byte[] value, ObjectMapper mapper) {
        if (value == null || value.length == 0) {
            return null;
        }
        try {
            JsonNode n = mapper.readTree(value).get("IssueNumber");
            return n != null && n.isIntegralNumber() && n.canConvertToLong() ? n.longValue() : null;
        } catch (Exception e) {
            // Dead letters include the commands that were not JSON at all: no issue to match.
            return null;
        }
    }
}

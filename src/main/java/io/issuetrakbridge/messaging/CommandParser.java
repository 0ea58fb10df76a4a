package io.issuetrakbridge.messaging;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

import io.issuetrakbridge.issuetrak.StoredDateRule;
import io.issuetrakbridge.issuetrak.dto.CreateNote;
import io.smallrye.reactive.messaging.kafka.reply.KafkaRequestReply;

/**
 * Turns a command record's value into a {@link NoteCommand}, or says precisely why it cannot.
 * Works on the tree rather than binding a class so that every wrong type gets its own message
 * instead of a Jackson stack trace.
 */
public final class CommandParser {

    /** Longest command ID accepted: it is a ledger key and a header on every outcome. */
    static final int MAX_COMMAND_ID_LENGTH = 256;

    private final ObjectReader reader;
    private final int maxNoteBytes;

    public CommandParser(ObjectMapper mapper, int maxNoteBytes) {
        // Trailing tokens would mean two values in one record: refuse rather than guess.
        this.reader = mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        this.maxNoteBytes = maxNoteBytes;
    }

    /**
     * @param value the record value, possibly null
     * @param ceId the {@code ce_id} header's text, or null
     * @param headerId the {@code CommandId} header's text (set on dead letters, so replays keep their ID), or null
     * @param fallbackId {@code <topic>-<partition>-<offset>}
     * @param recordTime the record's timestamp, the CreatedDate when the command gives none
     */
    public NoteCommand parse(byte[] value, String ceId, String headerId, String fallbackId, Instant recordTime) {
        if (value == null || value.length == 0) {
            throw new InvalidCommandException("record value is empty: expected a JSON object");
        }
        JsonNode root;
        try {
            root = reader.readTree(utf8(value));
        } catch (JsonProcessingException e) {
            throw new InvalidCommandException(invalidJson(e));
        }
        if (root == null || root.isMissingNode()) {
            throw new InvalidCommandException("record value is empty: expected a JSON object");
        }
        if (!root.isObject()) {
            throw new InvalidCommandException("record value must be a JSON object, not " + kind(root));
        }

        String commandId = commandId(firstNonBlank(ceId, headerId), root.get("CommandId"), fallbackId);
        try {
            long issueNumber = issueNumber(root.get("IssueNumber"));
            String createdBy = requiredText(root, "CreatedBy");
            String noteText = requiredText(root, "NoteText");
            int noteBytes = noteText.getBytes(StandardCharsets.UTF_8).length;
            if (noteBytes > maxNoteBytes) {
                throw new InvalidCommandException("NoteText is " + noteBytes + " bytes of UTF-8, more than the "
                        + maxNoteBytes + " allowed (bridge.max-note-bytes)");
            }
            String createdDate = createdDate(root.get("CreatedDate"), recordTime);
            boolean isPrivate = optionalBoolean(root, "IsPrivate");
            boolean isRichText = optionalBoolean(root, "IsRichText");
            boolean suppressEmail = optionalBoolean(root, "ShouldSuppressEmailForCreateOperation");
            return new NoteCommand(commandId,
                    new CreateNote(issueNumber, createdDate, createdBy, suppressEmail, noteText, isPrivate, isRichText));
        } catch (InvalidCommandException invalid) {
            throw invalid.about(commandId, usableIssueNumber(root.get("IssueNumber")));
        }
    }

    /**
     * Refuses a requester's reply topic (KafkaRequestReply's {@code REPLY_TOPIC} header) that Kafka would
     * never accept. It is checked before the command is delivered because, found only when the reply is
     * sent, the refusal would leave the command unacknowledged with its note already created.
     *
     * @param replyTopic the header's text, or null when the command names no reply topic
     * @throws InvalidCommandException when the name is not a legal Kafka topic name
     */
    public static void checkReplyTopic(String replyTopic) {
        if (replyTopic == null) {
            return;
        }
        try {
            Topic.validate(replyTopic);
        } catch (InvalidTopicException e) {
            throw new InvalidCommandException("header " + KafkaRequestReply.DEFAULT_REPLY_TOPIC_HEADER
                    + " is not a usable reply topic: " + e.getMessage());
        }
    }

    private static Long usableIssueNumber(JsonNode node) {
        return node != null && node.isIntegralNumber() && node.canConvertToLong() && node.longValue() > 0
                ? node.longValue()
                : null;
    }

    private static String firstNonBlank(String a, String b) {
        if (a != null && !a.isBlank()) {
            return a;
        }
        return b != null && !b.isBlank() ? b : null;
    }

    private static long issueNumber(JsonNode node) {
        if (node == null || node.isNull()) {
            throw new InvalidCommandException("IssueNumber is required");
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw new InvalidCommandException("IssueNumber must be a whole number, not " + kind(node));
        }
        long n = node.longValue();
        if (n <= 0) {
            throw new InvalidCommandException("IssueNumber must be greater than 0, was " + n);
        }
        return n;
    }

    private static String commandId(String headerId, JsonNode field, String fallbackId) {
        String id;
        if (headerId != null) {
            id = headerId;
        } else if (field != null && !field.isNull()) {
            if (!field.isTextual() || field.asText().isBlank()) {
                throw new InvalidCommandException("CommandId must be a non-empty string, not " + kind(field));
            }
            id = field.asText();
        } else {
            id = fallbackId;
        }
        if (id.length() > MAX_COMMAND_ID_LENGTH) {
            throw new InvalidCommandException("command ID is longer than " + MAX_COMMAND_ID_LENGTH + " characters");
        }
        return id;
    }

    private static String requiredText(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            throw new InvalidCommandException(field + " is required");
        }
        if (!node.isTextual()) {
            throw new InvalidCommandException(field + " must be a string, not " + kind(node));
        }
        if (node.asText().isEmpty()) {
            throw new InvalidCommandException(field + " must not be empty");
        }
        return node.asText();
    }

    private static boolean optionalBoolean(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return false;
        }
        if (!node.isBoolean()) {
            throw new InvalidCommandException(field + " must be true or false, not " + kind(node));
        }
        return node.booleanValue();
    }

    private static String createdDate(JsonNode node, Instant recordTime) {
        if (node == null || node.isNull()) {
            // At 10 ms, which SQL Server's datetime keeps exactly: reconciliation then finds the date it sent.
            return StoredDateRule.defaultCreatedDate(recordTime);
        }
        if (!node.isTextual()) {
            throw new InvalidCommandException("CreatedDate must be an ISO 8601 string, not " + kind(node));
        }
        String text = node.asText();
        try {
            // Offset optional: Issuetrak's own samples use both forms. Sent on verbatim.
            DateTimeFormatter.ISO_DATE_TIME.parse(text);
        } catch (DateTimeParseException e) {
            throw new InvalidCommandException("CreatedDate is not an ISO 8601 date-time: \"" + abbreviate(text) + "\"");
        }
        return text;
    }

    private static String kind(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> node.isIntegralNumber() ? "the number " + abbreviate(node.asText()) : "a decimal number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> node.getNodeType().name().toLowerCase();
        };
    }

    /**
     * Decodes strictly before Jackson sees the text, so that bytes that are not UTF-8 are named as such and
     * any later error is about the JSON alone, with a line and column counted in characters.
     */
    private static String utf8(byte[] value) {
        ByteBuffer bytes = ByteBuffer.wrap(value);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes).toString();
        } catch (CharacterCodingException e) {
            // The decoder stops at the first byte that cannot start or continue a sequence.
            throw new InvalidCommandException(String.format("record value is not valid UTF-8: byte 0x%02X at offset %d",
                    value[bytes.position()] & 0xFF, bytes.position()));
        }
        // Jackson skips a byte-order mark in bytes but not in text.
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    /** "invalid JSON at line L, column C: reason", in our words rather than the parser's internals. */
    static String invalidJson(JsonProcessingException e) {
        String reason;
        String original = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        if (e instanceof StreamReadException read
                && (read instanceof JsonEOFException || original.startsWith("Unexpected end-of-input"))) {
            reason = "the value ends " + unfinished(read);
        } else if (e instanceof MismatchedInputException) {
            // FAIL_ON_TRAILING_TOKENS is the only binding rule a tree read has.
            reason = "more than one JSON value";
        } else {
            reason = shortReason(e.getOriginalMessage());
        }
        JsonLocation at = e.getLocation();
        return at == null ? "invalid JSON: " + reason
                : "invalid JSON at line " + at.getLineNr() + ", column " + at.getColumnNr() + ": " + reason;
    }

    private static String unfinished(StreamReadException end) {
        JsonToken decoding = end instanceof JsonEOFException eof ? eof.getTokenBeingDecoded() : null;
        if (decoding == JsonToken.VALUE_STRING || decoding == JsonToken.FIELD_NAME) {
            return "inside a string";
        }
        JsonStreamContext context = end.getProcessor() == null ? null : end.getProcessor().getParsingContext();
        if (context != null && context.inObject()) {
            return "inside an object";
        }
        return context != null && context.inArray() ? "inside an array" : "too early";
    }

    /**
     * The parser's first sentence without its character codes and source excerpt: {@code Unexpected
     * character ('}' (code 125)): was expecting double-quote to start field name} reads
     * {@code unexpected character '}': was expecting double-quote to start field name}.
     */
    private static String shortReason(String message) {
        if (message == null || message.isBlank()) {
            return "not JSON";
        }
        String first = message.lines().findFirst().orElse(message).strip();
        first = first.replaceAll("\\('(.{1,6})' \\(code \\d+\\)\\)", "'$1'")
                .replaceAll(" \\(code \\d+\\)", "");
        first = Character.toLowerCase(first.charAt(0)) + first.substring(1);
        return abbreviate(first, 120);
    }

    private static String abbreviate(String text) {
        return abbreviate(text, 40);
    }

    private static String abbreviate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max) + "...";
    }
}

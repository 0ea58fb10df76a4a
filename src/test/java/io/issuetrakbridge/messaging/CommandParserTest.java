package io.issuetrakbridge.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

class CommandParserTest {

    private final CommandParser parser = new CommandParser(new ObjectMapper(), 16);
    private final Instant recordTime = Instant.parse("2026-11-23T10:15:30.123456Z");

    private NoteCommand parse(String json, String ceId, String headerId) {
        return parser.parse(json.getBytes(StandardCharsets.UTF_8), ceId, headerId, "t-0-7", recordTime);
    }

    @Test
    void readsEveryFieldAndDefaultsTheOptionalOnes() {
        NoteCommand c = parse("{\"IssueNumber\": 6, \"CreatedBy\": \"Admin\", \"NoteText\": \"hi\", \"Unknown\": [1]}",
                null, null);
        assertThat(c.commandId()).isEqualTo("t-0-7");
        assertThat(c.note().issueNumber()).isEqualTo(6);
        assertThat(c.note().createdBy()).isEqualTo("Admin");
        assertThat(c.note().noteText()).isEqualTo("hi");
        assertThat(c.note().isPrivate()).isFalse();
        assertThat(c.note().isRichText()).isFalse();
        assertThat(c.note().shouldSuppressEmailForCreateOperation()).isFalse();
        // Cut to 10 ms, a whole number of SQL Server datetime steps (1/300 s).
        assertThat(c.note().createdDate()).isEqualTo("2026-11-23T10:15:30.1200000");
    }

    @Test
    void acceptsAnyLegalReplyTopicAndNone() {
        CommandParser.checkReplyTopic(null);
        CommandParser.checkReplyTopic("requests-replies.v1_a");
    }

    @Test
    void refusesAReplyTopicKafkaWouldRefuse() {
        for (String topic : new String[] { "no such topic!", "", "..", "x".repeat(250) }) {
            assertThatThrownBy(() -> CommandParser.checkReplyTopic(topic)).as(topic)
                    .isInstanceOf(InvalidCommandException.class).hasMessageContaining("REPLY_TOPIC")
                    .hasMessageContaining("not a usable reply topic");
        }
    }

    @Test
    void keepsAGivenCreatedDateVerbatim() {
        NoteCommand c = parse("{\"IssueNumber\": 6, \"CreatedBy\": \"A\", \"NoteText\": \"t\", "
                + "\"CreatedDate\": \"2018-01-01T12:32:32-04:00\"}", null, null);
        assertThat(c.note().createdDate()).isEqualTo("2018-01-01T12:32:32-04:00");
    }

    @Test
    void commandIdPrecedenceIsCeIdThenHeaderThenFieldThenPosition() {
        String json = "{\"CommandId\": \"field\", \"IssueNumber\": 1, \"CreatedBy\": \"A\", \"NoteText\": \"t\"}";
        assertThat(parse(json, "ce", "header").commandId()).isEqualTo("ce");
        assertThat(parse(json, " ", "header").commandId()).isEqualTo("header");
        assertThat(parse(json, null, null).commandId()).isEqualTo("field");
    }

    @Test
    void measuresNoteTextInUtf8Bytes() {
        // 6 characters, 18 bytes: over a 16-byte limit although under 16 characters.
        assertThatThrownBy(() -> parse("{\"IssueNumber\": 1, \"CreatedBy\": \"A\", \"NoteText\": \"日本語日本語\"}", null, null))
                .isInstanceOf(InvalidCommandException.class)
                .hasMessageContaining("18 bytes");
    }

    @Test
    void aFailureKnowsTheCommandAndIssueWhenTheyWereReadable() {
        InvalidCommandException e = (InvalidCommandException) org.junit.jupiter.api.Assertions.assertThrows(
                InvalidCommandException.class,
                () -> parse("{\"CommandId\": \"c1\", \"IssueNumber\": 12, \"CreatedBy\": \"A\", \"NoteText\": 5}", null,
                        null));
        assertThat(e.commandId()).isEqualTo("c1");
        assertThat(e.issueNumber()).isEqualTo(12L);
        assertThat(e).hasMessage("NoteText must be a string, not the number 5");
    }

    @Test
    void refusesTrailingGarbageAndOverlongIds() {
        assertThatThrownBy(() -> parse("{\"IssueNumber\": 1, \"CreatedBy\": \"A\", \"NoteText\": \"t\"} {}", null, null))
                .hasMessage("invalid JSON at line 1, column 55: more than one JSON value");
        assertThatThrownBy(() -> parse("{\"IssueNumber\": 1, \"CreatedBy\": \"A\", \"NoteText\": \"t\"}", "x".repeat(257),
                null)).hasMessageContaining("longer than 256");
        assertThatThrownBy(() -> parse("{\"IssueNumber\": 1.5, \"CreatedBy\": \"A\", \"NoteText\": \"t\"}", null, null))
                .hasMessage("IssueNumber must be a whole number, not a decimal number");
    }

    @Test
    void aTruncatedCommandIsInvalidJsonWithItsPlaceNotInvalidUtf8() {
        // Valid UTF-8 (an e-acute, two bytes) cut off inside the object: columns count characters.
        assertThatThrownBy(() -> parse("{\"IssueNumber\": 1,\n  \"NoteText\": \"caf\u00e9\"", null, null))
                .isInstanceOf(InvalidCommandException.class)
                .hasMessage("invalid JSON at line 2, column 21: the value ends inside an object");
        assertThatThrownBy(() -> parse("{\"IssueNumber\": 1, \"NoteText\": \"unfinished", null, null))
                .hasMessage("invalid JSON at line 1, column 43: the value ends inside a string");
        assertThatThrownBy(() -> parse("{\"IssueNumber\": 1,", null, null))
                .hasMessage("invalid JSON at line 1, column 19: the value ends inside an object");
        assertThatThrownBy(() -> parse("[1, 2", null, null))
                .hasMessage("invalid JSON at line 1, column 6: the value ends inside an array");
    }

    @Test
    void aSyntaxErrorSaysWhereAndWhatInShort() {
        assertThatThrownBy(() -> parse("{\"IssueNumber\": 1,}", null, null))
                .hasMessage("invalid JSON at line 1, column 19: unexpected character '}': "
                        + "was expecting double-quote to start field name")
                .hasMessageNotContaining("Source").hasMessageNotContaining("code 125");
    }

    @Test
    void bytesThatAreNotUtf8AreNamedAsSuch() {
        byte[] latin1 = "{\"NoteText\": \"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> parser.parse(latin1, null, null, "t-0-7", recordTime))
                .isInstanceOf(InvalidCommandException.class)
                .hasMessage("record value is not valid UTF-8: byte 0xE9 at offset 17");
    }

    @Test
    void aByteOrderMarkIsSkippedAsJacksonWould() {
        byte[] withBom = ("\uFEFF{\"IssueNumber\": 6, \"CreatedBy\": \"A\", \"NoteText\": \"hi\"}")
                .getBytes(StandardCharsets.UTF_8);
        assertThat(parser.parse(withBom, null, null, "t-0-7", recordTime).note().issueNumber()).isEqualTo(6);
    }
}

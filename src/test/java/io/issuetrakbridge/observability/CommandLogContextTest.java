package io.issuetrakbridge.observability;

import static io.issuetrakbridge.testing.CommandTopics.commandIds;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;

import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.formatters.PatternFormatter;
import org.jboss.logmanager.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.issuetrakbridge.issuetrak.CallContext;
import io.issuetrakbridge.messaging.NotePipelineTest;
import io.issuetrakbridge.testing.CommandTopics;
import io.issuetrakbridge.testing.InjectCommandTopics;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * Every line the command path logs about a command carries its command ID and issue number, in the
 * text and as MDC fields (which the JSON log format writes as fields).
 */
@QuarkusTest
@TestProfile(ObservabilityProfile.class)
public class CommandLogContextTest {

    /** The loggers of the command path: processor, delivery (retries, reconciliation) and the client. */
    private static final Set<String> COMMAND_PATH = Set.of("io.issuetrakbridge.messaging.CommandProcessor",
            "io.issuetrakbridge.resilience.NoteDelivery", "io.issuetrakbridge.issuetrak.IssuetrakClient");

    private static final List<Line> LINES = new CopyOnWriteArrayList<>();
    /** The message with its parameters filled in, whichever format style the record uses. */
    private static final PatternFormatter MESSAGE = new PatternFormatter("%s");
    private static final Handler CAPTURE = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (COMMAND_PATH.contains(record.getLoggerName())) {
                ExtLogRecord ext = ExtLogRecord.wrap(record);
                // Read now, on the logging thread, while the MDC is set.
                LINES.add(new Line(record.getLoggerName(), MESSAGE.format(ext),
                        ext.getMdc(CallContext.MDC_COMMAND_ID), ext.getMdc(CallContext.MDC_ISSUE_NUMBER)));
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    record Line(String logger, String message, String commandId, String issueNumber) {
    }

    @InjectCommandTopics
    CommandTopics topics;

    @BeforeAll
    static void capture() {
        Logger.getLogger("").addHandler(CAPTURE);
    }

    @AfterAll
    static void stopCapturing() {
        Logger.getLogger("").removeHandler(CAPTURE);
    }

    @Test
    void linesAboutACommandCarryItsIdAndIssue() {
        String created = "log-" + UUID.randomUUID();
        String duplicate = created;
        String rejected = "log-rejected-" + UUID.randomUUID();
        String invalid = "log-invalid-" + UUID.randomUUID();
        topics.send("61", NotePipelineTest.command(created, 61, "logged"));
        topics.await("replies", commandIds(List.of(created)), 1);
        topics.send("61", NotePipelineTest.command(duplicate, 61, "logged"));
        topics.send("5000000", NotePipelineTest.command(rejected, 5_000_000, "no such issue"));
        topics.send("62", "{\"CommandId\": \"" + invalid + "\", \"IssueNumber\": 62}");
        topics.await("replies", commandIds(List.of(created)), 2);
        topics.await("errors", commandIds(List.of(rejected, invalid)), 2);

        List<Line> ours = LINES.stream().filter(line -> Set.of(created, rejected, invalid).contains(line.commandId()))
                .toList();
        // The client's POST debug line, the duplicate's info line, the rejection and the invalid command.
        assertThat(ours).extracting(Line::logger).containsAll(COMMAND_PATH.stream()
                .filter(logger -> !logger.endsWith("NoteDelivery")).toList());
        assertThat(ours).filteredOn(line -> line.commandId().equals(created)).hasSizeGreaterThanOrEqualTo(2)
                .allSatisfy(line -> {
                    assertThat(line.issueNumber()).isEqualTo("61");
                    assertThat(line.message()).startsWith("command " + created + " on issue 61: ");
                });
        assertThat(ours).filteredOn(line -> line.commandId().equals(rejected)).isNotEmpty()
                .allSatisfy(line -> assertThat(line.issueNumber()).isEqualTo("5000000"));
        assertThat(ours).filteredOn(line -> line.commandId().equals(invalid)).isNotEmpty()
                .allSatisfy(line -> assertThat(line.issueNumber()).isEqualTo("62"));

        // No line of the command path about a command goes without the ID (the probe serves none).
        assertThat(LINES).filteredOn(line -> !line.message().contains("/notes/0 "))
                .allSatisfy(line -> assertThat(line.commandId()).as(line.message()).isNotNull());
    }
}

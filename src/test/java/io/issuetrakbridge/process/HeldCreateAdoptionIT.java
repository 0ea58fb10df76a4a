package io.issuetrakbridge.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.issuetrakbridge.testing.BridgeProcess;
import io.issuetrakbridge.testing.CommandTopics;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;

/**
 * Issue 12: Issuetrak has stored the notes but not yet answered when the bridge is SIGKILLed. The next owner
 * finds PENDING, looks, and must adopt each note (not POST a second one), against the vendor-like sandbox's
 * dates: SQL Server datetime rounding, and a date with an offset stored as the server's local time on the day
 * its daylight saving starts.
 */
class HeldCreateAdoptionIT extends ProcessTestSupport {

    private static final Pattern ADOPTED = Pattern.compile(
            "(?m)^issuetrak_bridge_reconciliations_total\\{[^}]*outcome=\"adopted\"[^}]*\\}\\s+(\\S+)$");

    @Test
    void theNextOwnerAdoptsNotesCreatedWhileTheBridgeWasKilled() throws Exception {
        newTopics("held", 1);
        ConsumerTask<byte[], byte[]> replies = follow("replies");
        ConsumerTask<byte[], byte[]> errors = follow("errors");
        // Three issues, so the three creates are in flight together.
        List<Sent> commands = List.of(new Sent("held-default", 1000, 0), new Sent("held-offset", 1001, 0),
                new Sent("held-fraction", 1002, 0));
        List<CommandTopics.Keyed> records = List.of(
                // No CreatedDate: the bridge's own default.
                keyed(commands.get(0), null),
                // 06:59:59.999 UTC, half an hour after St. John's (the sandbox's zone) moved to -02:30: kept as
                // 04:29:59.999, rounded by datetime to 04:30:00.
                keyed(commands.get(1), "2026-03-08T01:59:59.999-05:00"),
                // Seven digits, kept as .127.
                keyed(commands.get(2), "2011-06-22T18:55:30.1250000"));

        sandbox.faults().holdCreates(true);
        // Waits far longer for the held answers than the test takes to kill it: it never sees them.
        BridgeProcess first = startBridge("first", Map.of("issuetrak.request-timeout", "120s"));
        first.awaitReady(Duration.ofSeconds(90));
        kafka.sendAll(records);
        Awaitility.await("three creates stored, their answers held").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(20)).until(() -> sandbox.faults().held().size() == 3);
        List<Long> held = sandbox.faults().held();

        int exit = first.sigkill();
        assertThat(exit).as("exit code of a SIGKILLed JVM").isEqualTo(137);
        assertThat(kafka.readNow("replies", r -> true)).as("replies before the kill").isEmpty();
        sandbox.faults().holdCreates(false);
        sandbox.faults().releaseHeld();

        BridgeProcess second = startBridge("restarted", Map.of());
        awaitAllReplied(commands, replies, errors, Duration.ofSeconds(90));

        Audit audit = audit(commands, replies.getRecords());
        assertThat(audit.notes()).as("notes: one per command, none lost, none doubled").isEqualTo(3);
        assertThat(replies.getRecords()).extracting(ProcessTestSupport::noteIdOf)
                .as("the replies carry the NoteIDs of the notes stored while the first bridge waited")
                .containsExactlyInAnyOrderElementsOf(held);
        assertThat(second.logLines("adopted existing note")).as("adoption log lines").hasSize(3);
        assertThat(adoptedCount(second)).as("reconciliations_total{outcome=adopted}").isEqualTo(3.0);
        assertThat(kafka.readNow("dead-letters", r -> true)).as("dead letters").isEmpty();
    }

    private static CommandTopics.Keyed keyed(Sent command, String createdDate) {
        String json = command.json();
        if (createdDate != null) {
            json = json.substring(0, json.length() - 1) + ", \"CreatedDate\": \"" + createdDate + "\"}";
        }
        return new CommandTopics.Keyed(Long.toString(command.issue()), json);
    }

    private static double adoptedCount(BridgeProcess process) throws Exception {
        HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + process.managementPort() + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        Matcher m = ADOPTED.matcher(metrics.body());
        assertThat(m.find()).as("an adopted reconciliations line in /q/metrics").isTrue();
        return Double.parseDouble(m.group(1));
    }
}

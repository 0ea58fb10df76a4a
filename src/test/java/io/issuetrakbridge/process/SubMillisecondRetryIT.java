package io.issuetrakbridge.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.issuetrakbridge.issuetrak.CallContext;
import io.issuetrakbridge.testing.BridgeProcess;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;

/**
 * Full jitter draws retry delays anywhere in [0, bound): some are under a millisecond, which a
 * Vert.x timer refuses. Such a retry used to fail the command outright, leaving it without an
 * outcome and its offset uncommitted until a restart, while later commands of its issue went ahead.
 * A 1 ms bound makes every retry delay sub-millisecond.
 * <p>
 * The process also runs with production's log format, switched on by environment as
 * {@code deploy/configmap.yaml} does, and the bridge's debug lines: every line it writes is a JSON
 * object, and every line about a command, its retries included, carries the command's ID and issue
 * number as fields.
 */
class SubMillisecondRetryIT extends ProcessTestSupport {

    private static final Map<String, String> JSON_LOGS = Map.of("QUARKUS_LOG_CONSOLE_JSON_ENABLED", "true");
    /** The text {@link CallContext} starts every line about a command with. */
    private static final Pattern ABOUT_A_COMMAND = Pattern.compile("^command (\\S+) on issue (\\d+): ");

    @Test
    void retriesWithDelaysUnderAMillisecondStillComplete() {
        newTopics("jitter", 1);
        sandbox.faults().errorRate(0.5);
        List<Sent> commands = commands("jitter", 10, 3);
        ConsumerTask<byte[], byte[]> replies = follow("replies");
        ConsumerTask<byte[], byte[]> errors = follow("errors");

        BridgeProcess bridge = startBridge("bridge", Map.of(
                "bridge.retry.initial-delay", "1ms",
                "bridge.retry.max-delay", "1ms",
                "bridge.retry.max-attempts", "30",
                "quarkus.log.category.\"io.issuetrakbridge\".level", "DEBUG"), JSON_LOGS);
        bridge.awaitReady(Duration.ofSeconds(90));
        produceSteadily(commands, commands.size(), Duration.ofSeconds(1));

        awaitAllReplied(commands, replies, errors, Duration.ofSeconds(45));
        Audit audit = audit(commands, replies.getRecords());
        System.out.printf("SubMillisecondRetryIT: %s, sandbox answered %s%n", audit, sandbox.stats().byStatus());
        assertThat(sandbox.stats().byStatus()).as("retries happened").containsKey(500);
        assertThat(bridge.logLines("could not complete")).isEmpty();

        assertThat(bridge.sigterm(Duration.ofSeconds(30))).isZero();
        List<JsonNode> aboutCommands = jsonLines(bridge).stream()
                .filter(line -> ABOUT_A_COMMAND.matcher(line.path("message").asText()).find()).toList();
        assertThat(aboutCommands).allSatisfy(line -> {
            Matcher about = ABOUT_A_COMMAND.matcher(line.path("message").asText());
            assertThat(about.find()).isTrue();
            JsonNode mdc = line.path("mdc");
            assertThat(mdc.path(CallContext.MDC_COMMAND_ID).asText()).as("%s", line).isEqualTo(about.group(1));
            assertThat(mdc.path(CallContext.MDC_ISSUE_NUMBER).asText()).as("%s", line).isEqualTo(about.group(2));
        });
        assertThat(aboutCommands).extracting(line -> line.path("message").asText())
                .as("lines about retries").anyMatch(message -> message.contains("retrying in"));
        assertThat(aboutCommands).extracting(line -> line.path("mdc").path(CallContext.MDC_COMMAND_ID).asText())
                .as("a line for every command").containsAll(commands.stream().map(Sent::commandId).toList());
    }
}

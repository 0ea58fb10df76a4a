package io.issuetrakbridge.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.issuetrakbridge.testing.BridgeProcess;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;

/**
 * Issue 5 case (b): the service is SIGKILLed while hundreds of commands are between their POST and
 * their offset commit; the restarted service must neither POST them again nor lose any.
 */
class CrashRecoveryIT extends ProcessTestSupport {

    @Test
    void sigkillMidStreamThenRestartCreatesEveryNoteExactlyOnce() {
        newTopics("crash", 3);
        sandbox.faults().latency(Duration.ofMillis(5), Duration.ZERO);
        List<Sent> commands = commands("crash", 200, 10);
        ConsumerTask<byte[], byte[]> replies = follow("replies");
        ConsumerTask<byte[], byte[]> errors = follow("errors");

        BridgeProcess first = startBridge("first", Map.of());
        first.awaitReady(Duration.ofSeconds(90));
        AtomicInteger produced = produceSteadily(commands, 20, Duration.ofMillis(40));

        // Mid-stream: notes are being created and replies have started to arrive.
        Awaitility.await("notes and replies under way").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(5))
                .until(() -> sandbox.notes().size() >= 400 && !replies.getRecords().isEmpty());
        int exit = first.sigkill();
        int notesAtKill = sandbox.notes().size();
        int repliedAtKill = commandIdsIn(replies).size();
        System.out.printf("CrashRecoveryIT: SIGKILL (exit %d) with %d notes, %d commands replied, %d produced%n",
                exit, notesAtKill, repliedAtKill, produced.get());
        assertThat(exit).as("exit code of a SIGKILLed JVM").isEqualTo(137);
        assertThat(notesAtKill).as("killed well before the end").isLessThan(commands.size() * 3 / 4);

        BridgeProcess second = startBridge("restarted", Map.of());
        awaitAllReplied(commands, replies, errors, Duration.ofSeconds(90));

        Audit audit = audit(commands, replies.getRecords());
        System.out.printf("CrashRecoveryIT: %s; restarted service: %d redelivered command(s) answered from the "
                + "ledger, %d adopted by reconciliation%n", audit,
                second.logLines("already created note").size(), second.logLines("adopted existing note").size());
        assertThat(kafka.readNow("dead-letters", r -> true)).as("dead letters").isEmpty();
        assertThat(audit.notes()).isEqualTo(commands.size());
    }
}

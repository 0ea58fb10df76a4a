package io.issuetrakbridge.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.issuetrakbridge.issuetrak.dto.ReadNote;
import io.issuetrakbridge.testing.BridgeProcess;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;

/**
 * Issue 4 item 5: SIGTERM under load stops fetching, lets the commands in flight finish, publishes
 * their outcomes and exits 0; a restart then finishes the rest without losing or repeating a note.
 */
class GracefulShutdownIT extends ProcessTestSupport {

    @Test
    void sigtermUnderLoadPublishesWhatItStartedAndExitsZero() {
        newTopics("sigterm", 3);
        // Slow enough that a few hundred POSTs are in flight when the signal comes.
        sandbox.faults().latency(Duration.ofMillis(50), Duration.ZERO);
        List<Sent> commands = commands("sigterm", 300, 5);
        ConsumerTask<byte[], byte[]> replies = follow("replies");
        ConsumerTask<byte[], byte[]> errors = follow("errors");

        // Debug: each retry and each abandoned command is logged, to explain a failure from the log.
        BridgeProcess first = startBridge("first", Map.of("quarkus.log.category.\"io.issuetrakbridge\".level", "DEBUG"));
        first.awaitReady(Duration.ofSeconds(90));
        AtomicInteger produced = produceSteadily(commands, 25, Duration.ofMillis(50));

        Awaitility.await("notes and replies under way").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(5))
                .until(() -> sandbox.notes().size() >= 300 && !replies.getRecords().isEmpty());
        int notesAtSignal = sandbox.notes().size();
        int exit = first.sigterm(Duration.ofSeconds(40));
        // The process is gone: no POST of it can still be on its way, so these are all it created.
        Set<String> createdBeforeExit = notesByCommand().keySet();
        System.out.printf("GracefulShutdownIT: SIGTERM with %d notes, exit %d with %d notes, %d produced%n",
                notesAtSignal, exit, createdBeforeExit.size(), produced.get());

        assertThat(exit).as("exit code after SIGTERM (143 would mean the JVM was terminated by the signal)")
                .isZero();
        assertThat(first.logLines("Shutting down: finishing commands in flight")).as("drain started").hasSize(1);
        assertThat(first.logLines("Shutdown: all started outcomes published")).as("drain finished within grace")
                .hasSize(1);
        assertThat(createdBeforeExit.size()).as("stopped well before the end").isLessThan(commands.size() * 3 / 4);
        // Every note made before the exit has its reply on the broker, published by the stopping instance.
        // Fails as of 13:20 (branch procs): POSTs in flight fail AMBIGUOUS between SIGTERM and the ShutdownEvent
        // observer (something closes the WebClient first), so their notes exist but wait, PENDING, for the restart.
        List<String> publishedByFirst = kafka.readNow("replies", r -> true).stream()
                .map(ProcessTestSupport::commandIdOf).toList();
        assertThat(publishedByFirst).as("commands whose note was created before shutdown have a reply")
                .containsAll(createdBeforeExit);
        assertThat(kafka.readNow("errors", r -> true)).as("errors").isEmpty();

        BridgeProcess second = startBridge("restarted", Map.of());
        awaitAllReplied(commands, replies, errors, Duration.ofSeconds(90));
        Audit audit = audit(commands, replies.getRecords());
        System.out.printf("GracefulShutdownIT: %s; restarted service answered %d from the ledger, adopted %d%n",
                audit, second.logLines("already created note").size(), second.logLines("adopted existing note").size());
        assertThat(second.logLines("adopted existing note")).as("a drained shutdown leaves nothing to reconcile")
                .isEmpty();
        assertThat(kafka.readNow("dead-letters", r -> true)).as("dead letters").isEmpty();

        int exitSecond = second.sigterm(Duration.ofSeconds(40));
        assertThat(exitSecond).as("exit code of an idle instance after SIGTERM").isZero();
        assertThat(sandbox.notes().all()).extracting(ReadNote::noteId).hasSize(commands.size());
    }
}

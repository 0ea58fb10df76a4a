package io.issuetrakbridge.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.awaitility.Awaitility;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.issuetrakbridge.testing.BridgeProcess;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;

/**
 * Issue 4 item 6 and issue 5 case (b) across instances: two services share a consumer group on a
 * 6-partition topic; one stops mid-run and the other takes its partitions over. Every command must
 * still get exactly one note, and all its replies the same NoteID.
 */
class TwoInstancesIT extends ProcessTestSupport {

    enum Stop {
        SIGTERM, SIGKILL
    }

    @ParameterizedTest
    @EnumSource(Stop.class)
    void oneOfTwoInstancesStopsMidRunAndNothingIsLostOrDoubled(Stop stop) {
        newTopics("two-" + stop.name().toLowerCase(), 6);
        sandbox.faults().latency(Duration.ofMillis(20), Duration.ZERO);
        List<Sent> commands = commands("two" + stop.name().toLowerCase(), 180, 10);
        ConsumerTask<byte[], byte[]> replies = follow("replies");
        ConsumerTask<byte[], byte[]> errors = follow("errors");

        BridgeProcess a = startBridge(stop + "-a", Map.of());
        BridgeProcess b = startBridge(stop + "-b", Map.of());
        a.awaitReady(Duration.ofSeconds(90));
        b.awaitReady(Duration.ofSeconds(90));
        awaitMembersOwnPartitions(2);
        AtomicInteger produced = produceSteadily(commands, 30, Duration.ofMillis(40));

        Awaitility.await("both instances under way").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(5))
                .until(() -> sandbox.notes().size() >= commands.size() / 4 && !replies.getRecords().isEmpty());
        int notesAtStop = sandbox.notes().size();
        int exit = stop == Stop.SIGTERM ? a.sigterm(Duration.ofSeconds(40)) : a.sigkill();
        System.out.printf("TwoInstancesIT[%s]: instance a stopped (exit %d) with %d notes, %d produced%n", stop,
                exit, notesAtStop, produced.get());
        assertThat(exit).isEqualTo(stop == Stop.SIGTERM ? 0 : 137);
        assertThat(notesAtStop).as("stopped well before the end").isLessThan(commands.size() * 3 / 4);

        awaitAllReplied(commands, replies, errors, Duration.ofSeconds(90));
        Audit audit = audit(commands, replies.getRecords());
        System.out.printf("TwoInstancesIT[%s]: %s; b answered %d from the ledger, adopted %d, restored %s%n", stop,
                audit, b.logLines("already created note").size(), b.logLines("adopted existing note").size(),
                b.logLines("Ledger: restored partitions").stream().map(l -> l.substring(l.indexOf("Ledger:")))
                        .toList());
        assertThat(kafka.readNow("dead-letters", r -> true)).as("dead letters").isEmpty();
        assertThat(a.logLines("could not complete")).isEmpty();
        assertThat(b.logLines("could not complete")).isEmpty();
    }
}

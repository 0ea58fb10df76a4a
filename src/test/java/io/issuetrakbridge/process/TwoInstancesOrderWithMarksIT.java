package io.issuetrakbridge.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.awaitility.Awaitility;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.issuetrakbridge.testing.BridgeProcess;
import io.issuetrakbridge.testing.CommandTopics;
import io.issuetrakbridge.testing.KafkaTopics;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;

/**
 * Issue 13, order across partitions with routing marks and two instances: one producer spreads each issue's
 * commands over the six partitions of the commands topic, round-robin, under keys that are not the issue number,
 * while two services share the consumer group with marks on; one of them stops mid-run and the other takes its
 * partitions (and the marks of them) over. Every command must get exactly one note and each issue's notes must be
 * created in the order the producer sent its commands.
 * <p>
 * And no command may be let go before the marks do (forced releases, by the max wait or to end a stall). After the
 * stop, b forwards a's unacknowledged records again, most of a's partitions, in one burst behind a backlog; before
 * the new owner inherited its predecessor's copies ({@code HandOver}) and waiting commands waited outside the fetched
 * records ({@code WaitingRoom}), b's buffer filled with waiting commands, no mark moved until the max wait, and
 * commands released then were out of their issue's order in about half the SIGKILL runs.
 */
class TwoInstancesOrderWithMarksIT extends ProcessTestSupport {

    private static final int PARTITIONS = 6;
    private static final int ISSUES = 40;
    private static final int PER_ISSUE = 30;
    /** In the WARN at the start of each episode of forced releases, whatever the reason (CommandRouter). */
    private static final String FORCED_WARN = "issuetrak_bridge_routing_order_forced_total";
    private static final String FORCED_METRIC = "issuetrak_bridge_routing_order_forced_total";

    enum Stop {
        SIGTERM, SIGKILL
    }

    @ParameterizedTest
    @EnumSource(Stop.class)
    void oneOfTwoInstancesWithMarksStopsMidRunAndEachIssueKeepsItsOrder(Stop stop) {
        String name = "order-" + stop.name().toLowerCase();
        newTopics(name, PARTITIONS);
        // Its own compacted marks topic, as deploy/ declares it: no marks of other tests to read at start-up.
        String marksTopic = "routing-" + topics.group();
        KafkaTopics.create(bootstrap, Map.of(marksTopic, 1), Set.of(marksTopic));
        // Each note's creator and each forward in the logs (DEBUG, with the command ID), to tell which instance
        // did what if an issue's order breaks.
        Map<String, String> config = Map.of("bridge.routing.marks.enabled", "true",
                "bridge.topics.routing-marks", marksTopic,
                "quarkus.log.category.\"io.issuetrakbridge.messaging.CommandProcessor\".level", "DEBUG",
                "quarkus.log.category.\"io.issuetrakbridge.routing\".level", "DEBUG");
        sandbox.faults().latency(Duration.ofMillis(5), Duration.ZERO);
        List<Sent> commands = commands(name, ISSUES, PER_ISSUE);
        ConsumerTask<byte[], byte[]> replies = follow("replies");
        ConsumerTask<byte[], byte[]> errors = follow("errors");

        BridgeProcess a = startBridge(stop + "-a", config);
        BridgeProcess b = startBridge(stop + "-b", config);
        a.awaitReady(Duration.ofSeconds(90));
        b.awaitReady(Duration.ofSeconds(90));
        awaitMembersOwnPartitions(2);
        long start = System.nanoTime();
        AtomicInteger produced = produceSteadily(commands, 10, Duration.ofMillis(80), spreadOverPartitions());

        // Early enough that the producer is still at it when b takes a's partitions over.
        Awaitility.await("both instances under way").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(5))
                .until(() -> sandbox.notes().size() >= commands.size() / 8 && !replies.getRecords().isEmpty());
        double forcedA = metricSum(a, FORCED_METRIC);
        int notesAtStop = sandbox.notes().size();
        int producedAtStop = produced.get();
        long signalled = System.nanoTime();
        int exit = stop == Stop.SIGTERM ? a.sigterm(Duration.ofSeconds(40)) : a.sigkill();
        System.out.printf("TwoInstancesOrderWithMarksIT[%s]: instance a stopped (exit %d, %d ms after the signal, "
                + "%d ms into the run) with %d notes, %d of %d produced%n", stop, exit, millisSince(signalled),
                (signalled - start) / 1_000_000, notesAtStop, producedAtStop, commands.size());
        assertThat(exit).isEqualTo(stop == Stop.SIGTERM ? 0 : 137);
        assertThat(notesAtStop).as("stopped well before the end").isLessThan(commands.size() * 3 / 4);

        awaitAllReplied(commands, replies, errors, Duration.ofSeconds(90));
        double forcedB = metricSum(b, FORCED_METRIC);
        System.out.printf("TwoInstancesOrderWithMarksIT[%s]: all %d replied %d ms after the signal (%d ms into the "
                + "run); forced releases: a %.0f before its stop, b %.0f; WARN episodes: a %d, b %d; b restored %s%n",
                stop, commands.size(), millisSince(signalled), millisSince(start), forcedA, forcedB,
                a.logLines(FORCED_WARN).size(), b.logLines(FORCED_WARN).size(),
                b.logLines("Ledger: restored partitions").stream().map(l -> l.substring(l.indexOf("Ledger:")))
                        .toList());

        Audit audit = audit(commands, replies.getRecords());
        System.out.printf("TwoInstancesOrderWithMarksIT[%s]: %s; b answered %d from the ledger%n", stop, audit,
                b.logLines("already created note").size());
        assertThat(kafka.readNow("dead-letters", r -> true)).as("dead letters").isEmpty();
        assertThat(a.logLines("could not complete")).isEmpty();
        assertThat(b.logLines("could not complete")).isEmpty();
        assertThat(forcedA).as("commands a let go before the marks").isZero();
        assertThat(forcedB).as("commands b let go before the marks").isZero();
    }

    /**
     * The n-th command of issue 1000 + i goes to partition (n + i) % 6, under no key, another key, or a key of its
     * own (n % 3), so most are forwarded and none is keyed by its issue; its timestamp is the producer's clock, but
     * at least 1 ms after the issue's previous one.
     */
    private static Function<Sent, CommandTopics.Placed> spreadOverPartitions() {
        Map<Long, Long> lastTimestamp = new HashMap<>();
        return c -> {
            long timestamp = Math.max(System.currentTimeMillis(), lastTimestamp.getOrDefault(c.issue(), 0L) + 1);
            lastTimestamp.put(c.issue(), timestamp);
            String key = switch (c.seq() % 3) {
                case 0 -> null;
                case 1 -> "tenant-7";
                default -> c.commandId();
            };
            return new CommandTopics.Placed((int) ((c.seq() + c.issue() - 1000) % PARTITIONS), timestamp, key,
                    c.json());
        };
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }
}

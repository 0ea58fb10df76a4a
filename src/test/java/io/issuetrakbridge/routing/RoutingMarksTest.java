package io.issuetrakbridge.routing;

import static io.issuetrakbridge.messaging.NotePipelineTest.command;
import static io.issuetrakbridge.testing.CommandTopics.commandIds;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.issuetrakbridge.issuetrak.dto.ReadNote;
import io.issuetrakbridge.resilience.IssuetrakGate;
import io.issuetrakbridge.sandbox.SandboxServer;
import io.issuetrakbridge.testing.CommandTopics;
import io.issuetrakbridge.testing.InjectCommandTopics;
import io.issuetrakbridge.testing.InjectSandbox;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * Issue 13's order when the bridge is behind: one producer spreads an issue's commands over every partition under
 * keys that are not the issue number while the bridge reads nothing (paused by a 403, its window full), and the
 * bridge then reads them long after the order window, partition by partition. With routing marks they are created in
 * production order; with the window alone (before the marks) they were created in the order read.
 */
@QuarkusTest
@TestProfile(RoutingMarksTest.MarksOn.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RoutingMarksTest {

    private static final int PARTITIONS = 3;
    /** bridge.max-in-flight + bridge.scheduling.max-parked below: what the bridge holds before it stops reading. */
    private static final int FETCH_LIMIT = 12;

    /** Marks on; a small window, so a few commands of other issues fill it. */
    public static class MarksOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("bridge.routing.marks.enabled", "true",
                    "bridge.max-in-flight", "2",
                    "bridge.scheduling.max-parked", "10",
                    // No waiting room: commands that wait for order keep their fetched-record slots, as a room
                    // that is full makes them (what the stall below needs; WaitingRoomTest shows the room).
                    "bridge.routing.max-waiting-bytes", "0",
                    // Long enough that no command here leaves by it: what leaves early leaves to end a stall.
                    "bridge.routing.max-order-wait", "10m");
        }
    }

    @InjectCommandTopics
    CommandTopics topics;

    @InjectSandbox
    SandboxServer sandbox;

    @Inject
    IssuetrakGate gate;

    @Inject
    MeterRegistry registry;

    @AfterEach
    void liftFaults() {
        sandbox.faults().reset();
    }

    private double held() {
        return registry.get("issuetrak.bridge.commands.in.flight").gauge().value();
    }

    @Test
    @Order(1)
    void oneIssueSpreadOverEveryPartitionWhileTheBridgeIsBehindIsCreatedInProductionOrder() throws Exception {
        double forcedBefore = forced();
        sandbox.faults().forbidden(true);
        // Commands of other issues, keyed well: the first 403 pauses the bridge, and these fill what it holds, so it
        // stops reading.
        long base = 940_000 + (long) (Math.random() * 2_000) * 10;
        List<String> fillers = new ArrayList<>();
        for (int i = 0; i < FETCH_LIMIT; i++) {
            String id = "filler-" + i + "-" + UUID.randomUUID();
            fillers.add(id);
            topics.send(Long.toString(base + 1 + i), command(id, base + 1 + i, "filler " + i));
        }
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> gate.currentPause().isPresent());
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> held() == FETCH_LIMIT);

        // One producer, one issue, partitions 0, 1, 2, 0, 1, 2, ...; keys null and another string; timestamps 2 ms
        // apart in production order. Read partition by partition, they would come 0, 3, 6, 1, 4, 7, 2, 5, 8.
        long issue = base;
        List<String> ids = new ArrayList<>();
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        long start = System.currentTimeMillis();
        try (KafkaProducer<byte[], byte[]> producer = RoutingTest.producer(topics.bootstrap())) {
            for (int i = 0; i < 9; i++) {
                String id = "behind-" + i + "-" + UUID.randomUUID();
                ids.add(id);
                sent.add(producer.send(new ProducerRecord<>(CommandTopics.topic("commands"), i % PARTITIONS,
                        start + 2L * i, RoutingTest.bytes(i % 2 == 0 ? null : "tenant-7"),
                        RoutingTest.bytes(command(id, issue, "note " + i)))));
            }
            producer.flush();
            for (Future<RecordMetadata> f : sent) {
                f.get(30, TimeUnit.SECONDS);
            }
        }
        // Still paused through three more probes (200 ms apart): the commands are older than the order window
        // (500 ms) by the time the bridge reads them, and it has read none of them yet.
        long forbiddenSoFar = sandbox.stats().answered(403);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> sandbox.stats().answered(403) >= forbiddenSoFar + 3);
        assertThat(held()).isEqualTo(FETCH_LIMIT);

        sandbox.faults().forbidden(false);
        topics.await("replies", commandIds(fillers), fillers.size());
        topics.await("replies", commandIds(ids), ids.size());
        assertThat(sandbox.notes().forIssue(issue).stream().map(ReadNote::noteText)).containsExactly("note 0",
                "note 1", "note 2", "note 3", "note 4", "note 5", "note 6", "note 7", "note 8");
        assertThat(forced()).isEqualTo(forcedBefore);
        assertThat(registry.get("issuetrak.bridge.routing.marks.published").counter().count()).isPositive();
    }

    /**
     * A stall: 24 commands of 24 issues under keys that are not their issue numbers, with record timestamps 12 s
     * ahead of the bridge's clock (a producer clock running ahead), so no mark covers them for 12 s. The bridge holds
     * 12 fetched records: once all 12 are commands waiting for order it reads nothing more, and its marks cannot
     * move past what it has read. Each time it is full for the grace (450 ms: only its own reading can end this
     * stall), the 6 earliest leave (forced, reason stall): 3 times, until the last 6 read fit; those 6 wait for the
     * marks (the max wait is 10 minutes here).
     */
    @Test
    @Order(2)
    void aBufferFullOfCommandsWaitingForOrderLetsTheEarliestGoInsteadOfWaitingTheMaxWait() throws Exception {
        double stallBefore = forced("stall");
        double maxWaitBefore = forced("max-wait");
        long base = 962_000 + (long) (Math.random() * 1_500) * 24;
        long ahead = System.currentTimeMillis() + 12_000;
        List<String> ids = new ArrayList<>();
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = RoutingTest.producer(topics.bootstrap())) {
            for (int i = 0; i < 24; i++) {
                String id = "stall-" + i + "-" + UUID.randomUUID();
                ids.add(id);
                sent.add(producer.send(new ProducerRecord<>(CommandTopics.topic("commands"), i % PARTITIONS,
                        ahead + i, RoutingTest.bytes(i % 2 == 0 ? null : "tenant-8"),
                        RoutingTest.bytes(command(id, base + i, "stalled " + i)))));
            }
            producer.flush();
            for (Future<RecordMetadata> f : sent) {
                f.get(30, TimeUnit.SECONDS);
            }
        }

        Awaitility.await("three stalls ended").atMost(Duration.ofSeconds(25))
                .until(() -> forced("stall") - stallBefore >= 18);
        assertThat(forced("stall") - stallBefore).isEqualTo(18);
        assertThat(forced("max-wait")).isEqualTo(maxWaitBefore);

        topics.await("replies", commandIds(ids), ids.size());
        assertThat(forced("stall") - stallBefore).as("the last six left by the marks").isEqualTo(18);
        assertThat(forced("max-wait")).isEqualTo(maxWaitBefore);
        for (int i = 0; i < 24; i++) {
            assertThat(sandbox.notes().forIssue(base + i)).hasSize(1);
        }
    }

    private double forced(String reason) {
        return registry.get("issuetrak.bridge.routing.order.forced").tag("reason", reason).counter().count();
    }

    /** Commands forced out of their wait for routing marks, whatever the reason. */
    private double forced() {
        return registry.get("issuetrak.bridge.routing.order.forced").counters().stream().mapToDouble(c -> c.count())
                .sum();
    }
}

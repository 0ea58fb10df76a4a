package io.issuetrakbridge.resilience;

import static io.issuetrakbridge.messaging.NotePipelineTest.command;
import static io.issuetrakbridge.testing.CommandTopics.commandIds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.issuetrakbridge.sandbox.SandboxServer;
import io.issuetrakbridge.sandbox.WorkerPool;
import io.issuetrakbridge.testing.CommandTopics;
import io.issuetrakbridge.testing.InjectCommandTopics;
import io.issuetrakbridge.testing.InjectSandbox;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * The adaptive limit against the sandbox's knee: 8 workers at 20 ms each, a backlog of commands on many
 * issues (so the bridge could send up to its 256-command window at once): the limit settles near 8.
 */
@QuarkusTest
@TestProfile(AdaptiveConcurrencyKneeTest.Adaptive.class)
class AdaptiveConcurrencyKneeTest {

    private static final int WORKERS = 8;

    /** Adaptive on (the test profile turns it off for the other tests). */
    public static class Adaptive implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            // A window of 64 commands, so that demand exceeds the sandbox's 8 workers (the default window is 16).
            return Map.of("issuetrak.concurrency.adaptive", "true", "issuetrak.max-connections", "64",
                    "bridge.max-in-flight", "64");
        }
    }

    @InjectCommandTopics
    CommandTopics topics;

    @InjectSandbox
    SandboxServer sandbox;

    @Inject
    MeterRegistry registry;

    @AfterEach
    void reset() {
        sandbox.faults().reset();
        sandbox.workers().reset();
    }

    @Test
    void theLimitSettlesNearTheSandboxsWorkers() {
        sandbox.workers().configure(new WorkerPool.Settings(WORKERS, 1000));
        sandbox.faults().latency(Duration.ofMillis(20), Duration.ZERO);
        long base = 800_000 + (long) (Math.random() * 100_000);
        List<CommandTopics.Keyed> backlog = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 1500; i++) {
            String id = "knee-" + i + "-" + UUID.randomUUID();
            ids.add(id);
            backlog.add(new CommandTopics.Keyed(Long.toString(base + i), command(id, base + i, "knee " + i)));
        }
        topics.sendAll(backlog);

        // Under load the limit grows from 4 to around the 8 workers and stays there, far below the 64 connections.
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(limit()).isBetween(WORKERS / 2, 2 * WORKERS);
            assertThat(sandbox.workers().busy()).isEqualTo(WORKERS);
        });
        topics.await("replies", commandIds(ids), ids.size());

        // Vegas keeps probing around the knee (one window may add a step or two: 17 was seen once on a loaded
        // machine), so after the drain the bound is looser, still far below the 64 connections.
        assertThat(limit()).isBetween(WORKERS / 2, 3 * WORKERS);
        assertThat(sandbox.workers().rejected()).isZero();
        // Without the limit the bridge would have had up to 64 requests at the sandbox, 56 of them queued.
        assertThat(sandbox.workers().peakQueued()).isLessThanOrEqualTo(2 * WORKERS);
        // No request is answered in less than the sandbox's 20 ms, so neither is a window's average; a machine
        // shared with the broker and the tests may add to it, not double it.
        assertThat(registry.get("issuetrak.bridge.issuetrak.concurrency.no.load.latency").gauge().value())
                .isBetween(0.020, 0.040);
    }

    private int limit() {
        // Registered when the client bean is first used, i.e. with the first command.
        var gauge = registry.find("issuetrak.bridge.issuetrak.concurrency.limit").gauge();
        return gauge == null ? -1 : (int) gauge.value();
    }
}

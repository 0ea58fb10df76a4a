package io.issuetrakbridge.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.issuetrakbridge.testing.BridgeProcess;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;

/**
 * Full jitter draws retry delays anywhere in [0, bound): some are under a millisecond, which a
 * Vert.x timer refuses. Such a retry used to fail the command outright, leaving it without an
 * outcome and its offset uncommitted until a restart, while later commands of its issue went ahead.
 * A 1 ms bound makes every retry delay sub-millisecond.
 */
class SubMillisecondRetryIT extends ProcessTestSupport {

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
                "bridge.retry.max-attempts", "30"));
        bridge.awaitReady(Duration.ofSeconds(90));
        produceSteadily(commands, commands.size(), Duration.ofSeconds(1));

        awaitAllReplied(commands, replies, errors, Duration.ofSeconds(45));
        Audit audit = audit(commands, replies.getRecords());
        System.out.printf("SubMillisecondRetryIT: %s, sandbox answered %s%n", audit, sandbox.stats().byStatus());
        assertThat(sandbox.stats().byStatus()).as("retries happened").containsKey(500);
        assertThat(bridge.logLines("could not complete")).isEmpty();
    }
}

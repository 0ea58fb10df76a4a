package io.issuetrakbridge.messaging;

import static io.issuetrakbridge.messaging.NotePipelineTest.command;
import static io.issuetrakbridge.testing.CommandTopics.commandIds;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.issuetrakbridge.sandbox.SandboxServer;
import io.issuetrakbridge.testing.CommandTopics;
import io.issuetrakbridge.testing.InjectSandbox;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** {@code bridge.max-in-flight=1} is a plain sequential consumer: never two Issuetrak calls at once. */
@QuarkusTest
@TestProfile(SequentialBaselineTest.OneAtATime.class)
class SequentialBaselineTest {

    public static class OneAtATime implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("bridge.max-in-flight", "1");
        }
    }

    @InjectSandbox
    SandboxServer sandbox;

    @Test
    void processesStrictlyOneCommandAtATime() {
        sandbox.faults().latency(Duration.ofMillis(30), Duration.ZERO);
        sandbox.stats().reset();
        try (CommandTopics topics = new CommandTopics()) {
            List<String> ids = new ArrayList<>();
            for (int i = 1; i <= 15; i++) {
                String id = "seq-" + i + "-" + UUID.randomUUID();
                ids.add(id);
                topics.send(Integer.toString(i), command(id, 800 + i, "sequential"));
            }
            topics.await("replies", commandIds(ids), ids.size());
        } finally {
            sandbox.faults().reset();
        }
        assertThat(sandbox.stats().peakInFlight()).isEqualTo(1);
    }
}

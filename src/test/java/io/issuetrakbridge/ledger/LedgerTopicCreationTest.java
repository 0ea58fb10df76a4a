package io.issuetrakbridge.ledger;

import static io.issuetrakbridge.testing.CommandTopics.commandIds;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.issuetrakbridge.config.BridgeConfig;
import io.issuetrakbridge.messaging.NotePipelineTest;
import io.issuetrakbridge.testing.CommandTopics;
import io.issuetrakbridge.testing.InjectCommandTopics;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * The operator's case of issue 17: a ledger topic created by nobody. The bridge creates it, shaped like the
 * commands topic (3 partitions in the tests) and compacted, and answers commands; before, it logged a restore
 * time-out once a minute and processed nothing. The routing marks topic is made the same way.
 */
@QuarkusTest
@TestProfile(LedgerTopicCreationTest.NoLedgerTopic.class)
class LedgerTopicCreationTest {

    /** A ledger topic name that no one has created. */
    public static class NoLedgerTopic implements QuarkusTestProfile {
        static final String LEDGER = "ledger-created-by-the-bridge-" + UUID.randomUUID();
        static final String MARKS = "routing-marks-created-by-the-bridge-" + UUID.randomUUID();

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("bridge.topics.ledger", LEDGER, "bridge.routing.marks.enabled", "true",
                    "bridge.topics.routing-marks", MARKS);
        }
    }

    @InjectCommandTopics
    CommandTopics topics;

    @Inject
    BridgeConfig config;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Test
    void aMissingLedgerIsCreatedAndCommandsAreAnswered() throws Exception {
        assertThat(config.topics().ledger()).isEqualTo(NoLedgerTopic.LEDGER);
        String id = "created-ledger-" + UUID.randomUUID();

        topics.send("7101", NotePipelineTest.command(id, 7101, "the ledger is made for us"));

        topics.await("replies", commandIds(List.of(id)), 1);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            assertThat(admin.describeTopics(List.of(NoLedgerTopic.LEDGER)).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(NoLedgerTopic.LEDGER).partitions()).hasSize(3);
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, NoLedgerTopic.LEDGER);
            Config ledger = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
            assertThat(ledger.get("cleanup.policy").value()).isEqualTo("compact,delete");
            // The routing marks topic too: one partition, compacted (the latest mark per commands partition).
            assertThat(admin.describeTopics(List.of(NoLedgerTopic.MARKS)).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(NoLedgerTopic.MARKS).partitions()).hasSize(1);
            ConfigResource marks = new ConfigResource(ConfigResource.Type.TOPIC, NoLedgerTopic.MARKS);
            assertThat(admin.describeConfigs(List.of(marks)).all().get(30, TimeUnit.SECONDS).get(marks)
                    .get("cleanup.policy").value()).isEqualTo("compact");
        }
    }
}

package io.issuetrakbridge.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.common.config.ConfigResource;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.issuetrakbridge.config.BridgeConfig;
import io.issuetrakbridge.config.TestConfigs;
import io.issuetrakbridge.health.KafkaTopicsReadinessCheck;
import io.issuetrakbridge.testing.EmbeddedKafka;
import io.issuetrakbridge.testing.KafkaTopics;

/**
 * The topic check against a real broker, one case per way a ledger topic can be wrong: created when missing
 * (and allowed), otherwise each problem named with the command that fixes it, and readiness DOWN with it.
 */
class TopicShapeCheckTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final String bootstrap = EmbeddedKafka.bootstrapServers();
    private final String suffix = UUID.randomUUID().toString().substring(0, 8);
    private final String commands = "shape-commands-" + suffix;
    private final String ledger = "shape-ledger-" + suffix;
    private Admin admin;
    private TopicShapeCheck check;

    @BeforeEach
    void commandsTopicWithThreePartitions() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        admin = Admin.create(props);
        KafkaTopics.create(bootstrap, Map.of(commands, 3, "shape-replies-" + suffix, 1, "shape-errors-" + suffix, 1,
                "shape-dlq-" + suffix, 1));
    }

    @AfterEach
    void close() {
        if (check != null) {
            check.close();
        }
        admin.close();
    }

    private TopicShapeCheck check(Map<String, String> settings) {
        Map<String, String> bridge = new HashMap<>(Map.of("topics.commands", commands, "topics.ledger", ledger,
                "topics.replies", "shape-replies-" + suffix, "topics.errors", "shape-errors-" + suffix,
                "topics.dead-letters", "shape-dlq-" + suffix));
        bridge.putAll(settings);
        BridgeConfig config = TestConfigs.bridge(bridge);
        // The shared kafka.* namespace holds consumer settings too: they must not reach the admin client.
        check = new TopicShapeCheck(Map.of("bootstrap.servers", bootstrap, "group.id", "ignored"), config.topics(),
                config.ledger());
        return check;
    }

    @Test
    void aMissingLedgerIsCreatedLikeTheCommandsTopicAndCompacted() throws Exception {
        TopicReport report = check(Map.of()).check();

        assertThat(report.problems()).isEmpty();
        assertThat(report.warnings()).isEmpty();
        assertThat(report.ledgerPartitions()).isEqualTo(3);
        assertThat(admin.describeTopics(List.of(ledger)).allTopicNames().get(30, TimeUnit.SECONDS).get(ledger)
                .partitions()).hasSize(3);
        Config config = ledgerConfig();
        assertThat(config.get("cleanup.policy").value()).isEqualTo("compact,delete");
        assertThat(config.get("retention.ms").value()).isEqualTo("1209600000");
        // Checked again, nothing changes: it exists as it must.
        assertThat(check.check().problems()).isEmpty();
    }

    @Test
    void aMissingLedgerThatMayNotBeCreatedIsReportedWithTheCommandThatCreatesIt() {
        TopicReport report = check(Map.of("ledger.create-topic", "false", "ledger.retention", "7d")).check();

        assertThat(report.ledgerPartitions()).isEqualTo(-1);
        assertThat(report.problems()).containsExactly("the ledger topic " + ledger
                + " does not exist (bridge.ledger.create-topic=false); create it: kafka-topics.sh --bootstrap-server "
                + bootstrap + " --create --topic " + ledger + " --partitions 3 --replication-factor 1"
                + " --config cleanup.policy=compact,delete --config retention.ms=604800000");
        assertThat(topicExists(ledger)).isFalse();
        assertDown(report.problems().get(0));
    }

    @Test
    void aLedgerWithFewerPartitionsIsReportedWithTheCommandThatAddsThem() {
        KafkaTopics.create(bootstrap, Map.of(ledger, 2), Set.of(ledger));

        TopicReport report = check(Map.of()).check();

        assertThat(report.ledgerPartitions()).isEqualTo(2);
        assertThat(report.problems()).containsExactly("the ledger topic " + ledger + " has 2 partitions, the commands "
                + "topic " + commands + " 3: commands of partitions 2 and above cannot be recorded; add partitions: "
                + "kafka-topics.sh --bootstrap-server " + bootstrap + " --alter --topic " + ledger + " --partitions 3");
        assertDown(report.problems().get(0));
    }

    @Test
    void aLedgerWithMorePartitionsIsReported() {
        KafkaTopics.create(bootstrap, Map.of(ledger, 4), Set.of(ledger));

        TopicReport report = check(Map.of()).check();

        assertThat(report.ledgerPartitions()).isEqualTo(4);
        assertThat(report.problems()).singleElement().asString()
                .startsWith("the ledger topic " + ledger + " has 4 partitions, the commands topic " + commands + " 3:")
                .contains("kafka-topics.sh --bootstrap-server " + bootstrap + " --alter --topic " + commands
                        + " --partitions 4");
    }

    @Test
    void aLedgerWithoutCompactionIsReportedWithTheCommandThatCompactsIt() {
        KafkaTopics.create(bootstrap, Map.of(ledger, 3));

        TopicReport report = check(Map.of()).check();

        assertThat(report.ledgerPartitions()).isEqualTo(3);
        assertThat(report.problems()).containsExactly("the ledger topic " + ledger + " has cleanup.policy=delete, "
                + "without compact: it grows with every command instead of keeping the latest entry of each; fix: "
                + "kafka-configs.sh --bootstrap-server " + bootstrap + " --alter --entity-type topics --entity-name "
                + ledger + " --add-config cleanup.policy=[compact,delete]");
        assertDown(report.problems().get(0));
    }

    @Test
    void aMissingRepliesTopicIsAWarningNotAProblem() {
        Map<String, String> missingReplies = Map.of("topics.replies", "shape-no-replies-" + suffix);

        TopicReport report = check(missingReplies).check();

        assertThat(report.problems()).isEmpty();
        assertThat(report.warnings()).singleElement().asString()
                .startsWith("the topic shape-no-replies-" + suffix + " does not exist")
                .endsWith("create it: kafka-topics.sh --bootstrap-server " + bootstrap + " --create --topic "
                        + "shape-no-replies-" + suffix + " --partitions <partitions> --replication-factor <replicas>");
        assertThat(new KafkaTopicsReadinessCheck(check).call().await().atMost(WAIT).getStatus())
                .isEqualTo(HealthCheckResponse.Status.UP);
    }

    @Test
    void anAssignmentWaitsForTheOperatorsFix() throws Exception {
        KafkaTopics.create(bootstrap, Map.of(ledger, 2), Set.of(ledger));
        TopicShapeCheck checker = check(Map.of());
        CompletableFuture<Void> assigned = CompletableFuture.runAsync(() -> checker.awaitLedgerFor(List.of(0, 1, 2)));
        // Partitions 0 and 1 are served; 2 is not, until the operator adds it.
        checker.awaitLedgerFor(List.of(0, 1));
        assertThat(assigned).isNotDone();

        admin.createPartitions(Map.of(ledger, NewPartitions.increaseTo(3))).all().get(30, TimeUnit.SECONDS);

        assigned.get(30, TimeUnit.SECONDS);
        assertThat(checker.lastReport()).hasValueSatisfying(report -> assertThat(report.problems()).isEmpty());
    }

    private void assertDown(String problem) {
        HealthCheckResponse health = new KafkaTopicsReadinessCheck(check).call().await().atMost(WAIT);
        assertThat(health.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(health.getData()).hasValueSatisfying(data -> assertThat(data).containsEntry("problem1", problem));
    }

    private Config ledgerConfig() throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, ledger);
        return admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
    }

    private boolean topicExists(String topic) {
        try {
            return admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(topic);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

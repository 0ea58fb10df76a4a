package io.issuetrakbridge.testing;

import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * One real KRaft broker (Kafka 4.1.1, the clients' version) for the whole test JVM. Starting a
 * broker costs seconds, so every Quarkus application the tests boot shares it and isolates itself
 * with topics of its own instead.
 */
public final class EmbeddedKafka {

    private static KafkaClusterTestKit cluster;

    private EmbeddedKafka() {
    }

    /** Bootstrap servers of the shared broker, starting it on first use. */
    public static synchronized String bootstrapServers() {
        if (cluster == null) {
            cluster = start();
            Runtime.getRuntime().addShutdownHook(new Thread(EmbeddedKafka::stop, "embedded-kafka-stop"));
        }
        return cluster.bootstrapServers();
    }

    private static KafkaClusterTestKit start() {
        return startCluster(1);
    }

    /**
     * A cluster of its own, for a test that stops brokers: {@code brokers} broker nodes, the first of
     * them also the controller. The caller closes it.
     */
    public static KafkaClusterTestKit startCluster(int brokers) {
        try {
            // A directory of our own: with none, the kit takes a temp directory that a JVM shutdown hook
            // deletes while the broker may still be closing; Kafka then sees every log dir fail and halts
            // the JVM with status 1, which fails the test run after all tests passed.
            java.nio.file.Path base = java.nio.file.Files.createDirectories(
                    java.nio.file.Path.of("target", "embedded-kafka", java.util.UUID.randomUUID().toString()));
            KafkaClusterTestKit kit = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                    .setBaseDirectory(base.toAbsolutePath())
                    .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
                    .setCombined(true)
                    .setNumBrokerNodes(brokers)
                    .setNumControllerNodes(1)
                    .build())
                    // A single node cannot meet the defaults of 3 replicas for internal topics.
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("offsets.topic.num.partitions", "3")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("share.coordinator.state.topic.replication.factor", "1")
                    .setConfigProp("share.coordinator.state.topic.min.isr", "1")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .setConfigProp("num.partitions", "1")
                    .setConfigProp("auto.create.topics.enable", "true")
                    .build();
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
            return kit;
        } catch (Exception e) {
            throw new IllegalStateException("could not start an embedded Kafka cluster", e);
        }
    }

    private static synchronized void stop() {
        if (cluster != null) {
            try {
                cluster.close();
            } catch (Exception ignored) {
                // The JVM is exiting; a broker that does not close cleanly leaves only temp files.
            }
            cluster = null;
        }
    }
}

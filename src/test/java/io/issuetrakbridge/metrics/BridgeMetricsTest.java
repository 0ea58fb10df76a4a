package io.issuetrakbridge.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.Value;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The per-partition lag gauges: one per assigned partition, reading the Kafka client's own
 * {@code records-lag} metric of exactly that topic and partition, gone once the partition is revoked.
 */
class BridgeMetricsTest {

    private static final String TOPIC = "issuetrak.notes.commands";

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final BridgeMetrics metrics = new BridgeMetrics(registry);
    /** Kafka's metrics registry, recorded into as the consumer's fetcher does. */
    private final Metrics kafkaMetrics = new Metrics();
    private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest") {
        @Override
        public synchronized Map<MetricName, ? extends Metric> metrics() {
            return kafkaMetrics.metrics();
        }
    };

    @AfterEach
    void close() {
        kafkaMetrics.close();
    }

    @Test
    void aGaugePerAssignedPartitionReadsThatPartitionsRecordsLag() {
        TopicPartition p0 = new TopicPartition(TOPIC, 0);
        TopicPartition p1 = new TopicPartition(TOPIC, 1);
        metrics.partitionsAssigned(consumer, List.of(p0, p1));
        recordLag(TOPIC, 0, 42);
        // Kafka's deprecated copy for topics with dots, and another partition: neither may be read for p0.
        recordLag(TOPIC.replace('.', '_'), 0, 7);
        recordLag(TOPIC, 2, 99);

        assertThat(lag(0).value()).isEqualTo(42.0);
        assertThat(lag(1).value()).as("no fetch of partition 1 yet").isNaN();

        recordLag(TOPIC, 1, 0);
        assertThat(lag(1).value()).isZero();
    }

    @Test
    void revokedPartitionsStopBeingReported() {
        TopicPartition p0 = new TopicPartition(TOPIC, 0);
        TopicPartition p1 = new TopicPartition(TOPIC, 1);
        metrics.partitionsAssigned(consumer, List.of(p0, p1));
        metrics.partitionsRevoked(List.of(p0));

        assertThat(registry.find("issuetrak.bridge.consumer.lag").gauges())
                .extracting(gauge -> gauge.getId().getTag("partition")).containsExactly("1");

        // Assigned again (after a rebalance): one gauge again, not two.
        metrics.partitionsAssigned(consumer, List.of(p0));
        recordLag(TOPIC, 0, 3);
        assertThat(registry.find("issuetrak.bridge.consumer.lag").tag("partition", "0").gauges()).hasSize(1);
        assertThat(lag(0).value()).isEqualTo(3.0);
    }

    private Gauge lag(int partition) {
        return registry.get("issuetrak.bridge.consumer.lag")
                .tags("topic", TOPIC, "partition", Integer.toString(partition)).gauge();
    }

    private void recordLag(String topic, int partition, long lag) {
        Map<String, String> tags = Map.of("client-id", "kafka-consumer-commands", "topic", topic,
                "partition", Integer.toString(partition));
        Sensor sensor = kafkaMetrics.sensor(topic + "-" + partition + ".records-lag");
        sensor.add(kafkaMetrics.metricName("records-lag", "consumer-fetch-manager-metrics", tags), new Value());
        sensor.record(lag);
    }
}

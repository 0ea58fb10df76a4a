package io.issuetrakbridge.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * A measurement is the partition's end offset minus the consumer's position, for each assigned partition,
 * whether or not the consumer is fetching it. (The running monitor is shown on a real broker by
 * {@code MetricsEndpointTest}.)
 */
class ConsumerLagMonitorTest {

    private static final String TOPIC = "issuetrak.notes.commands";
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
    private static final TopicPartition P1 = new TopicPartition(TOPIC, 1);

    private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");

    @Test
    void lagIsEndOffsetMinusPositionPerAssignedPartitionAlsoWhilePaused() {
        consumer.assign(List.of(P0, P1));
        consumer.updateEndOffsets(Map.of(P0, 120L, P1, 30L));
        consumer.seek(P0, 14);
        consumer.seek(P1, 30);
        consumer.pause(List.of(P0));

        assertThat(ConsumerLagMonitor.measure(consumer)).containsExactlyInAnyOrderEntriesOf(Map.of(P0, 106L, P1, 0L));

        consumer.updateEndOffsets(Map.of(P0, 150L));
        assertThat(ConsumerLagMonitor.measure(consumer)).containsEntry(P0, 136L);
    }

    @Test
    void nothingAssignedMeansNothingMeasured() {
        assertThat(ConsumerLagMonitor.measure(consumer)).isEmpty();
    }
}

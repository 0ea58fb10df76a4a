package io.issuetrakbridge.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/**
 * The home partition is Kafka's default key partitioning of the decimal issue number. The expected values were
 * computed outside this code base, with a separate implementation of MurmurHash2 (seed 0x9747b28c, as Kafka's
 * {@code Utils.murmur2}) checked against Kafka's own test vectors ("21" -> -973932308, "foobar" -> -790332482),
 * then {@code (hash & 0x7fffffff) % partitions}, as Kafka's {@code BuiltInPartitioner.partitionForKey}.
 */
class HomePartitionTest {

    @Test
    void isKafkasMurmur2PartitionOfTheDecimalIssueNumber() {
        // murmur2("42") = 417700972
        assertThat(HomePartition.of(42, 3)).isEqualTo(1);
        assertThat(HomePartition.of(42, 6)).isEqualTo(4);
        assertThat(HomePartition.of(42, 12)).isEqualTo(4);
        // murmur2("31") = 1765490875
        assertThat(HomePartition.of(31, 3)).isEqualTo(1);
        assertThat(HomePartition.of(31, 12)).isEqualTo(7);
        // murmur2("12345") = -1188365604: negative, made positive by masking the sign bit (not Math.abs)
        assertThat(HomePartition.of(12345, 3)).isEqualTo(2);
        assertThat(HomePartition.of(12345, 12)).isEqualTo(8);
        // murmur2("1") = -1993445489
        assertThat(HomePartition.of(1, 6)).isEqualTo(3);
        // Beyond int: murmur2("2147483648") = 1897219614, murmur2("9223372036854775807") = -1221667907
        assertThat(HomePartition.of(2_147_483_648L, 12)).isEqualTo(6);
        assertThat(HomePartition.of(Long.MAX_VALUE, 12)).isEqualTo(9);
        assertThat(HomePartition.of(600_001, 6)).isEqualTo(2);
    }

    @Test
    void oneIsAlwaysPartitionZero() {
        assertThat(HomePartition.of(42, 1)).isZero();
        assertThat(HomePartition.of(Long.MAX_VALUE, 1)).isZero();
    }

    @Test
    void refusesATopicWithoutPartitions() {
        assertThatThrownBy(() -> HomePartition.of(42, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theIssueKeyIsExactlyTheDecimalNumber() {
        assertThat(HomePartition.isIssueKey("42".getBytes(StandardCharsets.UTF_8), 42)).isTrue();
        assertThat(HomePartition.isIssueKey("042".getBytes(StandardCharsets.UTF_8), 42)).isFalse();
        assertThat(HomePartition.isIssueKey("42 ".getBytes(StandardCharsets.UTF_8), 42)).isFalse();
        assertThat(HomePartition.isIssueKey("tenant-7".getBytes(StandardCharsets.UTF_8), 42)).isFalse();
        assertThat(HomePartition.isIssueKey(null, 42)).isFalse();
    }
}

package io.issuetrakbridge.routing;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.apache.kafka.common.utils.Utils;

/**
 * The commands partition an issue's commands are processed on: Kafka's own key partitioning (murmur2 of the
 * key bytes, made positive, modulo the partition count) applied to the issue number as a decimal string.
 * <p>
 * Kafka's function, not one of ours, so that a Java producer keyed by the issue number (the README's
 * recommendation, and Kafka's default partitioner) already puts every command where it is processed, and a
 * librdkafka producer with {@code partitioner=murmur2_random} too.
 */
public final class HomePartition {

    private HomePartition() {
    }

    /** The home partition of {@code issueNumber} in a topic of {@code partitions} partitions. */
    public static int of(long issueNumber, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("a topic has at least one partition, not " + partitions);
        }
        return Utils.toPositive(Utils.murmur2(issueKey(issueNumber))) % partitions;
    }

    /** The recommended record key of an issue's commands: its number in decimal, UTF-8. */
    public static byte[] issueKey(long issueNumber) {
        return Long.toString(issueNumber).getBytes(StandardCharsets.UTF_8);
    }

    /** Whether a record key is exactly the issue's recommended key. */
    public static boolean isIssueKey(byte[] key, long issueNumber) {
        return key != null && Arrays.equals(key, issueKey(issueNumber));
    }
}

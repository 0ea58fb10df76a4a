package io.issuetrakbridge.testing;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * A fresh set of topics and a consumer group, created on the broker, for a service started outside
 * Quarkus' test machinery ({@link BridgeProcess}). Short names are those of {@code bridge.topics.*}.
 */
public record BridgeTopics(String commands, String replies, String errors, String deadLetters, String ledger,
        String group) {

    /** Creates the topics: commands and ledger with {@code partitions} partitions (they must match), the rest with 1. */
    public static BridgeTopics create(String bootstrap, String prefix, int partitions) {
        String suffix = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        BridgeTopics topics = new BridgeTopics("commands-" + suffix, "replies-" + suffix, "errors-" + suffix,
                "dlq-" + suffix, "ledger-" + suffix, "bridge-" + suffix);
        KafkaTopics.create(bootstrap, Map.of(
                topics.commands, partitions,
                topics.ledger, partitions,
                topics.replies, 1,
                topics.errors, 1,
                topics.deadLetters, 1), Set.of(topics.ledger));
        return topics;
    }

    /** A topic by its short name: commands, replies, errors, dead-letters, ledger. */
    public String name(String shortName) {
        return switch (shortName) {
            case "commands" -> commands;
            case "replies" -> replies;
            case "errors" -> errors;
            case "dead-letters" -> deadLetters;
            case "ledger" -> ledger;
            default -> throw new IllegalArgumentException("no topic called " + shortName);
        };
    }

    /** The service's configuration for these topics and this group. */
    public Map<String, String> config() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("bridge.topics.commands", commands);
        config.put("bridge.topics.replies", replies);
        config.put("bridge.topics.errors", errors);
        config.put("bridge.topics.dead-letters", deadLetters);
        config.put("bridge.topics.ledger", ledger);
        config.put("kafka.group.id", group);
        return config;
    }
}

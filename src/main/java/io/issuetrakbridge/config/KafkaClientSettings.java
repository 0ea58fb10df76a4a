package io.issuetrakbridge.config;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The shared {@code kafka.*} settings (bootstrap, SASL, TLS: Quarkus' {@code default-kafka-broker} map) cut
 * down for a client the bridge creates itself (the ledger's, the replay's, the reply producer and the topic
 * check's admin), in one place so that each of them sees the same security settings.
 */
public final class KafkaClientSettings {

    /** The commands consumer's identity: a client of our own must not join its group or reuse its id. */
    private static final Predicate<String> GROUP_IDENTITY = k -> k.startsWith("group.") || k.equals("client.id");

    /** Consumer-only keys: in a producer they would only draw "unknown config" warnings. */
    private static final Predicate<String> CONSUMER_ONLY = k -> k.startsWith("auto.") || k.startsWith("enable.auto")
            || k.endsWith(".deserializer");

    private KafkaClientSettings() {
    }

    /** For a consumer of our own: the shared settings without the commands consumer's group identity. */
    public static Map<String, Object> consumer(Map<String, Object> kafka) {
        Map<String, Object> props = new HashMap<>(kafka);
        props.keySet().removeIf(GROUP_IDENTITY);
        return props;
    }

    /** For a producer of our own: the shared settings without the group identity and consumer-only keys. */
    public static Map<String, Object> producer(Map<String, Object> kafka) {
        Map<String, Object> props = consumer(kafka);
        props.keySet().removeIf(CONSUMER_ONLY);
        return props;
    }

    /** For an admin client of our own (the topic check): no group identity, no consumer or producer keys. */
    public static Map<String, Object> admin(Map<String, Object> kafka) {
        Map<String, Object> props = producer(kafka);
        props.keySet().removeIf(k -> k.endsWith(".serializer"));
        return props;
    }
}

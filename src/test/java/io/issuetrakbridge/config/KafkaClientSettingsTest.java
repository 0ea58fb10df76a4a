package io.issuetrakbridge.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** The shared kafka.* settings as each of our own clients sees them. */
class KafkaClientSettingsTest {

    private static final Map<String, Object> KAFKA = Map.of("bootstrap.servers", "b:9092",
            "security.protocol", "SASL_SSL", "group.id", "issuetrak-bridge", "group.instance.id", "i1",
            "client.id", "c", "auto.offset.reset", "earliest", "enable.auto.commit", "false",
            "value.deserializer", "x.Deserializer");

    @Test
    void aConsumerKeepsSecurityAndLeavesTheCommandsGroupAlone() {
        assertThat(KafkaClientSettings.consumer(KAFKA)).containsOnlyKeys("bootstrap.servers", "security.protocol",
                "auto.offset.reset", "enable.auto.commit", "value.deserializer");
    }

    @Test
    void aProducerAlsoDropsConsumerOnlyKeys() {
        assertThat(KafkaClientSettings.producer(KAFKA)).containsOnlyKeys("bootstrap.servers", "security.protocol");
    }

    @Test
    void anAdminAlsoDropsSerializers() {
        Map<String, Object> kafka = new java.util.HashMap<>(KAFKA);
        kafka.put("key.serializer", "x.Serializer");
        assertThat(KafkaClientSettings.admin(kafka)).containsOnlyKeys("bootstrap.servers", "security.protocol");
    }

    @Test
    void theSharedMapIsNotChanged() {
        Map<String, Object> kafka = new java.util.HashMap<>(KAFKA);
        KafkaClientSettings.producer(kafka);
        assertThat(kafka).isEqualTo(KAFKA);
    }
}

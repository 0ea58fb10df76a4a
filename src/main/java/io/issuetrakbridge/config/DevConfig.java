package io.issuetrakbridge.config;

import java.nio.file.Path;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The local run ({@code ./mvnw compile quarkus:dev}) only: the embedded Kafka broker. */
@ConfigMapping(prefix = "bridge.dev")
public interface DevConfig {

    /** Port of the dev broker's client listener; the controller listens on the next port. */
    @WithDefault("9092")
    int kafkaPort();

    /** Where the dev broker keeps its data across restarts. */
    @WithDefault("target/dev-kafka")
    Path kafkaData();
}

package io.issuetrakbridge.config;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;

/**
 * Builds the real {@link IssuetrakConfig} and {@link BridgeConfig} mappings from properties, as SmallRye does in the application,
 * so plain JUnit tests exercise the same converters and defaults without booting Quarkus.
 */
public final class TestConfigs {

    /** The test profile's key (application.properties). */
    public static final String TEST_KEY = "dGVzdC1vbmx5LWtleS1ub3QtYS1zZWNyZXQtMzJieXQ=";

    private TestConfigs() {
    }

    /** {@code bridge.*} from the given entries (keys without the prefix), defaults for the rest. */
    public static BridgeConfig bridge(Map<String, String> entries) {
        Map<String, String> props = new HashMap<>();
        entries.forEach((k, v) -> props.put("bridge." + k, v));
        return new SmallRyeConfigBuilder()
                .withConverter(Duration.class, 200, new DurationConverter())
                .withMapping(BridgeConfig.class)
                .withSources(new PropertiesConfigSource(props, "test", 500))
                .build()
                .getConfigMapping(BridgeConfig.class);
    }

    /** {@code issuetrak.*} from the given entries (keys without the prefix), the test key unless overridden. */
    public static IssuetrakConfig issuetrak(Map<String, String> entries) {
        Map<String, String> props = new HashMap<>();
        props.put("issuetrak.api-key", TEST_KEY);
        entries.forEach((k, v) -> props.put("issuetrak." + k, v));
        return new SmallRyeConfigBuilder()
                // Quarkus registers its Duration converter ("2s"); plain SmallRye only knows ISO-8601.
                .withConverter(Duration.class, 200, new DurationConverter())
                .withMapping(IssuetrakConfig.class)
                .withSources(new PropertiesConfigSource(props, "test", 500))
                .build()
                .getConfigMapping(IssuetrakConfig.class);
    }
}

package io.issuetrakbridge.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Start-up validation of {@code issuetrak.*} and {@code bridge.*}, through the real SmallRye mappings. */
class ConfigValidatorTest {

    private static IssuetrakConfig config(String... keyValues) {
        Map<String, String> entries = new HashMap<>();
        entries.put("base-url", "https://help.example.com/issuetrak");
        for (int i = 0; i < keyValues.length; i += 2) {
            entries.put(keyValues[i], keyValues[i + 1]);
        }
        return TestConfigs.issuetrak(entries);
    }

    @Test
    void defaultsAreValid() {
        IssuetrakConfig config = config();

        assertThat(ConfigValidator.problems(config)).isEmpty();
        assertThat(config.apiVersion()).isEqualTo(1);
        assertThat(config.connectTimeout()).hasSeconds(2);
        assertThat(config.requestTimeout()).hasSeconds(10);
    }

    @ParameterizedTest
    @ValueSource(strings = { "/issuetrak", "help.example.com", "ftp://help.example.com", "mailto:help@example.com",
            "http:///nohost", "https://help.example.com/?a=1", "https://help.example.com/#x", "https://user:pw@help.example.com" })
    void badBaseUrlIsRefusedNamingTheKey(String url) {
        Throwable refused = catchThrowable(() -> ConfigValidator.check(config("base-url", url)));

        assertThat(refused).isInstanceOf(IllegalStateException.class).hasMessageContaining("issuetrak.base-url");
        // A URL may carry credentials: never echo it.
        assertThat(refused.getMessage()).doesNotContain("pw@");
    }

    @ParameterizedTest
    @CsvSource({ "api-version, 0", "connect-timeout, 0s", "request-timeout, -1s", "max-connections, 0",
        "concurrency.initial-limit, 0" })
    void nonPositiveNumbersAreRefusedNamingTheKey(String key, String value) {
        assertThatThrownBy(() -> ConfigValidator.check(config(key, value)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("issuetrak." + key);
    }

    @Test
    void defaultsSpendNoBudgetAndOpenSixteenConnections() {
        IssuetrakConfig config = config();

        assertThat(config.budget().rules()).isEmpty();
        assertThat(config.maxConnections()).isEqualTo(16);
        assertThat(config.probeAfterIdle()).hasMinutes(5);
        assertThat(TestConfigs.bridge(Map.of()).maxInFlight()).isEqualTo(16);
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = { "budget.rules; 20/1s,20/1s/all", "budget.burst; 1", "budget.burst; -0.1",
            "probe-after-idle; 0s" })
    void unusableBudgetsAreRefusedNamingTheKey(String key, String value) {
        assertThatThrownBy(() -> ConfigValidator.check(config(key, value)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("issuetrak." + key);
    }

    @ParameterizedTest
    @ValueSource(strings = { "20", "20/1x", "0/1s", "20/1s/reads", "x/1s" })
    void malformedBudgetRulesAreRefusedBySmallRyeNamingTheKey(String rule) {
        assertThatThrownBy(() -> config("budget.rules", rule)).hasMessageContaining("issuetrak.budget.rules");
    }

    @Test
    void bridgeDefaultsAreValid() {
        BridgeConfig config = TestConfigs.bridge(Map.of());

        assertThat(ConfigValidator.problems(config)).isEmpty();
        assertThat(config.ledger().retention()).hasDays(14);
        assertThat(config.metrics().lagInterval()).hasSeconds(5);
        assertThat(config.ledger().createTopic()).isTrue();
        assertThat(config.ledger().replicationFactor()).isEmpty();
        assertThat(config.routing().orderWindow()).hasMillis(500);
        assertThat(config.routing().maxOrderWait()).hasSeconds(30);
        assertThat(config.routing().marks().enabled()).isTrue();
        assertThat(config.routing().marks().interval()).hasMillis(150);
        assertThat(config.topics().routingMarks()).isEqualTo("issuetrak.notes.routing");
        // 0 is allowed: routed commands are then processed as they arrive.
        assertThat(ConfigValidator.problems(TestConfigs.bridge(Map.of("routing.order-window", "0")))).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({ "ledger.retention, 0s", "ledger.retention, -1d", "metrics.lag-interval, 0s",
            "producer.retry-backoff, 0s", "producer.retry-max-backoff, 0s", "producer.retry-max-backoff, 500ms",
            "ledger.replication-factor, 0", "ledger.replication-factor, 40000", "routing.order-window, -1ms",
            "routing.max-order-wait, 0s", "routing.marks.interval, 0ms" })
    void unusableBridgeDurationsAreRefusedNamingTheKey(String key, String value) {
        assertThat(ConfigValidator.problems(TestConfigs.bridge(Map.of(key, value))))
                .anySatisfy(problem -> assertThat(problem).contains("bridge." + key));
    }

    @ParameterizedTest
    @CsvSource({"max-in-flight, 0, bridge.max-in-flight must be 1 or more",
            "scheduling.max-per-issue, 0, bridge.scheduling.max-per-issue must be 1 or more",
            "scheduling.max-parked, -1, bridge.scheduling.max-parked must be 0 or more",
            "scheduling.max-parked, 2000000000, bridge.max-in-flight + bridge.scheduling.max-parked is too large"})
    void unusableWindowSettingsAreRefusedNamingTheKey(String key, String value, String problem) {
        assertThat(ConfigValidator.problems(TestConfigs.bridge(Map.of(key, value)))).containsExactly(problem);
    }

    @Test
    void schedulingDefaultsAndTheHeapWarning() {
        BridgeConfig defaults = TestConfigs.bridge(Map.of());
        assertThat(defaults.scheduling().maxPerIssue()).isEqualTo(2);
        assertThat(defaults.scheduling().maxParked()).isEqualTo(1000);
        assertThat(ConfigValidator.problems(TestConfigs.bridge(Map.of("scheduling.max-parked", "0")))).isEmpty();
        // (16 + 1000) x 256 KiB = 254 MiB, plus the 2 MiB waiting room: more than a 200 MiB heap, not more than the
        // deployment's 256 MiB.
        assertThat(defaults.routing().maxWaitingBytes()).isEqualTo(2L << 20);
        assertThat(ConfigValidator.memoryWarning(defaults, 200L << 20)).hasValueSatisfying(warning -> assertThat(warning)
                .contains("bridge.scheduling.max-parked", "1016 records", "bridge.routing.max-waiting-bytes (2097152)",
                        "256 MiB in the worst case", "200 MiB heap"));
        assertThat(ConfigValidator.memoryWarning(defaults, 256L << 20)).isEmpty();
        assertThat(ConfigValidator.memoryWarning(TestConfigs.bridge(Map.of("max-note-bytes", "4096")), 200L << 20))
                .isEmpty();
        // The room counts: 16 MiB of it takes the defaults past the deployment's heap.
        assertThat(ConfigValidator.memoryWarning(TestConfigs.bridge(Map.of("routing.max-waiting-bytes", "16777216")),
                256L << 20)).hasValueSatisfying(warning -> assertThat(warning).contains("270 MiB in the worst case"));
    }

    @Test
    void missingKeysAreRefusedBySmallRyeNamingTheKey() {
        Map<String, String> noBaseUrl = new HashMap<>();

        assertThatThrownBy(() -> TestConfigs.issuetrak(noBaseUrl)).hasMessageContaining("issuetrak.base-url");
    }

    @Test
    void malformedApiKeyIsRefusedWithoutEchoingIt() {
        String pasted = "half-pasted secret value!!";

        Throwable refused = catchThrowable(() -> config("api-key", pasted));

        assertThat(refused).hasMessageContaining("issuetrak.api-key");
        for (Throwable t = refused; t != null; t = t.getCause()) {
            assertThat(String.valueOf(t.getMessage())).doesNotContain(pasted).doesNotContain("secret value");
        }
    }

    @Test
    void converterErrorNeverContainsTheValue() {
        Throwable refused = catchThrowable(() -> new ApiKeyConverter().convert("not*base64*SECRET"));

        assertThat(refused).isNotNull();
        assertThat(refused.getMessage()).doesNotContain("SECRET").contains("issuetrak.api-key");
        // SmallRye wraps IllegalArgumentException with the raw value (SRCFG00039); this one it passes through.
        assertThat(refused).isNotInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void apiKeyIsMaskedWhenPrinted() {
        IssuetrakConfig config = config();

        assertThat(config.apiKey().toString()).isEqualTo("****");
        assertThat(String.valueOf(config.apiKey())).doesNotContain(TestConfigs.TEST_KEY);
    }
}

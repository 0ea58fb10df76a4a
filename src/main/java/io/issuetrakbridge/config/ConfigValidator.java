package io.issuetrakbridge.config;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;

/**
 * Fails start-up with a message naming the key when the Issuetrak or bridge configuration is present
 * but unusable. Missing keys and unparsable values are already refused by SmallRye Config, naming the key;
 * this checks what a type cannot express. Messages never contain configured values (a URL may carry
 * credentials, and the key is a secret).
 */
@ApplicationScoped
public class ConfigValidator {

    /** Before everything else that observes start-up, including the in-process sandbox. */
    static final int STARTUP_PRIORITY = 10;

    private final IssuetrakConfig issuetrak;
    private final BridgeConfig bridge;

    public ConfigValidator(IssuetrakConfig issuetrak, BridgeConfig bridge) {
        this.issuetrak = issuetrak;
        this.bridge = bridge;
    }

    void onStart(@Observes @Priority(STARTUP_PRIORITY) StartupEvent event) {
        check(issuetrak);
        List<String> problems = problems(bridge);
        if (!problems.isEmpty()) {
            throw new IllegalStateException("Invalid bridge configuration: " + String.join("; ", problems));
        }
        memoryWarning(bridge, Runtime.getRuntime().maxMemory()).ifPresent(Log::warn);
    }

    /**
     * A warning when the records the command stream may hold at once, each as large as a command may be, plus the
     * values the routing's waiting room may hold, could fill the heap by themselves: not an error, real notes are
     * mostly far smaller than the limit.
     */
    public static Optional<String> memoryWarning(BridgeConfig config, long maxHeapBytes) {
        long records = (long) config.maxInFlight() + config.scheduling().maxParked();
        long worstCase = records * config.maxNoteBytes() + config.routing().maxWaitingBytes();
        if (maxHeapBytes == Long.MAX_VALUE || worstCase <= maxHeapBytes) {
            return Optional.empty();
        }
        return Optional.of(String.format(Locale.ROOT, "bridge.max-in-flight + bridge.scheduling.max-parked = %d "
                + "records of up to bridge.max-note-bytes (%d), and bridge.routing.max-waiting-bytes (%d) of commands "
                + "waiting for order, may be held at once: %d MiB in the worst case, more than the %d MiB heap. Lower "
                + "bridge.scheduling.max-parked or bridge.max-note-bytes if notes that large can come in bulk", records,
                config.maxNoteBytes(), config.routing().maxWaitingBytes(), worstCase >> 20, maxHeapBytes >> 20));
    }

    /** Every problem with {@code bridge.*} that its types cannot express, each naming its key; empty when valid. */
    public static List<String> problems(BridgeConfig config) {
        List<String> problems = new ArrayList<>();
        if (config.maxInFlight() < 1) {
            problems.add("bridge.max-in-flight must be 1 or more");
        }
        if (config.scheduling().maxPerIssue() < 1) {
            problems.add("bridge.scheduling.max-per-issue must be 1 or more");
        }
        if (config.scheduling().maxParked() < 0) {
            problems.add("bridge.scheduling.max-parked must be 0 or more");
        } else if ((long) config.maxInFlight() + config.scheduling().maxParked() > Integer.MAX_VALUE / 2) {
            problems.add("bridge.max-in-flight + bridge.scheduling.max-parked is too large");
        }
        requirePositive(config.ledger().retention(), "bridge.ledger.retention", problems);
        config.ledger().replicationFactor().ifPresent(factor -> {
            if (factor < 1 || factor > Short.MAX_VALUE) {
                problems.add("bridge.ledger.replication-factor must be between 1 and " + Short.MAX_VALUE + ", not " + factor);
            }
        });
        requirePositive(config.metrics().lagInterval(), "bridge.metrics.lag-interval", problems);
        requirePositive(config.producer().retryBackoff(), "bridge.producer.retry-backoff", problems);
        requirePositive(config.producer().retryMaxBackoff(), "bridge.producer.retry-max-backoff", problems);
        Duration orderWindow = config.routing().orderWindow();
        if (orderWindow == null || orderWindow.isNegative()) {
            problems.add("bridge.routing.order-window must be 0 or a positive duration, e.g. 500ms");
        }
        requirePositive(config.routing().maxOrderWait(), "bridge.routing.max-order-wait", problems);
        if (config.routing().maxWaitingBytes() < 0) {
            problems.add("bridge.routing.max-waiting-bytes must be 0 or more");
        }
        requirePositive(config.routing().marks().interval(), "bridge.routing.marks.interval", problems);
        if (config.routing().marks().enabled() && config.topics().routingMarks().equals(config.topics().commands())) {
            problems.add("bridge.topics.routing-marks must be a topic of its own, not the commands topic");
        }
        if (config.producer().retryMaxBackoff().compareTo(config.producer().retryBackoff()) < 0) {
            problems.add("bridge.producer.retry-max-backoff must not be shorter than bridge.producer.retry-backoff");
        }
        return problems;
    }

    /** Throws {@link IllegalStateException} listing every problem, or returns when there is none. */
    public static void check(IssuetrakConfig config) {
        List<String> problems = problems(config);
        if (!problems.isEmpty()) {
            throw new IllegalStateException("Invalid Issuetrak configuration: " + String.join("; ", problems));
        }
    }

    /** Every problem with the configuration, each naming its key; empty when valid. */
    public static List<String> problems(IssuetrakConfig config) {
        List<String> problems = new ArrayList<>();
        URI url = config.baseUrl();
        String scheme = url == null || url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (url == null || !url.isAbsolute() || !(scheme.equals("http") || scheme.equals("https"))
                || url.getHost() == null || url.getHost().isBlank()) {
            problems.add("issuetrak.base-url must be an absolute http or https URL with a host, e.g. "
                    + "https://help.example.com/issuetrak");
        } else {
            if (url.getRawQuery() != null || url.getRawFragment() != null) {
                problems.add("issuetrak.base-url must not have a query or fragment: the API path is appended to it");
            }
            if (url.getRawUserInfo() != null) {
                problems.add("issuetrak.base-url must not carry user info: Issuetrak authenticates with the API key");
            }
        }
        if (config.apiVersion() < 1) {
            problems.add("issuetrak.api-version must be 1 or more");
        }
        requireTimeout(config.connectTimeout(), "issuetrak.connect-timeout", problems);
        requireTimeout(config.requestTimeout(), "issuetrak.request-timeout", problems);
        if (config.maxConnections() < 1) {
            problems.add("issuetrak.max-connections must be 1 or more");
        }
        requirePositive(config.probeAfterIdle(), "issuetrak.probe-after-idle", problems);
        double burst = config.budget().burst();
        if (!(burst >= 0 && burst < 1)) {
            problems.add("issuetrak.budget.burst must be at least 0 and below 1, e.g. 0.02");
        }
        if (config.budget().jitter() == null || config.budget().jitter().isNegative()) {
            problems.add("issuetrak.budget.jitter must not be negative, e.g. 100ms");
        }
        List<BudgetRule> rules = config.budget().rules().orElse(List.of());
        if (rules.stream().map(BudgetRule::name).distinct().count() < rules.size()) {
            problems.add("issuetrak.budget.rules lists a rule twice");
        }
        if (config.concurrency().initialLimit() < 1) {
            problems.add("issuetrak.concurrency.initial-limit must be 1 or more");
        }
        config.tlsConfigurationName().ifPresent(name -> {
            if (name.isBlank()) {
                problems.add("issuetrak.tls-configuration-name must not be blank");
            }
        });
        return problems;
    }

    private static void requirePositive(Duration value, String key, List<String> problems) {
        if (value == null || value.isNegative() || value.isZero()) {
            problems.add(key + " must be a positive duration, e.g. 2s");
        } else if (value.toMillis() == 0) {
            problems.add(key + " must be at least 1ms");
        }
    }

    /** A timeout Vert.x takes as an int of milliseconds. */
    private static void requireTimeout(Duration value, String key, List<String> problems) {
        requirePositive(value, key, problems);
        if (value != null && value.toMillis() > Integer.MAX_VALUE) {
            problems.add(key + " is too long");
        }
    }
}

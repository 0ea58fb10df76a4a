package io.issuetrakbridge.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;

/**
 * How the bridge reaches Issuetrak. Validated at start-up by {@link ConfigValidator}.
 */
@ConfigMapping(prefix = "issuetrak")
public interface IssuetrakConfig {

    /**
     * Root URL of the Issuetrak deployment, with any path prefix it lives under, e.g.
     * {@code https://help.example.com/issuetrak}. The API path {@code /api/v<version>} is appended.
     */
    URI baseUrl();

    /** The API key text as Issuetrak shows it (Base64). Secret: never logged, masked when printed. */
    @WithConverter(ApiKeyConverter.class)
    ApiKey apiKey();

    /** The API version in request paths ({@code /api/v1}). */
    @WithDefault("1")
    int apiVersion();

    /** How long to wait for a TCP (and TLS) connection to Issuetrak. */
    @WithDefault("2s")
    Duration connectTimeout();

    /**
     * Deadline for an answer from Issuetrak, from the request having a connection (just before it is written) to the
     * last byte of the answer (an answer that trickles in counts as none). Past it the request is reset and a create
     * is AMBIGUOUS: the note may exist, and the bridge reconciles before sending again. Also the longest wait for a
     * free connection (then UNAVAILABLE: the request is dropped unsent) and the idle timeout of a connection in use.
     */
    @WithDefault("10s")
    Duration requestTimeout();

    /**
     * Upper bound on pooled HTTP connections to Issuetrak, i.e. requests at Issuetrak at once from this instance
     * (HTTP/1.1 carries one request at a time per connection). 16 by default, what a help desk's IIS server shares
     * without its users noticing; set it with {@code bridge.max-in-flight} (README, Configuration). Throughput is
     * at most {@code max-connections / Issuetrak's latency} notes a second (docs/BENCHMARKS.md).
     */
    @WithDefault("16")
    int maxConnections();

    /** How many requests the bridge sends Issuetrak at once, below {@code issuetrak.max-connections}. */
    Concurrency concurrency();

    /** Concurrency toward Issuetrak. */
    interface Concurrency {

        /**
         * Whether to find how many concurrent requests Issuetrak serves before its latency rises and stay there
         * (a Vegas limit: it grows while latency stays near the no-load latency, shrinks when requests queue, on a
         * 429 or 503, or on a timeout; the no-load latency is measured again every ~10 s at half the limit).
         * {@code false}: up to {@code issuetrak.max-connections} at once.
         */
        @WithDefault("true")
        boolean adaptive();

        /** The limit the adaptive search starts from (it never goes above {@code issuetrak.max-connections}). */
        @WithDefault("4")
        int initialLimit();
    }

    /**
     * Name of a TLS configuration in Quarkus' TLS registry ({@code quarkus.tls.<name>.*}) holding the
     * trust store for HTTPS to Issuetrak. Absent: the JVM's default trust.
     */
    Optional<String> tlsConfigurationName();

    /** What the bridge may spend of Issuetrak's request budget (README, Request budget). */
    Budget budget();

    /**
     * Readiness asks Issuetrak itself (a signed GET, counted in the budget) only when no request has been answered
     * for this long; otherwise the answers to real traffic are the evidence. While paused, the gate's own probes
     * ({@code bridge.pause.probe-interval}) decide.
     */
    @WithDefault("5m")
    Duration probeAfterIdle();

    /** Issuetrak's rate-limit rules, all enforced at once, shared by the instances of one consumer group. */
    interface Budget {

        /**
         * The rules as Issuetrak's administrator set them, comma-separated, each {@code LIMIT/WINDOW} or
         * {@code LIMIT/WINDOW/writes} (POST/PUT/DELETE only), e.g. {@code 20/1s,5/1s/writes,100/1m}. Every request
         * counts: creates, reconciliation reads, probes. Absent: no budget (API v1 documents none).
         */
        Optional<List<BudgetRule>> rules();

        /**
         * The part of each rule's limit that may go at once after a quiet spell; the rest is spread evenly over the
         * window, so that no window, wherever it starts, holds more than the limit. Larger: quicker bursts, lower
         * sustained rate ({@code 1 - burst} of the limit).
         */
        @WithDefault("0.02")
        double burst();

        /**
         * How much later than its turn a request may reach Issuetrak, relative to the requests around it (queues, the
         * network, a pause of the JVM), and still find room: each rule's requests are spread over its window plus
         * this. Costs {@code jitter / window} of a rule's rate: 2% of a 5 s rule, nothing worth naming of an hour's.
         */
        @WithDefault("100ms")
        Duration jitter();
    }
}

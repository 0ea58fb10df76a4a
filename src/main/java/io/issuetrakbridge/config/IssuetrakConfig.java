package io.issuetrakbridge.config;

import java.net.URI;
import java.time.Duration;
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
     * Deadline for a whole exchange with Issuetrak, from sending the request to the last byte of the answer (an
     * answer that trickles in counts as none). Past it a create is AMBIGUOUS: the note may exist, and the bridge
     * reconciles before sending again. Also the idle timeout of a connection in use.
     */
    @WithDefault("10s")
    Duration requestTimeout();

    /**
     * Upper bound on pooled HTTP connections to Issuetrak. HTTP/1.1 carries one request at a time per
     * connection, so this caps the bridge at {@code max-connections / Issuetrak's latency} notes a
     * second: 64 connections at 20 ms held the benchmark to ~2,700 notes/s with CPU to spare
     * (docs/BENCHMARKS.md). The default matches {@code bridge.max-in-flight}, so every command in the
     * window can be at Issuetrak at once; lower it to spare an Issuetrak server that cannot take that many.
     */
    @WithDefault("256")
    int maxConnections();

    /** How many requests the bridge sends Issuetrak at once, below {@code issuetrak.max-connections}. */
    Concurrency concurrency();

    /** Concurrency toward Issuetrak. */
    interface Concurrency {

        /**
         * Whether to find how many concurrent requests Issuetrak serves before its latency rises and stay there
         * (a Vegas limit: it grows while latency stays near the lowest seen, shrinks when requests queue, on a
         * 429 or 503, or on a timeout). {@code false}: up to {@code issuetrak.max-connections} at once.
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
}

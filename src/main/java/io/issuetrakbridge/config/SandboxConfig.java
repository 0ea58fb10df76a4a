package io.issuetrakbridge.config;

import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;

/**
 * The in-process Issuetrak sandbox for the local run ({@code %dev.sandbox.enabled=true}). Off everywhere
 * else unless configured: tests start their own sandbox on a random port, production talks to Issuetrak.
 */
@ConfigMapping(prefix = "sandbox")
public interface SandboxConfig {

    /** Whether to start the sandbox inside the service at start-up. */
    @WithDefault("false")
    boolean enabled();

    /** Interface the sandbox binds. Loopback by default: it accepts anyone who knows the key. */
    @WithDefault("127.0.0.1")
    String host();

    /** Port of the sandbox; {@code issuetrak.base-url} must point at it. 0 picks a free port. */
    @WithDefault("8089")
    int port();

    /** Path prefix the sandbox's API lives under, e.g. {@code /issuetrak}; absent for none. */
    Optional<String> pathPrefix();

    /** The key requests must be signed with; by default the bridge's own {@code issuetrak.api-key}. */
    @WithDefault("${issuetrak.api-key:}")
    @WithConverter(ApiKeyConverter.class)
    Optional<ApiKey> apiKey();

    /** User names accepted as a note's CreatedBy (Issuetrak requires an existing, active user). */
    @WithDefault("Admin,APIUser,bridge")
    Set<String> activeUsers();

    /** Lowest existing issue number; creating a note on any other issue is answered 400. */
    @WithDefault("1")
    long minIssue();

    /** Highest existing issue number. */
    @WithDefault("1000000")
    long maxIssue();

    /** How far a request's timestamp may be from the sandbox clock before it is refused (Issuetrak: 5 minutes). */
    @WithDefault("5m")
    Duration maxClockSkew();

    /** PEM certificate (chain) to serve HTTPS; needs {@code sandbox.tls-key-pem} too. Absent: plain HTTP. */
    Optional<Path> tlsCertPem();

    /** PEM private key for {@code sandbox.tls-cert-pem}. */
    Optional<Path> tlsKeyPem();

    /**
     * Time zone of the simulated Issuetrak server (a java.time zone ID): dates sent with an offset are stored in
     * its local time, and a note created without CreatedDate gets its current local time. Newfoundland by default,
     * far from UTC with a half-hour offset and daylight saving, so that no client can pass by assuming UTC.
     */
    @WithDefault("America/St_Johns")
    ZoneId timeZone();

    /**
     * Issuetrak's rate-limit rules for the sandbox to enforce (429 with Retry-After), written as
     * {@code issuetrak.budget.rules} is, e.g. {@code 20/1s,5/1s/writes,100/1m}. Absent: no limits.
     */
    Optional<List<BudgetRule>> rateLimits();

    /**
     * Workers serving API requests at once (an IIS application pool's shape): more concurrent requests queue
     * for a worker, so latency grows past this knee. 0: no such limit.
     */
    @WithDefault("0")
    int workers();

    /** Requests that may wait for a worker when {@code sandbox.workers} is set; one more is answered 503. */
    @WithDefault("1000")
    int queueLimit();
}
